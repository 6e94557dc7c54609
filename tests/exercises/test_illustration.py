"""Checks on the stick-figure renderer (pure Pillow, no database)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from exercises.illustration import (
    BACKGROUND,
    PROPS,
    VIEWS,
    render_contact_sheet,
    render_pose_image,
)
from exercises.library import load_shipped_library

SIZE = (300, 200)
LIBRARY = load_shipped_library()
BY_KEY = {entry["key"]: entry for entry in LIBRARY}


def _non_background_pixels(image: Image.Image) -> int:
    background = Image.new("RGB", image.size, BACKGROUND)
    diff = ImageChops.difference(image, background).convert("L")
    return diff.point(lambda value: 255 if value > 24 else 0).histogram()[255]


@pytest.mark.parametrize("which", ["start", "end"])
@pytest.mark.parametrize("entry", LIBRARY, ids=[e["key"] for e in LIBRARY])
def test_every_exercise_renders_a_non_blank_rgb_image(entry: dict, which: str) -> None:
    image = render_pose_image(entry["illustration"], which, size=SIZE)
    assert image.size == SIZE
    assert image.mode == "RGB"
    # The figure, floor and props cover a few percent of the picture at the very least.
    assert _non_background_pixels(image) > 0.03 * SIZE[0] * SIZE[1]


def test_default_size() -> None:
    image = render_pose_image(BY_KEY["glute-bridge"]["illustration"])
    assert image.size == (1200, 800)


def test_rendering_is_deterministic() -> None:
    illustration = BY_KEY["bird-dog"]["illustration"]
    first = render_pose_image(illustration, "start", size=SIZE)
    second = render_pose_image(illustration, "start", size=SIZE)
    assert first.tobytes() == second.tobytes()


def test_start_image_shows_the_ghosted_end_pose() -> None:
    illustration = BY_KEY["glute-bridge"]["illustration"]
    with_ghost = render_pose_image(illustration, "start", size=SIZE)
    # Same start pose but an identical end pose: no ghost and no arrows can appear.
    still = dict(illustration, end=illustration["start"])
    without_ghost = render_pose_image(still, "start", size=SIZE)
    assert ImageChops.difference(with_ghost, without_ghost).getbbox() is not None


def test_start_and_end_images_differ() -> None:
    illustration = BY_KEY["clamshell"]["illustration"]
    start = render_pose_image(illustration, "start", size=SIZE)
    end = render_pose_image(illustration, "end", size=SIZE)
    assert ImageChops.difference(start, end).getbbox() is not None


@pytest.mark.parametrize("view", VIEWS)
def test_every_prop_renders_in_every_view(view: str) -> None:
    # Some props are not used by the shipped data yet; they must still draw without errors.
    for key in ("glute-bridge", "seated-hip-march", "standing-hip-circles"):
        illustration = dict(BY_KEY[key]["illustration"], view=view, props=list(PROPS))
        image = render_pose_image(illustration, "start", size=SIZE)
        assert image.size == SIZE


def test_unknown_which_is_rejected() -> None:
    with pytest.raises(ValueError, match="which"):
        render_pose_image(BY_KEY["clamshell"]["illustration"], "middle", size=SIZE)


def test_contact_sheet_grows_with_entries() -> None:
    image = render_pose_image(BY_KEY["cat-cow"]["illustration"], size=SIZE)
    one = render_contact_sheet([("Cat-cow", image)], columns=4)
    five = render_contact_sheet([(f"Cat-cow {i}", image) for i in range(5)], columns=4)
    assert one.mode == five.mode == "RGB"
    assert five.width > one.width
    assert five.height > one.height


def test_contact_sheet_needs_entries() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_contact_sheet([])


def _accent_pixels(image: Image.Image) -> int:
    from exercises.illustration import ACCENT

    target = Image.new("RGB", image.size, ACCENT)
    diff = ImageChops.difference(image, target).convert("L")
    return diff.point(lambda value: 255 if value < 40 else 0).histogram()[255]


@pytest.mark.parametrize("key", ["pelvic-tilt", "cat-cow"])
def test_spine_movement_gets_an_arrow(key: str) -> None:
    # The joints barely move in a pelvic tilt; the arrow on the back is the only motion cue.
    illustration = dict(BY_KEY[key]["illustration"], arrows=["toe_l"])
    assert _accent_pixels(render_pose_image(illustration, "start", size=SIZE)) > 20


def test_cat_rounds_and_cow_sags() -> None:
    from exercises.illustration import _spine_bend

    illustration = BY_KEY["cat-cow"]["illustration"]
    for which, rounded in (("start", True), ("end", False)):
        pose = illustration[which]
        bend = _spine_bend(pose)
        assert bend is not None, which
        chord_y = (pose["neck"][1] + (pose["hip_l"][1] + pose["hip_r"][1]) / 2) / 2
        # y grows downwards: a rounded (cat) back is above its chord, a sagging (cow) one below.
        assert (bend[1] < chord_y - 2) if rounded else (bend[1] > chord_y + 2), which
