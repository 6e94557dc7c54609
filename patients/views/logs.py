"""The patient's own writes on the day page: check-offs, skips and "session done"."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clinic import resilience
from patients import offline, plan, services
from patients.access import get_prescribed_for_patient, patient_required
from patients.forms import (
    CheckOffForm,
    ClientWriteForm,
    FeedbackForm,
    SessionDoneForm,
)
from patients.models import ExerciseCheck
from patients.views.days import render_day
from patients.views.shared import bad_date, client_write_valid, errors_text, parse_day


@require_POST
@patient_required
def check_off(request, value, *, patient):
    """Check an exercise off, skip it or undo. htmx gets the card back; a plain form post
    (no JavaScript) is redirected to the day it came from."""
    parsed = parse_day(value)
    if parsed is None:
        return bad_date(request, value)
    form = CheckOffForm(request.POST)
    client = ClientWriteForm(request.POST)
    error = None
    # Both forms are validated first: the answer below reads the check's cleaned data even
    # when the write's own id or time was refused.
    form_valid, client_valid = form.is_valid(), client.is_valid()
    if not client_valid:
        error = errors_text(client)
    elif form_valid:
        data = form.cleaned_data
        prescribed = get_prescribed_for_patient(patient, data["exercise"], with_session_size=True)
        status = {"done": ExerciseCheck.Status.DONE, "skip": ExerciseCheck.Status.SKIPPED}.get(
            data["action"]
        )
        try:
            services.exercise_check_off(
                patient=patient,
                prescribed=prescribed,
                day=parsed,
                session_number=data["session"],
                status=status,
                skip_reason=data["reason"],
                keep_logged=data["if_open"],
                **client.write_kwargs(),
                **form.camera_kwargs(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            resilience.acknowledge(request, _check_saved(request, patient, parsed, data))
    else:
        error = errors_text(form)
    if resilience.wants_json(request):
        return JsonResponse({"ok": not error, "error": error or ""}, status=400 if error else 200)
    if request.htmx:
        return _card(request, patient, parsed, form.cleaned_data, error)
    if error:
        messages.error(request, error)
    return redirect(f"{_day_url(patient, parsed)}#exercise-{form.cleaned_data.get('exercise', '')}")


def _card(request, patient, day: datetime.date, data: dict, error: str | None) -> HttpResponse:
    """One exercise card, as htmx swaps it in after a check-off or a feedback tap."""
    day_plan = plan.day_plan(patient, day, today=patient.today())
    session = next((s for s in day_plan.sessions if s.number == data.get("session")), None)
    item = next(
        (
            item
            for item in (session.items if session else [])
            if item.prescribed.pk == data.get("exercise")
        ),
        None,
    )
    if item is None:
        return HttpResponse(
            error or gettext("This exercise isn't part of that session."), status=400
        )
    return render(
        request,
        "patients/day_content.html#exercise-card",
        {"item": item, "session": session, "plan": day_plan, "error": error},
        status=400 if error else 200,
    )


@require_POST
@patient_required
def feedback(request, value, *, patient):
    """How one exercise felt (too easy, about right, too hard): one optional tap after it.
    htmx gets the card back; guided mode and the offline queue get JSON; a plain form post
    is redirected to the day it came from."""
    parsed = parse_day(value)
    if parsed is None:
        return bad_date(request, value)
    form = FeedbackForm(request.POST)
    client = ClientWriteForm(request.POST)
    form_valid, client_valid = form.is_valid(), client.is_valid()
    error = None
    if not client_valid:
        error = errors_text(client)
    elif not form_valid:
        error = errors_text(form)
    else:
        data = form.cleaned_data
        try:
            services.exercise_feedback_give(
                patient=patient,
                prescribed=get_prescribed_for_patient(patient, data["exercise"]),
                day=parsed,
                session_number=data["session"],
                effort=data["effort"],
                **client.write_kwargs(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if resilience.wants_json(request):
        return JsonResponse({"ok": not error, "error": error or ""}, status=400 if error else 200)
    if request.htmx:
        return _card(request, patient, parsed, form.cleaned_data, error)
    if error:
        messages.error(request, error)
    return redirect(f"{_day_url(patient, parsed)}#exercise-{form.cleaned_data.get('exercise', '')}")


def _day_url(patient, day: datetime.date) -> str:
    return (
        reverse("patients:today")
        if day == patient.today()
        else reverse("patients:day", args=[day.isoformat()])
    )


def _check_saved(request, patient, day: datetime.date, data: dict) -> HttpResponse:
    """The check-off's acknowledgement when its card cannot be rebuilt (clinic/resilience.py):
    htmx keeps the card, which offline.js marks from the ``X-Homeplan-Saved`` header."""
    if resilience.wants_json(request):
        return JsonResponse({"ok": True, "error": ""})
    if request.htmx:
        response = HttpResponse(gettext("Saved."), content_type="text/plain; charset=utf-8")
        response["HX-Reswap"] = "none"
        response[offline.SAVED_HEADER] = data["action"]
        return response
    return redirect(f"{_day_url(patient, day)}#exercise-{data['exercise']}")


@require_http_methods(["GET", "POST"])
@patient_required
def session_done(request, value, number, *, patient):
    """Mark a session done with pain, effort and a note. Idempotent: submitting again
    updates the same session."""
    parsed, number = parse_day(value), int(number)
    if parsed is None:
        return bad_date(request, value)
    if request.method == "GET":
        return render_day(request, patient, parsed, open_session=number)
    form = SessionDoneForm(request.POST, ask_unticked=not resilience.wants_json(request))
    client = ClientWriteForm(request.POST)
    if client_write_valid(client, form) and form.is_valid():
        try:
            services.session_complete(
                patient=patient,
                day=parsed,
                session_number=number,
                pain=form.cleaned_data["pain"],
                effort=form.cleaned_data["effort"],
                note=form.cleaned_data["note"],
                seen=client.cleaned_data["seen"],
                unticked=form.cleaned_data["unticked"],
                unticked_reason=form.cleaned_data["unticked_reason"],
                **client.write_kwargs(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if resilience.wants_json(request):
                return JsonResponse({"ok": True, "error": ""})
            # Stored: if the streak below cannot be read, the day page is still the answer.
            resilience.acknowledge(request, redirect(_day_url(patient, parsed)))
            current = plan.history(patient, today=patient.today()).current_streak
            messages.success(request, _well_done(patient, current))
            return redirect(_day_url(patient, parsed))
    if resilience.wants_json(request):
        return JsonResponse({"ok": False, "error": errors_text(form)}, status=400)
    return render_day(request, patient, parsed, status=400, form=form, open_session=number)


def _well_done(patient, streak: int) -> str:
    if streak >= 2:
        return ngettext(
            "Well done, %(name)s! Session saved. That's %(count)s day in a row — keep it going.",
            "Well done, %(name)s! Session saved. That's %(count)s days in a row — keep it going.",
            streak,
        ) % {"name": patient.first_name, "count": streak}
    return gettext("Well done, %(name)s! Session saved. Every session counts.") % {
        "name": patient.first_name
    }
