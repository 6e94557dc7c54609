"""The exercise library shipped with Homeplan, kept as data in ``hip_mobility.toml``.

``load_shipped_library`` reads and validates the file without touching the database, so the
data can be tested on its own and the ``load_library`` management command can trust what it
gets. Validation is strict on purpose: a typo in a choice value or a keypoint name should fail
loudly, naming the exercise, instead of shipping a broken exercise or drawing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from exercises import choices, tracking
from exercises.animation import MOTIONS
from exercises.illustration import KEYPOINTS, PROPS, VIEWS

LIBRARY_PATH = Path(__file__).with_name("hip_mobility.toml")

PRECAUTION_TAGS: tuple[str, ...] = (
    "after_hip_replacement",
    "anterior_hip_replacement",
    "knee_pain",
    "osteoporosis",
    "pregnancy",
    "spinal_stenosis",
    "balance_problems",
    "floor_unsafe",
)

# How the patient's precautions text names each condition. A line that names one is a
# warning to the patient, so the exercise must carry the tag that warns the clinician too.
CONDITION_MENTIONS: dict[str, re.Pattern[str]] = {
    tag: re.compile(pattern, re.IGNORECASE)
    for tag, pattern in {
        "after_hip_replacement": r"\bhip replacement\b",
        "anterior_hip_replacement": r"\banterior\b|\bput in from the front\b",
        "knee_pain": r"\bknees? (?:are|is) sore\b|\bkneeling hurts\b",
        "osteoporosis": r"\bosteoporosis\b",
        "pregnancy": r"\bpregnan",
        "spinal_stenosis": r"\bstenosis\b",
        "balance_problems": r"\bbalance\b",
        "floor_unsafe": r"\b(?:down to|up from) the floor\b",
    }.items()
}
# Starting positions on the floor: whoever cannot get down to it or up from it safely
# cannot do the exercise at home alone.
FLOOR_POSITIONS = frozenset(
    {
        choices.Position.LYING_BACK,
        choices.Position.LYING_FRONT,
        choices.Position.SIDE_LYING,
        choices.Position.ALL_FOURS,
        choices.Position.KNEELING,
    }
)

_CHOICE_FIELDS: dict[str, type] = {
    "body_region": choices.BodyRegion,
    "category": choices.Category,
    "difficulty": choices.Difficulty,
    "equipment": choices.Equipment,
    "position": choices.Position,
    "side": choices.Side,
}
_TEXT_FIELDS = ("key", "name", "summary")
_INT_FIELDS = ("sets", "rest_seconds")
_LIST_FIELDS: dict[str, tuple[int, int]] = {  # field -> (min items, max items)
    "steps": (3, 7),
    "cues": (2, 4),
    "precautions": (1, 3),
}
REQUIRED_FIELDS: tuple[str, ...] = (
    *_TEXT_FIELDS,
    *_CHOICE_FIELDS,
    *_INT_FIELDS,
    *_LIST_FIELDS,
    "precaution_tags",
    "illustration",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("reps", "hold_seconds", "easier", "harder", "tracking")
_VIEW_FIELDS = ("view", "props", "arrows", "start", "keyframes", "end")
_ILLUSTRATION_FIELDS = (*_VIEW_FIELDS, "motion", "second_view")


def load_shipped_library(path: Path | str = LIBRARY_PATH) -> list[dict[str, Any]]:
    """Read the library TOML, validate every exercise and return them as dicts in file order.

    Raises ``ValueError`` naming the exercise key and the problem for the first invalid entry
    (missing or unknown field, unknown choice value or keypoint, duplicate key or name, or an
    easier/harder reference to a key that does not exist).
    """
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    entries = data.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected at least one [[exercises]] table")

    seen_keys: set[str] = set()
    seen_names: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("key") if isinstance(entry.get("key"), str) else f"#{index + 1}"
        _validate_entry(label, entry)
        if entry["key"] in seen_keys:
            raise ValueError(f"exercise {label!r}: duplicate key")
        if entry["name"] in seen_names:
            raise ValueError(f"exercise {label!r}: duplicate name {entry['name']!r}")
        seen_keys.add(entry["key"])
        seen_names.add(entry["name"])

    # References are checked once every key is known, so an exercise may point further down.
    for entry in entries:
        for field in ("easier", "harder"):
            target = entry.get(field)
            if target is None:
                continue
            if target == entry["key"]:
                raise ValueError(f"exercise {entry['key']!r}: {field} refers to itself")
            if target not in seen_keys:
                raise ValueError(
                    f"exercise {entry['key']!r}: {field} refers to unknown exercise {target!r}"
                )
    return entries


def missing_precaution_tags(entry: Mapping[str, Any]) -> set[str]:
    """The tags an exercise must carry and does not: each condition its precautions text
    names, and ``floor_unsafe`` for an exercise done on the floor (a floor position, or a mat)."""
    needed = {
        tag
        for tag, pattern in CONDITION_MENTIONS.items()
        if any(pattern.search(line) for line in entry.get("precautions", []))
    }
    if entry.get("position") in FLOOR_POSITIONS or entry.get("equipment") == choices.Equipment.MAT:
        needed.add("floor_unsafe")
    return needed - set(entry.get("precaution_tags", []))


def _validate_entry(label: str, entry: Mapping[str, Any]) -> None:
    def fail(problem: str) -> NoReturn:
        raise ValueError(f"exercise {label!r}: {problem}")

    for field in REQUIRED_FIELDS:
        if field not in entry:
            fail(f"missing field {field!r}")
    unknown = set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    if unknown:
        fail(f"unknown field(s) {', '.join(sorted(unknown))}")

    for field in (*_TEXT_FIELDS, "easier", "harder"):
        if field in entry and (not isinstance(entry[field], str) or not entry[field].strip()):
            fail(f"{field} must be a non-empty string")
    for field, choice in _CHOICE_FIELDS.items():
        allowed = [c.value for c in choice]
        if entry[field] not in allowed:
            fail(f"unknown {field} {entry[field]!r} (expected one of {', '.join(allowed)})")

    for field in (*_INT_FIELDS, "reps", "hold_seconds"):
        value = entry.get(field)
        # bool is an int subclass; "sets = true" is a typo, not a dosage.
        if field in entry and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            fail(f"{field} must be a non-negative integer")
    if "reps" not in entry and "hold_seconds" not in entry:
        fail("needs reps, hold_seconds or both")

    for field, (low, high) in _LIST_FIELDS.items():
        items = entry[field]
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            fail(f"{field} must be a list of non-empty strings")
        if not low <= len(items) <= high:
            fail(f"{field} needs {low}-{high} items, has {len(items)}")

    tags = entry["precaution_tags"]
    if not isinstance(tags, list):
        fail("precaution_tags must be a list")
    for tag in tags:
        if tag not in PRECAUTION_TAGS:
            fail(f"unknown precaution tag {tag!r}")
    missing = missing_precaution_tags(entry)
    if missing:
        fail(f"its precautions or position call for the tag(s) {', '.join(sorted(missing))}")

    _validate_illustration(fail, entry["illustration"])
    try:
        tracking.validate(entry.get("tracking"))
    except tracking.RuleError as exc:
        fail(f"tracking: {exc}")


def _validate_illustration(fail: Callable[[str], NoReturn], illustration: Any) -> None:
    if not isinstance(illustration, dict):
        fail("illustration must be a table")
    unknown = set(illustration) - set(_ILLUSTRATION_FIELDS)
    if unknown:
        fail(f"unknown illustration field(s) {', '.join(sorted(unknown))}")
    if illustration.get("motion", MOTIONS[0]) not in MOTIONS:
        fail(
            f"unknown illustration motion {illustration['motion']!r} "
            f"(expected one of {', '.join(MOTIONS)})"
        )
    _validate_view(fail, "illustration", illustration)
    second = illustration.get("second_view")
    if second is None:
        return
    if not isinstance(second, dict):
        fail("illustration.second_view must be a table")
    unknown = set(second) - set(_VIEW_FIELDS)
    if unknown:
        fail(f"unknown illustration.second_view field(s) {', '.join(sorted(unknown))}")
    _validate_view(fail, "illustration.second_view", second)
    # The two views play side by side, key pose for key pose.
    if len(second.get("keyframes", [])) != len(illustration.get("keyframes", [])):
        fail("illustration.second_view needs as many keyframes as the main view")
    if second["view"] == illustration["view"]:
        fail("illustration.second_view must show another view than the main one")


def _validate_view(fail: Callable[[str], NoReturn], where: str, table: dict) -> None:
    if table.get("view") not in VIEWS:
        fail(f"unknown {where} view {table.get('view')!r}")
    for field in ("props", "arrows", "keyframes"):
        if not isinstance(table.get(field, []), list):
            fail(f"{where} {field} must be a list")
    for prop in table.get("props", []):
        if prop not in PROPS:
            fail(f"unknown prop {prop!r}")
    for name in table.get("arrows", []):
        if name not in KEYPOINTS:
            fail(f"unknown keypoint {name!r} in arrows")
    poses = [
        ("start", table.get("start")),
        *((f"keyframes[{n}]", pose) for n, pose in enumerate(table.get("keyframes", []))),
        ("end", table.get("end")),
    ]
    for which, pose in poses:
        if not isinstance(pose, dict):
            fail(f"{where}.{which} is missing")
        for name in pose:
            if name not in KEYPOINTS:
                fail(f"unknown keypoint {name!r} in {where}.{which}")
        for name in KEYPOINTS:
            point = pose.get(name)
            if point is None:
                fail(f"keypoint {name!r} missing from {where}.{which}")
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            ):
                fail(f"keypoint {name!r} in {where}.{which} must be [x, y]")
