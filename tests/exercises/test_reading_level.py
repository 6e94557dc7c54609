"""Every line a patient reads about a shipped exercise is plain: a reading grade a 12-year-old
manages (tests/reading_level.py says how it is measured and why) and no clinical jargon."""

from __future__ import annotations

import pytest

from exercises.library import load_shipped_library
from tests.reading_level import (
    CAUTION_GRADE,
    CUE_GRADE,
    STEP_GRADE,
    SUMMARY_GRADE,
    jargon_in,
    reading_grade,
    too_hard,
)

LIBRARY = load_shipped_library()
IDS = [entry["key"] for entry in LIBRARY]


@pytest.mark.parametrize("entry", LIBRARY, ids=IDS)
def test_steps_cues_and_summary_read_at_grade_7_or_below(entry: dict) -> None:
    assert too_hard(entry["steps"], STEP_GRADE) == []
    assert too_hard(entry["cues"], CUE_GRADE) == []
    assert too_hard([entry["summary"]], SUMMARY_GRADE) == []


@pytest.mark.parametrize("entry", LIBRARY, ids=IDS)
def test_cautions_read_at_grade_8_or_below(entry: dict) -> None:
    assert too_hard(entry["precautions"], CAUTION_GRADE) == []


@pytest.mark.parametrize("entry", LIBRARY, ids=IDS)
def test_no_jargon_in_patient_text(entry: dict) -> None:
    """Plain words in every line; a technical name only in brackets after the plain name."""
    lines = [entry["summary"], *entry["steps"], *entry["cues"], *entry["precautions"]]
    assert [(line, jargon_in(line)) for line in lines if jargon_in(line)] == []
    assert jargon_in(entry["name"], name=True) == []


def test_the_grade_tells_plain_from_hard_text() -> None:
    plain = "Lie on your back with your knees bent."
    hard = (
        "Maintain a neutral lumbopelvic alignment throughout the contralateral "
        "hip abduction manoeuvre, avoiding compensatory trunk lateral flexion."
    )
    assert reading_grade(plain) <= STEP_GRADE
    assert reading_grade(hard) > CAUTION_GRADE
    assert too_hard([plain, hard], STEP_GRADE) == [(reading_grade(hard), hard)]


def test_the_jargon_check_allows_the_technical_name_in_brackets_only() -> None:
    assert jargon_in("Side-lying leg lift (hip abduction)", name=True) == []
    assert jargon_in("Hip abduction", name=True) == ["abduction"]
    assert jargon_in("Keep a neutral spine and avoid flexion.") == ["neutral spine", "flexion"]
    assert jargon_in("Lift your leg out to the side.") == []
