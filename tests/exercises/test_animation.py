"""The animated drawings (exercises/animation.py) and their schema in the shipped library: every
exercise moves, loops, holds where it holds and stays small; the exercises reviewers could
not recognise from the side have key poses or a second view. Pure Pillow, no database."""

from __future__ import annotations

import functools
import io
import itertools
import math
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from exercises import animation
from exercises.illustration import BACKGROUND, render_stills
from exercises.library import LIBRARY_PATH, load_shipped_library

LIBRARY = load_shipped_library()
BY_KEY = {entry["key"]: entry for entry in LIBRARY}
MAX_BYTES = 80 * 1024

# What reviewers could not recognise side-on (issue 21), and what now shows it.
REDRAWN = {
    "adductor-rock-back": "second_view",  # the leg out to the side, seen from above
    "frog-stretch": "second_view",  # the wide knees, seen from above
    "hip-airplane": "both",  # tip into the T, then turn the pelvis open, seen from behind
    "figure-four-stretch": "second_view",  # the crossed leg (the "4"), seen from above
    "seated-figure-four-stretch": "second_view",  # the crossed shin, seen from the front
    "ninety-ninety-hip-switch": "both",  # sitting, knees through the middle, legs from above
    "standing-hip-circles": "both",  # knee front, side, behind, and back round
}


@functools.cache
def _animation(key: str) -> bytes:
    entry = BY_KEY[key]
    return animation.render_animation(entry["illustration"], holds=bool(entry.get("hold_seconds")))


def _frames(data: bytes) -> tuple[Image.Image, list[int], list[Image.Image]]:
    image = Image.open(io.BytesIO(data))
    durations, pictures = [], []
    for number in range(image.n_frames):
        image.seek(number)
        image.load()  # the frame's duration is read with its pixels
        durations.append(image.info["duration"])
        pictures.append(image.convert("RGB"))
    image.seek(0)
    return image, durations, pictures


@pytest.mark.parametrize("key", list(BY_KEY))
def test_every_shipped_exercise_has_a_small_looping_animation_with_a_hold(key: str) -> None:
    data = _animation(key)
    assert len(data) <= MAX_BYTES, f"{key}: {len(data) / 1024:.1f} KB"
    image, durations, pictures = _frames(data)
    assert image.format == "WEBP"
    assert image.is_animated
    assert image.info.get("loop") == 0  # for ever
    assert len(durations) > 2
    # The figure moves: frames differ from the first (the start pose).
    assert any(ImageChops.difference(pictures[0], p).getbbox() for p in pictures[1:])
    # It pauses at the start and at the end pose, longer where the exercise holds. (The
    # encoder joins a frame that does not change to the one before it, adding its time.)
    assert durations[0] >= animation.REST_MS
    end_pause = max(durations[1:])
    if BY_KEY[key].get("hold_seconds"):
        assert end_pause >= animation.HOLD_MS
    else:
        assert animation.TURN_MS <= end_pause < animation.HOLD_MS
    # Between the pauses, a smooth movement, about a couple of seconds for a repetition.
    assert 1_500 <= sum(durations) <= 6_000


def test_an_exercise_with_only_start_and_end_animates_with_no_extra_data() -> None:
    """What a new exercise with two poses gets: start, eased in-betweens, end held, back."""
    table = BY_KEY["glute-bridge"]["illustration"]
    assert "keyframes" not in table
    assert "second_view" not in table
    timeline = animation.frames(table, holds=True)
    assert timeline[0].poses == (table["start"],)
    held = [number for number, frame in enumerate(timeline) if frame.duration == animation.HOLD_MS]
    assert len(held) == 1
    end = timeline[held[0]].poses[0]
    for name, (x, y) in table["end"].items():
        assert end[name] == pytest.approx([x, y], abs=0.01)
    # Eased: the first steps out of the start pose are shorter than the middle ones.
    hip = [frame.poses[0]["hip_l"] for frame in timeline[: held[0] + 1]]
    steps = [math.dist(a, b) for a, b in itertools.pairwise(hip)]
    assert steps[0] < steps[len(steps) // 2]
    # The way back mirrors the way out, and the loop ends one step before the start pose.
    assert len(timeline) == 2 * held[0]


def test_in_betweens_keep_limbs_at_length_and_planted_feet_still() -> None:
    table = BY_KEY["glute-bridge"]["illustration"]
    start, end = table["start"], table["end"]
    for t in (0.25, 0.5, 0.75):
        pose = animation.in_between(start, end, t)
        for a, b in animation.SEGMENTS:
            expected = math.dist(start[a], start[b]) * (1 - t) + math.dist(end[a], end[b]) * t
            assert math.dist(pose[a], pose[b]) == pytest.approx(expected, abs=0.6), (a, b, t)
        # The feet stay on the floor where they were while the hips lift.
        assert pose["ankle_l"] == pytest.approx(start["ankle_l"])
        assert pose["toe_l"] == pytest.approx(start["toe_l"])


def test_key_poses_are_passed_through_in_order() -> None:
    table = BY_KEY["standing-hip-circles"]["illustration"]
    keys = animation.key_poses(table)
    assert len(keys) == 4
    timeline = animation.frames(table, holds=False)
    knees = [frame.poses[0]["knee_l"] for frame in timeline]

    def reached(pose):
        return next(
            number for number, knee in enumerate(knees) if math.dist(knee, pose["knee_l"]) < 0.01
        )

    # Up in front, out to the side, behind: the circle, then back round the other way.
    order = [reached(pose) for pose in keys]
    assert order == sorted(order)
    assert len({tuple(k) for k in knees}) > 12


def test_a_cycle_goes_on_round_instead_of_back() -> None:
    table = dict(BY_KEY["standing-hip-circles"]["illustration"], motion="cycle")
    there_and_back = animation.frames(BY_KEY["standing-hip-circles"]["illustration"], holds=False)
    cycle = animation.frames(table, holds=False)
    assert len(cycle) < len(there_and_back)
    # From the end pose (behind) straight on to standing, not back through the side.
    after_end = cycle[[f.duration for f in cycle].index(animation.TURN_MS) + 1 :]
    side = table["keyframes"][1]["knee_l"]
    assert all(math.dist(frame.poses[0]["knee_l"], side) > 3 for frame in after_end)


@pytest.mark.parametrize("key", list(REDRAWN))
def test_the_exercises_reviewers_could_not_recognise_have_more_to_show(key: str) -> None:
    table = BY_KEY[key]["illustration"]
    has_second = "second_view" in table
    has_keyframes = bool(table.get("keyframes"))
    assert {"second_view": has_second, "both": has_second and has_keyframes}[REDRAWN[key]]
    if has_second:
        assert table["second_view"]["view"] != table["view"]
        # The second view is in every frame of the animation and in both stills.
        one_view = dict(table)
        del one_view["second_view"]
        both = animation.render_frames(table, holds=False)[0][0]
        single = animation.render_frames(one_view, holds=False)[0][0]
        assert both.size != single.size
        start, end = render_stills(table, size=(600, 400))
        alone = render_stills(one_view, size=(600, 400))[0]
        assert start.size == end.size != alone.size


def test_adductor_rock_back_no_longer_looks_like_the_plain_rock_back() -> None:
    """The fault reviewers found: side-on, the leg out to the side is invisible, so the two
    stills differed by a few pixels of the far leg. Now the view from above shows it."""

    def ink(image: Image.Image) -> int:
        diff = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND))
        return diff.convert("L").point(lambda v: 255 if v > 24 else 0).histogram()[255]

    adductor = render_stills(BY_KEY["adductor-rock-back"]["illustration"], size=(600, 400))[0]
    plain = render_stills(BY_KEY["quadruped-rock-back"]["illustration"], size=(600, 400))[0]
    assert adductor.size != plain.size
    assert ink(adductor) > 1.5 * ink(plain)


def _library_with(tmp_path: Path, old: str, new: str) -> Path:
    text = LIBRARY_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "library.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'view = "side"\nprops = ["wall"]',
            'view = "side"\nmotion = "wobble"\nprops = ["wall"]',
            "wobble",
        ),
        (
            "[[exercises.illustration.second_view.keyframes]]\nhead",
            "[[exercises.illustration.second_view.keyframes]]\nnose",
            "nose",
        ),
        (
            '[exercises.illustration.second_view]\nview = "front"\nprops = ["wall"]',
            '[exercises.illustration.second_view]\nview = "side"\nprops = ["wall"]',
            "another view",
        ),
        (
            '[exercises.illustration.second_view]\nview = "top"',
            '[exercises.illustration.second_view]\nview = "top"\nspeed = 2',
            "speed",
        ),
    ],
)
def test_loader_rejects_broken_animation_data(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_shipped_library(path=_library_with(tmp_path, old, new))


def test_loader_wants_one_second_view_pose_for_each_key_pose(tmp_path: Path) -> None:
    text = LIBRARY_PATH.read_text(encoding="utf-8")
    start = text.index('key = "hip-airplane"')
    first = text.index("[[exercises.illustration.second_view.keyframes]]", start)
    end = text.index("[exercises.illustration.second_view.end]", first)
    path = tmp_path / "library.toml"
    path.write_text(text[:first] + text[end:], encoding="utf-8")
    with pytest.raises(ValueError, match=r"'hip-airplane'.*as many keyframes"):
        load_shipped_library(path=path)
