// The camera coach in guided mode: the phone's camera counts repetitions and times holds.
// Plain JavaScript, no framework; loaded only on guided pages with a tracked exercise.
// - Privacy: frames go from the camera to MediaPipe Pose (vendored, static/vendor/
//   mediapipe-pose/) inside this page and nowhere else. No frame, landmark or video is kept
//   or sent; the check-off carries only numbers (guided.js sends them).
// - The model loads only when the patient turns the camera on, from our own static files
//   (the page maps each file MediaPipe asks for to its address: #camera-files), or from the
//   phone's own copy once the patient chose "Keep the camera ready for offline use".
// - Counting is static/js/camera/counter.js (no DOM); the rules come with the page
//   (#camera-rules), its words too, in the patient's language (#camera-texts).
// - Guided mode tells the coach where the patient is (events on the step: guided:set when a
//   set is ready, guided:rest, guided:exercise-done; guided:show on the page when the
//   exercise changes). The coach ends a set by itself when its count or hold time is reached
//   (camera:set-done); the manual buttons always stay and always win.
// - Poor tracking is said plainly (too dark, nobody in the picture), and the buttons carry on.
// - The camera stops when the patient leaves the exercise or the page, or turns it off.
"use strict";

(function () {
  const root = document.querySelector("[data-guided]");
  const panel = document.querySelector("[data-camera-coach]");
  const Counter = window.HomeplanCounter;
  if (!root || !panel || !Counter || !navigator.mediaDevices) return;

  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const rules = read("camera-rules");
  const files = read("camera-files");
  const texts = read("camera-texts");
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  const part = (name) => panel.querySelector(`[data-camera-${name}]`);
  const intro = part("intro");
  const live = part("live");
  const video = part("video");
  const canvas = part("overlay");
  const countLine = part("count");
  const holdLine = part("hold");
  const status = part("status");
  const cueLine = part("cue");
  const offlineStatus = part("offline-status");
  const soundOn = root.dataset.cueSound === "1";
  const voiceOn = root.dataset.cueVoice === "1";

  const OFFLINE_CACHE = "homeplan-camera";
  const OFFLINE_FLAG = "homeplan-camera-offline";
  // The files every phone needs; of the two models, only the one this phone uses.
  const RUNTIME = Object.keys(files).filter((name) => !name.endsWith(".tflite"));
  const DARK = 30; // mean brightness (0-255) under which the picture is too dark to track
  const BONES = [
    [11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24],
    [23, 25], [25, 27], [27, 31], [24, 26], [26, 28], [28, 32],
  ];

  let step = null; // the step the coach is in
  let stream = null;
  let pose = null;
  let poseLoading = null;
  let running = false;
  let counter = null; // the set being counted; null between sets
  let dark = false;
  let brightnessAt = 0;
  let frames = 0;
  let framesSince = 0;
  let shownHeld = -1;

  // The full model on a phone with cores to spare, the lite one otherwise.
  const model = (navigator.hardwareConcurrency || 0) >= 8 ? "full" : "lite";
  const modelFile = model === "full" ? "pose_landmark_full.tflite" : "pose_landmark_lite.tflite";

  function say(text) {
    if (!voiceOn || !("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en";
    window.speechSynthesis.speak(utterance);
  }

  function tell(text) {
    status.textContent = text;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  function loadModel() {
    if (!poseLoading) {
      poseLoading = (async () => {
        const began = performance.now();
        await loadScript(files["pose.js"]);
        const solution = new window.Pose({ locateFile: (name) => files[name.split("/").pop()] });
        solution.setOptions({
          modelComplexity: model === "full" ? 1 : 0,
          smoothLandmarks: true,
          enableSegmentation: false,
          minDetectionConfidence: 0.5,
          minTrackingConfidence: 0.5,
        });
        solution.onResults(onResults);
        await solution.initialize();
        root.dataset.cameraLoadMs = String(Math.round(performance.now() - began));
        pose = solution;
        return solution;
      })();
      poseLoading.catch(() => {
        poseLoading = null;
      });
    }
    return poseLoading;
  }

  // --- The picture ----------------------------------------------------------------------

  // Too dark to track? Measured on a tiny copy of the frame, once a second.
  const probe = document.createElement("canvas");
  probe.width = 32;
  probe.height = 24;
  function checkBrightness(now) {
    if (now - brightnessAt < 1000) return;
    brightnessAt = now;
    const context = probe.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, probe.width, probe.height);
    const pixels = context.getImageData(0, 0, probe.width, probe.height).data;
    let total = 0;
    for (let i = 0; i < pixels.length; i += 4) total += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
    const wasDark = dark;
    dark = total / (pixels.length / 4) < DARK;
    if (dark && !wasDark) tell(texts.dark);
  }

  function draw(points, rule) {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, width, height);
    if (!points) return;
    const seen = (p) => p && p.visibility >= Counter.MIN_VISIBILITY;
    context.lineWidth = Math.max(3, width / 120);
    context.lineCap = "round";
    context.strokeStyle = "rgba(255, 255, 255, 0.85)";
    for (const [a, b] of BONES) {
      if (!seen(points[a]) || !seen(points[b])) continue;
      context.beginPath();
      context.moveTo(points[a].x, points[a].y);
      context.lineTo(points[b].x, points[b].y);
      context.stroke();
    }
    // The joints the rule measures, in the accent colour: what the coach is watching.
    const watched = new Set();
    for (const name of rule.measure.points) {
      const joint = name.replace(/_[lr]$/, "");
      for (const index of Counter.LANDMARK[joint] || []) watched.add(index);
    }
    points.forEach((p, index) => {
      if (!seen(p) || index < 11) return;
      context.fillStyle = watched.has(index) ? "#16928c" : "#ffffff";
      context.beginPath();
      context.arc(p.x, p.y, Math.max(4, width / 90), 0, 2 * Math.PI);
      context.fill();
    });
  }

  function onResults(results) {
    if (!running || !step) return;
    const rule = rules[step.dataset.exercise];
    const width = video.videoWidth;
    const height = video.videoHeight;
    // Pixels, so that angles are true whatever the picture's shape.
    const points = !dark && results.poseLandmarks
      ? results.poseLandmarks.map((p) => ({ x: p.x * width, y: p.y * height, visibility: p.visibility }))
      : null;
    frames += 1;
    root.dataset.cameraFrames = String(frames);
    root.dataset.cameraLandmarks = String(points ? points.filter((p) => p.visibility >= Counter.MIN_VISIBILITY).length : 0);
    const elapsed = (performance.now() - framesSince) / 1000;
    if (elapsed > 0) root.dataset.cameraFps = (frames / elapsed).toFixed(2);
    draw(points, rule);
    if (counter) handle(counter.update(performance.now() / 1000, points));
  }

  async function loop() {
    while (running) {
      if (video.readyState >= 2) {
        checkBrightness(performance.now());
        try {
          await pose.send({ image: video });
        } catch (error) {
          tell(texts.model_failed);
          stop();
          return;
        }
      }
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }

  // --- Counting ---------------------------------------------------------------------------

  function dose() {
    const reps = Number(step.dataset.reps) || 0;
    return { reps, holdSeconds: Number(step.dataset.hold) || 0 };
  }

  function totals() {
    if (!step.camera) step.camera = { units: 0, reps: 0, seconds: 0, warnings: {} };
    return step.camera;
  }

  // A set's numbers join the exercise's totals once, however the set ended.
  function fold(countedByCamera) {
    if (!counter) return;
    const summary = counter.summary();
    const sum = totals();
    sum.reps += summary.reps;
    sum.seconds += summary.seconds;
    for (const [key, times] of Object.entries(summary.warnings)) sum.warnings[key] = (sum.warnings[key] || 0) + times;
    if (countedByCamera) sum.units += 1;
    counter = null;
  }

  function beginSet() {
    fold(false);
    counter = Counter.create(rules[step.dataset.exercise], dose());
    shownHeld = -1;
    const { reps, holdSeconds } = dose();
    countLine.textContent = reps ? fill(texts.count, { count: 0, reps }) : "";
    holdLine.hidden = !holdSeconds;
    holdLine.textContent = holdSeconds ? fill(texts.held, { held: 0, hold: holdSeconds }) : "";
    cueLine.textContent = "";
  }

  function showHeld(seconds) {
    const { holdSeconds } = dose();
    const whole = Math.min(Math.floor(seconds), holdSeconds);
    if (!holdSeconds || whole === shownHeld) return;
    shownHeld = whole;
    holdLine.textContent = fill(texts.held, { held: whole, hold: holdSeconds });
  }

  function handle(events) {
    const { reps } = dose();
    for (const event of events) {
      if (event.type === "rep") {
        countLine.textContent = fill(texts.count, { count: event.count, reps });
        if (soundOn && navigator.vibrate) navigator.vibrate(60);
        say(String(event.count));
        shownHeld = -1;
        if (reps) showHeld(0);
      } else if (event.type === "holding") {
        // A timed hold shows the time held in all; repetitions with a hold, this one's.
        showHeld(reps ? event.rep : event.seconds);
      } else if (event.type === "reached") {
        if (!reps) tell(texts.holding);
      } else if (event.type === "cue") {
        const words = texts.cues[event.cue] || "";
        cueLine.textContent = words;
        say(words);
      } else if (event.type === "lost") {
        tell(dark ? texts.dark : texts.lost);
      } else if (event.type === "found") {
        // Back in the picture, still in the held position: the clock runs again.
        const holding = !reps && counter && counter.summary().state === "end";
        tell(holding ? texts.holding : texts.seen);
      } else if (event.type === "done") {
        fold(true);
        tell(texts.set_done);
        say(texts.set_done);
        step.dispatchEvent(new CustomEvent("camera:set-done"));
      }
    }
  }

  // --- Turning it on and off ----------------------------------------------------------------

  function openIn(target) {
    if (step !== target) stop();
    step = target;
    const slot = step.querySelector("[data-camera-slot]");
    slot.append(panel);
    panel.hidden = false;
    intro.hidden = Boolean(stream);
    live.hidden = !stream;
    slot.querySelector('[data-action="camera"]').setAttribute("aria-expanded", "true");
  }

  function close() {
    stop();
    panel.hidden = true;
    if (step) step.querySelector('[data-action="camera"]').setAttribute("aria-expanded", "false");
  }

  async function start() {
    const rule = rules[step.dataset.exercise];
    intro.hidden = true;
    live.hidden = false;
    tell(texts.loading);
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (error) {
      stream = null;
      tell(texts.failed);
      return;
    }
    video.srcObject = stream;
    try {
      await video.play();
      await loadModel();
    } catch (error) {
      tell(texts.model_failed);
      stop();
      return;
    }
    if (!stream) return; // turned off while loading
    running = true;
    frames = 0;
    framesSince = performance.now();
    tell(rule.view === "front" ? texts.ready_front : texts.ready_side);
    if (step.dataset.phase === "set") beginSet();
    loop();
  }

  function stop() {
    running = false;
    if (counter) fold(false);
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.srcObject = null;
    draw(null);
    if (voiceOn && "speechSynthesis" in window) window.speechSynthesis.cancel();
    intro.hidden = false;
    live.hidden = true;
  }

  // --- The phone's own copy, for offline use ------------------------------------------------

  async function keepOffline(quietly) {
    if (!("caches" in window)) return;
    const show = (text) => {
      if (!quietly) offlineStatus.textContent = text;
    };
    show(texts.offline_saving);
    try {
      const wanted = [...RUNTIME, modelFile].map((name) => files[name]);
      const cache = await caches.open(OFFLINE_CACHE);
      await cache.addAll(wanted);
      for (const request of await cache.keys()) {
        if (!wanted.includes(new URL(request.url).pathname)) await cache.delete(request);
      }
      localStorage.setItem(OFFLINE_FLAG, "1");
      show(texts.offline_saved);
    } catch (error) {
      show(texts.offline_failed);
    }
  }

  // --- Wiring -------------------------------------------------------------------------------

  for (const button of root.querySelectorAll('[data-action="camera"]')) {
    const target = button.closest("[data-step]");
    button.addEventListener("click", () => {
      if (!panel.hidden && step === target) close();
      else openIn(target);
    });
    target.addEventListener("guided:set", () => {
      if (running && step === target) beginSet();
    });
    target.addEventListener("guided:rest", () => {
      if (step !== target) return;
      fold(false);
      if (running) tell(texts.rest);
    });
    target.addEventListener("guided:exercise-done", () => {
      if (step === target) close();
    });
  }
  root.addEventListener("guided:show", () => close());
  panel.querySelector('[data-action="camera-on"]').addEventListener("click", start);
  panel.querySelector('[data-action="camera-cancel"]').addEventListener("click", close);
  panel.querySelector('[data-action="camera-off"]').addEventListener("click", close);
  panel.querySelector('[data-action="camera-offline"]').addEventListener("click", () => keepOffline(false));
  window.addEventListener("pagehide", stop);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && stream) close();
  });
  // Chosen once: the phone's copy follows new versions of the files.
  if (localStorage.getItem(OFFLINE_FLAG) && navigator.onLine) keepOffline(true);
})();
