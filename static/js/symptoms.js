// "My symptoms got worse" on the phone: the advice at once, decided here by the same rules as
// the server (each choice carries its level, rendered from patients.models.SymptomReport), then
// the report sent. Offline, the service worker (static/sw.js) keeps it and sends it when the
// connection returns; its UUID makes a second sending change nothing. Without this script the
// form posts as usual and the server answers with the advice page.
"use strict";

(function () {
  const form = document.querySelector("form[data-symptom-form]");
  const result = document.querySelector("[data-symptom-result]");
  if (!form || !result || !window.fetch) return;
  const summary = document.querySelector("[data-error-summary]");
  const button = form.querySelector("button[type=submit]");
  const levels = form.dataset.levels.split(" "); // most urgent first

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? cookie.slice("csrftoken=".length) : form.elements.csrfmiddlewaretoken.value;
  }

  // The most urgent level among the ticked symptoms: SymptomReport.level_for, here.
  function levelOf(ticked) {
    const found = new Set(ticked.map((box) => box.dataset.level));
    return levels.find((level) => found.has(level)) || levels[levels.length - 1];
  }

  function showAdvice(level) {
    for (const section of result.querySelectorAll("[data-advice]")) {
      section.hidden = section.dataset.advice !== level;
    }
    for (const line of result.querySelectorAll("[data-status]")) line.hidden = true;
    form.hidden = true;
    if (summary) summary.hidden = true;
    result.hidden = false;
    const heading = result.querySelector(`[data-advice="${level}"] [tabindex="-1"]`);
    if (heading) heading.focus();
  }

  function showStatus(status, detail) {
    const line = result.querySelector(`[data-status="${status}"]`);
    const extra = line.querySelector("[data-status-detail]");
    if (extra) extra.textContent = detail || "";
    line.hidden = false;
    if (status === "failed" || status === "signin") {
      // The same report, with the same id, can be sent again from the form below the advice.
      form.hidden = false;
      button.disabled = false;
    }
  }

  async function send() {
    let response;
    try {
      response = await fetch(form.action || location.href, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
        redirect: "manual",
      });
    } catch (error) {
      return ["failed", ""]; // offline, and no service worker here to keep it
    }
    const queued = response.status === 204 && response.headers.get("X-Homeplan-Queued");
    if (queued === "signin") return ["kept-signin"];
    if (queued === "server") return ["queued-server"];
    if (queued) return ["queued"];
    if (response.ok) return ["sent"];
    if (response.type === "opaqueredirect" || response.status === 403) return ["signin"];
    let detail = "";
    try {
      detail = (await response.json()).error || "";
    } catch (error) {
      detail = "";
    }
    return ["failed", detail];
  }

  // A saved copy of this page would send the id it was saved with: each visit gets its own.
  form.elements.client_uuid.value = newUuid();
  if (summary && !summary.hidden) summary.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return; // a double tap: the first one is on its way
    const ticked = [...form.querySelectorAll("input[name=symptoms]:checked")];
    if (!ticked.length) {
      // The GOV.UK pattern: a summary at the top, focused, and the message beside the field.
      const fieldError = document.getElementById("symptoms-error");
      fieldError.hidden = false;
      form.querySelector("[data-symptoms]").setAttribute("aria-describedby", fieldError.id);
      summary.hidden = false;
      summary.focus();
      return;
    }
    button.disabled = true;
    form.elements.made_at.value = new Date().toISOString();
    showAdvice(levelOf(ticked));
    const [status, detail] = await send();
    showStatus(status, detail);
  });
})();
