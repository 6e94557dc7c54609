"""The patient's plan: today and other days, guided mode, an exercise's page, the history,
the printable handout."""

import datetime

from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET

from exercises.dosage import ACTIVITY_SECONDS
from exercises.models import SafetyAdvice
from patients import camera, charts, offline, plan, plan_cache, reading, services
from patients.access import get_prescribed_for_patient, patient_required
from patients.forms import (
    SessionDoneForm,
)
from patients.models import Prescription
from patients.views.shared import FIRST_DAY, bad_date, offline_owner, parse_day


def render_day(request, patient, day, *, status=200, form=None, open_session=None, as_today=False):
    # A copy saved for offline use shows a coming day as it will look on the day.
    today = day if as_today else patient.today()
    # The plan as it stands is kept rendered (patients/plan_cache.py); a refused form or an
    # opened session-done form is this request's own.
    cacheable = form is None and open_session is None
    key = plan_cache.cache_key(patient, day, today, "offline-copy" if as_today else "page")
    plan_content = plan_cache.get(request, key) if cacheable else None
    if plan_content is None:
        day_plan = plan.day_plan(patient, day, today=today)
        rendered = render_to_string(
            "patients/day_content.html",
            {
                "patient": patient,
                "plan": day_plan,
                "previous_day": day - datetime.timedelta(days=1),
                "next_day": day + datetime.timedelta(days=1),
                "done_form": form or SessionDoneForm(),
                "open_session": open_session,
                "checkin_due": day == today
                and not as_today
                and services.checkin_due(patient, day_plan.prescriptions, today=today),
                "csrf_token": plan_cache.CSRF_PLACEHOLDER,
            },
        )
        plan_content = (
            plan_cache.put(request, key, rendered)
            if cacheable
            else plan_cache.with_csrf_token(request, rendered)
        )
    context = {
        "day": day,
        "is_today": day == today,
        "nav": "today" if day == today else "",
        "plan_content": plan_content,
        # A refused form shows no "saved" banner, not even one left from an earlier save.
        "refused": form is not None,
    }
    response = render(request, "patients/day.html", context, status=status)
    response[offline.DAY_HEADER] = day.isoformat()
    return response


@require_GET
@patient_required
@offline_owner
def today(request, *, patient):
    """`/plan/`: today's plan, on the patient's own calendar."""
    return render_day(request, patient, patient.today())


@require_GET
@patient_required
@offline_owner
def day(request, value, *, patient):
    """`/plan/<YYYY-MM-DD>/`: another day's plan, with what was logged. With
    ``?offline-copy=1``, a day of the coming week as it will look on the day (the copy the
    phone keeps for using the plan offline)."""
    parsed = parse_day(value)
    if parsed is None:
        return bad_date(request, value)
    today = patient.today()
    if parsed == today:
        return redirect("patients:today")
    as_today = request.GET.get(
        "offline-copy"
    ) == "1" and today < parsed <= today + datetime.timedelta(days=offline.DAYS_AHEAD)
    return render_day(request, patient, parsed, as_today=as_today)


@require_GET
@patient_required
@offline_owner
def guided(request, value, number, *, patient):
    """Guided mode: one exercise at a time, with a set counter and hold/rest timers, and the
    camera coach for the exercises that have a tracking rule."""
    parsed, number = parse_day(value), int(number)
    if parsed is None:
        return bad_date(request, value)
    day_plan = plan.day_plan(patient, parsed, today=patient.today())
    session = next((s for s in day_plan.sessions if s.number == number), None)
    if session is None:
        raise Http404("No such session on that day.")
    coach = camera.guided_camera(session.items)
    response = render(
        request,
        "patients/guided.html",
        {
            "patient": patient,
            "plan": day_plan,
            "session": session,
            "done_form": SessionDoneForm(),
            "activity_seconds": ACTIVITY_SECONDS,
            "camera": coach,
        },
    )
    return camera.allow_camera(response) if coach else response


@require_GET
@patient_required
@offline_owner
def exercise_detail(request, pk, *, patient):
    """`/plan/exercises/<pk>/`: one prescribed exercise with every instruction."""
    prescribed = get_prescribed_for_patient(patient, pk)
    return render(
        request,
        "patients/exercise.html",
        {"patient": patient, "prescribed": prescribed, "exercise": prescribed.exercise},
    )


@require_GET
@patient_required
@offline_owner
def history(request, *, patient):
    """`/plan/history/`: a month calendar of done and missed days, streaks, pain trend."""
    today = patient.today()
    month = _parse_month(request.GET.get("month"), today)
    summary = plan.history(patient, today=today)
    return render(
        request,
        "patients/history.html",
        {
            "patient": patient,
            "summary": summary,
            "calendar": charts.month_calendar(month, summary.statuses, today),
            "month": month,
            "previous_month": charts.shift_month(month, -1),
            "next_month": charts.shift_month(month, 1) if month < today.replace(day=1) else None,
            "pain_chart": charts.line_chart(summary.pain_by_day[-42:]),
            "today": today,
            "weekdays": _weekday_headings(),
            "nav": "history",
        },
    )


def _weekday_headings() -> list[tuple[str, str]]:
    """The calendar's column headings, Monday first: (initial, whole name) in the page's
    language. The initials are the language's own (Spanish writes Wednesday "X", Arabic
    needs letters that tell Wednesday from Sunday), so they are one translatable string;
    the names are Django's own."""
    initials = pgettext("the week's initials, Monday to Sunday", "MTWTFSS")
    if len(initials) != 7:  # a translation that is not seven letters: the names' first
        initials = "".join(str(WEEKDAYS_ABBR[day])[:1].upper() for day in range(7))
    return [(initials[day], str(WEEKDAYS[day])) for day in range(7)]


def _parse_month(value: str | None, today: datetime.date) -> datetime.date:
    this_month = today.replace(day=1)
    try:
        month = datetime.date.fromisoformat(f"{value}-01") if value else this_month
    except ValueError:
        return this_month
    return min(month, this_month) if month >= FIRST_DAY else this_month


@require_GET
@patient_required
def handout(request, *, patient):
    """`/plan/print/`: the whole active program on paper."""
    return render(request, "patients/handout.html", handout_context(patient))


def _period(prescriptions) -> str:
    """The plan's real dates for the handout's title: "1 November 2026 – 31 January 2027", or
    "from 1 November 2026" while a program has no end."""
    if not prescriptions:
        return ""
    start = min(p.start_date for p in prescriptions)
    ends = [p.end_date for p in prescriptions]
    # The date format is the language's own ("1 de noviembre de 2026" in Spanish).
    long_date = gettext("j F Y")
    first = date_format(start, long_date)
    if None in ends:
        return gettext("from %(start)s") % {"start": first}
    return f"{first} – {date_format(max(ends), long_date)}"


def handout_context(patient, *, back: tuple[str, str] | None = None) -> dict:
    """What the handout shows; ``back`` is its on-screen way back (address, words), the
    patient's plan unless given."""
    prescriptions = [
        p
        for p in plan.prescriptions_with_exercises(patient)
        if p.status == Prescription.Status.ACTIVE
    ]
    return {
        "patient": patient,
        "prescriptions": prescriptions,
        "period": _period(prescriptions),
        "back": back or (reverse("patients:today"), gettext("‹ Back to my plan")),
        "printed_on": patient.today(),
        "advice": SafetyAdvice.objects.first(),
        # The education pages the clinician chose to print with the plan.
        "reading": reading.for_handout(prescriptions),
    }
