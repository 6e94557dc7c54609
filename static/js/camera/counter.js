// The camera coach's counting: body landmarks in, events out. No DOM, no camera, no clock of
// its own (every update brings its time), so the same code runs on the phone and in the test
// suite (Node's runner: tests/camera/). The rules come from the exercise library
// (exercises/tracking.py describes them).
//
// A repetition: the value leaves the start ("started"), reaches the end position
// ("completed"), and comes back past "started" again. Each threshold has a hysteresis band:
// once crossed, the value must come back by that much before the state flips back, so a
// value trembling at a threshold is not counted twice. The end position counts as held while
// the value stays within the band; the hold clock runs only then, and only between frames
// close together in time (a gap in tracking pauses it). A movement that turns back before
// the end is a partial repetition: not counted, and its cue is said.
//
// Landmarks: MediaPipe Pose's 33 points ({x, y, visibility}), in any units the same in x and
// y (pixels). A point with visibility under MIN_VISIBILITY is not seen.
"use strict";

(function (root) {
  const LANDMARK = {
    head: [0, 0],
    shoulder: [11, 12],
    elbow: [13, 14],
    wrist: [15, 16],
    hip: [23, 24],
    knee: [25, 26],
    ankle: [27, 28],
    toe: [31, 32],
  };
  const MIN_VISIBILITY = 0.5;
  const LOST_AFTER = 1.5; // seconds without a measure: "I can't see you"
  const MAX_GAP = 1.2; // seconds: a longer gap between frames does not count as held (a slow
  // phone without a GPU gives about 2 frames a second)
  const FORM_AFTER = 0.4; // seconds a form check must fail before its cue is said
  const HOLD_SLACK = 0.5; // seconds: a hold this much short still counts as held

  // Index of a named point on one side (0: the person's left, 1: their right).
  function index(name, side) {
    const match = /^(\w+?)_([lr])$/.exec(name);
    if (match) return LANDMARK[match[1]][match[2] === "l" ? 0 : 1];
    return LANDMARK[name][side];
  }

  function point(landmarks, name, side) {
    const found = landmarks[index(name, side)];
    if (!found || !(found.visibility === undefined || found.visibility >= MIN_VISIBILITY)) return null;
    if (!Number.isFinite(found.x) || !Number.isFinite(found.y)) return null;
    return found;
  }

  function angleAt(a, b, c) {
    const ux = a.x - b.x;
    const uy = a.y - b.y;
    const vx = c.x - b.x;
    const vy = c.y - b.y;
    const lengths = Math.hypot(ux, uy) * Math.hypot(vx, vy);
    if (!lengths) return null;
    const cos = Math.max(-1, Math.min(1, (ux * vx + uy * vy) / lengths));
    return (Math.acos(cos) * 180) / Math.PI;
  }

  // How far the line from a to b leans from vertical, 0-90 degrees, whichever way it points.
  function incline(a, b) {
    const dx = Math.abs(b.x - a.x);
    const dy = Math.abs(b.y - a.y);
    if (!dx && !dy) return null;
    return (Math.atan2(dx, dy) * 180) / Math.PI;
  }

  function distance(a, b) {
    return Math.hypot(a.x - b.x, a.y - b.y);
  }

  // One measure on one side, or null when a point is not seen.
  function measureSide(measure, landmarks, side) {
    const points = measure.points.map((name) => point(landmarks, name, side));
    if (points.some((p) => p === null)) return null;
    if (measure.kind === "angle") return angleAt(points[0], points[1], points[2]);
    if (measure.kind === "incline") return incline(points[0], points[1]);
    const scale = measure.scale.map((name) => point(landmarks, name, side));
    if (scale.some((p) => p === null)) return null;
    const width = distance(scale[0], scale[1]);
    return width ? distance(points[0], points[1]) / width : null;
  }

  function visibility(measure, landmarks, side) {
    let total = 0;
    for (const name of measure.points) {
      const found = landmarks[index(name, side)];
      total += found && found.visibility !== undefined ? found.visibility : found ? 1 : 0;
    }
    return total / measure.points.length;
  }

  // The value of a measure for these landmarks, on the side the rule asks for; null when the
  // joints it needs are not seen. ``towards`` is +1 when the value grows towards the end.
  function measure(measureRule, landmarks, side = "auto", towards = 1) {
    if (!landmarks) return null;
    if (side === "left") return measureSide(measureRule, landmarks, 0);
    if (side === "right") return measureSide(measureRule, landmarks, 1);
    const left = measureSide(measureRule, landmarks, 0);
    const right = measureSide(measureRule, landmarks, 1);
    if (left === null) return right;
    if (right === null) return left;
    // "moving": the side further towards the end position (the leg that moves).
    if (side === "moving") return towards * (left - right) >= 0 ? left : right;
    // "auto": the side the camera sees better (in a side view, the near side).
    return visibility(measureRule, landmarks, 0) >= visibility(measureRule, landmarks, 1) ? left : right;
  }

  // A counter for one set. ``dose``: {reps, holdSeconds}; reps 0 means a timed hold, done
  // when holdSeconds have been held in all. Returns {update(t, landmarks), updateValue(t,
  // value), summary()}; each update returns the events it caused, in order:
  //   {type: "lost"} / {type: "found"}        tracking lost for LOST_AFTER / back again
  //   {type: "started"}                        the movement left the start position
  //   {type: "reached"}                        the end position was reached (hold starts)
  //   {type: "holding", seconds, rep}          the hold clock (in all, in this repetition)
  //   {type: "released", seconds}              left the end position after holding so long
  //   {type: "rep", count, seconds}            a repetition counted (seconds held in it)
  //   {type: "partial"}                        turned back before the end position: not counted
  //   {type: "cue", cue}                       a form cue to say (a key of the rule's cues)
  //   {type: "done"}                           the set's count or hold time is reached
  function create(rule, dose) {
    const reps = Math.max(0, Number(dose.reps) || 0);
    const holdSeconds = Math.max(0, Number(dose.holdSeconds) || 0);
    const towards = rule.completed > rule.started ? 1 : -1;
    const band = Number(rule.hysteresis) || 0;
    // Progress: the value turned so that it grows towards the end position.
    const started = towards * rule.started;
    const completed = towards * rule.completed;
    const partialCue = rule.partial_cue || "go_further";
    const checks = (rule.checks || []).map((check) => ({ ...check, since: null, said: false }));

    let state = "rest"; // rest | moving | end | returning
    let reached = false; // the end position was reached in this repetition
    let count = 0;
    let heldInRep = 0;
    let heldTotal = 0;
    let firstAt = null; // time of the first update: nobody seen since then is "lost" too
    let lastSeen = null; // time of the last frame with a measure
    let lastHeldAt = null; // time of the last frame counted as held
    let lost = false;
    let done = false;
    let partials = 0;
    const warnings = {};
    let recent = []; // the last three measures: their median damps a single jumpy frame

    function cue(events, key) {
      warnings[key] = (warnings[key] || 0) + 1;
      events.push({ type: "cue", cue: key });
    }

    function formChecks(t, landmarks, events) {
      if (!landmarks) return;
      for (const check of checks) {
        const when = check.when || "end";
        const applies = when === "always" || (when === "end" ? state === "end" : state === "moving");
        const value = applies ? measure(check.measure, landmarks, rule.side || "auto", towards) : null;
        const failing = value !== null && ("above" in check ? value > check.above : value < check.below);
        if (!failing) {
          check.since = null;
          continue;
        }
        if (check.since === null) check.since = t;
        if (!check.said && t - check.since >= FORM_AFTER) {
          check.said = true;
          cue(events, check.cue);
        }
      }
    }

    function repetitionOver(events) {
      if (reached) {
        count += 1;
        events.push({ type: "rep", count, seconds: Math.round(heldInRep * 10) / 10 });
        if (holdSeconds && reps && heldInRep + HOLD_SLACK < holdSeconds) cue(events, "hold_longer");
      } else {
        partials += 1;
        events.push({ type: "partial" });
        cue(events, partialCue);
      }
      reached = false;
      heldInRep = 0;
      for (const check of checks) check.said = false;
      if (reps && count >= reps && !done) {
        done = true;
        events.push({ type: "done" });
      }
    }

    function updateValue(t, value, landmarks = null) {
      const events = [];
      if (firstAt === null) firstAt = t;
      if (value === null || value === undefined || !Number.isFinite(value)) {
        if (!lost && t - (lastSeen === null ? firstAt : lastSeen) >= LOST_AFTER) {
          lost = true;
          events.push({ type: "lost" });
        }
        lastHeldAt = null;
        if (lost) recent = [];
        return events;
      }
      recent = [...recent.slice(-2), value];
      const steady = [...recent].sort((a, b) => a - b)[Math.floor(recent.length / 2)];
      if (lost || lastSeen === null) {
        if (lost) events.push({ type: "found" });
        lost = false;
      }
      lastSeen = t;
      const p = towards * steady;
      if (state === "rest") {
        if (p >= started) {
          state = "moving";
          events.push({ type: "started" });
        }
      }
      if (state === "moving" || state === "returning") {
        if (p >= completed) {
          state = "end";
          if (!reached) events.push({ type: "reached" });
          reached = true;
          lastHeldAt = t;
        } else if (p < started - band) {
          state = "rest";
          repetitionOver(events);
        }
      } else if (state === "end") {
        if (p < completed - band) {
          state = "returning";
          lastHeldAt = null;
          events.push({ type: "released", seconds: Math.round(heldInRep * 10) / 10 });
          if (p < started - band) {
            state = "rest";
            repetitionOver(events);
          }
        } else {
          if (lastHeldAt !== null && t - lastHeldAt <= MAX_GAP) {
            const step = t - lastHeldAt;
            heldInRep += step;
            heldTotal += step;
            events.push({
              type: "holding",
              seconds: Math.round(heldTotal * 10) / 10,
              rep: Math.round(heldInRep * 10) / 10,
            });
            if (!reps && holdSeconds && heldTotal >= holdSeconds && !done) {
              done = true;
              events.push({ type: "done" });
            }
          }
          lastHeldAt = t;
        }
      }
      formChecks(t, landmarks, events);
      return events;
    }

    function update(t, landmarks) {
      return updateValue(t, measure(rule.measure, landmarks, rule.side || "auto", towards), landmarks);
    }

    function summary() {
      return {
        reps: count,
        seconds: Math.round(heldTotal),
        partials,
        warnings: { ...warnings },
        done,
        state,
      };
    }

    return { update, updateValue, summary };
  }

  const api = { create, measure, LANDMARK, MIN_VISIBILITY, LOST_AFTER };
  root.HomeplanCounter = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
