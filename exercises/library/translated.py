"""The shipped library's translations, one TOML file per language in ``languages/``.

``languages/es.toml`` holds the Spanish of every shipped exercise (by its key), education
page (by its key), precaution tag (by its slug) and of the safety advice, in the shape the
English files use (steps, cues and precautions as lists). ``load_shipped_translations``
reads and checks a file against the English without touching the database and returns the
texts as the models store them (lists joined one item a line); ``exercises.services``
writes them, called by ``load_library``.

A translation must match its English item for item: as many steps, cues and precautions,
as many paragraphs and list items on a page. A text that only drifts (an English step
rewritten) is found by the admin's translations page, which compares checksums.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from exercises.library import load_shipped_library
from exercises.library.education import load_shipped_education

LANGUAGES_DIR = Path(__file__).with_name("languages")

# The translated fields of each kind of content, as the model stores them. A list in the
# file is joined with line breaks, as the English is (one step, cue or sign a line).
EXERCISE_FIELDS = {
    "name": "name",
    "summary": "summary",
    "steps": "instructions",
    "cues": "cues",
    "precautions": "precautions",
}
EDUCATION_FIELDS = {"title": "title", "summary": "summary", "body": "body"}
TAG_FIELDS = {"name": "name", "description": "description"}
SAFETY_FIELDS = {
    "emergency_signs": "emergency_signs",
    "doctor_soon_signs": "doctor_soon_signs",
    "stop_rules": "stop_rules",
    "reassurance": "reassurance",
}
_LISTS = {"steps", "cues", "precautions", "emergency_signs", "doctor_soon_signs", "stop_rules"}


def shipped_languages() -> list[str]:
    return sorted(path.stem for path in LANGUAGES_DIR.glob("*.toml"))


def load_shipped_translations(language: str, path: Path | str | None = None) -> dict[str, Any]:
    """``{"exercises": {key: {field: text}}, "education": {...}, "precaution_tags": {...},
    "safety_advice": {field: text}}`` for one language. Raises ``ValueError`` naming the item
    and the problem: an unknown key or field, an empty text, or a list whose length differs
    from the English."""
    path = Path(path) if path else LANGUAGES_DIR / f"{language}.toml"
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - {"exercises", "education", "precaution_tags", "safety_advice"}
    if unknown:
        raise ValueError(f"{path.name}: unknown tables {sorted(unknown)}")
    english = {entry["key"]: entry for entry in load_shipped_library()}
    pages = {page["key"]: page for page in load_shipped_education()}
    result: dict[str, Any] = {"exercises": {}, "education": {}, "precaution_tags": {}}
    for key, item in data.get("exercises", {}).items():
        if key not in english:
            raise ValueError(f"{path.name}: exercise {key!r} is not in the library")
        for field in ("steps", "cues", "precautions"):
            if field in item and len(item[field]) != len(english[key][field]):
                raise ValueError(
                    f"{path.name}: exercise {key!r} has {len(item[field])} {field}, "
                    f"the English {len(english[key][field])}"
                )
        result["exercises"][key] = _texts(path, f"exercise {key!r}", item, EXERCISE_FIELDS)
    for key, item in data.get("education", {}).items():
        if key not in pages:
            raise ValueError(f"{path.name}: education page {key!r} is not shipped")
        if "body" in item and _shape(item["body"]) != _shape(pages[key]["body"]):
            raise ValueError(
                f"{path.name}: education page {key!r}: the paragraphs, headings and list "
                "items differ from the English"
            )
        result["education"][key] = _texts(path, f"page {key!r}", item, EDUCATION_FIELDS)
    for slug, item in data.get("precaution_tags", {}).items():
        result["precaution_tags"][slug] = _texts(path, f"tag {slug!r}", item, TAG_FIELDS)
    result["safety_advice"] = _texts(
        path, "safety advice", data.get("safety_advice", {}), SAFETY_FIELDS
    )
    return result


def _texts(path: Path, label: str, item: dict, fields: dict[str, str]) -> dict[str, str]:
    unknown = set(item) - set(fields)
    if unknown:
        raise ValueError(f"{path.name}: {label}: unknown fields {sorted(unknown)}")
    texts = {}
    for name, value in item.items():
        if name in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{path.name}: {label}: {name} must be a list of texts")
            value = "\n".join(line.strip() for line in value)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{path.name}: {label}: {name} is empty")
        texts[fields[name]] = value.strip()
    return texts


def _shape(body: str) -> list[str]:
    """A page's structure: the kind of each block (heading, list item with its colour
    marker, or paragraph), so a translation can be checked against the English."""
    shape = []
    for block in body.strip().split("\n\n"):
        for line in block.strip().splitlines():
            line = line.strip()
            if line.startswith("## "):
                shape.append("heading")
            elif line.startswith("- "):
                marker = line[2:].split("]", 1)[0] + "]" if line[2:].startswith("[") else ""
                shape.append(f"item{marker}")
        if not block.strip().startswith(("## ", "- ")):
            shape.append("paragraph")
    return shape
