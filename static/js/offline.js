// Offline support on patient pages (the service worker is static/sw.js, served at /plan/sw.js).
// - Registers the service worker, which saves the plan after each visit online.
// - Gives every check-off and "session done" its own UUID and time, so that a write sent
//   twice (a lost answer, a replay from the offline queue) is stored once.
// - Shows what is saved on this phone and not yet sent, at once, as done; says when a page
//   is a saved copy; asks the patient to sign in when saved entries cannot be sent.
// - Before logging out, sends what it can and empties this phone's copy of the plan.
"use strict";

(function () {
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  const { sw, scope, login, logout } = script.dataset;
  const WRITE = /^\/plan\/(\d{4}-\d{2}-\d{2})\/(?:check|sessions\/([1-3])\/done)\/$/;
  const savedCopy = document.body.dataset.offlineSaved;
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

  function entries(count) {
    return `${count} saved entr${count === 1 ? "y" : "ies"}`;
  }

  function savedBanner(pending) {
    const parts = [];
    if (savedCopy) {
      const when = new Date(savedCopy).toLocaleString("en-GB", {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
      parts.push(`Offline — showing your saved plan from ${when}.`);
    } else if (!navigator.onLine) {
      parts.push("You're offline.");
    }
    if (pending) {
      parts.push(` ${entries(pending)} on this phone will be sent to your clinic when you're back online.`);
    }
    say(parts, parts.length ? "warning" : "info");
  }

  // --- Showing queued entries as done ------------------------------------------------------

  function pageDay() {
    const holder = document.querySelector("[data-plan-day]");
    return holder ? holder.dataset.planDay : "";
  }

  function relabel(button, text, value, tone) {
    const name = button.querySelector(".visually-hidden");
    button.replaceChildren(document.createTextNode(`${text} `), ...(name ? [name] : []));
    button.value = value;
    button.className = `btn ${tone} btn-touch`;
  }

  function markCard(card, status, reason) {
    card.classList.toggle("is-done", status === "done");
    card.classList.toggle("is-skipped", status === "skip");
    const line = card.querySelector(".status");
    if (line) {
      const strong = document.createElement("strong");
      strong.className = status === "done" ? "text-success" : "text-warning-emphasis";
      strong.textContent = status === "done"
        ? "✓ Done (saved on this phone)"
        : `Skipped (saved on this phone)${reason ? `: ${reason.replace(/_/g, " ")}` : ""}`;
      line.replaceChildren(...(status ? [strong] : []));
    }
    const button = card.querySelector("button[name=action]");
    const skip = card.querySelector("details.skip");
    if (!button) return;
    if (status) {
      relabel(button, "Undo", "undo", "btn-outline-secondary");
      if (skip) skip.hidden = true;
    } else {
      relabel(button, "✓ Done", "done", "btn-success");
    }
  }

  function markSession(number, fields) {
    const section = document.getElementById(`session-${number}`);
    const guided = document.querySelector("[data-guided]");
    const holder = section || guided;
    if (!holder) return;
    holder.dataset.result = fields.client_uuid || "";
    const summary = section && section.querySelector("details.session-done > summary");
    if (summary) summary.textContent = "Session done ✓ (saved on this phone) — change it";
    const form = holder.querySelector("form[action$='/done/']");
    if (!form) return;
    for (const name of ["pain", "effort"]) {
      const input = form.querySelector(`input[name=${name}][value="${CSS.escape(fields[name] || "")}"]`);
      if (input) input.checked = true;
    }
    const note = form.querySelector("textarea[name=note]");
    if (note) note.value = fields.note || "";
  }

  function overlay(list) {
    const day = pageDay();
    for (const entry of list || []) {
      // A symptom report waiting to be sent belongs to no day's plan (symptoms.js shows it).
      if (entry.kind === "symptom_report" || entry.day !== day) continue;
      const fields = Object.fromEntries(entry.fields);
      if (entry.kind === "session_done") {
        markSession(entry.session, fields);
        continue;
      }
      const status = { done: "done", skip: "skip" }[fields.action] || null;
      const card = document.getElementById(`exercise-${fields.exercise}-${fields.session}`);
      if (card) markCard(card, status, fields.reason);
      const step = document.querySelector(`[data-step][data-exercise="${CSS.escape(fields.exercise || "")}"]`);
      if (step && status === "done") step.dataset.done = "1";
    }
  }

  async function refresh() {
    const list = await ask({ type: "pending" });
    overlay(list);
    savedBanner(list ? list.length : 0);
    return list;
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
    if (!match) return;
    setHidden(form, "client_uuid", newUuid());
    setHidden(form, "made_at", new Date().toISOString());
    if (match[2]) {
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
    if (pending.length && !window.confirm(
      `${entries(pending.length)} on this phone haven't reached your clinic yet. ` +
      "If you log out now they are deleted. Log out anyway?",
    )) return;
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
    } else if (data.type === "signin") {
      say([link(`Sign in to send ${entries(data.count)}`, `${login}?next=${encodeURIComponent(location.pathname)}`),
        " — they are kept on this phone until then."], "warning");
    } else if (data.type === "sent") {
      if (!data.sent && !(data.rejected || []).length) {
        // Nothing got through (still offline): say so as before the attempt, not "waiting".
        savedBanner(data.pending || 0);
        return;
      }
      const parts = [];
      if (data.sent) parts.push(`${entries(data.sent).replace("saved ", "")} sent to your clinic.`);
      for (const reason of data.rejected || []) parts.push(` One entry could not be sent: ${reason}`);
      if (data.pending) parts.push(` ${entries(data.pending)} still waiting.`);
      if (savedCopy && data.sent) parts.push(" ", link("Refresh the page", location.href));
      if (parts.length) say(parts, data.rejected && data.rejected.length ? "danger" : "success");
    }
  });

  window.addEventListener("offline", () => refresh());
  window.addEventListener("online", () => ask({ type: "replay", csrf: csrfToken() }));

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
