"""Day statuses and streaks for the patient's history. Plain functions over values.

A day is "done" when every due prescription-session was marked done, "partly" when some
were (or exercises were checked off), "missed" when it was due, is over, and nothing was
logged, and "not due" otherwise. Streaks count due days only: a rest day neither adds to
nor breaks a streak, and today, still under way, does not break it either.
"""

import datetime
from collections.abc import Mapping

DONE = "done"
PARTLY = "partly"
MISSED = "missed"
NOT_DUE = "not_due"
TODAY = "today"
UPCOMING = "upcoming"


def day_status(
    *, day: datetime.date, today: datetime.date, due: int, done: int, active: bool
) -> str:
    """Status of one day from its due and done session counts and any activity."""
    if due == 0:
        return NOT_DUE  # an extra session on a rest day is welcome but not counted
    if done >= due:
        return DONE
    if done or active:
        return PARTLY
    if day > today:
        return UPCOMING
    return TODAY if day == today else MISSED


def streaks(statuses: Mapping[datetime.date, str], today: datetime.date) -> tuple[int, int]:
    """(current streak, best streak) in due days done in a row, up to ``today``."""
    best = run = 0
    for day in sorted(d for d in statuses if d <= today):
        status = statuses[day]
        if status == DONE:
            run += 1
            best = max(best, run)
        elif status in (MISSED, PARTLY) and day != today:
            run = 0
    return run, best
