// Guided mode: steps through a session one exercise at a time, with a set counter and
// countdown timers for holds and rests. Plain JavaScript, no framework.
// - Accessible: the time left is announced politely every 10 seconds and at the end.
// - Respects reduced motion (no animated progress bar; see guided.css).
// - Keeps the screen awake where the browser allows (Screen Wake Lock API).
// - Each finished exercise is checked off on the server, as the ✓ Done button would.
"use strict";

(function () {
  const root = document.querySelector("[data-guided]");
  if (!root) return;

  const steps = Array.from(root.querySelectorAll("[data-step]"));
  const finish = root.querySelector("[data-finish]");
  const progress = root.querySelector("[data-progress]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let current = 0;
  let wakeLock = null;
  let timer = null;

  root.classList.add("is-enhanced");

  async function keepAwake() {
    if (!("wakeLock" in navigator)) return;
    try {
      wakeLock = await navigator.wakeLock.request("screen");
    } catch (error) {
      wakeLock = null; // e.g. battery saver: the session still works
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && wakeLock !== null) keepAwake();
  });

  function show(index) {
    current = index;
    steps.forEach((step, i) => step.classList.toggle("is-current", i === index));
    finish.classList.toggle("is-current", index >= steps.length);
    progress.textContent = index < steps.length
      ? `Exercise ${index + 1} of ${steps.length}`
      : "Session finished";
    const heading = (index < steps.length ? steps[index] : finish).querySelector("h1");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    if (index < steps.length) prepare(steps[index]);
  }

  function perSide(step) {
    return step.dataset.side === "each" ? 2 : 1;
  }

  function prepare(step) {
    const controls = step.querySelector("[data-controls]");
    controls.hidden = false;
    step.state = { set: 1, side: 1, sets: Number(step.dataset.sets) || 1 };
    updateCounter(step);
    button(step, "start").hidden = false;
    button(step, "start").textContent = startLabel(step);
    button(step, "next").hidden = true;
    button(step, "skip-timer").hidden = true;
    step.querySelector("[data-timer]").hidden = true;
  }

  function button(step, action) {
    return step.querySelector(`[data-action="${action}"]`);
  }

  // A timed hold is a stretch held for its time; with repetitions ("10, hold 3 seconds
  // each") the patient counts the short holds and taps when the set is done.
  function timedHold(step) {
    return Number(step.dataset.reps) ? 0 : Number(step.dataset.hold);
  }

  function startLabel(step) {
    const hold = timedHold(step);
    return hold ? `Start ${hold}-second hold` : "Done with this set";
  }

  function updateCounter(step) {
    const { set, sets, side } = step.state;
    const sideText = perSide(step) === 2 ? (side === 1 ? " — first side" : " — second side") : "";
    const reps = Number(step.dataset.reps);
    const hold = Number(step.dataset.hold);
    const repsText = reps ? ` · ${reps} repetitions${hold ? `, hold each ${hold} s` : ""}` : "";
    step.querySelector("[data-set-counter]").textContent =
      `Set ${set} of ${sets}${sideText}${repsText}`;
  }

  function countdown(step, seconds, label, done) {
    const box = step.querySelector("[data-timer]");
    const value = step.querySelector("[data-timer-value]");
    const bar = step.querySelector("[data-timer-bar]");
    const announce = step.querySelector("[data-timer-announce]");
    box.hidden = false;
    step.querySelector("[data-timer-label]").textContent = label;
    button(step, "start").hidden = true;
    button(step, "skip-timer").hidden = false;
    let left = seconds;
    const render = () => {
      value.textContent = left;
      bar.style.width = `${(100 * (seconds - left)) / seconds}%`;
      if (left === seconds) announce.textContent = `${label}: ${seconds} seconds.`;
      else if (left > 0 && left % 10 === 0) announce.textContent = `${left} seconds left.`;
    };
    const stop = () => {
      clearInterval(timer);
      timer = null;
      box.hidden = true;
      button(step, "skip-timer").hidden = true;
      announce.textContent = `${label}: finished.`;
      done();
    };
    render();
    clearInterval(timer);
    timer = setInterval(() => {
      left -= 1;
      if (left <= 0) stop(); else render();
    }, 1000);
    button(step, "skip-timer").onclick = stop;
  }

  function setFinished(step) {
    const state = step.state;
    if (state.side < perSide(step)) {
      state.side += 1;
    } else if (state.set < state.sets) {
      state.set += 1;
      state.side = 1;
      const rest = Number(step.dataset.rest);
      if (rest > 0) {
        updateCounter(step);
        countdown(step, rest, "Rest", () => ready(step));
        return;
      }
    } else {
      exerciseFinished(step);
      return;
    }
    ready(step);
  }

  function ready(step) {
    updateCounter(step);
    const start = button(step, "start");
    start.hidden = false;
    start.focus();
  }

  function exerciseFinished(step) {
    step.querySelector("[data-set-counter]").textContent = "✓ All sets done";
    button(step, "start").hidden = true;
    const next = button(step, "next");
    next.hidden = false;
    next.textContent = current + 1 < steps.length ? "Next exercise ›" : "Finish the session ›";
    next.focus();
    if (step.dataset.done !== "1") checkOff(step);
  }

  function checkOff(step) {
    const body = new FormData();
    body.append("exercise", step.dataset.exercise);
    body.append("session", root.dataset.session);
    body.append("action", "done");
    // Its own id and time, as every check-off has: sent twice (an answer lost, the phone's
    // queue after a server failure), it is stored once.
    body.append("client_uuid", crypto.randomUUID ? crypto.randomUUID() : "");
    body.append("made_at", new Date().toISOString());
    fetch(root.dataset.checkUrl, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      credentials: "same-origin",
    }).then((response) => {
      if (response.ok) step.dataset.done = "1";
    });
  }

  steps.forEach((step) => {
    button(step, "start").addEventListener("click", () => {
      keepAwake();
      const hold = timedHold(step);
      if (hold) countdown(step, hold, "Hold", () => setFinished(step));
      else setFinished(step);
    });
    button(step, "next").addEventListener("click", () => show(current + 1));
  });

  show(0);
})();
