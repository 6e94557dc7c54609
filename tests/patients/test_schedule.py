"""Due-date logic, without a database: dates, weekdays, pauses, sessions, time zones."""

import datetime
from dataclasses import dataclass

import hypothesis.strategies as st
from hypothesis import given

from patients import schedule, streaks
from patients.weekdays import EVERY_DAY, mask_from_days

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MONDAY = datetime.date(2026, 11, 2)


@dataclass
class Plan:
    start_date: datetime.date = MONDAY
    end_date: datetime.date | None = None
    weekdays: int = EVERY_DAY
    sessions_per_day: int = 1
    status: str = "active"


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def test_due_only_between_start_and_end():
    plan = Plan(start_date=day(1), end_date=day(3))
    assert [schedule.is_due_on(plan, day(n)) for n in range(5)] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_due_only_on_chosen_weekdays():
    plan = Plan(weekdays=mask_from_days([MON, WED, FRI]))
    assert [n for n in range(7) if schedule.is_due_on(plan, day(n))] == [MON, WED, FRI]


def test_paused_is_never_due_and_completed_keeps_its_dates():
    assert not schedule.is_due_on(Plan(status="paused"), day(0))
    assert schedule.is_due_on(Plan(status="completed", end_date=day(5)), day(2))
    assert not schedule.is_due_on(Plan(status="completed", end_date=day(5)), day(6))


def test_multiple_prescriptions_and_sessions_per_day():
    morning_and_evening = Plan(sessions_per_day=2)
    weekdays_only = Plan(weekdays=mask_from_days([MON, TUE, WED, THU, FRI]))
    plans = [morning_and_evening, weekdays_only]
    assert schedule.sessions_on(plans, day(0)) == 2
    assert schedule.in_session(plans, day(0), 1) == plans
    assert schedule.in_session(plans, day(0), 2) == [morning_and_evening]
    assert schedule.due_session_count(plans, day(0)) == 3
    assert schedule.due_session_count(plans, day(SAT)) == 2  # Saturday: the first only


def test_next_due_day_skips_rest_days_and_paused_plans():
    plans = [Plan(weekdays=mask_from_days([FRI])), Plan(status="paused")]
    assert schedule.next_due_day(plans, day(MON)) == day(FRI)
    assert schedule.next_due_day([Plan(end_date=day(1))], day(1)) is None


def test_local_today_far_from_the_server_near_midnight():
    just_before_midnight_utc = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC)
    assert schedule.local_today("UTC", just_before_midnight_utc) == datetime.date(2026, 11, 25)
    assert schedule.local_today("Pacific/Auckland", just_before_midnight_utc) == (
        datetime.date(2026, 11, 26)
    )
    assert schedule.local_today("America/Los_Angeles", just_before_midnight_utc) == (
        datetime.date(2026, 11, 25)
    )
    early_utc = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=datetime.UTC)
    assert schedule.local_today("America/Los_Angeles", early_utc) == datetime.date(2026, 11, 25)


def test_local_today_across_a_dst_change():
    # Europe/London leaves summer time at 01:00 UTC on 25 October 2026.
    before = datetime.datetime(2026, 10, 24, 23, 30, tzinfo=datetime.UTC)  # 00:30 BST, 25th
    after = datetime.datetime(2026, 10, 25, 23, 30, tzinfo=datetime.UTC)  # 23:30 GMT, 25th
    assert schedule.local_today("Europe/London", before) == datetime.date(2026, 10, 25)
    assert schedule.local_today("Europe/London", after) == datetime.date(2026, 10, 25)
    spring = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC)  # 00:30 GMT
    assert schedule.local_today("Europe/London", spring) == datetime.date(2026, 3, 29)


plans = st.builds(
    Plan,
    start_date=st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    end_date=st.none() | st.dates(datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)),
    weekdays=st.integers(1, EVERY_DAY),
    sessions_per_day=st.integers(1, 3),
    status=st.sampled_from(["active", "paused", "completed"]),
)


@given(plans, st.dates(datetime.date(2025, 12, 1), datetime.date(2028, 1, 31)))
def test_due_means_in_range_on_a_chosen_weekday_and_not_paused(plan, when):
    expected = (
        plan.status != "paused"
        and plan.start_date <= when
        and (plan.end_date is None or when <= plan.end_date)
        and bool(plan.weekdays & (1 << when.weekday()))
    )
    assert schedule.is_due_on(plan, when) is expected


@given(st.lists(plans, max_size=4), st.dates(datetime.date(2026, 1, 1), datetime.date(2027, 6, 1)))
def test_sessions_are_consistent(some_plans, when):
    count = schedule.sessions_on(some_plans, when)
    assert all(schedule.in_session(some_plans, when, n) for n in range(1, count + 1))
    assert not schedule.in_session(some_plans, when, count + 1)
    total = sum(len(schedule.in_session(some_plans, when, n)) for n in range(1, count + 1))
    assert total == schedule.due_session_count(some_plans, when)


@given(
    st.lists(plans, min_size=1, max_size=3),
    st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
)
def test_next_due_day_is_the_first_due_day(some_plans, after):
    found = schedule.next_due_day(some_plans, after, horizon_days=60)
    active = [p for p in some_plans if p.status == "active"]
    for offset in range(1, 61):
        candidate = after + datetime.timedelta(days=offset)
        if found is not None and candidate == found:
            assert schedule.due_on(active, candidate)
            break
        assert not schedule.due_on(active, candidate)


# --- Streaks ----------------------------------------------------------------------------------


def statuses(*codes: str) -> dict[datetime.date, str]:
    names = {"D": streaks.DONE, "P": streaks.PARTLY, "M": streaks.MISSED, "-": streaks.NOT_DUE}
    names["T"] = streaks.TODAY
    return {day(n): names[code] for n, code in enumerate(codes)}


def test_streaks_count_due_days_and_rest_days_do_not_break_them():
    history = statuses("D", "-", "D", "D", "-", "D")
    assert streaks.streaks(history, day(5)) == (4, 4)


def test_a_missed_or_partly_done_day_breaks_the_streak():
    assert streaks.streaks(statuses("D", "D", "D", "M", "D"), day(4)) == (1, 3)
    assert streaks.streaks(statuses("D", "D", "P", "D"), day(3)) == (1, 2)


def test_today_not_yet_done_does_not_break_the_streak():
    assert streaks.streaks(statuses("D", "D", "T"), day(2)) == (2, 2)


def test_day_status():
    today = day(3)
    assert streaks.day_status(day=day(1), today=today, due=2, done=2, active=True) == "done"
    assert streaks.day_status(day=day(1), today=today, due=2, done=1, active=True) == "partly"
    assert streaks.day_status(day=day(1), today=today, due=1, done=0, active=True) == "partly"
    assert streaks.day_status(day=day(1), today=today, due=1, done=0, active=False) == "missed"
    assert streaks.day_status(day=today, today=today, due=1, done=0, active=False) == "today"
    assert streaks.day_status(day=day(1), today=today, due=0, done=1, active=False) == "not_due"
