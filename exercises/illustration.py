"""Stick-figure illustrations of exercises, drawn from body keypoints with Pillow.

Poses live in the shipped library data (``exercises/library/hip_mobility.toml``) as keypoints
on a 100 x 66 unit canvas: x to the right, y down, the floor at y = 60. This module turns one
exercise's ``illustration`` table into a picture; it knows nothing about Django.

Everything is drawn at ``SUPERSAMPLE`` times the requested size and averaged down (each pixel
the mean of the SUPERSAMPLE x SUPERSAMPLE drawn under it), because Pillow draws aliased shapes
and thick strokes look ragged otherwise. No randomness and no system fonts are involved, so
the same input always gives the same pixels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFont

KEYPOINTS: tuple[str, ...] = (
    "head",
    "neck",
    "shoulder_l",
    "shoulder_r",
    "elbow_l",
    "elbow_r",
    "wrist_l",
    "wrist_r",
    "hip_l",
    "hip_r",
    "knee_l",
    "knee_r",
    "ankle_l",
    "ankle_r",
    "toe_l",
    "toe_r",
)
VIEWS: tuple[str, ...] = ("side", "front", "top")
PROPS: tuple[str, ...] = (
    "mat",
    "band",
    "chair",
    "wall",
    "foam_roller",
    "step",
    "strap",
    "cushion",
    "stick",
)

# Bump when the drawings or the animations change: load_library then redraws every shipped
# exercise (stills and animation).
RENDERER_VERSION = 3

CANVAS_W = 100.0
CANVAS_H = 66.0
FLOOR_Y = 60.0
HEAD_RADIUS = 4.0
SUPERSAMPLE = 3

# Stroke widths in canvas units. Keypoints are joint centres, so a limb resting on the floor
# has its centre line at FLOOR_Y; the floor is drawn half a stroke lower so the limb sits on it.
LIMB_W = 2.6
TRUNK_W = 3.4
FLOOR_DRAW_Y = FLOOR_Y + LIMB_W / 2

Colour = tuple[int, int, int]
Point = tuple[float, float]
Pose = Mapping[str, Sequence[float]]

BACKGROUND: Colour = (250, 250, 247)
FLOOR_FILL: Colour = (238, 236, 230)
FLOOR_LINE: Colour = (178, 174, 165)
NEAR: Colour = (44, 62, 80)
FAR: Colour = (139, 153, 168)
GHOST_NEAR: Colour = (168, 190, 206)
GHOST_FAR: Colour = (203, 215, 224)
ACCENT: Colour = (22, 146, 140)
MAT: Colour = (190, 214, 222)
MAT_EDGE: Colour = (152, 184, 196)
WOOD: Colour = (176, 132, 92)
WOOD_DARK: Colour = (140, 100, 66)
WALL: Colour = (214, 206, 192)
BAND: Colour = (224, 92, 112)
STRAP: Colour = (205, 150, 50)
CUSHION: Colour = (236, 200, 130)
ROLLER: Colour = (120, 160, 200)
LABEL: Colour = (40, 40, 40)
GAP = 6  # pixels between two views of one picture

GHOST_ALPHA_START = 150  # ghosted end pose on the start image: clearly visible, clearly secondary
GHOST_ALPHA_END = 70  # faint start pose on the end image: just a hint of where it came from

# Joints whose travel is worth an arrow; toes and elbows follow them and would add clutter.
ARROW_CANDIDATES: tuple[str, ...] = (
    "wrist_l",
    "wrist_r",
    "ankle_l",
    "ankle_r",
    "knee_l",
    "knee_r",
    "hip_l",
    "hip_r",
    "head",
)
MIN_ARROW_TRAVEL = 3.0
# A bowed spine whose bow changes by at least this much between start and end (while the
# pelvis and neck stay roughly put) gets its own arrow: pelvic tilt, cat-cow.
MIN_SPINE_CHANGE = 1.5
SPINE_ARROW_LEN = 8.0
TAIL_LEN = 3.0

# (from, to) keypoint pairs drawn as limbs, per side.
_LIMBS: dict[str, tuple[tuple[str, str], ...]] = {
    side: (
        (f"shoulder_{side}", f"elbow_{side}"),
        (f"elbow_{side}", f"wrist_{side}"),
        (f"hip_{side}", f"knee_{side}"),
        (f"knee_{side}", f"ankle_{side}"),
        (f"ankle_{side}", f"toe_{side}"),
    )
    for side in ("l", "r")
}

_ARMS: dict[str, tuple[tuple[str, str], ...]] = {side: _LIMBS[side][:2] for side in ("l", "r")}


class _Canvas:
    """Maps canvas units to supersampled pixels and draws primitives in canvas units."""

    def __init__(self, image: Image.Image, draw: ImageDraw.ImageDraw, scale: float) -> None:
        self.image = image
        self.draw = draw
        self.scale = scale
        width, height = image.size
        self.ox = (width - CANVAS_W * scale) / 2
        self.oy = (height - CANVAS_H * scale) / 2

    def px(self, p: Sequence[float]) -> tuple[float, float]:
        return (self.ox + p[0] * self.scale, self.oy + p[1] * self.scale)

    def line(
        self, a: Sequence[float], b: Sequence[float], colour: Colour | tuple, w: float
    ) -> None:
        """A segment with round caps (Pillow has no round caps, so add discs at the ends)."""
        self.draw.line([self.px(a), self.px(b)], fill=colour, width=max(1, round(w * self.scale)))
        self.disc(a, w / 2, colour)
        self.disc(b, w / 2, colour)

    def polyline(self, points: Sequence[Sequence[float]], colour: Colour | tuple, w: float) -> None:
        for a, b in itertools.pairwise(points):
            self.line(a, b, colour, w)

    def disc(self, c: Sequence[float], r: float, colour: Colour | tuple) -> None:
        x, y = self.px(c)
        rr = r * self.scale
        self.draw.ellipse([x - rr, y - rr, x + rr, y + rr], fill=colour)

    def ring(self, c: Sequence[float], r: float, colour: Colour | tuple, w: float) -> None:
        x, y = self.px(c)
        rr = r * self.scale
        self.draw.ellipse(
            [x - rr, y - rr, x + rr, y + rr], outline=colour, width=max(1, round(w * self.scale))
        )

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Colour | tuple,
        radius: float = 0.0,
        outline: Colour | None = None,
    ) -> None:
        (a, b), (c, d) = self.px((x0, y0)), self.px((x1, y1))
        self.draw.rounded_rectangle(
            [a, b, c, d],
            radius=radius * self.scale,
            fill=fill,
            outline=outline,
            width=max(1, round(0.3 * self.scale)),
        )

    def polygon(self, points: Iterable[Sequence[float]], fill: Colour | tuple) -> None:
        self.draw.polygon([self.px(p) for p in points], fill=fill)


def _pt(pose: Pose, name: str) -> Point:
    x, y = pose[name]
    return (float(x), float(y))


def _mid(a: Sequence[float], b: Sequence[float]) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _bbox(poses: Iterable[Pose]) -> tuple[float, float, float, float]:
    xs = [float(p[k][0]) for p in poses for k in KEYPOINTS]
    ys = [float(p[k][1]) for p in poses for k in KEYPOINTS]
    return min(xs), min(ys), max(xs), max(ys)


def _spine(pose: Pose) -> list[Point]:
    """Points along the spine from pelvis to neck.

    The spine is straight unless the shoulders sit off the pelvis-neck line, in which case it
    bows towards them: that is how a pose shows a rounded (cat) or arched (cow) back without
    needing extra keypoints.
    """
    neck = _pt(pose, "neck")
    hip_mid = _mid(_pt(pose, "hip_l"), _pt(pose, "hip_r"))
    shoulder_mid = _mid(_pt(pose, "shoulder_l"), _pt(pose, "shoulder_r"))
    length = math.dist(neck, hip_mid) or 1.0
    nx, ny = -(neck[1] - hip_mid[1]) / length, (neck[0] - hip_mid[0]) / length
    offset = (shoulder_mid[0] - hip_mid[0]) * nx + (shoulder_mid[1] - hip_mid[1]) * ny
    if abs(offset) < 0.2:
        return [hip_mid, neck]
    mid = _mid(hip_mid, neck)
    ctrl = (mid[0] + nx * offset * 4, mid[1] + ny * offset * 4)
    steps = 16
    curve = [
        (
            (1 - t) ** 2 * hip_mid[0] + 2 * (1 - t) * t * ctrl[0] + t**2 * neck[0],
            (1 - t) ** 2 * hip_mid[1] + 2 * (1 - t) * t * ctrl[1] + t**2 * neck[1],
        )
        for t in (i / steps for i in range(steps + 1))
    ]
    if hip_mid[1] < FLOOR_Y - 3:
        # A short tailbone continuing the curve past the pelvis: it tips up when the back
        # sags (cow) and tucks under when the back rounds (cat).
        tx, ty = hip_mid[0] - ctrl[0], hip_mid[1] - ctrl[1]
        tn = math.hypot(tx, ty) or 1.0
        curve.insert(0, (hip_mid[0] + tx / tn * TAIL_LEN, hip_mid[1] + ty / tn * TAIL_LEN))
    return curve


def _spine_bend(pose: Pose) -> Point | None:
    """The point where a bowed spine is furthest from its pelvis-neck chord, if it is bowed."""
    spine = _spine(pose)
    if len(spine) < 4:
        return None
    return spine[-9]  # the middle of the 16-step curve (the tail point, if any, is at 0)


def _halo_over(
    cv: _Canvas, region: Sequence[Point], segments: Sequence[tuple[Point, Point]], colour: Colour
) -> None:
    """Outline segments in ``colour``, but only where they cross the (trunk) polygon ``region``."""
    size = cv.image.size
    inside = Image.new("L", size, 0)
    draw = ImageDraw.Draw(inside)
    draw.polygon([cv.px(p) for p in region], fill=255)
    draw.line([cv.px(p) for p in (*region, region[0])], fill=255, width=round(LIMB_W * cv.scale))
    stroke = Image.new("L", size, 0)
    strokes = _Canvas(stroke, ImageDraw.Draw(stroke), cv.scale)
    for a, b in segments:
        strokes.line(a, b, 255, LIMB_W + 1.2)
    mask = ImageChops.multiply(inside, stroke)
    # Only where the outline is: filling the whole supersampled canvas through a mask that is
    # empty almost everywhere took a fifth of the library's drawing time.
    if box := mask.getbbox():
        cv.image.paste(colour, box, mask.crop(box))


def _draw_figure(
    cv: _Canvas,
    pose: Pose,
    view: str,
    near: Colour | tuple,
    far: Colour | tuple,
    halo: Colour | None = None,
) -> None:
    """Draw one pose: far limbs first so the near side overlaps them, as it would in life.

    In front and top views the trunk is a solid shape and the limbs are drawn over it; a
    ``halo`` colour outlines the arms so an arm lying across the trunk stays visible.
    """
    neck = _pt(pose, "neck")
    head = _pt(pose, "head")
    if view != "side":
        # When we see the figure's width the trunk is a solid shape between the shoulders and
        # the hips; a spine with two cross-bars reads as a ladder rather than a body.
        corners = [_pt(pose, k) for k in ("shoulder_l", "shoulder_r", "hip_r", "hip_l")]
        cv.polygon(corners, near)
        cv.polyline([*corners, corners[0]], near, LIMB_W)
        cv.line(neck, _mid(corners[0], corners[1]), near, TRUNK_W)
        cv.line(neck, head, near, LIMB_W)
        cv.disc(head, HEAD_RADIUS, near)
        for side in ("r", "l"):
            if halo is not None:
                _halo_over(
                    cv, corners, [(_pt(pose, a), _pt(pose, b)) for a, b in _ARMS[side]], halo
                )
            for a, b in _LIMBS[side]:
                cv.line(_pt(pose, a), _pt(pose, b), near, LIMB_W)
        return
    spine = _spine(pose)
    # In side view "_r" is the far side, drawn first and lighter.
    for a, b in _LIMBS["r"]:
        cv.line(_pt(pose, a), _pt(pose, b), far, LIMB_W)
    # Join each shoulder to the spine so a shoulder drawn off the spine still connects.
    for side, colour in (("r", far), ("l", near)):
        shoulder = _pt(pose, f"shoulder_{side}")
        cv.line(shoulder, min(spine, key=lambda p: math.dist(p, shoulder)), colour, LIMB_W)
    cv.polyline(spine, near, TRUNK_W)
    cv.line(neck, head, near, LIMB_W)
    cv.disc(head, HEAD_RADIUS, near)
    for a, b in _LIMBS["l"]:
        cv.line(_pt(pose, a), _pt(pose, b), near, LIMB_W)


def _draw_ground(cv: _Canvas, view: str, props: Sequence[str], poses: Sequence[Pose]) -> None:
    """Floor (side/front) or the mat seen from above (top), behind everything else."""
    x0, y0, x1, y1 = _bbox(poses)
    if view == "top":
        # Seen from above there is no floor line; the mat is the ground the body lies on.
        if "mat" in props:
            cv.rect(
                max(2.0, x0 - 6),
                max(2.0, y0 - 6),
                min(98.0, x1 + 6),
                min(64.0, y1 + 6),
                MAT,
                radius=2.0,
                outline=MAT_EDGE,
            )
        return
    rest = _oblique_rest_line(view, poses[0])
    if rest is not None:
        # A figure lying on its side seen from in front and a little above: its trunk rests
        # on the floor further back than the floor's front edge, so show the floor (and the
        # mat) as a plane reaching back behind the body, or the figure would seem to float.
        back = rest - 5
        cv.rect(-50, back, CANVAS_W + 50, CANVAS_H + 50, FLOOR_FILL)
        cv.line((-50, back), (CANVAS_W + 50, back), FLOOR_LINE, 0.5)
        if "mat" in props:
            left, right = max(2.0, x0 - 6), min(98.0, x1 + 6)
            cv.polygon(
                [
                    (left + 3, rest - 3),
                    (right - 3, rest - 3),
                    (right, FLOOR_DRAW_Y + 0.6),
                    (left, FLOOR_DRAW_Y + 0.6),
                ],
                MAT,
            )
            cv.polyline(
                [
                    (left + 3, rest - 3),
                    (right - 3, rest - 3),
                    (right, FLOOR_DRAW_Y + 0.6),
                    (left, FLOOR_DRAW_Y + 0.6),
                    (left + 3, rest - 3),
                ],
                MAT_EDGE,
                0.3,
            )
        return
    cv.rect(-50, FLOOR_DRAW_Y, CANVAS_W + 50, CANVAS_H + 50, FLOOR_FILL)
    cv.line((-50, FLOOR_DRAW_Y), (CANVAS_W + 50, FLOOR_DRAW_Y), FLOOR_LINE, 0.5)
    if "mat" in props:
        cv.rect(
            max(2.0, x0 - 6),
            FLOOR_Y + 0.2,
            min(98.0, x1 + 6),
            FLOOR_DRAW_Y + 0.6,
            MAT,
            radius=0.8,
            outline=MAT_EDGE,
        )


def _oblique_rest_line(view: str, pose: Pose) -> float | None:
    """Where a side-lying trunk seen from the front touches the floor, if above the floor line.

    Front-view figures lying on their side are drawn as seen from slightly above, so parts
    nearer the camera (bent knees) sit lower in the picture than the trunk. Returns the y of
    the lowest shoulder or hip when the trunk lies flat (shoulders and hips all low) but clear
    of the floor's front edge; ``None`` for standing figures and ordinary side views.
    """
    if view != "front":
        return None
    trunk = [float(pose[k][1]) for k in ("shoulder_l", "shoulder_r", "hip_l", "hip_r")]
    lying = abs(float(pose["neck"][0]) - _mid(_pt(pose, "hip_l"), _pt(pose, "hip_r"))[0]) > 12
    rest = max(trunk)
    if lying and rest < FLOOR_Y - 1.5:
        return rest
    return None


def _supporting_wrist(pose: Pose) -> Point:
    """The hand reaching furthest from the pelvis horizontally: the one holding the support."""
    hip_x = (float(pose["hip_l"][0]) + float(pose["hip_r"][0])) / 2
    return max((_pt(pose, "wrist_l"), _pt(pose, "wrist_r")), key=lambda w: abs(w[0] - hip_x))


def _draw_props_behind(cv: _Canvas, view: str, props: Sequence[str], pose: Pose) -> None:
    """Props the body rests on or against; they are drawn before the figure."""
    if view == "top":
        return
    hip = _mid(_pt(pose, "hip_l"), _pt(pose, "hip_r"))
    knee = _mid(_pt(pose, "knee_l"), _pt(pose, "knee_r"))
    if "wall" in props:
        wx, _ = _supporting_wrist(pose)
        # The wall face is where the palm is, half a stroke beyond the wrist centre.
        face = wx + LIMB_W / 2 if wx >= hip[0] else wx - LIMB_W / 2
        x0, x1 = (face, face + 3) if wx >= hip[0] else (face - 3, face)
        cv.rect(x0, -5, x1, FLOOR_DRAW_Y, WALL)
    if "chair" in props:
        _draw_chair(cv, pose, hip, knee)
    if "step" in props:
        # The step sits under whichever foot is raised off the floor.
        foot = min(("l", "r"), key=lambda s: float(pose[f"ankle_{s}"][1]))
        ax, ay = _pt(pose, f"ankle_{foot}")
        # A household step is at most ~20 cm high, whatever the foot above it is doing.
        lowest = max(ay, float(pose[f"toe_{foot}"][1]))
        # (With both feet on the floor, a low step still shows where it stands.)
        top = min(max(lowest + LIMB_W / 2, FLOOR_DRAW_Y - 6), FLOOR_DRAW_Y - 1)
        cv.rect(ax - 7, top, ax + 9, FLOOR_DRAW_Y, WOOD, radius=0.6, outline=WOOD_DARK)
    if "foam_roller" in props:
        cv.disc((hip[0], FLOOR_DRAW_Y - 3.5), 3.5, ROLLER)
        cv.ring((hip[0], FLOOR_DRAW_Y - 3.5), 3.5, (90, 125, 160), 0.4)
    if "cushion" in props:
        # Under the knee that is down on the floor.
        down = max(("l", "r"), key=lambda s: float(pose[f"knee_{s}"][1]))
        kx, ky = _pt(pose, f"knee_{down}")
        top = max(ky - 0.6, FLOOR_DRAW_Y - 2.6)  # a flat pad, even if no knee is down
        cv.rect(kx - 4, top, kx + 4, FLOOR_DRAW_Y + 0.2, CUSHION, radius=1.2)


def _draw_chair(cv: _Canvas, pose: Pose, hip: Point, knee: Point) -> None:
    """A plain side-on chair: under the pelvis when seated, else with its back under the hand."""
    seated = abs(knee[1] - hip[1]) < 6 and 38 <= hip[1] <= 50
    leg_w = 1.0
    if seated:
        facing = 1 if knee[0] >= hip[0] else -1
        seat_y = hip[1] + LIMB_W
        front = hip[0] + facing * 6
        back = hip[0] - facing * 7
        back_top = seat_y - 17
        cv.line((back, seat_y), (back, back_top), WOOD_DARK, 1.4)
    else:
        wx, wy = _supporting_wrist(pose)
        facing = 1 if wx >= hip[0] else -1  # the seat points away from the person
        seat_y = 46.0
        back = wx
        front = wx + facing * 13
        back_top = wy + LIMB_W / 2
        cv.line((back, seat_y), (back, back_top), WOOD_DARK, 1.4)
    lo, hi = min(front, back), max(front, back)
    cv.rect(lo, seat_y, hi, seat_y + 1.6, WOOD, radius=0.5)
    cv.line((front, seat_y + 1), (front, FLOOR_DRAW_Y), WOOD_DARK, leg_w)
    cv.line((back, seat_y + 1), (back, FLOOR_DRAW_Y), WOOD_DARK, leg_w)


def _draw_props_front(cv: _Canvas, props: Sequence[str], pose: Pose) -> None:
    """Props held or worn (band, strap, stick); they are drawn over the figure."""
    if "stick" in props:
        _draw_stick(cv, pose)
    if "band" in props:
        # A loop just above the knees, where clinicians usually place it for hip work.
        ends = []
        for side in ("l", "r"):
            hx, hy = _pt(pose, f"hip_{side}")
            kx, ky = _pt(pose, f"knee_{side}")
            ends.append((kx + (hx - kx) * 0.18, ky + (hy - ky) * 0.18))
        cv.line(ends[0], ends[1], BAND, 1.4)
        for end in ends:
            cv.ring(end, 1.8, BAND, 0.7)
    if "strap" in props:
        # From the hands to the ball of the raised foot.
        foot = min(("l", "r"), key=lambda s: float(pose[f"ankle_{s}"][1]))
        ball = _mid(_pt(pose, f"ankle_{foot}"), _pt(pose, f"toe_{foot}"))
        for side in ("l", "r"):
            cv.line(_pt(pose, f"wrist_{side}"), ball, STRAP, 0.9)


def _draw_stick(cv: _Canvas, pose: Pose) -> None:
    """A broom handle held along the back: it touches the back of the head and the tailbone,
    so it follows the trunk (side view) and shows whether the back stays straight."""
    hip = _mid(_pt(pose, "hip_l"), _pt(pose, "hip_r"))
    neck, head = _pt(pose, "neck"), _pt(pose, "head")
    length = math.dist(neck, hip) or 1.0
    ux, uy = (neck[0] - hip[0]) / length, (neck[1] - hip[1]) / length
    # The back is the side away from the way the toes point.
    facing = 1 if float(pose["toe_l"][0]) >= float(pose["ankle_l"][0]) else -1
    nx, ny = (uy, -ux) if uy * facing < 0 else (-uy, ux)
    bottom = (hip[0] - ux * 6 + nx * 2.4, hip[1] - uy * 6 + ny * 2.4)
    top = (head[0] + ux * 5 + nx * 4.6, head[1] + uy * 5 + ny * 4.6)
    cv.line(bottom, top, WOOD_DARK, 1.3)


def _arrow_joints(start: Pose, end: Pose, requested: Sequence[str] | None) -> list[str]:
    """Joints that travel the furthest, at most two, and not two on the same spot; or those
    the data asks for (an empty list: none, where the other view shows the movement)."""
    if requested is not None:
        return list(requested)

    def travel(name: str) -> float:
        return math.dist(_pt(start, name), _pt(end, name))

    ranked = sorted(ARROW_CANDIDATES, key=lambda n: (-travel(n), ARROW_CANDIDATES.index(n)))
    chosen: list[str] = []
    for name in ranked:
        if travel(name) < MIN_ARROW_TRAVEL:
            break
        if not chosen:
            chosen.append(name)
        elif (
            travel(name) >= 0.5 * travel(chosen[0])
            and math.dist(_pt(start, name), _pt(start, chosen[0])) >= 10
        ):
            chosen.append(name)
            break
    return chosen


def _draw_arrow(cv: _Canvas, a: Point, b: Point, bow_away_from: Point) -> None:
    """A gently curved arrow from a to b, bowing away from the body so it reads as motion."""
    length = math.dist(a, b)
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    # Leave the joints themselves visible at both ends.
    gap = min(2.8, length * 0.12)
    a = (a[0] + ux * gap, a[1] + uy * gap)
    b = (b[0] - ux * gap, b[1] - uy * gap)
    nx, ny = -uy, ux
    mid = _mid(a, b)
    if (mid[0] - bow_away_from[0]) * nx + (mid[1] - bow_away_from[1]) * ny < 0:
        nx, ny = -nx, -ny
    bow = 0.18 * length
    ctrl = (mid[0] + nx * bow, mid[1] + ny * bow)
    steps = 24
    curve = [
        (
            (1 - t) ** 2 * a[0] + 2 * (1 - t) * t * ctrl[0] + t**2 * b[0],
            (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * ctrl[1] + t**2 * b[1],
        )
        for t in (i / steps for i in range(steps + 1))
    ]
    head_len = min(3.2, max(1.8, length * 0.3))
    tx, ty = b[0] - ctrl[0], b[1] - ctrl[1]
    tn = math.hypot(tx, ty) or 1.0
    tx, ty = tx / tn, ty / tn
    # Stop the shaft inside the head so its round cap does not poke out of the tip.
    shaft = [p for p in curve if math.dist(p, b) > head_len * 0.6] or curve[:1]
    cv.polyline(shaft, ACCENT, 1.1)
    base = (b[0] - tx * head_len, b[1] - ty * head_len)
    half = head_len * 0.6
    cv.polygon(
        [
            (b[0] + tx * 0.6, b[1] + ty * 0.6),
            (base[0] - ty * half, base[1] + tx * half),
            (base[0] + ty * half, base[1] - tx * half),
        ],
        ACCENT,
    )


def _draw_path_arrow(cv: _Canvas, path: Sequence[Point]) -> None:
    """An arrow through a joint's positions in the key poses (a circle drawn by the knee),
    smoothed into a curve through every point, with its head at the end pose."""
    points = [p for i, p in enumerate(path) if i == 0 or math.dist(p, path[i - 1]) > 0.5]
    if len(points) < 2:
        return
    padded = [points[0], *points, points[-1]]
    curve: list[Point] = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:], strict=False):
        for step in range(12):
            t = step / 12
            curve.append(
                tuple(  # Catmull-Rom: passes through p1 and p2
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t**3
                    )
                    for k in (0, 1)
                )
            )
    end = points[-1]
    # Leave the joints themselves visible at both ends.
    curve = [p for p in curve if math.dist(p, points[0]) > 2.0 and math.dist(p, end) > 2.0]
    if len(curve) < 2:
        return
    tip = curve[-1]
    before = curve[max(0, len(curve) - 4)]
    head_len = 2.6
    tx, ty = tip[0] - before[0], tip[1] - before[1]
    tn = math.hypot(tx, ty) or 1.0
    tx, ty = tx / tn, ty / tn
    cv.polyline(curve[:-1], ACCENT, 1.1)
    base = (tip[0] - tx * head_len, tip[1] - ty * head_len)
    half = head_len * 0.6
    cv.polygon(
        [
            (tip[0] + tx * 0.6, tip[1] + ty * 0.6),
            (base[0] - ty * half, base[1] + tx * half),
            (base[0] + ty * half, base[1] - tx * half),
        ],
        ACCENT,
    )


def _draw_spine_arrow(cv: _Canvas, start: Pose, end: Pose) -> None:
    """A short arrow onto the back where the spine itself changes shape (arch to flat, etc.).

    Joint arrows cannot show a pelvic tilt or a cat-cow: the joints barely move, the back
    does. The arrow points from outside the start curve towards where the end curve lies.
    """
    for name, limit in (("hip_l", 3.0), ("hip_r", 3.0), ("neck", 7.0)):
        if math.dist(_pt(start, name), _pt(end, name)) > limit:
            return  # the whole trunk moves; the joint arrows already tell the story
    a, b = _spine_bend(start), _spine_bend(end)
    if a is None and b is None:
        return

    def chord_mid(pose: Pose) -> Point:
        return _mid(_pt(pose, "neck"), _mid(_pt(pose, "hip_l"), _pt(pose, "hip_r")))

    a = a or chord_mid(start)
    b = b or chord_mid(end)
    if math.dist(a, b) < MIN_SPINE_CHANGE:
        return
    ux, uy = (b[0] - a[0]) / math.dist(a, b), (b[1] - a[1]) / math.dist(a, b)
    # Start outside the body on the side the back moves away from, end just short of it.
    tip = (a[0] - ux * (TRUNK_W / 2 + 0.4), a[1] - uy * (TRUNK_W / 2 + 0.4))
    tail = (tip[0] - ux * SPINE_ARROW_LEN, tip[1] - uy * SPINE_ARROW_LEN)
    _draw_arrow(cv, tail, tip, (tail[0] + uy, tail[1] - ux))


def _ghost(size: tuple[int, int], scale: float, pose: Pose, view: str, alpha: int) -> Image.Image:
    """The pose drawn on its own transparent layer, so overlapping limbs do not darken."""
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    cv = _Canvas(layer, ImageDraw.Draw(layer), scale)
    _draw_figure(cv, pose, view, (*GHOST_NEAR, 255), (*GHOST_FAR, 255))
    # Scale the alpha channel once, rather than per shape, so the ghost is evenly translucent.
    layer.putalpha(layer.getchannel("A").point(lambda v: v * alpha // 255))
    return layer


def render_pose_image(
    illustration: Mapping, which: str = "start", size: tuple[int, int] = (1200, 800)
) -> Image.Image:
    """Render one exercise illustration as an RGB image.

    ``which="start"`` draws the start pose solid with the end pose ghosted behind it and
    accent arrows from the moving joints' start to end positions. ``which="end"`` draws the
    end pose solid with a faint ghost of the start pose. ``illustration`` is the exercise's
    ``illustration`` table: ``view``, ``props``, ``start``, ``end`` and optionally ``arrows``.
    """
    if which not in ("start", "end"):
        raise ValueError(f"which must be 'start' or 'end', not {which!r}")
    view = illustration.get("view", "side")
    props = tuple(illustration.get("props", ()))
    start, end = illustration["start"], illustration["end"]
    solid, ghost = (start, end) if which == "start" else (end, start)

    big = (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE)
    scale = min(big[0] / CANVAS_W, big[1] / CANVAS_H)
    image = Image.new("RGBA", big, (*BACKGROUND, 255))
    cv = _Canvas(image, ImageDraw.Draw(image), scale)

    _draw_ground(cv, view, props, (start, *illustration.get("keyframes", ()), end))
    # Furniture stays put between the two images, so place it from the start pose.
    _draw_props_behind(cv, view, props, start)
    keyframes = list(illustration.get("keyframes", ()))
    if which == "start":
        # The key poses on the way, fainter than the end pose: the path the movement takes.
        for pose in keyframes:
            image.alpha_composite(_ghost(big, scale, pose, view, GHOST_ALPHA_END))
    image.alpha_composite(
        _ghost(big, scale, ghost, view, GHOST_ALPHA_START if which == "start" else GHOST_ALPHA_END)
    )
    cv = _Canvas(image, ImageDraw.Draw(image), scale)
    _draw_figure(cv, solid, view, NEAR, FAR, halo=BACKGROUND)
    _draw_props_front(cv, props, solid)
    if which == "start":
        centre = _mid(_pt(start, "neck"), _mid(_pt(start, "hip_l"), _pt(start, "hip_r")))
        for name in _arrow_joints(start, end, illustration.get("arrows")):
            path = [_pt(pose, name) for pose in (start, *keyframes, end)]
            if keyframes and sum(itertools.starmap(math.dist, itertools.pairwise(path))) >= 3:
                _draw_path_arrow(cv, path)
                continue
            a, b = _pt(start, name), _pt(end, name)
            if math.dist(a, b) >= 1.0:
                _draw_arrow(cv, a, b, centre)
        if view == "side":
            _draw_spine_arrow(cv, start, end)
    # Averaging: a tenth of LANCZOS's time on the whole library, and no visible difference
    # (a mean of 0.07 levels in 255, only along edges).
    return image.convert("RGB").reduce(SUPERSAMPLE)


def crop_empty_sky(images: Sequence[Image.Image], margin: float = 0.06) -> list[Image.Image]:
    """Cut the empty band above the figures, the same for every image given.

    A lying exercise fills only the bottom third of the canvas; on a phone that would be a
    screenful of blank wall. Cropping start and end images alike keeps them comparable.
    """
    tops = []
    for image in images:
        ink = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, BACKGROUND))
        box = ink.convert("L").point(lambda v: 255 if v > 12 else 0).getbbox()
        tops.append(box[1] if box else 0)
    height = images[0].height
    top = max(0, min(tops) - round(margin * height))
    return [image.crop((0, top, image.width, image.height)) for image in images]


def _ink_box(images: Sequence[Image.Image]) -> tuple[int, int, int, int]:
    """The box holding everything drawn on any of the images (they share one size). The floor
    runs the whole width and does not count towards the sides: rows inked almost from edge to
    edge are left out of the left and right limits."""
    boxes = []
    for image in images:
        ink = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND))
        mask = ink.convert("L").point(lambda v: 255 if v > 12 else 0)
        box = mask.getbbox()
        if not box:
            continue
        # Each row's share of ink, as one column of row averages; the floor's rows are left
        # out (multiplied by 0) before the sides are measured.
        coverage = mask.resize((1, image.height), Image.Resampling.BOX)
        not_floor = coverage.point(lambda v: 0 if v >= 0.9 * 255 else 255).resize(
            image.size, Image.Resampling.NEAREST
        )
        upright = ImageChops.multiply(mask, not_floor).getbbox()
        left, right = (upright[0], upright[2]) if upright else (box[0], box[2])
        boxes.append((left, box[1], right, box[3]))
    if not boxes:
        return (0, 0, *images[0].size)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _crop(images: Sequence[Image.Image], keep_width: bool) -> list[Image.Image]:
    """Cut the empty sky (and, for a view shown beside another, the empty sides) alike on
    every frame, so the figure does not jump."""
    x0, y0, x1, y1 = _ink_box(images)
    width, height = images[0].size
    margin = round(0.05 * height)
    top = max(0, y0 - margin)
    bottom = min(height, y1 + margin) if y1 < height - margin else height
    left, right = (0, width) if keep_width else (max(0, x0 - margin), min(width, x1 + margin))
    return [image.crop((left, top, right, bottom)) for image in images]


def compose_views(
    panels_per_view: Sequence[Sequence[Image.Image]], width: int
) -> list[Image.Image]:
    """Put the views of each frame together: one above the other when the main view is wide
    (a figure lying or kneeling), side by side otherwise, then scaled to ``width``. With one
    view, the frames only lose their empty sky."""
    if len(panels_per_view) == 1:
        return _crop(panels_per_view[0], keep_width=True)
    wide = [_crop(panels, keep_width=True) for panels in panels_per_view]
    # A main view lying or kneeling on the floor is a wide strip: the second view goes under it.
    stacked = wide[0][0].width / wide[0][0].height >= 2.2
    if stacked:
        parts = wide
        height = sum(panels[0].height for panels in parts) + GAP
        out = []
        for index in range(len(parts[0])):
            canvas = Image.new("RGB", (parts[0][0].width, height), (255, 255, 255))
            canvas.paste(parts[0][index], (0, 0))
            canvas.paste(parts[1][index], (0, parts[0][0].height + GAP))
            out.append(canvas)
        return [
            image.resize(
                (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS
            )
            for image in out
        ]
    parts = [_crop(panels, keep_width=False) for panels in panels_per_view]
    # Both views at one height, so the figures are the same size.
    height = max(panels[0].height for panels in parts)
    out = []
    for index in range(len(parts[0])):
        pieces = []
        for panels in parts:
            piece = panels[index]
            if piece.height != height:
                grown = Image.new("RGB", (piece.width, height), BACKGROUND)
                grown.paste(piece, (0, height - piece.height))
                piece = grown
            pieces.append(piece)
        canvas = Image.new("RGB", (sum(p.width for p in pieces) + GAP, height), (255, 255, 255))
        canvas.paste(pieces[0], (0, 0))
        canvas.paste(pieces[1], (pieces[0].width + GAP, 0))
        out.append(canvas)
    return [
        image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        for image in out
    ]


def render_stills(illustration: Mapping, size: tuple[int, int] = (1200, 800)) -> list[Image.Image]:
    """The start and end pictures as pages show them: the empty sky cut, and with a second
    view (``second_view``) both views in each picture, as ``compose_views`` lays them out."""
    pictures = [
        crop_empty_sky([render_pose_image(table, which, size) for which in ("start", "end")])
        for table in (illustration, illustration.get("second_view"))
        if table
    ]
    if len(pictures) == 1:
        return pictures[0]
    return compose_views(pictures, width=size[0])


def render_contact_sheet(entries: list[tuple[str, Image.Image]], columns: int = 4) -> Image.Image:
    """Lay out (name, image) pairs as a labelled grid of thumbnails for human review."""
    if not entries:
        raise ValueError("render_contact_sheet needs at least one entry")
    if columns < 1:
        raise ValueError("columns must be at least 1")
    thumb_w, thumb_h, label_h, pad = 420, 280, 34, 12
    font = ImageFont.load_default(size=18)
    cols = min(columns, len(entries))
    rows = math.ceil(len(entries) / cols)
    sheet = Image.new(
        "RGB",
        (cols * (thumb_w + pad) + pad, rows * (thumb_h + label_h + pad) + pad),
        (255, 255, 255),
    )
    draw = ImageDraw.Draw(sheet)
    for index, (name, image) in enumerate(entries):
        row, col = divmod(index, cols)
        x = pad + col * (thumb_w + pad)
        y = pad + row * (thumb_h + label_h + pad)
        thumb = image.convert("RGB")
        thumb.thumbnail((thumb_w, thumb_h), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (x + (thumb_w - thumb.width) // 2, y + (thumb_h - thumb.height) // 2))
        draw.rectangle([x, y, x + thumb_w - 1, y + thumb_h - 1], outline=(220, 220, 220))
        label = name
        # Shorten over-long names rather than letting them run into the next cell.
        while draw.textlength(label, font=font) > thumb_w and len(label) > 4:
            label = label[:-2].rstrip() + "…"
        draw.text(
            (x + thumb_w / 2, y + thumb_h + label_h / 2), label, fill=LABEL, font=font, anchor="mm"
        )
    return sheet
