// Test driver for static/js/camera/counter.js under Node: reads scenarios as JSON on stdin,
// runs each through a fresh counter and prints what happened, as JSON on stdout.
// Each scenario: {rule, dose, frames: [{t, landmarks}] or values: [{t, value}]}.
"use strict";
const path = require("path");
const counter = require(path.join(__dirname, "..", "..", "static", "js", "camera", "counter.js"));

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const scenarios = JSON.parse(input);
  const results = scenarios.map((scenario) => {
    const coach = counter.create(scenario.rule, scenario.dose || {});
    const events = [];
    for (const frame of scenario.frames || []) {
      for (const event of coach.update(frame.t, frame.landmarks)) events.push({ t: frame.t, ...event });
    }
    for (const frame of scenario.values || []) {
      for (const event of coach.updateValue(frame.t, frame.value)) events.push({ t: frame.t, ...event });
    }
    const measured = (scenario.measure || []).map((landmarks) =>
      counter.measure(scenario.rule.measure, landmarks, scenario.rule.side || "auto",
        scenario.rule.completed > scenario.rule.started ? 1 : -1));
    return { events, summary: coach.summary(), measured };
  });
  process.stdout.write(JSON.stringify(results));
});
