"""Camera tracking rules: how the camera coach recognises one exercise's movement.

A rule is plain data (``Exercise.tracking``, shipped in ``exercises/library/hip_mobility.toml``
as an ``[exercises.tracking]`` table, adjustable by editors in the admin). The phone reads it
in ``static/js/camera/counter.js``, which turns body landmarks into repetitions, timed holds
and form cues; this module only checks that a rule is well formed and names the cues. It knows
nothing about Django models, so the library loader and the admin form share it.

A rule::

    view = "side"                       # where the phone stands: "side" or "front"
    measure = { kind = "angle", points = ["shoulder", "hip", "knee"] }
    side = "auto"                       # which side's joints: see SIDES
    rest = 144                          # the value in the start position
    started = 150                       # past this, the movement has started
    completed = 160                     # past this, the end position is reached (and held)
    hysteresis = 3                      # how far back past a threshold before it counts again
    partial_cue = "hips_higher"         # said when a repetition turns back before "completed"
    checks = [                          # form checks, each with a spoken cue
        { measure = {...}, when = "end", above = 25, cue = "stand_tall" },
    ]

Measures (``kind``): ``angle`` (three points, the angle at the middle one, 0-180 degrees),
``incline`` (two points, how far the line between them leans from vertical, 0-90 degrees)
and ``spread`` (the distance between two points divided by the distance between two more, the
``scale``: knees apart against hip width). A point is a joint name (``hip``), which takes the
side the rule chooses, or a named side (``knee_l``, ``knee_r``: the person's own left/right).
Values grow or shrink towards the end position; which one follows from ``started`` and
``completed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

VIEWS: dict[str, Any] = {
    "side": _("from the side"),
    "front": _("from the front"),
}
JOINTS: tuple[str, ...] = ("head", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "toe")
POINTS: frozenset[str] = frozenset(
    {*JOINTS} | {f"{joint}_{side}" for joint in JOINTS if joint != "head" for side in "lr"}
)
# "auto": the side the camera sees better (side view: the near side); "moving": the side
# further towards the end position (the leg that moves, when the patient may use either).
SIDES: tuple[str, ...] = ("auto", "left", "right", "moving")
KINDS: dict[str, int] = {"angle": 3, "incline": 2, "spread": 2}
LIMITS: dict[str, tuple[float, float]] = {"angle": (0, 180), "incline": (0, 90), "spread": (0, 10)}
WHEN: tuple[str, ...] = ("end", "moving", "always")

# Every cue the coach may say, in plain words. Rules name them by key, so each is translated
# once in the catalogues and spoken in the patient's language.
CUES: dict[str, Any] = {
    "hips_higher": _("Lift your hips a little higher."),
    "go_further": _("Go a little further if it feels comfortable."),
    "hold_longer": _("Hold the end position a little longer."),
    "stand_tall": _("Stand up tall at the top."),
    "sit_tall": _("Sit up tall."),
    "body_upright": _("Keep your body upright. Move only your leg."),
    "knees_soft": _("Keep your knees only slightly bent. Bend at your hips."),
    "heels_together": _("Keep your heels together."),
    "back_flat": _("Keep your back flat and your head in line."),
}


class RuleError(ValueError):
    """A tracking rule that is not well formed; the message says what to change."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_measure(where: Callable[[], str], measure: Any) -> str:
    if not isinstance(measure, Mapping):
        raise RuleError(
            gettext("%(where)s: measure must be a table with kind and points") % {"where": where()}
        )
    unknown = set(measure) - {"kind", "points", "scale"}
    if unknown:
        raise RuleError(
            gettext("%(where)s: unknown measure field(s) %(fields)s")
            % {"where": where(), "fields": ", ".join(sorted(unknown))}
        )
    kind = measure.get("kind")
    if kind not in KINDS:
        raise RuleError(
            gettext("%(where)s: kind must be one of %(choices)s")
            % {"where": where(), "choices": ", ".join(KINDS)}
        )
    points = measure.get("points")
    if not isinstance(points, list) or len(points) != KINDS[kind]:
        raise RuleError(
            gettext("%(where)s: %(kind)s needs %(count)s points")
            % {"where": where(), "kind": kind, "count": KINDS[kind]}
        )
    scale = measure.get("scale")
    if kind == "spread":
        if not isinstance(scale, list) or len(scale) != 2:
            raise RuleError(
                gettext("%(where)s: spread needs a scale of 2 points (e.g. hip_l, hip_r)")
                % {"where": where()}
            )
        points = [*points, *scale]
    elif scale is not None:
        raise RuleError(gettext("%(where)s: only spread has a scale") % {"where": where()})
    for point in points:
        if point not in POINTS:
            raise RuleError(
                gettext("%(where)s: unknown point %(point)s")
                % {"where": where(), "point": repr(point)}
            )
    return kind


def _check_range(where: Callable[[], str], kind: str, value: Any, name: str) -> None:
    low, high = LIMITS[kind]
    if not _number(value) or not low <= value <= high:
        raise RuleError(
            gettext("%(where)s: %(name)s must be a number from %(low)s to %(high)s for %(kind)s")
            % {"where": where(), "name": name, "low": low, "high": high, "kind": kind}
        )


def validate(rule: Any) -> dict:
    """The rule, unchanged, if it is well formed; otherwise ``RuleError`` saying why.

    An empty table means "not tracked" and is valid.
    """
    if rule in (None, {}):
        return {}
    if not isinstance(rule, Mapping):
        raise RuleError(gettext("tracking must be a table (a JSON object)"))
    known = {
        "view",
        "measure",
        "side",
        "rest",
        "started",
        "completed",
        "hysteresis",
        "partial_cue",
        "checks",
    }
    unknown = set(rule) - known
    if unknown:
        raise RuleError(
            gettext("unknown field(s) %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for field in ("view", "measure", "rest", "started", "completed", "hysteresis"):
        if field not in rule:
            raise RuleError(gettext("missing field %(field)s") % {"field": repr(field)})
    if rule["view"] not in VIEWS:
        raise RuleError(gettext("view must be one of %(choices)s") % {"choices": ", ".join(VIEWS)})
    if rule.get("side", "auto") not in SIDES:
        raise RuleError(gettext("side must be one of %(choices)s") % {"choices": ", ".join(SIDES)})
    kind = _check_measure(lambda: gettext("measure"), rule["measure"])
    for name in ("rest", "started", "completed"):
        _check_range(lambda: gettext("rule"), kind, rule[name], name)
    rest, started, completed = rule["rest"], rule["started"], rule["completed"]
    if not (rest < started < completed or rest > started > completed):
        raise RuleError(gettext("started must lie between rest and completed"))
    hysteresis = rule["hysteresis"]
    if not _number(hysteresis) or not 0 <= hysteresis < abs(completed - started):
        raise RuleError(
            gettext("hysteresis must be at least 0 and less than the gap from started to completed")
        )
    if "partial_cue" in rule and rule["partial_cue"] not in CUES:
        raise RuleError(gettext("unknown partial_cue %(cue)s") % {"cue": repr(rule["partial_cue"])})
    checks = rule.get("checks", [])
    if not isinstance(checks, list) or len(checks) > 3:
        raise RuleError(gettext("checks must be a list of at most 3 form checks"))
    for number, check in enumerate(checks, start=1):

        def where(number=number):
            return gettext("check %(number)s") % {"number": number}

        if not isinstance(check, Mapping):
            raise RuleError(gettext("%(where)s: must be a table") % {"where": where()})
        unknown = set(check) - {"measure", "when", "above", "below", "cue"}
        if unknown:
            raise RuleError(
                gettext("%(where)s: unknown field(s) %(fields)s")
                % {"where": where(), "fields": ", ".join(sorted(unknown))}
            )
        check_kind = _check_measure(where, check.get("measure"))
        if check.get("when", "end") not in WHEN:
            raise RuleError(
                gettext("%(where)s: when must be one of %(choices)s")
                % {"where": where(), "choices": ", ".join(WHEN)}
            )
        bounds = [name for name in ("above", "below") if name in check]
        if len(bounds) != 1:
            raise RuleError(
                gettext("%(where)s: give exactly one of above or below") % {"where": where()}
            )
        _check_range(where, check_kind, check[bounds[0]], bounds[0])
        if check.get("cue") not in CUES:
            raise RuleError(
                gettext("%(where)s: unknown cue %(cue)s")
                % {"where": where(), "cue": repr(check.get("cue"))}
            )
    return dict(rule)


def validate_tracking_rule(value) -> None:
    """The model field's validator: the admin shows the problem next to the rule."""
    try:
        validate(value)
    except RuleError as exc:
        raise ValidationError(
            gettext("This tracking rule is not valid: %(problem)s") % {"problem": exc}
        ) from exc
