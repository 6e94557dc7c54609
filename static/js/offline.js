// Offline support on patient pages (the service worker is static/sw.js, served at /plan/sw.js).
// - Registers the service worker, which saves the plan after each visit online.
// - Gives every check-off and "session done" its own UUID and time, so that a write sent
//   twice (a lost answer, a replay from the offline queue) is stored once.
// - Shows what is saved on this phone and not yet sent, at once, as done; says when a page
//   is a saved copy; asks the patient to sign in when saved entries cannot be sent.
// - Before logging out, sends what it can and empties this phone's copy of the plan.
// - When the server fails (5xx, or no answer in time), the service worker keeps the entry as
//   it does offline: the card or form says "Not sent yet", keeps what was typed, and this
//   page asks the worker to try again until the server answers (serverTroubleRetry).
// - A check-off the server stored but could not redraw is shown as stored (acknowledged).
// Its words come from the JavaScript catalogue (gettext, ngettext, interpolate; /jsi18n/,
// loaded before this script and saved by the service worker for offline use).
"use strict";

(function () {
  const script = document.currentScript;
  listenForAcknowledgedCheckOffs();
  if (!("serviceWorker" in navigator) || !script) return;
  const { sw, scope, login, logout } = script.dataset;
  const WRITE = /^\/plan\/(\d{4}-\d{2}-\d{2})\/(?:check|feedback|sessions\/([1-3])\/done)\/$/;
  // A form written once and sent as it is: the function check-in. (symptoms.js sends the
  // symptom report itself.)
  const FORM_WRITE = /^\/plan\/check-in\/$/;
  // "Mark as read" on an education page.
  const READ_WRITE = /^\/plan\/learn\/[\w-]+\/read\/$/;
  const savedCopy = document.body.dataset.offlineSaved;
  const savedBecause = document.body.dataset.offlineReason;
  let notice = null;

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
    if (cookie) return cookie.slice("csrftoken=".length);
    // A saved copy's token may be older than the last sign-in: only a fresh page's counts.
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input && !savedCopy ? input.value : "";
  }

  // Ask the service worker something; it answers on a private channel.
  async function ask(message, timeout = 15000) {
    const registration = await navigator.serviceWorker.ready;
    const worker = navigator.serviceWorker.controller || registration.active;
    if (!worker) return null;
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), timeout);
      channel.port1.onmessage = (event) => {
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // --- What the patient is told ---------------------------------------------------------

  function say(parts, tone = "info") {
    if (!notice) {
      notice = document.createElement("div");
      notice.setAttribute("role", "status");
      notice.setAttribute("aria-live", "polite");
      notice.dataset.testid = "offline-status";
      const main = document.getElementById("main");
      main.insertBefore(notice, main.firstChild);
    }
    notice.className = `offline-status alert alert-${tone} no-print`;
    notice.replaceChildren(...parts.map((p) => (typeof p === "string" ? document.createTextNode(p) : p)));
    notice.hidden = parts.length === 0;
  }

  function link(text, href) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.className = "alert-link";
    return a;
  }

  // A sentence with its named values filled in: interpolate(text, {count: 3}, true).
  function fill(text, values) {
    return interpolate(text, values, true);
  }

  function savedBanner(pending, list) {
    const parts = [];
    if (savedCopy) {
      // In the page's language ("en-gb" reads as before: "Mon 3 Mar, 09:15").
      const when = new Date(savedCopy).toLocaleString(document.documentElement.lang || "en-GB", {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
      if (savedBecause === "coming") {
        // A coming day's saved copy, opened offline: what is planned, nothing to log yet.
        parts.push(fill(gettext("Offline — this day is still to come. Here is what's planned (saved %(when)s)."), { when }));
      } else if (savedBecause === "server") {
        parts.push(fill(gettext("The server isn't answering — showing your saved plan from %(when)s."), { when }));
      } else {
        parts.push(fill(gettext("Offline — showing your saved plan from %(when)s."), { when }));
      }
    } else if (!navigator.onLine) {
      parts.push(gettext("You're offline."));
    }
    if (pending && navigator.onLine && serverTroubleIn(list)) {
      if (savedBecause !== "server") parts.push(" ", gettext("Your clinic's server isn't answering just now."));
      parts.push(" ", gettext("What you saved on this phone will be sent automatically."));
    } else if (pending) {
      parts.push(" ", fill(ngettext(
        "%(count)s saved entry on this phone will be sent to your clinic when you're back online.",
        "%(count)s saved entries on this phone will be sent to your clinic when you're back online.",
        pending,
      ), { count: pending }));
    }
    say(parts, parts.length ? "warning" : "info");
  }

  // --- Showing queued entries as done ------------------------------------------------------

  function pageDay() {
    const holder = document.querySelector("[data-plan-day]");
    return holder ? holder.dataset.planDay : "";
  }

  // A coming day's copy is drawn as it will look on the day ("Today", with its buttons):
  // shown offline before that day, it is named by its weekday and offers nothing to log.
  function showAsComingDay() {
    const day = pageDay();
    const heading = document.querySelector(".day-header h1");
    if (heading && day) {
      heading.textContent = new Date(`${day}T12:00:00`).toLocaleDateString(
        document.documentElement.lang || undefined, { weekday: "long" },
      );
    }
    document.querySelectorAll(".check-form, .feedback-form, details.session-done").forEach((element) => {
      element.hidden = true;
    });
    document.querySelectorAll("a[href$='/guided/']").forEach((link) => {
      link.hidden = true;
    });
    const todayLink = document.querySelector(".plan-nav [aria-current='page']");
    if (todayLink) {
      todayLink.removeAttribute("aria-current");
      todayLink.classList.replace("btn-primary", "btn-outline-primary");
    }
  }
  if (savedCopy && savedBecause === "coming") showAsComingDay();

  function relabel(button, text, value, tone) {
    const name = button.querySelector(".visually-hidden");
    button.replaceChildren(document.createTextNode(`${text} `), ...(name ? [name] : []));
    button.value = value;
    button.className = `btn ${tone} btn-touch`;
  }

  // A skip reason's words, as the page's own menu of reasons names it ("no_time": "no time").
  function reasonText(holder, reason) {
    const option = holder && reason
      && holder.querySelector(`select option[value="${CSS.escape(reason)}"]`);
    return option ? option.textContent.trim().toLowerCase() : (reason || "").replace(/_/g, " ");
  }

  function markCard(card, status, reason) {
    card.classList.toggle("is-done", status === "done");
    card.classList.toggle("is-skipped", status === "skip");
    const line = card.querySelector(".status");
    if (line) {
      const strong = document.createElement("strong");
      strong.className = status === "done" ? "text-success" : "text-warning-emphasis";
      if (status === "done") strong.textContent = gettext("✓ Done (saved on this phone)");
      else if (reason) {
        strong.textContent = fill(gettext("Skipped (saved on this phone): %(reason)s"), {
          reason: reasonText(card, reason),
        });
      } else strong.textContent = gettext("Skipped (saved on this phone)");
      line.replaceChildren(...(status ? [strong] : []));
    }
    const button = card.querySelector("button[name=action]");
    const skip = card.querySelector("details.skip");
    if (!button) return;
    if (status) {
      relabel(button, gettext("Undo"), "undo", "btn-outline-secondary");
      if (skip) skip.hidden = true;
    } else {
      relabel(button, gettext("Mark done"), "done", "btn-success");
    }
  }

  function markSession(number, fields) {
    const section = document.getElementById(`session-${number}`);
    const guided = document.querySelector("[data-guided]");
    const holder = section || guided;
    if (!holder) return;
    holder.dataset.result = fields.client_uuid || "";
    const summary = section && section.querySelector("details.session-done > summary");
    if (summary) summary.textContent = gettext("Session done ✓ (saved on this phone) — change it");
    const form = holder.querySelector("form[action$='/done/']");
    if (!form) return;
    for (const name of ["pain", "effort"]) {
      const input = form.querySelector(`input[name=${name}][value="${CSS.escape(fields[name] || "")}"]`);
      if (input) input.checked = true;
    }
    const note = form.querySelector("textarea[name=note]");
    if (note) note.value = fields.note || "";
    // What was typed stays in view, with the word that it has not reached the clinic yet.
    if (summary) summary.parentElement.open = true;
    showNotSent(form, "before");
  }

  function overlay(list) {
    const day = pageDay();
    document.querySelectorAll("[data-not-sent]").forEach((element) => element.remove());
    for (const entry of list || []) {
      // A symptom report waiting to be sent belongs to no day's plan (symptoms.js shows it).
      if (entry.kind === "symptom_report") continue;
      if (entry.kind === "form") {
        fillWaitingForm(entry);
        continue;
      }
      if (entry.kind === "read") {
        markRead(entry);
        continue;
      }
      if (entry.kind === "message") {
        markMessageWaiting(entry);
        continue;
      }
      if (entry.day !== day) continue;
      const fields = Object.fromEntries(entry.fields);
      if (entry.kind === "session_done") {
        markSession(entry.session, fields);
        continue;
      }
      if (fields.effort && !fields.action) {
        markFeedback(fields);
        continue;
      }
      const status = { done: "done", skip: "skip" }[fields.action] || null;
      const card = document.getElementById(`exercise-${fields.exercise}-${fields.session}`);
      if (card) {
        markCard(card, status, fields.reason);
        showNotSent(card.querySelector(".status"), "after");
      }
      const step = document.querySelector(`[data-step][data-exercise="${CSS.escape(fields.exercise || "")}"]`);
      if (step && status) {
        step.dataset.status = status === "done" ? "done" : "skipped";
        step.dataset.reason = status === "skip" ? reasonText(step, fields.reason) : "";
      }
    }
  }

  // "Mark as read" waiting on this phone: every place the page is listed shows it read.
  function markRead(entry) {
    const slug = (entry.url.match(/\/learn\/([\w-]+)\/read\/$/) || [])[1];
    if (!slug) return;
    for (const holder of document.querySelectorAll(`[data-reading="${CSS.escape(slug)}"]`)) {
      const line = document.createElement("p");
      line.className = "mb-0 text-success-emphasis fw-semibold";
      line.textContent = gettext("✓ Read (saved on this phone)");
      holder.replaceChildren(line);
      showNotSent(line, "after");
    }
  }

  // A message to the clinic waiting on this phone: at the end of the thread, "Waiting to send".
  function markMessageWaiting(entry) {
    const thread = document.querySelector("[data-thread]");
    const template = document.querySelector("template[data-waiting-message]");
    if (!thread || !template) return;
    const fields = Object.fromEntries(entry.fields);
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.notSent = "";
    item.querySelector("[data-text]").textContent = fields.text || "";
    // The exercise it asks about, by name (the page carries the plan's exercises).
    const names = document.getElementById("plan-exercises");
    const name = fields.exercise && names && JSON.parse(names.textContent)[fields.exercise];
    if (name) {
      item.querySelector("[data-about-name]").textContent = name;
      item.querySelector("[data-about-line]").hidden = false;
    }
    const empty = thread.querySelector("[data-thread-empty]");
    if (empty) empty.hidden = true;
    thread.append(item);
  }

  // An answer to "how did it feel?" waiting on this phone: shown as chosen.
  function markFeedback(fields) {
    const holders = [
      document.getElementById(`exercise-${fields.exercise}-${fields.session}`),
      document.querySelector(`[data-step][data-exercise="${CSS.escape(fields.exercise || "")}"]`),
    ];
    for (const holder of holders) {
      if (!holder) continue;
      for (const choice of holder.querySelectorAll("button[name=effort], [data-effort]")) {
        const chosen = (choice.value || choice.dataset.effort) === fields.effort;
        choice.setAttribute("aria-pressed", String(chosen));
        choice.classList.toggle("btn-secondary", chosen);
        choice.classList.toggle("btn-outline-secondary", !chosen);
      }
    }
  }

  async function refresh() {
    const list = await ask({ type: "pending" });
    overlay(list);
    savedBanner(list ? list.length : 0, list);
    return list;
  }

  // --- Entries the server failed to take (or did not answer in time) ----------------------

  function serverTroubleIn(list) {
    return (list || []).some((entry) => entry.reason === "server");
  }

  // "Not sent yet — it will be sent automatically", next to what is waiting.
  function showNotSent(anchor, where) {
    if (!anchor) return null;
    const line = document.createElement("p");
    line.className = "not-sent alert alert-warning py-2 mb-2";
    line.dataset.notSent = "";
    line.dataset.testid = "not-sent";
    // An entry kept on the phone, because there was no connection or the server failed.
    line.textContent = gettext("Not sent yet — it will be sent automatically.");
    if (where === "after") anchor.after(line);
    else anchor.prepend(line);
    return line;
  }

  // Put what the patient typed back into a form (radios, boxes, text), as they left it.
  function fillForm(form, fields) {
    const values = {};
    for (const [name, value] of fields) (values[name] = values[name] || []).push(value);
    for (const element of form.elements) {
      if (!element.name || !(element.name in values) || element.type === "hidden") continue;
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values[element.name].includes(element.value);
      } else if (element.tagName !== "BUTTON") {
        element.value = values[element.name][0];
      }
    }
  }

  // The check-in form this entry came from, filled in again and marked as waiting.
  function fillWaitingForm(entry) {
    const form = [...document.forms].find(
      (candidate) => new URL(candidate.action, location.href).pathname === entry.url,
    );
    if (!form) return;
    fillForm(form, entry.fields);
    showNotSent(form, "before");
  }

  // While entries wait because the server failed, ask the worker to send them again: at the
  // server's Retry-After, then less and less often (a page load and Background Sync retry too).
  let retryTimer = null;
  let retryDelay = 0;

  function serverTroubleRetry(retryAfter) {
    if (retryTimer || !navigator.onLine) return;
    retryDelay = retryDelay ? Math.min(retryDelay * 2, 60) : (retryAfter || 5);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      ask({ type: "replay", csrf: csrfToken() });
    }, retryDelay * 1000);
  }

  function serverTroubleOver() {
    retryDelay = 0;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  }

  // --- Check-offs the server stored but could not redraw -----------------------------------

  // The server answers "saved" with the action it stored (X-Homeplan-Saved) and leaves the
  // card alone (clinic/resilience.py); this shows it, as the card will look on the next load.
  function listenForAcknowledgedCheckOffs() {
    document.addEventListener("htmx:afterRequest", (event) => {
      const { xhr, elt, failed } = event.detail;
      const card = elt && elt.closest && elt.closest(".exercise-card");
      if (!card || !xhr) return;
      const saved = xhr.getResponseHeader("X-Homeplan-Saved");
      if (saved) {
        markStored(card, saved);
      } else if (failed && xhr.status >= 500 && !xhr.getResponseHeader("X-Homeplan-Queued")) {
        // No service worker kept it: say so, on the card.
        const line = card.querySelector(".status");
        if (line) line.textContent = gettext("Not sent: the server isn't answering. Please try again in a moment.");
      }
    });
  }

  function markStored(card, action) {
    const status = { done: "done", skip: "skip" }[action] || null;
    markCard(card, status, "");
    const line = card.querySelector(".status");
    if (!line) return;
    const strong = document.createElement("strong");
    strong.className = status === "done" ? "text-success" : "text-warning-emphasis";
    strong.textContent = status === "done" ? gettext("✓ Done") : gettext("Skipped");
    line.replaceChildren(...(status ? [strong] : []));
  }

  // --- Writes get an id, a time, and the result they were made against ----------------------

  function setHidden(form, name, value) {
    let input = form.querySelector(`input[type=hidden][name=${name}]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  // Capture phase: before htmx reads the form.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const path = new URL(form.action, location.href).pathname;
    const match = path.match(WRITE);
    if (!match && !FORM_WRITE.test(path) && !READ_WRITE.test(path)) return;
    setHidden(form, "client_uuid", newUuid());
    setHidden(form, "made_at", new Date().toISOString());
    if (match && match[2]) {
      const holder = form.closest("[data-result]");
      setHidden(form, "seen", holder ? holder.dataset.result : "");
    }
  }, true);

  // Logging out empties this phone's copy; unsent entries are sent first, or the patient is
  // told that they would be lost.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (new URL(form.action, location.href).pathname !== logout || form.dataset.offlineCleared) return;
    event.preventDefault();
    let pending = navigator.onLine ? await ask({ type: "replay", csrf: csrfToken() }) : await ask({ type: "pending" });
    pending = pending || [];
    if (pending.length && !window.confirm(fill(ngettext(
      "%(count)s saved entry on this phone hasn't reached your clinic yet. If you log out now it is deleted. Log out anyway?",
      "%(count)s saved entries on this phone haven't reached your clinic yet. If you log out now they are deleted. Log out anyway?",
      pending.length,
    ), { count: pending.length }))) return;
    await ask({ type: "forget" }, 5000);
    form.dataset.offlineCleared = "1";
    form.submit();
  });

  navigator.serviceWorker.startMessages();
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "saved") {
      document.body.dataset.offlineReady = data.at;
    } else if (data.type === "queued") {
      refresh();
      if (data.reason === "server") serverTroubleRetry(data.retryAfter);
    } else if (data.type === "signin") {
      const signIn = fill(ngettext(
        "Sign in to send %(count)s saved entry",
        "Sign in to send %(count)s saved entries",
        data.count,
      ), { count: data.count });
      say([link(signIn, `${login}?next=${encodeURIComponent(location.pathname)}`),
        " ", gettext("— they are kept on this phone until then.")], "warning");
    } else if (data.type === "sent") {
      if (data.pending && data.serverTrouble) serverTroubleRetry(data.retryAfter);
      else serverTroubleOver();
      if (!data.sent && !(data.rejected || []).length) {
        // Nothing got through (still offline, or the server still failing): say so as before
        // the attempt, not "waiting".
        refresh();
        return;
      }
      // What was sent no longer says "Not sent yet"; the banner below says what happened.
      ask({ type: "pending" }).then(overlay);
      const parts = [];
      if (data.sent) {
        parts.push(fill(ngettext(
          "%(count)s entry sent to your clinic.", "%(count)s entries sent to your clinic.", data.sent,
        ), { count: data.sent }));
      }
      for (const reason of data.rejected || []) {
        parts.push(" ", fill(gettext("One entry could not be sent: %(reason)s"), {
          reason: reason || gettext("It was not accepted."),
        }));
      }
      if (data.pending) {
        parts.push(" ", fill(ngettext(
          "%(count)s saved entry still waiting.", "%(count)s saved entries still waiting.", data.pending,
        ), { count: data.pending }));
      }
      if (data.sent) parts.push(" ", link(gettext("Refresh the page"), location.href));
      if (parts.length) say(parts, data.rejected && data.rejected.length ? "danger" : "success");
    }
  });

  window.addEventListener("offline", () => refresh());
  // Back online: send what waits. The "online" event can come before the connection carries
  // anything (a phone joining a network, its service worker a moment behind the page), so
  // entries still waiting are tried again after 3, 6 and 12 seconds.
  window.addEventListener("online", async () => {
    for (const seconds of [0, 3, 6, 12]) {
      if (seconds) await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      if (!navigator.onLine) return;
      const pending = await ask({ type: "replay", csrf: csrfToken() });
      if (!pending || !pending.length) return;
    }
  });

  // Offline, or on a saved copy, the worker in charge is already there: checking sw.js for an
  // update would only fail.
  const ready = navigator.serviceWorker.controller && (savedCopy || !navigator.onLine)
    ? navigator.serviceWorker.ready
    : navigator.serviceWorker.register(sw, { scope });
  ready.then(async () => {
    await refresh();
    await ask({ type: "hello", online: navigator.onLine && !savedCopy, csrf: savedCopy ? "" : csrfToken() }, 60000);
  }).catch(() => {
    // No service worker (e.g. a private window): the plan works online as before.
  });
})();
