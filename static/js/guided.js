// Guided mode: steps through a session one exercise at a time, with a set counter and
// countdown timers for holds and rests. Plain JavaScript, no framework.
// - Accessible: the time left is announced politely every 10 seconds and at the end.
// - Respects reduced motion (no animated progress bar; see guided.css).
// - Keeps the screen awake where the browser allows (Screen Wake Lock API).
// - Cues, as the patient chose in their settings (data-cue-sound, data-cue-voice): tones from
//   the Web Audio API at 3-2-1 and at the end of each hold and rest, scheduled on the audio
//   clock when the countdown starts (no audio files, exact even when timers are slowed),
//   vibration where the phone has it, and spoken cues with the browser's speech synthesis.
// - Each finished exercise is checked off on the server, as the Mark done button would.
// - Respects the log: it starts at the first exercise neither done nor skipped, goes past
//   the ones logged already, and never changes one unless the patient acts on it (finishes
//   its sets, or skips it); its automatic check-off asks the server to keep whatever another
//   page or phone logged meanwhile (if_open).
// - The camera coach (static/js/camera/coach.js), where an exercise has a tracking rule,
//   hears where the patient is (guided:set, guided:rest, guided:exercise-done, guided:show)
//   and may end a set by itself (camera:set-done); its numbers go with the check-off.
// - Its words, shown and spoken, come from the JavaScript catalogue (gettext, ngettext,
//   interpolate; /jsi18n/, saved by the service worker for offline use), in the page's
//   language; the voice speaks that language too.
"use strict";

(function () {
  const root = document.querySelector("[data-guided]");
  if (!root) return;

  const steps = Array.from(root.querySelectorAll("[data-step]"));
  const finish = root.querySelector("[data-finish]");
  const progress = root.querySelector("[data-progress]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  // A sentence with its named values filled in: fill(gettext("Set %(set)s of %(sets)s"), {...}).
  const fill = (text, values) => interpolate(text, values, true);
  let current = 0;
  let wakeLock = null;
  let timer = null;

  root.classList.add("is-enhanced");

  // --- Cues -------------------------------------------------------------------------------
  const soundOn = root.dataset.cueSound === "1";
  const voiceOn = root.dataset.cueVoice === "1";
  let audio = null;
  let tones = [];

  // Made on the patient's first tap (browsers allow sound only after one), then reused.
  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!soundOn || !Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  function tone(context, at, frequency, length) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    // A quick rise and fall: no click at either end.
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + length + 0.05);
    tones.push(oscillator);
  }

  // Short high tones at 3, 2 and 1 seconds left; a longer, lower one when time is up.
  function tonesSchedule(seconds) {
    tonesCancel();
    const context = audioContext();
    if (!context) return;
    const now = context.currentTime;
    for (const left of [3, 2, 1]) {
      if (seconds > left) tone(context, now + seconds - left, 880, 0.12);
    }
    tone(context, now + seconds, 660, 0.6);
  }

  function tonesCancel() {
    for (const oscillator of tones) {
      try {
        oscillator.stop();
      } catch (error) {
        // already stopped
      }
    }
    tones = [];
  }

  function vibrate(pattern) {
    if (soundOn && navigator.vibrate) navigator.vibrate(pattern);
  }

  function speak(text) {
    if (!voiceOn || !("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en";
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function cuesStop() {
    tonesCancel();
    if (voiceOn && "speechSynthesis" in window) window.speechSynthesis.cancel();
  }

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

  // The first exercise from ``from`` on that is neither done nor skipped (the finish screen
  // when there is none).
  function firstOpen(from) {
    for (let i = from; i < steps.length; i += 1) if (!steps[i].dataset.status) return i;
    return steps.length;
  }

  function show(index) {
    clearInterval(timer);
    timer = null;
    cuesStop();
    current = index;
    // The camera coach (static/js/camera/coach.js) stops when the exercise changes.
    root.dispatchEvent(new CustomEvent("guided:show"));
    steps.forEach((step, i) => step.classList.toggle("is-current", i === index));
    finish.classList.toggle("is-current", index >= steps.length);
    progress.textContent = index < steps.length
      ? fill(gettext("Exercise %(n)s of %(total)s"), { n: index + 1, total: steps.length })
      : gettext("Session finished");
    const heading = (index < steps.length ? steps[index] : finish).querySelector("h1");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    if (index < steps.length) prepare(steps[index]);
    else summarise();
  }

  // What is logged for a step, in its own words: "✓ Done" or "Skipped: no time".
  function showLogged(step) {
    const line = step.querySelector("[data-logged]");
    const status = step.dataset.status;
    if (!status) {
      line.replaceChildren();
      return;
    }
    const strong = document.createElement("strong");
    strong.className = status === "done" ? "text-success" : "text-warning-emphasis";
    strong.textContent = status === "done"
      ? gettext("✓ Done")
      : fill(gettext("Skipped: %(reason)s"), { reason: step.dataset.reason || "" });
    line.replaceChildren(strong);
  }

  // The finish screen: done, skipped (with the reason) and not reached, as logged now.
  function summarise() {
    const lists = finish.querySelector("[data-finish-lists]");
    if (!lists) return;
    const groups = { done: [], skipped: [], open: [] };
    for (const step of steps) {
      const li = document.createElement("li");
      li.textContent = step.dataset.status === "skipped"
        ? `${step.dataset.name} (${step.dataset.reason})`
        : step.dataset.name;
      groups[step.dataset.status || "open"].push(li);
    }
    for (const [name, items] of Object.entries(groups)) {
      const group = lists.querySelector(`[data-finish-group="${name}"]`);
      group.querySelector("ul").replaceChildren(...items);
      group.hidden = items.length === 0;
    }
    lists.hidden = false;
    // The session-done form's question about unticked exercises, only if some are left.
    const question = finish.querySelector("[data-unticked]");
    if (question) {
      question.disabled = groups.open.length === 0;
      question.hidden = groups.open.length === 0;
    }
  }

  function perSide(step) {
    return step.dataset.side === "each" ? 2 : 1;
  }

  function prepare(step) {
    const controls = step.querySelector("[data-controls]");
    controls.hidden = false;
    step.state = { set: 1, side: 1, sets: Number(step.dataset.sets) || 1 };
    step.camera = null;
    setReady(step);
    updateCounter(step);
    button(step, "start").hidden = false;
    button(step, "start").textContent = startLabel(step);
    // An exercise logged already can be passed over, or done again.
    const next = button(step, "next");
    next.hidden = !step.dataset.status;
    next.textContent = nextLabel();
    button(step, "skip-timer").hidden = true;
    step.querySelector("[data-timer]").hidden = true;
    const skip = step.querySelector("[data-skip]");
    skip.hidden = Boolean(step.dataset.status);
    step.querySelector("[data-feedback]").hidden = step.dataset.status !== "done";
    skip.open = false;
    step.querySelector("[data-skip-error]").hidden = true;
    showLogged(step);
  }

  function nextLabel() {
    return firstOpen(current + 1) < steps.length
      ? gettext("Next exercise ›")
      : gettext("Finish the session ›");
  }

  function button(step, action) {
    return step.querySelector(`[data-action="${action}"]`);
  }

  // A timed hold is a stretch held for its time; with repetitions ("10, hold 3 seconds
  // each") the patient counts the short holds and taps when the set is done.
  function timedHold(step) {
    return Number(step.dataset.reps) ? 0 : Number(step.dataset.hold);
  }

  // A timed dose this long is an activity kept up for its time (the walking program), not a
  // position held; the threshold comes from the server (exercises.dosage.ACTIVITY_SECONDS).
  const activitySeconds = Number(root.dataset.activitySeconds) || 180;
  function isActivity(seconds) {
    return seconds >= activitySeconds;
  }

  // Whole minutes from two minutes up, as the dose reads on the plan ("10 minutes").
  function wholeMinutes(seconds) {
    return seconds >= 120 && seconds % 60 === 0 ? seconds / 60 : 0;
  }

  // (English says "a 5-second hold" for any number; other languages count: ngettext.)
  function startLabel(step) {
    const hold = timedHold(step);
    if (!hold) return gettext("Done with this set");
    const minutes = wholeMinutes(hold);
    if (isActivity(hold) && minutes) {
      return fill(ngettext("Start the %(n)s-minute timer", "Start the %(n)s-minute timer", minutes), { n: minutes });
    }
    if (minutes) {
      return fill(ngettext("Start %(n)s-minute hold", "Start %(n)s-minute hold", minutes), { n: minutes });
    }
    return fill(ngettext("Start %(n)s-second hold", "Start %(n)s-second hold", hold), { n: hold });
  }

  // The time left as the clock shows it: seconds under a minute, else minutes:seconds.
  function clock(seconds) {
    if (seconds < 60) return String(seconds);
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)}:${rest < 10 ? "0" : ""}${rest}`;
  }

  // "Set 1 of 3 — first side · 10 repetitions, hold each 5 s"
  function updateCounter(step) {
    const { set, sets, side } = step.state;
    let text = fill(gettext("Set %(set)s of %(sets)s"), { set, sets });
    if (perSide(step) === 2) {
      text += " — " + (side === 1 ? gettext("first side") : gettext("second side"));
    }
    const reps = Number(step.dataset.reps);
    const hold = Number(step.dataset.hold);
    if (reps && hold) {
      text += " · " + fill(ngettext(
        "%(reps)s repetition, hold each %(hold)s s", "%(reps)s repetitions, hold each %(hold)s s", reps,
      ), { reps, hold });
    } else if (reps) {
      text += " · " + fill(ngettext("%(reps)s repetition", "%(reps)s repetitions", reps), { reps });
    }
    step.querySelector("[data-set-counter]").textContent = text;
  }

  // A timer of one kind: "hold" (a position held), "activity" (kept up: the walking program)
  // or "rest" (between sets).
  function countdown(step, seconds, kind, done) {
    const label = { hold: gettext("Hold"), activity: gettext("Keep going"), rest: gettext("Rest") }[kind];
    const box = step.querySelector("[data-timer]");
    const value = step.querySelector("[data-timer-value]");
    const bar = step.querySelector("[data-timer-bar]");
    const announce = step.querySelector("[data-timer-announce]");
    box.hidden = false;
    step.querySelector("[data-timer-label]").textContent = label;
    button(step, "start").hidden = true;
    button(step, "skip-timer").hidden = false;
    let left = seconds;
    const isRest = kind === "rest";
    const activity = kind === "activity";
    // A long timer is announced once a minute, not every 10 seconds for 10 minutes.
    const byMinute = seconds > 120;
    const render = () => {
      value.textContent = clock(left);
      bar.style.width = `${(100 * (seconds - left)) / seconds}%`;
      const minutes = wholeMinutes(seconds);
      if (left === seconds) {
        announce.textContent = minutes
          ? fill(ngettext("%(label)s: %(n)s minute.", "%(label)s: %(n)s minutes.", minutes), { label, n: minutes })
          : fill(ngettext("%(label)s: %(n)s second.", "%(label)s: %(n)s seconds.", seconds), { label, n: seconds });
      } else if (byMinute && left > 0 && left % 60 === 0) {
        announce.textContent = fill(gettext("Minutes left: %(n)s."), { n: left / 60 });
      } else if (!byMinute && left > 0 && left % 10 === 0) {
        announce.textContent = fill(ngettext("%(n)s second left.", "%(n)s seconds left.", left), { n: left });
      }
    };
    const stop = (finished) => {
      clearInterval(timer);
      timer = null;
      box.hidden = true;
      button(step, "skip-timer").hidden = true;
      announce.textContent = fill(gettext("%(label)s: finished."), { label });
      if (finished) {
        vibrate([200, 100, 200]);
        // Spoken cues (only when the patient turned them on in their settings).
        if (isRest) speak(gettext("Rest over. Next set."));
        else if (activity) speak(gettext("Time is up. Well done."));
        else speak(gettext("Release."));
      } else {
        cuesStop();
      }
      done();
    };
    render();
    tonesSchedule(seconds);
    if (activity && wholeMinutes(seconds)) {
      const minutes = wholeMinutes(seconds);
      speak(fill(ngettext("Keep going for %(n)s minute", "Keep going for %(n)s minutes", minutes), { n: minutes }));
    } else if (isRest) {
      speak(fill(ngettext("Rest… %(n)s second", "Rest… %(n)s seconds", seconds), { n: seconds }));
    } else {
      speak(fill(ngettext("Hold… %(n)s second", "Hold… %(n)s seconds", seconds), { n: seconds }));
    }
    clearInterval(timer);
    timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        stop(true);
        return;
      }
      render();
      if (left <= 3) vibrate(60);
      if (left === 10) speak(fill(ngettext("%(n)s second left", "%(n)s seconds left", left), { n: left }));
    }, 1000);
    button(step, "skip-timer").onclick = () => stop(false);
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
        step.dataset.phase = "rest";
        step.dispatchEvent(new CustomEvent("guided:rest"));
        countdown(step, rest, "rest", () => ready(step));
        return;
      }
    } else {
      exerciseFinished(step);
      return;
    }
    ready(step);
  }

  // Where the patient is in an exercise, for the camera coach: a set to do, or a rest.
  function setReady(step) {
    step.dataset.phase = "set";
    step.dispatchEvent(new CustomEvent("guided:set"));
  }

  function ready(step) {
    setReady(step);
    updateCounter(step);
    const start = button(step, "start");
    start.hidden = false;
    start.focus();
  }

  function exerciseFinished(step) {
    step.dataset.phase = "done";
    // The camera coach adds up its numbers and turns the camera off.
    step.dispatchEvent(new CustomEvent("guided:exercise-done"));
    step.querySelector("[data-set-counter]").textContent = gettext("✓ All sets done");
    button(step, "start").hidden = true;
    const next = button(step, "next");
    next.hidden = false;
    next.textContent = nextLabel();
    next.focus();
    if (step.dataset.status === "done") return;
    // The patient did this exercise: a skip shown on this page is theirs to change; one the
    // page never showed (made elsewhere meanwhile) is kept by the server.
    const ifOpen = !step.dataset.status;
    step.dataset.status = "done";
    step.dataset.reason = "";
    showLogged(step);
    step.querySelector("[data-feedback]").hidden = false;
    step.querySelector("[data-skip]").hidden = true;
    send(step, { action: "done", if_open: ifOpen ? "1" : "", ...cameraFields(step) });
  }

  // What the camera coach counted in this exercise, as numbers only (none when it was off):
  // the sets it ended by itself, repetitions, seconds held and the tips it gave.
  function cameraFields(step) {
    const counted = step.camera;
    if (!counted || (!counted.units && !counted.reps && !counted.seconds)) return {};
    return {
      camera_sets: String(Math.min(Math.floor(counted.units / perSide(step)), step.state.sets)),
      camera_reps: String(counted.reps),
      camera_seconds: String(Math.round(counted.seconds)),
      camera_warnings: Object.entries(counted.warnings).map(([key, times]) => `${key}:${times}`).join(","),
    };
  }

  // The camera coach ended a set (its count or hold time reached): as if the patient had
  // tapped, with any hold timer they started stopped first.
  function cameraSetDone(step) {
    if (step.dataset.phase !== "set") return;
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
      cuesStop();
      step.querySelector("[data-timer]").hidden = true;
      button(step, "skip-timer").hidden = true;
    }
    setFinished(step);
  }

  // "How did it feel?": one optional tap, stored for this exercise and day; tapping another
  // answer changes it.
  function giveFeedback(step, choice) {
    for (const other of step.querySelectorAll("[data-effort]")) {
      other.setAttribute("aria-pressed", String(other === choice));
      other.classList.toggle("btn-secondary", other === choice);
      other.classList.toggle("btn-outline-secondary", other !== choice);
    }
    send(step, { effort: choice.dataset.effort }, root.dataset.feedbackUrl);
  }

  function skip(step) {
    const select = step.querySelector("[data-skip-reason]");
    const error = step.querySelector("[data-skip-error]");
    if (!select.value) {
      error.hidden = false;
      select.setAttribute("aria-describedby", error.id);
      select.setAttribute("aria-invalid", "true");
      select.focus();
      return;
    }
    error.hidden = true;
    select.removeAttribute("aria-invalid");
    step.dataset.status = "skipped";
    step.dataset.reason = select.options[select.selectedIndex].text.toLowerCase();
    send(step, { action: "skip", reason: select.value });
    show(firstOpen(current + 1));
  }

  // A check-off or skip, sent as the day page's buttons send it; offline, the service worker
  // keeps it in its queue (static/sw.js). data-sending marks it in flight.
  function send(step, fields, url = root.dataset.checkUrl) {
    const body = new FormData();
    body.append("exercise", step.dataset.exercise);
    body.append("session", root.dataset.session);
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    // Its own id and time, as every check-off has: sent twice (an answer lost, the phone's
    // queue after a server failure), it is stored once.
    body.append("client_uuid", crypto.randomUUID ? crypto.randomUUID() : "");
    body.append("made_at", new Date().toISOString());
    step.dataset.sending = "1";
    fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      credentials: "same-origin",
    }).catch(() => {
      // No answer and no service worker to keep it: the day page still shows it as open.
    }).finally(() => {
      delete step.dataset.sending;
    });
  }

  steps.forEach((step) => {
    button(step, "start").addEventListener("click", () => {
      keepAwake();
      const hold = timedHold(step);
      if (hold) countdown(step, hold, isActivity(hold) ? "activity" : "hold", () => setFinished(step));
      else setFinished(step);
    });
    button(step, "next").addEventListener("click", () => show(firstOpen(current + 1)));
    step.addEventListener("camera:set-done", () => cameraSetDone(step));
    button(step, "back").addEventListener("click", () => show(Math.max(current - 1, 0)));
    button(step, "finish").addEventListener("click", () => show(steps.length));
    button(step, "skip").addEventListener("click", () => skip(step));
    for (const choice of step.querySelectorAll("[data-effort]")) {
      choice.addEventListener("click", () => giveFeedback(step, choice));
    }
  });

  show(firstOpen(0));
})();
