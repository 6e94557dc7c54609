"""Dosage in plain words: "3 sets of 10, each side", "hold 30 seconds, 3 times".

Pure functions, shared by the library, program templates and patients' prescriptions.
"""

import re

from exercises.choices import Side

SIDE_WORDS = {
    Side.BOTH: "",
    Side.EACH: "each side",
    Side.LEFT: "left side",
    Side.RIGHT: "right side",
}


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


# A timed dose this long, without repetitions, is an activity kept up for that time (the
# walking program), not a position held: "10 minutes, once", never "hold 600 seconds".
ACTIVITY_SECONDS = 180


def _duration(seconds: int) -> str:
    """Whole minutes from two minutes up ("10 minutes"), else seconds ("90 seconds")."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def describe_dosage(
    *, sets: int, reps: int | None, hold_seconds: int | None, side: str = Side.BOTH
) -> str:
    """Describe a dose the way a clinician would say it to a patient."""
    if not reps and hold_seconds and hold_seconds >= ACTIVITY_SECONDS:
        core = f"{_duration(hold_seconds)}, {_times(sets)}"
    elif reps and hold_seconds:
        core = (
            f"{reps} repetitions, hold {hold_seconds} seconds each"
            if sets == 1
            else f"{sets} sets of {reps}, hold {hold_seconds} seconds each"
        )
    elif reps:
        core = f"{reps} repetitions" if sets == 1 else f"{sets} sets of {reps}"
    elif hold_seconds:
        core = f"hold {_duration(hold_seconds)}, {_times(sets)}"
    else:
        core = _times(sets)
    side_words = SIDE_WORDS.get(Side(side), "")
    return f"{core}, {side_words}" if side_words else core


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
