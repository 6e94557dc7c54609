// The clinician's reply box: a quick reply's button puts its text into the box (added to
// what is already typed), ready to edit. Without JavaScript the select and "Insert" do it.
(function () {
  "use strict";
  document.querySelectorAll(".reply-form").forEach(function (form) {
    var buttons = form.querySelector("[data-quick-replies]");
    var fallback = form.querySelector("[data-quick-replies-nojs]");
    var box = form.querySelector("[data-reply-text]");
    if (!buttons || !box || form.dataset.quickReady) {
      return;
    }
    form.dataset.quickReady = "1";
    buttons.hidden = false;
    if (fallback) {
      fallback.hidden = true;
    }
    buttons.addEventListener("click", function (event) {
      var button = event.target.closest("[data-quick-text]");
      if (!button) {
        return;
      }
      var text = button.dataset.quickText;
      box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    });
  });
})();
