"""When is a prescription due? Plain functions over values, no database.

Each function takes objects with ``start_date``, ``end_date``, ``weekdays`` (bit mask,
Monday = bit 0), ``sessions_per_day`` and ``status`` (a Prescription, or any stand-in), so
they can be tested without a database. "Today" is always the patient's local date.
"""

import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Protocol

ACTIVE = "active"
PAUSED = "paused"
COMPLETED = "completed"


class Scheduled(Protocol):
    start_date: datetime.date
    end_date: datetime.date | None
    weekdays: int
    sessions_per_day: int
    status: str
    # Optional: [{"from": ISO date, "until": ISO date or None, ...}], the paused periods.
    pause_periods: list


def pause_on(prescription: Scheduled, day: datetime.date) -> dict | None:
    """The pause that covers ``day`` (a period from ``pause_periods``), or None."""
    iso = day.isoformat()  # ISO dates compare as strings, in calendar order
    for period in getattr(prescription, "pause_periods", None) or ():
        if period["from"] <= iso and (period["until"] is None or iso <= period["until"]):
            return period
    return None


def local_today(zone_name: str, now: datetime.datetime) -> datetime.date:
    """The calendar date at ``now`` (an aware datetime) in the IANA zone ``zone_name``."""
    return now.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def is_due_on(prescription: Scheduled, day: datetime.date) -> bool:
    """Due on ``day``: within its dates, on one of its weekdays, and not paused that day.

    A pause covers a period (``pause_periods``): the days before it keep the due status they
    had. (A prescription with the old status "paused" and no periods is due on no day.) A
    completed one stays due on the days of its date range, so its history keeps its meaning.
    """
    if prescription.status == PAUSED:
        return False
    if pause_on(prescription, day) is not None:
        return False
    if day < prescription.start_date:
        return False
    if prescription.end_date is not None and day > prescription.end_date:
        return False
    return bool(prescription.weekdays & (1 << day.weekday()))


def due_on(prescriptions: Iterable[Scheduled], day: datetime.date) -> list:
    """The prescriptions due on ``day``, in the order given."""
    return [prescription for prescription in prescriptions if is_due_on(prescription, day)]


def sessions_on(prescriptions: Iterable[Scheduled], day: datetime.date) -> int:
    """How many sessions the day has: the most that any prescription due that day asks for."""
    return max((p.sessions_per_day for p in due_on(prescriptions, day)), default=0)


def in_session(prescriptions: Iterable[Scheduled], day: datetime.date, number: int) -> list:
    """The prescriptions that take part in session ``number`` (1-based) of ``day``."""
    return [p for p in due_on(prescriptions, day) if p.sessions_per_day >= number]


def due_session_count(prescriptions: Iterable[Scheduled], day: datetime.date) -> int:
    """Prescription-sessions due on ``day``: each prescription counts once per session."""
    return sum(p.sessions_per_day for p in due_on(prescriptions, day))


def next_due_day(
    prescriptions: Sequence[Scheduled], after: datetime.date, *, horizon_days: int = 366
) -> datetime.date | None:
    """The first day after ``after`` with something due, looking at most a year ahead."""
    upcoming = [p for p in prescriptions if p.status == ACTIVE]
    for offset in range(1, horizon_days + 1):
        day = after + datetime.timedelta(days=offset)
        if due_on(upcoming, day):
            return day
    return None


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
