"""Landmark sequences for the camera coach's counting tests, made from the library's own key
poses: the keypoints that draw each exercise (exercises/library/hip_mobility.toml) moved from
the start pose to the end pose and back over time, as MediaPipe Pose's 33 landmarks, with
noise, dropped frames and unseen joints as a real camera gives them."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from exercises.animation import in_between
from exercises.library import load_shipped_library

COUNTER_DRIVER = Path(__file__).with_name("run_counter.js")
FPS = 15
# Our keypoints -> MediaPipe Pose landmark indices ("_l" is the person's left).
INDEX = {
    "head": [0],
    "shoulder_l": [11],
    "shoulder_r": [12],
    "elbow_l": [13],
    "elbow_r": [14],
    "wrist_l": [15, 17, 19, 21],
    "wrist_r": [16, 18, 20, 22],
    "hip_l": [23],
    "hip_r": [24],
    "knee_l": [25],
    "knee_r": [26],
    "ankle_l": [27, 29],
    "ankle_r": [28, 30],
    "toe_l": [31],
    "toe_r": [32],
}
FACE = range(1, 11)


def shipped_rules() -> dict[str, dict]:
    """Library entries that have a tracking rule, by key."""
    return {entry["key"]: entry for entry in load_shipped_library() if entry.get("tracking")}


def key_poses(entry: dict) -> list[dict]:
    table = entry["illustration"]
    return [table["start"], *table.get("keyframes", []), table["end"]]


def pose_at(poses: list[dict], fraction: float) -> dict:
    """The pose a fraction 0..1 of the way from the first key pose to the last, moved as the
    library's animations move it (exercises/animation.py: limbs keep their length)."""
    legs = len(poses) - 1
    position = min(max(fraction, 0.0), 1.0) * legs
    leg = min(int(position), legs - 1)
    return in_between(poses[leg], poses[leg + 1], position - leg)


def landmarks(pose: dict, *, view: str, rng: random.Random, noise: float) -> list[dict]:
    """33 landmarks for a pose, in canvas units, each with a little noise. In a side view
    the far side is seen less well (lower visibility), as a camera sees it."""
    points: list[dict | None] = [None] * 33
    for name, indices in INDEX.items():
        x, y = pose[name]
        far = view == "side" and name.endswith("_r")
        for index in indices:
            points[index] = {
                "x": x + rng.gauss(0, noise),
                "y": y + rng.gauss(0, noise),
                "visibility": 0.7 if far else 0.95,
            }
    for index in FACE:
        points[index] = dict(points[0])
    return points


def repetition(poses, *, reach=1.0, hold=0.0, move=1.0, rest=0.6):
    """(seconds, fraction of the way) points of one repetition: rest at the start, move to
    ``reach`` of the way, hold there, move back."""
    return [(rest, 0.0), (move, reach), (hold, reach), (move, 0.0)]


def sequence(
    entry: dict,
    plan: list[tuple[float, float]],
    *,
    seed: int = 1,
    noise: float = 0.3,
    drop_every: int = 0,
    blank: tuple[float, float] | None = None,
    start_t: float = 0.0,
) -> list[dict]:
    """Frames at FPS following ``plan``: segments of (seconds, fraction to reach by the end
    of it), starting from the start pose. ``drop_every``: every n-th frame has no
    landmarks; ``blank``: (from, to) seconds with nothing seen (the person left the frame)."""
    rng = random.Random(seed)
    poses = key_poses(entry)
    view = entry["tracking"]["view"]
    frames = []
    t = start_t
    fraction = 0.0
    number = 0
    for seconds, target in plan:
        steps = max(1, round(seconds * FPS))
        begin = fraction
        for step in range(1, steps + 1):
            fraction = begin + (target - begin) * step / steps
            t += 1 / FPS
            number += 1
            unseen = (drop_every and number % drop_every == 0) or (
                blank is not None and blank[0] <= t < blank[1]
            )
            frames.append(
                {
                    "t": round(t, 4),
                    "landmarks": None
                    if unseen
                    else landmarks(pose_at(poses, fraction), view=view, rng=rng, noise=noise),
                }
            )
    return frames


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Node.js is missing: the counting tests need it.")
        pytest.skip("Node.js not installed - the camera counting tests are skipped")
    return found


def run(scenarios: list[dict]) -> list[dict]:
    """Each scenario through static/js/camera/counter.js under Node."""
    result = subprocess.run(  # noqa: S603 - Node and our own script, fixed arguments
        [node(), str(COUNTER_DRIVER)],
        input=json.dumps(scenarios),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def kinds(result: dict, kind: str) -> list[dict]:
    return [event for event in result["events"] if event["type"] == kind]
