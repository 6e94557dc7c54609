// A refused form: move focus to its error summary (templates/patients/error_summary.html), so
// the patient sees what went wrong wherever the form is on the page and a screen reader reads
// it at once. A link in the summary focuses its field (the browser scrolls to it).
"use strict";

(function () {
  const summary = document.querySelector("[data-error-summary]:not([hidden])");
  if (!summary) return;
  const details = summary.closest("details");
  if (details) details.open = true;
  summary.scrollIntoView({ block: "start", behavior: "instant" });
  summary.focus({ preventScroll: true });
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center", behavior: "instant" });
    field.focus({ preventScroll: true });
  });
})();

// "Session done" asks about exercises neither done nor skipped. Cards ticked since the page
// was drawn (htmx swaps only the card) make the question moot: it goes, and is not sent.
(function () {
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!details.matches || !details.matches("details.session-done") || !details.open) return;
    const question = details.querySelector("[data-unticked]");
    const section = details.closest("section.session");
    if (!question || !section) return;
    const open = section.querySelectorAll(".exercise-card:not(.is-done):not(.is-skipped)").length;
    question.disabled = open === 0;
    question.hidden = open === 0;
  }, true);
})();

// Settings: "Use this phone's time zone" fills in the zone the phone reports, when it differs.
(function () {
  const button = document.querySelector("[data-phone-zone]");
  const input = document.getElementById("id_timezone");
  if (!button || !input || !window.Intl) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === input.value) return;
  button.textContent = `${button.textContent} (${zone.replace(/_/g, " ")})`;
  button.hidden = false;
  button.addEventListener("click", () => {
    input.value = zone;
    input.focus();
  });
})();
