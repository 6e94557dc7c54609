"""The education pages shipped with Homeplan, kept as data in ``education.toml``.

``load_shipped_education`` reads and validates the file without touching the database (the
tests check the text's reading grade from it); ``exercises.services.education_load`` writes
it, called by ``load_library``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from exercises import education

EDUCATION_PATH = Path(__file__).with_name("education.toml")
REQUIRED = ("key", "title", "summary", "body")
OPTIONAL = ("precaution_tags",)
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load_shipped_education(path: Path | str = EDUCATION_PATH) -> list[dict[str, Any]]:
    """The pages in file order, each a dict with ``order`` added. Raises ``ValueError``
    naming the page for a missing or unknown field, a bad key, a duplicate key or title,
    a line too long for its field, or an empty body."""
    with open(path, "rb") as handle:
        pages = tomllib.load(handle).get("pages")
    if not isinstance(pages, list) or not pages:
        raise ValueError(f"{path}: expected at least one [[pages]] table")
    keys, titles = set(), set()
    for index, page in enumerate(pages):
        label = page.get("key") if isinstance(page.get("key"), str) else f"#{index + 1}"
        missing = [name for name in REQUIRED if not isinstance(page.get(name), str)]
        unknown = set(page) - set(REQUIRED) - set(OPTIONAL)
        if missing or unknown:
            raise ValueError(f"page {label!r}: missing {missing} or unknown {sorted(unknown)}")
        if not KEY.match(page["key"]) or len(page["key"]) > 80:
            raise ValueError(f"page {label!r}: the key must be kebab-case, at most 80 characters")
        if len(page["title"]) > 120 or len(page["summary"]) > 200:
            raise ValueError(f"page {label!r}: title or summary too long")
        if "\n" in page["title"] + page["summary"]:
            raise ValueError(f"page {label!r}: title and summary are one line each")
        if not education.blocks(page["body"]):
            raise ValueError(f"page {label!r}: empty body")
        if page["key"] in keys or page["title"] in titles:
            raise ValueError(f"page {label!r}: duplicate key or title")
        keys.add(page["key"])
        titles.add(page["title"])
        page["body"] = page["body"].strip()
        page.setdefault("precaution_tags", [])
        page["order"] = (index + 1) * 10
    return pages
