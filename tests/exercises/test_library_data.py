"""Checks on the shipped exercise library data (no database needed)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from exercises import choices
from exercises.animation import key_poses, views
from exercises.dosage import dose_mentioned
from exercises.illustration import CANVAS_H, CANVAS_W, FLOOR_Y, KEYPOINTS
from exercises.library import LIBRARY_PATH, PRECAUTION_TAGS, load_shipped_library

REQUIRED_KEYS = (
    "half-kneeling-hip-flexor-stretch",
    "clamshell",
    "glute-bridge",
    "ninety-ninety-hip-switch",
    "figure-four-stretch",
    "supine-hip-rotation",
    "standing-hip-circles",
    "quadruped-rock-back",
    "adductor-rock-back",
    "frog-stretch",
    "bird-dog",
    "dead-bug",
    "side-lying-hip-abduction",
    "cat-cow",
    "childs-pose",
    "knee-to-chest",
    "standing-hip-hinge",
    "lateral-band-walk",
    "single-leg-bridge",
    "hamstring-stretch-strap",
    "modified-pigeon-stretch",
    "hip-airplane",
    "deep-squat-hold",
    "standing-hip-flexor-stretch",
    "pelvic-tilt",
    "seated-hip-march",
    # Issue 21: exercises clinics use for low back pain and hip mobility.
    "prone-press-up",
    "prone-lying-on-elbows",
    "sciatic-nerve-glide",
    "walking-program",
    "thoracic-open-book",
    "thread-the-needle",
    "abdominal-bracing",
    "hip-hinge-broomstick",
    "sit-to-stand",
    "step-up",
    "standing-hip-abduction",
    "standing-hip-extension",
    "knee-rolls",
    "double-knee-to-chest",
    "seated-butterfly-stretch",
    "standing-quad-stretch",
)
# Exercises timed as an activity rather than held in a position: their hold_seconds is how
# long the patient keeps going (a walk), up to the dose field's 10 minutes.
TIMED_ACTIVITIES = {"walking-program"}

# Body segments whose drawn length must not change between the start and end of a movement.
SEGMENTS = (
    ("head", "neck"),
    ("neck", "hip_l"),
    ("neck", "hip_r"),
    *(
        (f"{a}_{side}", f"{b}_{side}")
        for side in ("l", "r")
        for a, b in (
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("ankle", "toe"),
        )
    ),
)

LIBRARY = load_shipped_library()
BY_KEY = {entry["key"]: entry for entry in LIBRARY}


def _ids(entries: list[dict]) -> list[str]:
    return [entry["key"] for entry in entries]


def test_library_loads_enough_exercises() -> None:
    assert len(LIBRARY) >= 24


def test_keys_and_names_are_unique() -> None:
    keys = [entry["key"] for entry in LIBRARY]
    names = [entry["name"] for entry in LIBRARY]
    assert len(keys) == len(set(keys))
    assert len(names) == len(set(names))


def test_keys_are_kebab_case() -> None:
    for entry in LIBRARY:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["key"]), entry["key"]


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_required_exercise_present(key: str) -> None:
    assert key in BY_KEY


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_choice_values_are_valid(entry: dict) -> None:
    for field, choice in (
        ("body_region", choices.BodyRegion),
        ("category", choices.Category),
        ("difficulty", choices.Difficulty),
        ("equipment", choices.Equipment),
        ("position", choices.Position),
        ("side", choices.Side),
    ):
        assert entry[field] in [c.value for c in choice], field
    assert set(entry["precaution_tags"]) <= set(PRECAUTION_TAGS)


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_text_content_shape(entry: dict) -> None:
    assert 3 <= len(entry["steps"]) <= 7
    assert len(entry["cues"]) >= 2
    assert len(entry["precautions"]) >= 1
    assert "\n" not in entry["summary"]


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_no_step_or_cue_contains_a_dose(entry: dict) -> None:
    """Steps describe the movement; the dose line says how many and how long. A step saying
    "hold for 3 seconds" beside a clinician's "hold 5 seconds" told the patient both."""
    for line in entry["steps"] + entry["cues"]:
        assert dose_mentioned(line) == [], line


def test_the_dose_detector_finds_counts_in_figures_and_words() -> None:
    assert dose_mentioned("Hold for 30 seconds, then change sides.") == ["30 seconds"]
    assert dose_mentioned("Repeat ten times.") == ["ten times"]
    assert dose_mentioned("Do 2 sets of 10 reps") == ["2 sets", "10 reps"]
    assert dose_mentioned("Hold the stretch, breathing slowly.") == []
    assert dose_mentioned("Lift one knee at a time.") == []


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_dosage_is_sane(entry: dict) -> None:
    assert 1 <= entry["sets"] <= 5
    assert "reps" in entry or "hold_seconds" in entry
    if "reps" in entry:
        assert 1 <= entry["reps"] <= 30
    if "hold_seconds" in entry:
        longest = 600 if entry["key"] in TIMED_ACTIVITIES else 120
        assert 1 <= entry["hold_seconds"] <= longest
    assert 0 <= entry["rest_seconds"] <= 180


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_easier_and_harder_resolve(entry: dict) -> None:
    for field in ("easier", "harder"):
        if field in entry:
            assert entry[field] in BY_KEY
            assert entry[field] != entry["key"]


def test_progressions_named_in_the_brief_are_linked() -> None:
    assert BY_KEY["glute-bridge"]["harder"] == "single-leg-bridge"
    assert BY_KEY["single-leg-bridge"]["easier"] == "glute-bridge"
    assert BY_KEY["prone-lying-on-elbows"]["harder"] == "prone-press-up"
    assert BY_KEY["prone-press-up"]["easier"] == "prone-lying-on-elbows"
    assert BY_KEY["sit-to-stand"]["harder"] == "step-up"
    assert BY_KEY["step-up"]["easier"] == "sit-to-stand"
    assert BY_KEY["knee-to-chest"]["harder"] == "double-knee-to-chest"
    assert BY_KEY["hip-hinge-broomstick"]["harder"] == "standing-hip-hinge"
    assert BY_KEY["standing-hip-hinge"]["easier"] == "hip-hinge-broomstick"
    assert BY_KEY["thoracic-open-book"]["harder"] == "thread-the-needle"
    assert BY_KEY["abdominal-bracing"]["harder"] == "dead-bug"
    assert BY_KEY["half-kneeling-hip-flexor-stretch"]["easier"] == "standing-hip-flexor-stretch"
    assert BY_KEY["clamshell"]["harder"] == "side-lying-hip-abduction"
    assert BY_KEY["side-lying-hip-abduction"]["harder"] == "lateral-band-walk"


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_every_pose_has_every_keypoint(entry: dict) -> None:
    for which in ("start", "end"):
        assert set(entry["illustration"][which]) == set(KEYPOINTS)


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_segment_lengths_match_between_start_and_end(entry: dict) -> None:
    start, end = entry["illustration"]["start"], entry["illustration"]["end"]
    for a, b in SEGMENTS:
        before, after = math.dist(start[a], start[b]), math.dist(end[a], end[b])
        assert before > 0, (a, b)
        assert abs(after - before) <= 0.15 * before, (a, b, before, after)


@pytest.mark.parametrize("entry", LIBRARY, ids=_ids(LIBRARY))
def test_keypoints_on_canvas_and_not_below_floor(entry: dict) -> None:
    # Every key pose of every view: start, keyframes and end, main and second view.
    for table in views(entry["illustration"]):
        for number, pose in enumerate(key_poses(table)):
            assert set(pose) == set(KEYPOINTS), (table["view"], number)
            for name, (x, y) in pose.items():
                assert 0 <= x <= CANVAS_W, (table["view"], number, name, x)
                assert 0 <= y <= FLOOR_Y + 0.5 <= CANVAS_H, (table["view"], number, name, y)


def _write_library(tmp_path: Path, replace: tuple[str, str]) -> Path:
    """A copy of the shipped file with one exercise's text altered."""
    text = LIBRARY_PATH.read_text(encoding="utf-8")
    old, new = replace
    assert old in text
    path = tmp_path / "library.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_loader_reads_an_explicit_path() -> None:
    assert load_shipped_library(path=LIBRARY_PATH) == LIBRARY


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (('category = "strengthening"', 'category = "stretchy"'), "stretchy"),
        (('equipment = "mat"', 'equipment = "trampoline"'), "trampoline"),
        (("head = [", "nose = ["), "nose"),
        (('harder = "glute-bridge"', 'harder = "no-such-exercise"'), "no-such-exercise"),
        (('harder = "glute-bridge"', 'harder = "pelvic-tilt"'), "itself"),
        (('name = "Hip lift (glute bridge)"', 'name = "Pelvic tilt"'), "duplicate name"),
        (('    "pregnancy",  ', '    "vertigo",  '), "vertigo"),
        # The clamshell's text warns after a hip replacement: the tag must stay.
        (
            ('    "after_hip_replacement",  # lying on the side', "    # lying on the side"),
            "after_hip_replacement",
        ),
        # A floor exercise without the floor tag.
        (('    "floor_unsafe",  # starts lying', "    # starts lying"), "floor_unsafe"),
    ],
)
def test_loader_rejects_broken_entries(
    tmp_path: Path, replace: tuple[str, str], message: str
) -> None:
    path = _write_library(tmp_path, replace)
    with pytest.raises(ValueError, match=message):
        load_shipped_library(path=path)


def test_loader_refuses_a_condition_named_in_the_text_without_its_tag(tmp_path: Path) -> None:
    path = _write_library(
        tmp_path,
        (
            '"Stop if your back aches; try moving only the leg, or only the arm, at first.",',
            '"If you have osteoporosis, keep your back flat.",',
        ),
    )
    with pytest.raises(ValueError, match=r"'bird-dog'.*osteoporosis"):
        load_shipped_library(path=path)


def test_every_precaution_tag_has_its_reason_beside_it() -> None:
    """Each tag of each exercise sits on its own line with a one-line reason after it; an
    exercise with no tag says why in a "# none: ..." line."""
    text = LIBRARY_PATH.read_text(encoding="utf-8")
    blocks = re.findall(r'^key = "([^"]+)"$.*?^precaution_tags = \[\n(.*?)^\]$', text, re.M | re.S)
    assert len(blocks) == len(LIBRARY)
    for key, body in blocks:
        lines = body.strip("\n").splitlines()
        if not BY_KEY[key]["precaution_tags"]:
            assert len(lines) == 1, key
            assert re.fullmatch(r"\s+# none: \S.{10,}", lines[0]), key
            continue
        assert [re.match(r'\s+"(\w+)",', line)[1] for line in lines] == BY_KEY[key][
            "precaution_tags"
        ], key
        for line in lines:
            assert re.fullmatch(r'\s+"\w+",\s+# \S.{10,}', line), (key, line)


def test_loader_error_names_the_exercise(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        '[[exercises]]\nkey = "wobbly-plank"\nname = "Wobbly plank"\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"wobbly-plank.*missing field 'summary'"):
        load_shipped_library(path=path)
