"""The patient's pain chart says when: the first and last days (and the middle one for more
than a week) are written under the axis."""

import datetime

from patients import charts

FIRST = datetime.date(2026, 10, 1)


def test_dates_under_the_axis():
    series = [(FIRST + datetime.timedelta(days=n), 3.0) for n in range(0, 15, 2)]
    chart = charts.line_chart(series)
    assert [(day, anchor) for _x, day, anchor in chart.x_ticks] == [
        (FIRST, "start"),
        (datetime.date(2026, 10, 8), "middle"),
        (datetime.date(2026, 10, 15), "end"),
    ]
    assert chart.x_ticks[0][0] == 28  # the plot's left edge
    assert chart.x_ticks[-1][0] == 320 - 8  # its right edge


def test_one_day_has_one_date_and_a_week_no_middle():
    assert [a for _x, _d, a in charts.line_chart([(FIRST, 2.0)]).x_ticks] == ["start"]
    week = [(FIRST, 2.0), (FIRST + datetime.timedelta(days=6), 3.0)]
    assert [a for _x, _d, a in charts.line_chart(week).x_ticks] == ["start", "end"]
