"""Dosage in plain words: "3 sets of 10, each side", "hold 30 seconds, 3 times".

Pure functions, shared by the library, program templates and patients' prescriptions. The
words are in the active language: each phrase is one message with named placeholders (a
translator can put them in any order), and every count goes through ``ngettext``.
"""

import re

from django.utils.translation import gettext, ngettext, pgettext

from exercises.choices import Side


def _side_phrase(side: str, dose: str) -> str:
    """The dose with the side it is for ("3 sets of 10, each side"); both sides: the dose."""
    side = Side(side)
    if side == Side.EACH:
        # Translators: a dose, then the side it is done on, e.g. "3 sets of 10, each side".
        return gettext("%(dose)s, each side") % {"dose": dose}
    if side == Side.LEFT:
        return gettext("%(dose)s, left side") % {"dose": dose}
    if side == Side.RIGHT:
        return gettext("%(dose)s, right side") % {"dose": dose}
    return dose


def _times(count: int) -> str:
    """How many times: "once", "twice", "3 times"."""
    if count == 2:
        # Translators: an exercise done two times ("hold 30 seconds, twice").
        return gettext("twice")
    # Translators: "once" is the form for one; put the number in where a language needs it.
    return ngettext("once", "%(count)s times", count) % {"count": count}


def _seconds(count: int) -> str:
    return ngettext("%(count)s second", "%(count)s seconds", count) % {"count": count}


def _repetitions(count: int) -> str:
    return ngettext("%(count)s repetition", "%(count)s repetitions", count) % {"count": count}


# A timed dose this long, without repetitions, is an activity kept up for that time (the
# walking program), not a position held: "10 minutes, once", never "hold 600 seconds".
ACTIVITY_SECONDS = 180


def _duration(seconds: int) -> str:
    """Whole minutes from two minutes up ("10 minutes"), else seconds ("90 seconds")."""
    if seconds >= 120 and seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    return _seconds(seconds)


def describe_dosage(
    *, sets: int, reps: int | None, hold_seconds: int | None, side: str = Side.BOTH
) -> str:
    """Describe a dose the way a clinician would say it to a patient."""
    if not reps and hold_seconds and hold_seconds >= ACTIVITY_SECONDS:
        # Translators: an activity kept up for a time, and how often: "10 minutes, once".
        core = pgettext("dose of an activity", "%(duration)s, %(times)s") % {
            "duration": _duration(hold_seconds),
            "times": _times(sets),
        }
    elif reps and hold_seconds:
        if sets == 1:
            # Translators: "10 repetitions, hold 5 seconds each".
            core = gettext("%(repetitions)s, hold %(seconds)s each") % {
                "repetitions": _repetitions(reps),
                "seconds": _seconds(hold_seconds),
            }
        else:
            # Translators: "2 sets of 8, hold 5 seconds each": sets of 8 repetitions.
            core = ngettext(
                "%(sets)s set of %(reps)s, hold %(seconds)s each",
                "%(sets)s sets of %(reps)s, hold %(seconds)s each",
                sets,
            ) % {"sets": sets, "reps": reps, "seconds": _seconds(hold_seconds)}
    elif reps:
        if sets == 1:
            core = _repetitions(reps)
        else:
            # Translators: "3 sets of 10": three sets of ten repetitions.
            core = ngettext("%(sets)s set of %(reps)s", "%(sets)s sets of %(reps)s", sets) % {
                "sets": sets,
                "reps": reps,
            }
    elif hold_seconds:
        # Translators: a position held for a time, and how often: "hold 30 seconds, 3 times".
        core = gettext("hold %(duration)s, %(times)s") % {
            "duration": _duration(hold_seconds),
            "times": _times(sets),
        }
    else:
        core = _times(sets)
    return _side_phrase(side, core)


def estimate_seconds(
    *, sets: int, reps: int | None, hold_seconds: int | None, side: str, rest_seconds: int
) -> int:
    """Rough seconds one exercise takes: 3 s a repetition, holds as set, rests between sets."""
    per_set = (reps or 1) * max(hold_seconds or 0, 3 if reps else 0)
    if Side(side) == Side.EACH:
        per_set *= 2
    return sets * per_set + max(sets - 1, 0) * rest_seconds


# A count of seconds, repetitions, sets or times, in figures or words ("hold for 30 seconds",
# "ten times"). Steps say how to move; the dose line says how many and how long, so a number
# in a step would contradict a patient's own dose the day a clinician changes it.
_DOSE_IN_WORDS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|sixty)[\s-]*(?:seconds?|secs?|minutes?|times|reps?|repetitions?|"
    r"sets?|breaths?)\b",
    re.IGNORECASE,
)


def dose_mentioned(text: str) -> list[str]:
    """The counts of seconds, repetitions or sets that ``text`` mentions (e.g. a step)."""
    return [match.group(0) for match in _DOSE_IN_WORDS.finditer(text)]
