"""The camera coach's counting (static/js/camera/counter.js), run under Node on landmark
sequences made from the library's own key poses: the right count, holds timed only while
held, partial repetitions not counted, no double counting at the thresholds."""

import pytest

from exercises import tracking
from tests.camera.landmarks import (
    key_poses,
    kinds,
    landmarks,
    repetition,
    run,
    sequence,
    shipped_rules,
)

RULES = shipped_rules()
REPEATED = sorted(key for key, entry in RULES.items() if entry.get("reps"))
HELD = sorted(key for key, entry in RULES.items() if not entry.get("reps"))


def test_at_least_six_shipped_exercises_have_a_valid_rule():
    assert len(RULES) >= 6
    for entry in RULES.values():
        assert tracking.validate(entry["tracking"])
        assert entry["tracking"]["view"] == entry["illustration"]["view"]


def test_each_rules_thresholds_fit_its_own_start_and_end_poses():
    """The drawing's start pose is at rest (short of "started" by more than the hysteresis)
    and its end pose is past "completed": the rule and the pictures describe one movement."""
    import random

    scenarios = []
    for entry in RULES.values():
        poses = key_poses(entry)
        view = entry["tracking"]["view"]
        scenarios.append(
            {
                "rule": entry["tracking"],
                "measure": [
                    landmarks(poses[0], view=view, rng=random.Random(0), noise=0),
                    landmarks(poses[-1], view=view, rng=random.Random(0), noise=0),
                ],
            }
        )
    for entry, result in zip(RULES.values(), run(scenarios), strict=True):
        rule = entry["tracking"]
        towards = 1 if rule["completed"] > rule["started"] else -1
        start, end = result["measured"]
        assert towards * start < towards * rule["started"] - rule["hysteresis"], entry["key"]
        assert towards * end >= towards * rule["completed"], entry["key"]


@pytest.mark.parametrize("key", REPEATED)
def test_three_repetitions_with_noise_and_dropped_frames_count_three(key):
    entry = RULES[key]
    hold = entry.get("hold_seconds") or 0.3
    plan = [step for _ in range(3) for step in repetition(key_poses(entry), hold=hold)]
    frames = sequence(entry, [*plan, (0.6, 0.0)], noise=0.3, drop_every=7)
    (result,) = run([{"rule": entry["tracking"], "dose": {"reps": 3}, "frames": frames}])
    assert [event["count"] for event in kinds(result, "rep")] == [1, 2, 3]
    assert kinds(result, "partial") == []
    assert len(kinds(result, "done")) == 1
    assert result["summary"]["reps"] == 3


@pytest.mark.parametrize("key", HELD)
def test_a_timed_hold_runs_only_while_held_and_pauses_when_nobody_is_seen(key):
    entry = RULES[key]
    # Into the end position (1 s), held 3 s, 2 s with nobody in the picture, held 4 s more.
    frames = sequence(entry, [(0.6, 0.0), (1.0, 1.0), (9.0, 1.0)], blank=(4.6, 6.6), noise=0.3)
    (result,) = run([{"rule": entry["tracking"], "dose": {"holdSeconds": 6}, "frames": frames}])
    assert len(kinds(result, "lost")) == 1
    assert len(kinds(result, "found")) == 1
    done = kinds(result, "done")
    assert len(done) == 1
    # 6 seconds held: reached at about 1.6 s, paused from 4.6 to 6.6, so done at about 9.6 s.
    assert 9.2 <= done[0]["t"] <= 10.0
    # Nothing is counted while nobody is seen.
    holding = [event for event in kinds(result, "holding") if 4.6 <= event["t"] < 6.6]
    assert holding == []
    assert result["summary"]["seconds"] >= 6


def test_a_partial_repetition_is_not_counted_and_says_its_cue():
    entry = RULES["sit-to-stand"]
    poses = key_poses(entry)
    plan = [
        *repetition(poses, hold=1),
        *repetition(poses, reach=0.5, hold=1),  # up only half way, then back down
        *repetition(poses, hold=1),
        (0.6, 0.0),
    ]
    (result,) = run(
        [{"rule": entry["tracking"], "dose": {"reps": 10}, "frames": sequence(entry, plan)}]
    )
    assert [event["count"] for event in kinds(result, "rep")] == [1, 2]
    assert len(kinds(result, "partial")) == 1
    assert [event["cue"] for event in kinds(result, "cue")] == ["stand_tall"]
    assert result["summary"]["warnings"] == {"stand_tall": 1}


def test_a_hold_cut_short_by_lost_tracking_is_timed_without_the_gap():
    entry = RULES["glute-bridge"]
    poses = key_poses(entry)
    plan = [*repetition(poses, hold=5), *repetition(poses, hold=5), (0.6, 0.0)]
    # The second hold (from about 8.2 s to 13.2 s) loses the person for 2 s.
    frames = sequence(entry, plan, blank=(9.5, 11.5))
    (result,) = run(
        [{"rule": entry["tracking"], "dose": {"reps": 10, "holdSeconds": 5}, "frames": frames}]
    )
    first, second = kinds(result, "rep")
    # Held: the 5 s at the top and the moments on the way up and down that are past the
    # end threshold already (the hips are up).
    assert 5.0 <= first["seconds"] <= 6.5
    # The same repetition, 2 s of it unseen: the gap is not counted.
    assert 1.8 <= first["seconds"] - second["seconds"] <= 2.2


def test_no_double_counting_at_the_thresholds():
    """A value trembling at "started" never counts; trembling at "completed" while held is
    one end position, not several; one return counts one repetition."""
    rule = RULES["sit-to-stand"]["tracking"]
    started, completed, band = rule["started"], rule["completed"], rule["hysteresis"]
    values = []
    t = 0.0
    for i in range(40):  # at the start threshold, within its band
        t += 0.05
        values.append({"t": t, "value": started + (0.9 if i % 2 else -0.9) * band})
    for i in range(40):  # at the end threshold, within its band
        t += 0.05
        values.append({"t": t, "value": completed + (0.2 if i % 2 else -0.9) * band})
    for value in (completed - 2 * band, started, started - 2 * band):  # back down, steadily
        for _ in range(3):
            t += 0.05
            values.append({"t": t, "value": value})
    (result,) = run([{"rule": rule, "dose": {"reps": 10}, "values": values}])
    assert len(kinds(result, "started")) == 1
    assert len(kinds(result, "reached")) == 1
    assert len(kinds(result, "released")) == 1
    assert [event["count"] for event in kinds(result, "rep")] == [1]
    assert kinds(result, "partial") == []


def test_a_form_check_says_its_cue_once_a_repetition():
    """Standing up with the body still leaning forward at the top: "Stand up tall"."""
    entry = dict(RULES["sit-to-stand"])
    poses = key_poses(entry)
    leaning = dict(poses[-1])
    hip = leaning["hip_l"]
    for name in ("head", "neck", "shoulder_l", "shoulder_r"):
        x, y = leaning[name]
        leaning[name] = [x + 0.7 * (hip[1] - y), y]  # the trunk leans forward by about 35°
    entry["illustration"] = {**entry["illustration"], "keyframes": [], "end": leaning}
    plan = [step for _ in range(2) for step in repetition(key_poses(entry), hold=1.5)]
    (result,) = run(
        [
            {
                "rule": entry["tracking"],
                "dose": {"reps": 10},
                "frames": sequence(entry, [*plan, (0.6, 0.0)]),
            }
        ]
    )
    assert [event["count"] for event in kinds(result, "rep")] == [1, 2]
    assert [event["cue"] for event in kinds(result, "cue")] == ["stand_tall", "stand_tall"]


def test_nobody_in_the_picture_from_the_start_is_said_and_nothing_counts():
    entry = RULES["glute-bridge"]
    frames = [{"t": round(i / 15, 4), "landmarks": None} for i in range(1, 60)]
    frames += sequence(entry, repetition(key_poses(entry), hold=5), start_t=4.0)
    (result,) = run([{"rule": entry["tracking"], "dose": {"reps": 10}, "frames": frames}])
    lost, found = kinds(result, "lost"), kinds(result, "found")
    assert len(lost) == 1
    assert 1.5 <= lost[0]["t"] <= 1.7
    assert len(found) == 1
    assert found[0]["t"] > 4.0
    assert [event["count"] for event in kinds(result, "rep")] == [1]
