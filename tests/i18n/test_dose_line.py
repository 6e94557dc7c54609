"""The dose line in Spanish (and English's own singular forms): built from whole phrases, with
every count through ngettext, so "1 repetición" and "10 repeticiones" both read right."""

import pytest
from django.utils import translation

from exercises.choices import Side
from exercises.dosage import describe_dosage


@pytest.mark.parametrize(
    ("sets", "reps", "hold", "side", "words"),
    [
        # Repetitions: one, several, in sets.
        (1, 1, None, Side.BOTH, "1 repetición"),
        (1, 12, None, Side.LEFT, "12 repeticiones, lado izquierdo"),
        (3, 10, None, Side.EACH, "3 series de 10, en cada lado"),
        # Repetitions with a short hold each, one second and several.
        (1, 10, 1, Side.BOTH, "10 repeticiones, mantener 1 segundo cada una"),
        (2, 8, 5, Side.RIGHT, "2 series de 8, mantener 5 segundos cada una, lado derecho"),
        # A hold: seconds or minutes, once, twice, several times.
        (1, None, 1, Side.BOTH, "mantener 1 segundo, una vez"),
        (1, None, 30, Side.EACH, "mantener 30 segundos, una vez, en cada lado"),
        (2, None, 90, Side.BOTH, "mantener 90 segundos, dos veces"),
        (3, None, 30, Side.BOTH, "mantener 30 segundos, 3 veces"),
        (2, None, 120, Side.BOTH, "mantener 2 minutos, dos veces"),
        # A timed activity (the walking program).
        (1, None, 600, Side.BOTH, "10 minutos, una vez"),
        (4, None, 300, Side.BOTH, "5 minutos, 4 veces"),
    ],
)
def test_the_dose_line_in_spanish(sets, reps, hold, side, words):
    with translation.override("es"):
        assert describe_dosage(sets=sets, reps=reps, hold_seconds=hold, side=side) == words


@pytest.mark.parametrize(
    ("sets", "reps", "hold", "words"),
    [
        (1, 1, None, "1 repetition"),
        (1, None, 1, "hold 1 second, once"),
        (1, 10, 1, "10 repetitions, hold 1 second each"),
        (3, 10, None, "3 sets of 10"),
    ],
)
def test_english_counts_one_in_the_singular(sets, reps, hold, words):
    with translation.override("en-gb"):
        assert describe_dosage(sets=sets, reps=reps, hold_seconds=hold) == words
