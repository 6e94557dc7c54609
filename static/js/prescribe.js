// The prescribing page: small help on top of the plain form (which works without this).
// - Enter in a text field never submits the whole form (it would only re-draw the page);
//   in the search box it searches at once.
// - After htmx redraws the plan panel, focus returns to the button that was used (or the
//   panel's heading when that row is gone), so keyboard users keep their place.
// - The library's Add buttons read "In the plan" for the exercises in the plan.
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

  // The library's Add buttons follow the plan: after htmx redraws the plan panel (an add,
  // a removal, a template loaded), an exercise in the plan reads "In the plan" (disabled),
  // the others "Add". The page drawn by the server says the same without this.
  function syncLibrary() {
    var inPlan = {};
    document.querySelectorAll("#plan-panel .in-plan-id").forEach(function (input) {
      inPlan[input.value] = true;
    });
    document.querySelectorAll(".add-exercise[data-exercise]").forEach(function (button) {
      var added = inPlan[button.getAttribute("data-exercise")] === true;
      button.disabled = added;
      button.querySelector(".label-add").hidden = added;
      button.querySelector(".label-in-plan").hidden = !added;
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "plan-panel") syncLibrary();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var results = document.getElementById("library-results");
    if (results && event.detail.elt === results && results.parentElement) {
      results.parentElement.scrollTop = 0; // new results are at the top of their box
      return;
    }
    if (!event.detail.target || event.detail.target.id !== "plan-panel") return;
    var again = lastFocus && document.getElementById(lastFocus);
    if (again && again.disabled) {
      // Moved to the top (or the bottom): the row's other arrow is the next useful key.
      var other = /^up-/.test(lastFocus) ? lastFocus.replace(/^up-/, "down-") : lastFocus.replace(/^down-/, "up-");
      again = document.getElementById(other);
    }
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
    // The clipboard API needs a secure context and permission; selecting and copying is the
    // old way that works elsewhere (the link stays selected for Ctrl+C either way).
    var fallback = function () {
      try {
        if (document.execCommand("copy")) done();
      } catch (error) { /* the link is selected: Ctrl+C copies it */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });

  // Drag a row onto another to move it there (the arrow buttons do the same by keyboard).
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".row-head[draggable]");
    var row = handle && handle.closest(".plan-row");
    if (!row) return;
    dragged = row.getAttribute("data-index");
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
  });
  document.addEventListener("dragend", function (event) {
    var row = event.target.closest && event.target.closest(".plan-row");
    if (row) row.classList.remove("dragging");
  });
  document.addEventListener("dragover", function (event) {
    if (dragged !== null && event.target.closest && event.target.closest(".plan-row")) {
      event.preventDefault();
    }
  });
  document.addEventListener("drop", function (event) {
    var row = event.target.closest && event.target.closest(".plan-row");
    var form = document.getElementById("prescribe-form");
    if (!row || dragged === null || !form || !window.htmx) return;
    event.preventDefault();
    var to = row.getAttribute("data-index");
    if (to !== dragged) {
      window.htmx.ajax("POST", form.getAttribute("action"), {
        source: form,
        values: { op: "move:" + dragged + ":" + to },
        target: "#plan-panel",
        select: "#plan-panel",
        swap: "outerHTML",
      });
    }
    dragged = null;
  });

  // The error summary's links put the cursor in the field, not just scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
