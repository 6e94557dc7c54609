// The prescribing page: small help on top of the plain form (which works without this).
// - Enter in a text field never submits the whole form (it would only re-draw the page);
//   in the search box it searches at once.
// - After htmx redraws the plan panel, focus returns to the button that was used (or the
//   panel's heading when that row is gone), so keyboard users keep their place.
// - "Copy link" on the confirmation page.
(function () {
  "use strict";
  var lastFocus = null;

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.closest || !target.closest("#prescribe-form")) return;
    if (target.tagName === "INPUT" && target.type !== "submit" && target.type !== "checkbox") {
      event.preventDefault();
      if (target.id === "library-q" && window.htmx) window.htmx.trigger(target, "search");
    }
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    lastFocus = active && active.id ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "plan-panel") return;
    var again = lastFocus && document.getElementById(lastFocus);
    if (again && !again.disabled) {
      again.focus();
    } else if (document.activeElement === document.body || !document.activeElement) {
      var heading = document.getElementById("plan-title");
      if (heading) heading.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    field.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else {
      done();
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
