"""Looping animations of exercises, drawn from the same pose data as the stills.

An exercise's ``illustration`` table has a ``start`` and an ``end`` pose and may list more key
poses between them (``keyframes``) and a ``second_view`` (the same movement seen from the front
or from above, with its own poses, one for each key pose of the main view). This module moves
the figure through the key poses — start, keyframes, end and back to the start, or on round to
the start for a circle (``motion = "cycle"``) — with eased in-betweens, and writes the frames
as one small looping animated WebP. It knows nothing about Django.

In-betweens are not a straight blend of the joint positions, which would shorten a limb that
swings through an arc: the blend is relaxed until every segment has its length again, with
the joints that do not move between two key poses (a foot on the floor, a hand on the wall)
held where they are.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from exercises import illustration as drawing
from exercises.illustration import BACKGROUND, KEYPOINTS, Pose

MOTIONS: tuple[str, ...] = ("there_and_back", "cycle")
# The animation's size: wide enough for a phone screen, small enough for the 80 KB budget.
WIDTH = 480
PANEL = (480, 320)
SUPERSAMPLE = 2
# Frame timing, in milliseconds.
STEP_MS = 70
IN_BETWEENS = 10  # frames from one key pose to the next when there are only start and end
MIN_IN_BETWEENS = 4
REST_MS = 600  # the pause at the start pose, before each repetition
HOLD_MS = 1600  # at the end pose, for an exercise that holds it
TURN_MS = 400  # at the end pose otherwise: long enough to see where the movement goes
QUALITY = 55
KEY_FRAME_EVERY = 64  # more frames than any loop has: one key frame, the rest stored as changes
MAX_BYTES = 80 * 1024  # the budget per animation (tests/exercises/test_animation.py checks it)

# The skeleton: segments whose length the in-betweens keep.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("head", "neck"),
    ("neck", "shoulder_l"),
    ("neck", "shoulder_r"),
    ("shoulder_l", "elbow_l"),
    ("elbow_l", "wrist_l"),
    ("shoulder_r", "elbow_r"),
    ("elbow_r", "wrist_r"),
    ("neck", "hip_l"),
    ("neck", "hip_r"),
    ("hip_l", "hip_r"),
    ("hip_l", "knee_l"),
    ("knee_l", "ankle_l"),
    ("ankle_l", "toe_l"),
    ("hip_r", "knee_r"),
    ("knee_r", "ankle_r"),
    ("ankle_r", "toe_r"),
)
STILL_JOINT = 0.3  # canvas units: a joint moving less than this between key poses is held


@dataclass(frozen=True)
class Frame:
    """The poses of one frame (one per view) and how long it shows, in milliseconds."""

    poses: tuple[Pose, ...]
    duration: int


def key_poses(table: Mapping) -> list[Pose]:
    """Start, the keyframes in order, end."""
    return [table["start"], *table.get("keyframes", []), table["end"]]


def views(illustration: Mapping) -> list[Mapping]:
    """The illustration's views: the main one, then the second view if there is one."""
    second = illustration.get("second_view")
    return [illustration, second] if second else [illustration]


def _ease(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


def _point(pose: Pose, name: str) -> tuple[float, float]:
    x, y = pose[name]
    return float(x), float(y)


def in_between(a: Pose, b: Pose, t: float) -> dict[str, list[float]]:
    """The pose a fraction ``t`` of the way from ``a`` to ``b``, segments kept at length."""
    pa = {name: _point(a, name) for name in KEYPOINTS}
    pb = {name: _point(b, name) for name in KEYPOINTS}
    pose = {
        name: [
            pa[name][0] + (pb[name][0] - pa[name][0]) * t,
            pa[name][1] + (pb[name][1] - pa[name][1]) * t,
        ]
        for name in KEYPOINTS
    }
    if t in (0.0, 1.0):
        return pose
    held = {name for name in KEYPOINTS if math.dist(pa[name], pb[name]) < STILL_JOINT}
    lengths = {
        (p, q): math.dist(pa[p], pa[q]) * (1 - t) + math.dist(pb[p], pb[q]) * t for p, q in SEGMENTS
    }
    for _ in range(24):
        for (p, q), length in lengths.items():
            (x0, y0), (x1, y1) = pose[p], pose[q]
            dx, dy = x1 - x0, y1 - y0
            current = math.hypot(dx, dy)
            if current < 1e-6 or length < 1e-6:
                continue
            share_p = 0.0 if p in held else (1.0 if q in held else 0.5)
            share_q = 0.0 if q in held else (1.0 if p in held else 0.5)
            if p in held and q in held:
                continue
            stretch = (current - length) / current
            pose[p] = [x0 + dx * stretch * share_p, y0 + dy * stretch * share_p]
            pose[q] = [x1 - dx * stretch * share_q, y1 - dy * stretch * share_q]
    # Nothing sinks through the floor on its way between two poses that rest on it.
    for name in KEYPOINTS:
        pose[name][1] = min(pose[name][1], drawing.FLOOR_Y + 0.5)
    return pose


def frames(illustration: Mapping, *, holds: bool) -> list[Frame]:
    """Every frame of one repetition: rest at the start, move through the key poses to the
    end, pause there (longer when the exercise ``holds`` the end position) and come back the
    same way, or on round to the start pose for a circle (``motion = "cycle"``)."""
    cycle = illustration.get("motion", MOTIONS[0]) == "cycle"
    tables = views(illustration)
    legs = [list(itertools.pairwise(key_poses(table))) for table in tables]
    steps = max(MIN_IN_BETWEENS, round(IN_BETWEENS / len(legs[0])))

    def leg_frames(leg: int) -> list[tuple[Pose, ...]]:
        return [
            tuple(in_between(*view[leg], _ease(step / steps)) for view in legs)
            for step in range(1, steps + 1)
        ]

    start = tuple(table["start"] for table in tables)
    out = [pose for leg in range(len(legs[0])) for pose in leg_frames(leg)]
    if cycle:
        # On round: from the end pose straight on to the start pose, which begins the loop.
        back = [
            tuple(in_between(t["end"], t["start"], _ease(step / steps)) for t in tables)
            for step in range(1, steps)
        ]
    else:
        # The way back is the way out played backwards: the same pictures, drawn once.
        back = out[-2::-1]
    timeline = [Frame(start, REST_MS)]
    timeline += [Frame(poses, STEP_MS) for poses in out[:-1]]
    timeline.append(Frame(out[-1], HOLD_MS if holds else TURN_MS))
    timeline += [Frame(poses, STEP_MS) for poses in back]
    return timeline


def _render_panel(table: Mapping, pose: Pose, all_poses: Sequence[Pose]) -> Image.Image:
    """One view of one pose: the floor, the props and the figure, without ghosts or arrows."""
    view = table.get("view", "side")
    props = tuple(table.get("props", ()))
    big = (PANEL[0] * SUPERSAMPLE, PANEL[1] * SUPERSAMPLE)
    scale = min(big[0] / drawing.CANVAS_W, big[1] / drawing.CANVAS_H)
    image = Image.new("RGBA", big, (*BACKGROUND, 255))
    cv = drawing._Canvas(image, ImageDraw.Draw(image), scale)
    # The floor, the mat and the furniture stay put for the whole loop.
    drawing._draw_ground(cv, view, props, all_poses)
    drawing._draw_props_behind(cv, view, props, table["start"])
    drawing._draw_figure(cv, pose, view, drawing.NEAR, drawing.FAR, halo=BACKGROUND)
    drawing._draw_props_front(cv, props, pose)
    return image.convert("RGB").reduce(SUPERSAMPLE)  # averaged, as the stills are


def render_frames(illustration: Mapping, *, holds: bool) -> tuple[list[Image.Image], list[int]]:
    """The animation's frames as pictures, and each frame's duration in milliseconds."""
    timeline = frames(illustration, holds=holds)
    tables = views(illustration)
    drawn: dict[int, list[Image.Image]] = {}  # a frame shown twice (there and back) is drawn once
    for frame in timeline:
        if id(frame.poses) not in drawn:
            drawn[id(frame.poses)] = [
                _render_panel(table, pose, key_poses(table))
                for table, pose in zip(tables, frame.poses, strict=True)
            ]
    panels = [[drawn[id(frame.poses)][index] for frame in timeline] for index in range(len(tables))]
    return drawing.compose_views(panels, width=WIDTH), [frame.duration for frame in timeline]


def render_animation(illustration: Mapping, *, holds: bool) -> bytes:
    """One looping animated WebP of the exercise's movement."""
    images, durations = render_frames(illustration, holds=holds)
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="WEBP",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        quality=QUALITY,
        method=4,
        # One key frame: every other frame is stored as its change from the one before, which
        # for a figure moving over a still floor is small. (minimize_size, which tries every
        # encoding for every frame, saves 10% for eight times the time.)
        kmin=KEY_FRAME_EVERY - 1,
        kmax=KEY_FRAME_EVERY,
    )
    return buffer.getvalue()


def render_frame_strip(illustration: Mapping, *, holds: bool, count: int = 6) -> Image.Image:
    """A few frames of the animation side by side, for the contact sheet."""
    images, _ = render_frames(illustration, holds=holds)
    picks = [images[round(i * (len(images) - 1) / max(1, count - 1))] for i in range(count)]
    thumb_w = 240
    thumbs = [
        image.resize(
            (thumb_w, round(image.height * thumb_w / image.width)), Image.Resampling.LANCZOS
        )
        for image in picks
    ]
    height = max(t.height for t in thumbs)
    strip = Image.new("RGB", (count * (thumb_w + 4), height), (255, 255, 255))
    for index, thumb in enumerate(thumbs):
        strip.paste(thumb, (index * (thumb_w + 4), 0))
    return strip


def frame_strip_sheet(strips: Sequence[tuple[str, Image.Image]]) -> Image.Image:
    """Labelled frame strips one under the other, for human review."""
    font = ImageFont.load_default(size=16)
    label_h = 24
    width = max(strip.width for _, strip in strips)
    sheet = Image.new("RGB", (width, sum(s.height + label_h for _, s in strips)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    y = 0
    for name, strip in strips:
        draw.text((4, y + 4), name, fill=drawing.LABEL, font=font)
        sheet.paste(strip, (0, y + label_h))
        y += strip.height + label_h
    return sheet
