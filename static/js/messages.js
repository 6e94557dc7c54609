// The patient's Messages page (/plan/messages/): the compose box.
// - Each message gets its own id (client_uuid) when the page loads, and keeps it: a double
//   tap, or the offline queue sending it again, stores it once. A saved copy of the page
//   (offline) gets a new id each time it is opened, so two messages never share one.
// - Before sending, the words of the emergency signs (patients/emergency_words.py, handed
//   over as JSON) show the urgent-care advice at once, online or offline; "Send it to my
//   clinic too" sends it anyway. Without this script the server does the same check.
// - A counter of the characters left; "Remove" takes the exercise off the message.
// Offline, the service worker (static/sw.js) keeps the message and sends it when the
// connection returns; static/js/offline.js shows it in the thread as "Waiting to send".
// Its words come from the JavaScript catalogue (/jsi18n/, loaded before this script).
"use strict";

(function () {
  const form = document.querySelector("form[data-compose]");
  if (!form) return;
  const text = form.elements.text;
  const advice = form.querySelector("[data-urgent-advice]");
  const counter = form.querySelector("[data-counter]");
  const limit = Number(text.getAttribute("maxlength")) || 2000;
  const patternsElement = document.getElementById("emergency-patterns");
  let patterns = [];
  if (patternsElement) {
    try {
      patterns = Object.values(JSON.parse(patternsElement.textContent)).flat().map((p) => new RegExp(p));
    } catch (error) {
      patterns = []; // the server checks too
    }
  }

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // A page the server just refused keeps its id (the same message, sent again); any other
  // load is a new message.
  if (!document.querySelector("[data-error-summary]") && advice && advice.hidden) {
    form.elements.client_uuid.value = newUuid();
  }

  // As emergency_words.normalise and emergency_signs_in.
  function namesAnEmergencySign(value) {
    const normal = value.toLowerCase().replace(/\u2019|\u2018/g, "'");
    return patterns.some((pattern) => pattern.test(normal));
  }

  function count() {
    if (!counter) return;
    // The server counts a line break as one character, as the box's maxlength does.
    const length = text.value.replace(/\r\n/g, "\n").length;
    const over = length - limit;
    const left = limit - length;
    counter.textContent = over > 0
      ? interpolate(ngettext("%(count)s character too many.", "%(count)s characters too many.", over), { count: over }, true)
      : interpolate(ngettext("%(count)s character left.", "%(count)s characters left.", left), { count: left }, true);
  }
  text.addEventListener("input", count);
  count();

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    const confirmed = submitter && submitter.name === "confirmed";
    if (!confirmed && advice && text.value.trim() && namesAnEmergencySign(text.value)) {
      event.preventDefault();
      advice.hidden = false;
      const heading = advice.querySelector("[tabindex='-1']");
      if (heading) {
        heading.scrollIntoView({ block: "start", behavior: "instant" });
        heading.focus({ preventScroll: true });
      }
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault(); // a double tap: the first one is on its way
      return;
    }
    form.dataset.sending = "1";
    form.elements.made_at.value = new Date().toISOString();
    // A saved copy's fields may come back with the page (bfcache): allow sending again then.
    setTimeout(() => delete form.dataset.sending, 5000);
  });

  // "Ask about this exercise" opened offline: the saved copy of the thread has no exercise in
  // its box, so it is put there from the plan's exercises (their names came with the page).
  const asked = new URL(location.href).searchParams.get("exercise");
  const aboutTemplate = form.querySelector("template[data-about-template]");
  const exercisesElement = document.getElementById("plan-exercises");
  if (asked && aboutTemplate && exercisesElement && !form.querySelector("[data-about]")) {
    const name = JSON.parse(exercisesElement.textContent)[asked];
    if (name) {
      const about = aboutTemplate.content.firstElementChild.cloneNode(true);
      about.dataset.exerciseName = asked;
      about.dataset.name = name;
      about.querySelector("input[name=exercise]").value = asked;
      const link = about.querySelector("[data-about-link]");
      link.textContent = name;
      link.href = `${form.getAttribute("action")}`.replace(/messages\/$/, `exercises/${asked}/`);
      aboutTemplate.replaceWith(about);
    }
  }

  // "Remove": the message is no longer about that exercise (the link works without script too,
  // by opening the page without it).
  const remove = form.querySelector("[data-remove-about]");
  if (remove) {
    remove.addEventListener("click", (event) => {
      event.preventDefault();
      const about = form.querySelector("[data-about]");
      about.remove();
      const url = new URL(location.href);
      url.searchParams.delete("exercise");
      history.replaceState(null, "", url);
      text.focus();
    });
  }

  // The newest message in view on opening the thread (not when the patient asked for the
  // earlier ones, or the page points somewhere).
  const thread = document.querySelector("[data-thread]");
  const urgentShown = advice && !advice.hidden;
  if (thread && !location.hash && !urgentShown && !document.querySelector("[data-error-summary]")
      && !new URL(location.href).searchParams.has("before")) {
    const last = thread.lastElementChild;
    if (last && document.documentElement.scrollHeight > window.innerHeight) {
      last.scrollIntoView({ block: "center", behavior: "instant" });
    }
  }
  if (new URL(location.href).searchParams.has("exercise")) text.focus({ preventScroll: true });
})();
