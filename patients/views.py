import datetime
import re
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import ratelimit, resilience
from exercises.models import SafetyAdvice
from patients import calendar, charts, offline, plan, plan_cache, reminders, services
from patients.access import before_safety, get_prescribed_for_patient, patient_required
from patients.forms import (
    CheckForm,
    ClientWriteForm,
    FunctionCheckInForm,
    ReminderSettingsForm,
    SessionDoneForm,
    SetPasswordForm,
    SignInLinkForm,
    SymptomReportForm,
)
from patients.models import ClientWrite, ExerciseCheck, Patient, Prescription, SymptomReport

# The days a plan page can show. Python's calendar runs from year 1 to 9999, and the pages
# step a day, a week or a month either side of the one asked for: at the very edges that
# was an OverflowError (a 500). No plan starts before 1900 or ends after 2999.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)


# What patients.models.new_calendar_token makes: URL-safe base64.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,43}")


def _parse_day(value: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _bad_date(request, value):
    return render(
        request,
        "patients/bad_date.html",
        {"value": value, "first_year": FIRST_DAY.year, "last_year": LAST_DAY.year},
        status=400,
    )


def _offline_owner(view):
    """Name the patient whose page this is, for the service worker: it saves a page only
    under its owner and never shows one patient's saved pages to another."""

    @wraps(view)
    def wrapper(request, *args, patient, **kwargs):
        response = view(request, *args, patient=patient, **kwargs)
        response[offline.OWNER_HEADER] = offline.owner_key(patient)
        return response

    return wrapper


def _render_day(request, patient, day, *, status=200, form=None, open_session=None, as_today=False):
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
    }
    response = render(request, "patients/day.html", context, status=status)
    response[offline.DAY_HEADER] = day.isoformat()
    return response


@require_GET
@patient_required
@_offline_owner
def today(request, *, patient):
    """`/plan/`: today's plan, on the patient's own calendar."""
    return _render_day(request, patient, patient.today())


@require_GET
@patient_required
@_offline_owner
def day(request, value, *, patient):
    """`/plan/<YYYY-MM-DD>/`: another day's plan, with what was logged. With
    ``?offline-copy=1``, a day of the coming week as it will look on the day (the copy the
    phone keeps for using the plan offline)."""
    parsed = _parse_day(value)
    if parsed is None:
        return _bad_date(request, value)
    today = patient.today()
    if parsed == today:
        return redirect("patients:today")
    as_today = request.GET.get(
        "offline-copy"
    ) == "1" and today < parsed <= today + datetime.timedelta(days=offline.DAYS_AHEAD)
    return _render_day(request, patient, parsed, as_today=as_today)


@require_POST
@patient_required
def check(request, value, *, patient):
    """Check an exercise off, skip it or undo. htmx gets the card back; a plain form post
    (no JavaScript) is redirected to the day it came from."""
    parsed = _parse_day(value)
    if parsed is None:
        return _bad_date(request, value)
    form = CheckForm(request.POST)
    client = ClientWriteForm(request.POST)
    error = None
    # Both forms are validated first: the answer below reads the check's cleaned data even
    # when the write's own id or time was refused.
    form_valid, client_valid = form.is_valid(), client.is_valid()
    if not client_valid:
        error = _errors_text(client)
    elif form_valid:
        data = form.cleaned_data
        prescribed = get_prescribed_for_patient(patient, data["exercise"])
        status = {"done": ExerciseCheck.Status.DONE, "skip": ExerciseCheck.Status.SKIPPED}.get(
            data["action"]
        )
        try:
            services.exercise_check(
                patient=patient,
                prescribed=prescribed,
                day=parsed,
                session_number=data["session"],
                status=status,
                skip_reason=data["reason"],
                **client.write_kwargs(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            resilience.acknowledge(request, _check_saved(request, patient, parsed, data))
    else:
        error = _errors_text(form)
    if resilience.wants_json(request):
        return JsonResponse({"ok": not error, "error": error or ""}, status=400 if error else 200)
    if request.htmx:
        day_plan = plan.day_plan(patient, parsed, today=patient.today())
        session = next(
            (s for s in day_plan.sessions if s.number == form.cleaned_data.get("session")), None
        )
        item = next(
            (
                item
                for item in (session.items if session else [])
                if item.prescribed.pk == form.cleaned_data.get("exercise")
            ),
            None,
        )
        if item is None:
            return HttpResponse(error or "This exercise isn't part of that session.", status=400)
        return render(
            request,
            "patients/day_content.html#exercise-card",
            {
                "item": item,
                "session": session,
                "plan": day_plan,
                "error": error,
            },
            status=400 if error else 200,
        )
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
    parsed, number = _parse_day(value), int(number)
    if parsed is None:
        return _bad_date(request, value)
    if request.method == "GET":
        return _render_day(request, patient, parsed, open_session=number)
    form = SessionDoneForm(request.POST)
    client = ClientWriteForm(request.POST)
    if _client_write_valid(client, form) and form.is_valid():
        try:
            services.session_complete(
                patient=patient,
                day=parsed,
                session_number=number,
                pain=form.cleaned_data["pain"],
                effort=form.cleaned_data["effort"],
                note=form.cleaned_data["note"],
                seen=client.cleaned_data["seen"],
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
        return JsonResponse({"ok": False, "error": _errors_text(form)}, status=400)
    return _render_day(request, patient, parsed, status=400, form=form, open_session=number)


def _well_done(patient, streak: int) -> str:
    if streak >= 2:
        return (
            f"Well done, {patient.first_name}! Session saved. "
            f"That's {streak} days in a row — keep it going."
        )
    return f"Well done, {patient.first_name}! Session saved. Every session counts."


@require_GET
@patient_required
@_offline_owner
def guided(request, value, number, *, patient):
    """Guided mode: one exercise at a time, with a set counter and hold/rest timers."""
    parsed, number = _parse_day(value), int(number)
    if parsed is None:
        return _bad_date(request, value)
    day_plan = plan.day_plan(patient, parsed, today=patient.today())
    session = next((s for s in day_plan.sessions if s.number == number), None)
    if session is None:
        raise Http404("No such session on that day.")
    return render(
        request,
        "patients/guided.html",
        {"patient": patient, "plan": day_plan, "session": session, "done_form": SessionDoneForm()},
    )


@require_http_methods(["GET", "POST"])
@patient_required
@_offline_owner
def function_checkin(request, *, patient):
    """`/plan/check-in/`: rate everyday activities 0-10 (Patient-Specific Functional Scale
    format); the same day twice updates, never duplicates, and a repeat of the same entry
    (the phone's queue sending it again) changes nothing."""
    activities = patient.activities.filter(is_active=True)
    posted = request.method == "POST"
    form = FunctionCheckInForm(
        request.POST if posted else None,
        activities=activities,
        max_activities=services.MAX_ACTIVITIES,
    )
    client = ClientWriteForm(request.POST if posted else None)
    identified = posted and _client_write_valid(client, form)
    if identified and _checkin_saved(request, patient, form, client):
        if resilience.wants_json(request):
            return JsonResponse({"ok": True, "error": ""})
        resilience.acknowledge(request, redirect("patients:today"))
        messages.success(request, "Thank you — your clinician will see how things are going.")
        return redirect("patients:today")
    if posted and resilience.wants_json(request):
        return JsonResponse({"ok": False, "error": _errors_text(form)}, status=400)
    return render(
        request,
        "patients/checkin.html",
        {"patient": patient, "form": form, "scale_help": FunctionCheckInForm.SCALE_HELP},
        status=400 if form.errors else 200,
    )


def _checkin_saved(request, patient, form, client: ClientWriteForm) -> bool:
    """Store the check-in; True once it is stored, now or by an earlier copy of the same
    entry (which the form, now asking to rate the activities that copy named, would refuse)."""
    try:
        if services.client_write_known(
            patient=patient,
            client_uuid=client.cleaned_data["client_uuid"],
            kind=ClientWrite.Kind.CHECKIN,
        ):
            return True
        if not form.is_valid():
            return False
        services.function_checkin_save(
            patient=patient,
            scores=form.scores(),
            new_activities=form.new_activities(),
            entered_by=request.user,
            **client.write_kwargs(),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


def _client_write_valid(client: ClientWriteForm, form) -> bool:
    """Whether the entry's UUID and time are valid; if not, say so on ``form``."""
    if client.is_valid():
        return True
    for messages_ in client.errors.values():
        form.add_error(None, messages_)
    return False


def _errors_text(form) -> str:
    return " ".join(message for messages_ in form.errors.values() for message in messages_)


@require_http_methods(["GET", "POST"])
@patient_required
@before_safety
@_offline_owner
def safety(request, *, patient):
    """`/plan/safety/`: when to stop and get help. Shown first on a patient's first visit."""
    if request.method == "POST":
        services.safety_acknowledge(patient=patient)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("patients:today")
        # Not redirect(): it would read a bare "0" or "admin:index" as a URL name to reverse.
        return HttpResponseRedirect(target)
    return render(
        request,
        "patients/safety.html",
        {
            "patient": patient,
            "advice": SafetyAdvice.objects.first(),
            "next": request.GET.get("next", ""),
            "nav": "safety",
        },
    )


@require_http_methods(["GET", "POST"])
@patient_required
@before_safety
@_offline_owner
def symptoms(request, *, patient):
    """`/plan/symptoms/`: "my symptoms got worse" — advice at once, and the clinician told.
    Kept on the phone for offline use: there, static/js/symptoms.js shows the advice from
    the same rules and the service worker sends the report when the connection returns (as
    JSON, like the other queued entries); its UUID makes a second sending a no-op."""
    posted = request.method == "POST"
    form = SymptomReportForm(request.POST if posted else None)
    client = ClientWriteForm(request.POST if posted else None)
    if posted and _client_write_valid(client, form) and form.is_valid():
        # Read before the write, so that nothing after it needs the database.
        advice = SafetyAdvice.objects.first()
        try:
            report = services.symptom_report_create(
                patient=patient,
                symptoms=form.cleaned_data["symptoms"],
                note=form.cleaned_data["note"],
                progress_url=request.build_absolute_uri(
                    reverse("admin:patients_patient_progress", args=[patient.pk])
                ),
                **client.write_kwargs(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if resilience.wants_json(request):
                return JsonResponse({"ok": True, "error": "", "level": report.level})
            resilience.acknowledge(request, _symptom_report_saved())
            return render(
                request,
                "patients/symptoms_advice.html",
                {"patient": patient, "report": report, "advice": advice},
            )
    if posted and resilience.wants_json(request):
        return JsonResponse({"ok": False, "error": _errors_text(form)}, status=400)
    return render(
        request,
        "patients/symptoms.html",
        {
            "patient": patient,
            "form": form,
            "choices": SymptomReport.offered(),
            "levels": SymptomReport.Level.values,
            "advice": SafetyAdvice.objects.first(),
            # A double tap sends the same id, so the report is stored once.
            "client_uuid": uuid.uuid4(),
        },
        status=400 if form.errors else 200,
    )


def _symptom_report_saved() -> HttpResponse:
    """The report's acknowledgement when the advice page cannot be shown
    (clinic/resilience.py): it arrived, and where the advice is."""
    return resilience.plain_page(
        title=gettext("Your clinic has your report"),
        paragraphs=[
            gettext("We could not show the advice page just now."),
            gettext(
                "If you have any of the emergency signs, call your local emergency number "
                "(999 in the UK) or go to an emergency department now. Do not wait for your "
                "clinic to call you."
            ),
        ],
        link=(gettext("When to stop and get help"), reverse("patients:safety")),
    )


@require_http_methods(["GET", "POST"])
@patient_required
def reminder_settings(request, *, patient):
    """`/plan/settings/`: reminder time and days, time zone, and the calendar feed link."""
    if request.method == "POST" and request.POST.get("action") == "new_calendar_link":
        services.calendar_link_renew(patient=patient)
        messages.success(request, "Here is your new calendar link. The old one no longer works.")
        return redirect("patients:settings")
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, instance=patient
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("patients:settings")
    feed = request.build_absolute_uri(reverse("patients:calendar", args=[patient.calendar_token]))
    return render(
        request,
        "patients/settings.html",
        {"patient": patient, "form": form, "calendar_url": feed, "nav": "settings"},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """`/plan/unsubscribe/<token>/`: stop reminder emails, no login needed."""
    patient = reminders.patient_from_unsubscribe_token(token)
    if patient is None:
        raise Http404("Unknown unsubscribe link.")
    if request.method == "POST":
        already = not patient.reminders_enabled
        services.reminders_stop(patient=patient)
        return render(request, "patients/unsubscribed.html", {"already": already})
    return render(
        request,
        "patients/unsubscribe.html",
        {"already": not patient.reminders_enabled},
    )


@require_GET
def calendar_feed(request, token):
    """`/plan/calendar/<secret>.ics`: the patient's due sessions for calendar apps."""
    if not CALENDAR_TOKEN.fullmatch(token):  # nothing to look up for a token of another shape
        raise Http404("Unknown calendar link.")
    patient = get_object_or_404(Patient.objects.active(), calendar_token=token)
    response = HttpResponse(calendar.feed(patient), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="homeplan.ics"'
    return response


@require_GET
@patient_required
@_offline_owner
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
@_offline_owner
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
            "nav": "history",
        },
    )


@require_GET
def service_worker(request):
    """`/plan/sw.js`: the service worker that keeps the plan usable offline. Served from here,
    not /static/, so that its scope is /plan/; public, because it holds nobody's data and the
    browser re-checks it even after a sign-in has expired."""
    response = HttpResponse(
        offline.service_worker_script(), content_type="text/javascript; charset=utf-8"
    )
    # The browser must re-check it on each visit: a deploy's new version replaces the caches.
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@require_GET
@patient_required
@_offline_owner
def offline_manifest(request, *, patient):
    """`/plan/offline.json`: the pages and pictures of this patient's coming week that the
    service worker saves after each visit online."""
    return JsonResponse(offline.precache_manifest(patient))


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


def handout_context(patient) -> dict:
    prescriptions = [
        p
        for p in plan.prescriptions_with_exercises(patient)
        if p.status == Prescription.Status.ACTIVE
    ]
    return {
        "patient": patient,
        "prescriptions": prescriptions,
        "printed_on": patient.today(),
        "advice": SafetyAdvice.objects.first(),
    }


# --- Patient accounts: invitation, sign-in links ---------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """`/accounts/invite/<token>/`: the invited patient sets a password and is signed in."""
    try:
        patient = services.patient_from_invitation(token)
    except services.InvitationError as error:
        return render(
            request, "patients/invitation_invalid.html", {"reason": str(error)}, status=400
        )
    form = SetPasswordForm(request.POST if request.method == "POST" else None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                patient=patient, password=form.cleaned_data["password1"]
            )
        except services.InvitationError as error:
            return render(
                request, "patients/invitation_invalid.html", {"reason": str(error)}, status=400
            )
        login(request, user, backend="clinic.backends.UsernameOrEmailBackend")
        messages.success(
            request,
            f"Welcome, {patient.first_name}! Next time, log in with {user.email} "
            "and your password.",
        )
        return redirect("patients:today")
    return render(request, "patients/invitation_accept.html", {"form": form, "patient": patient})


@require_http_methods(["GET", "POST"])
def sign_in_link_request(request):
    """`/accounts/sign-in-link/`: email me a link. The same answer whether or not we know you."""
    form = SignInLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if ratelimit.email_link_limited("sign-in-link", email, request):
            return render(
                request,
                "patients/sign_in_link_request.html",
                {"form": SignInLinkForm(), "limited": True},
                status=429,
            )
        services.sign_in_link_send(email=email, request=request)
        return render(request, "patients/sign_in_link_sent.html")
    return render(request, "patients/sign_in_link_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link_use(request, token):
    """`/accounts/sign-in/<token>/`: a button, so that mail scanners opening the link don't
    use it up; the POST signs the patient in."""
    if request.method == "POST":
        user = services.sign_in_link_consume(token)
    else:
        user = services.user_from_sign_in_token(token)
    if user is None:
        return render(request, "patients/sign_in_link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="clinic.backends.UsernameOrEmailBackend")
        return redirect("patients:today")
    return render(request, "patients/sign_in_link_use.html")
