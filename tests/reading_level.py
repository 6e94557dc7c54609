"""How hard patient text is to read: one reading grade and one jargon list for every test of
what a patient reads (the exercise library's steps, cues, cautions and summaries; education
pages).

The grade is the Flesch-Kincaid grade level from textstat (0.7.8, pinned in
requirements-dev.txt; it counts syllables with the bundled CMU dictionary, so nothing is
downloaded). We use Flesch-Kincaid because:

- it scores exactly what makes an instruction hard to follow: long sentences and long words;
- it is a school grade, so "reading age about 11" (the project's rule) maps onto it directly:
  grade 6 is age 11-12, grade 7 is age 12-13;
- it works on one short sentence. SMOG needs 30 sentences and is meant for whole leaflets;
  Dale-Chall marks every word off its list of familiar words as hard, including plain body
  words a patient knows (buttock, thigh, kneel); Flesch reading ease says the same as
  Flesch-Kincaid but as a score nobody maps to an age.

One step is one or two short sentences, so the limits are per line: steps, cues and
summaries up to grade 7, cautions (which must name a condition and what to do) up to 8, a
page up to 8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import textstat

STEP_GRADE = 7.0
CUE_GRADE = 7.0
SUMMARY_GRADE = 7.0
CAUTION_GRADE = 8.0
PAGE_GRADE = 8.0

# Words a clinician writes without thinking and a patient may not know. Patient text uses the
# plain words instead; a technical name may follow a plain one in brackets, in an exercise's
# name only ("Side-lying leg lift (hip abduction)").
JARGON: tuple[str, ...] = (
    "anterior",
    "posterior",
    "lateral",
    "medial",
    "lumbar",
    "thoracic",
    "cervical",
    "flexion",
    "extension",
    "abduction",
    "adduction",
    "abductor",
    "adductor",
    "rotation",
    "neutral spine",
    "contralateral",
    "ipsilateral",
    "supine",
    "prone",
    "quadruped",
    "quadriceps",
    "glute",
    "gluteal",
    "piriformis",
    "psoas",
    "hip flexor",
    "dorsiflex",
    "plantarflex",
    "lordosis",
    "kyphosis",
    "pelvic floor",
    "isometric",
    "range of motion",
    "bilateral",
    "unilateral",
)
_JARGON = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in JARGON) + r")\w*", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)")


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade of ``text``."""
    return textstat.flesch_kincaid_grade(text)


def too_hard(texts: Iterable[str], limit: float) -> list[tuple[float, str]]:
    """The texts graded above ``limit``, each with its grade (empty when all are plain)."""
    return [(grade, text) for text in texts if (grade := reading_grade(text)) > limit]


def jargon_in(text: str, *, name: bool = False) -> list[str]:
    """The jargon words in patient ``text``. In a name (``name=True``), the technical term in
    brackets after the plain name is allowed."""
    if name:
        text = _BRACKETS.sub("", text)
    return [match.group(0) for match in _JARGON.finditer(text)]
