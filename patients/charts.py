"""Server-rendered pictures of a patient's history: a month calendar and a small line chart
as SVG coordinates. Plain functions over values; the templates draw them (they print too)."""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from patients import streaks

STATUS_LABELS = {
    streaks.DONE: pgettext_lazy("day status", "Done"),
    streaks.PARTLY: pgettext_lazy("day status", "Partly done"),
    streaks.MISSED: pgettext_lazy("day status", "Missed"),
    streaks.NOT_DUE: pgettext_lazy("day status", "Rest day"),
    streaks.TODAY: pgettext_lazy("day status", "Today"),
    streaks.UPCOMING: pgettext_lazy("day status", "Coming up"),
}


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date | None  # None pads the first and last week
    status: str = ""

    @property
    def label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))


def shift_month(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_calendar(
    month: datetime.date, statuses: dict[datetime.date, str], today: datetime.date
) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of ``month``, each day with its status."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                CalendarDay(
                    day,
                    statuses.get(day, streaks.UPCOMING if day > today else streaks.NOT_DUE),
                )
                if day.month == month.month
                else CalendarDay(None)
                for day in week
            ]
        )
    return weeks


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, datetime.date, float]]
    first: tuple[datetime.date, float] | None
    last: tuple[datetime.date, float] | None
    y_ticks: list[tuple[float, int]]
    # Dates under the x axis: (x, date, text-anchor) for the first day, the last, and the one
    # halfway when the chart spans more than a week.
    x_ticks: list[tuple[float, datetime.date, str]] = ()


def line_chart(
    series: list[tuple[datetime.date, float]], *, width: int = 320, height: int = 140
) -> LineChart | None:
    """Coordinates for a 0-10 line chart of ``series`` (date, value), oldest first."""
    if not series:
        return None
    left, right, top, bottom = 28, 8, 8, 20
    plot_width, plot_height = width - left - right, height - top - bottom
    first_day, last_day = series[0][0], series[-1][0]
    span = max((last_day - first_day).days, 1)

    def x(day: datetime.date) -> float:
        return round(left + plot_width * (day - first_day).days / span, 1)

    def y(value: float) -> float:
        return round(top + plot_height * (1 - value / 10), 1)

    dots = [(x(day), y(value), day, round(value, 1)) for day, value in series]
    return LineChart(
        width=width,
        height=height,
        points=" ".join(f"{dx},{dy}" for dx, dy, _, _ in dots),
        dots=dots,
        first=(series[0][0], round(series[0][1], 1)),
        last=(series[-1][0], round(series[-1][1], 1)),
        y_ticks=[(y(value), value) for value in (0, 5, 10)],
        x_ticks=_date_ticks(first_day, last_day, span, x),
    )


def _date_ticks(first_day, last_day, span, x) -> list[tuple[float, datetime.date, str]]:
    if first_day == last_day:
        return [(x(first_day), first_day, "start")]
    ticks = [(x(first_day), first_day, "start")]
    if span > 7:
        middle = first_day + datetime.timedelta(days=span // 2)
        ticks.append((x(middle), middle, "middle"))
    ticks.append((x(last_day), last_day, "end"))
    return ticks


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    day: datetime.date
    status: str

    @property
    def label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))


def heatmap(
    first: datetime.date, last: datetime.date, statuses: dict[datetime.date, str], *, cell=14
) -> dict:
    """Cells for a completion calendar: one column per week, one row per weekday, with the
    month over the week it starts in and Mon/Wed/Fri beside the rows."""
    left, top = 30, 16  # room for the weekday and month labels
    cells, months = [], []
    day = first
    while day <= last:
        week = (day - first).days // 7
        cells.append(
            HeatCell(
                x=left + week * (cell + 2),
                y=top + day.weekday() * (cell + 2),
                day=day,
                status=statuses.get(day, streaks.NOT_DUE),
            )
        )
        if day == first or day.day == 1:
            months.append((left + week * (cell + 2), day))
        day += datetime.timedelta(days=1)
    weeks = (last - first).days // 7 + 1
    rows = [
        (top + n * (cell + 2) + cell / 2, first + datetime.timedelta(days=n - first.weekday()))
        for n in (0, 2, 4)
    ]
    return {
        "cells": cells,
        "cell": cell,
        "width": left + weeks * (cell + 2),
        "height": top + 7 * (cell + 2),
        "months": months,
        "weekdays": rows,
    }
