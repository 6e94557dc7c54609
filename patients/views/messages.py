"""`/plan/messages/`: the patient's thread with their clinic, and the compose box.

The thread is a window of the newest messages (``patients.threads``), so the page costs the
same few queries whatever its length. Sending goes through ``services.message_send``, once per
``client_uuid`` (a double tap, the phone's offline queue sending again), then back to the page
(post, redirect, get). A message that names an emergency sign shows the urgent-care advice
first (here without JavaScript, in static/js/messages.js with it, offline too); the patient may
still send it. The message is never the only route to help."""

import uuid

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from clinic import resilience
from patients import emergency_words, services, threads
from patients.access import patient_required
from patients.forms import ClientWriteForm, MessageForm
from patients.models import MESSAGE_MAX_LENGTH, PrescribedExercise
from patients.services import MessageRateLimitedError
from patients.views.shared import client_write_valid, errors_text, offline_owner

# The saved copy the phone keeps for offline use (patients/offline.py): fetched in the
# background, it must not count as the patient reading the clinic's messages.
SAVED_COPY = "saved-copy"
# When the phone's queue may try a message refused for the hourly limit again.
RATE_LIMIT_RETRY_SECONDS = 300


def _positive_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _prescribed(patient, pk: int | None) -> PrescribedExercise | None:
    """One of the patient's prescribed exercises, or None (anyone else's included)."""
    if pk is None:
        return None
    return (
        PrescribedExercise.objects.select_related("exercise")
        .filter(pk=pk, prescription__patient=patient)
        .first()
    )


@require_http_methods(["GET", "POST"])
@patient_required
@offline_owner
def message_thread(request, *, patient):
    posted = request.method == "POST"
    form = MessageForm(request.POST if posted else None)
    client = ClientWriteForm(request.POST if posted else None)
    about = None
    urgent = False
    status = 200
    if posted:
        if client_write_valid(client, form) and form.is_valid():
            about = _prescribed(patient, form.cleaned_data["exercise"])
            if form.cleaned_data["exercise"] and about is None:
                form.add_error(None, gettext("That exercise is not on your plan."))
        if not form.errors:
            text = form.cleaned_data["text"]
            # Without the page's script, the advice comes from here before anything is sent.
            # The phone's queue (JSON) sends what the page's script already checked.
            urgent = (
                bool(emergency_words.emergency_signs_in(text))
                and not form.cleaned_data["confirmed"]
                and not resilience.wants_json(request)
            )
            if not urgent:
                try:
                    message, _created = services.message_send(
                        patient=patient,
                        sender=request.user,
                        text=text,
                        from_patient=True,
                        prescribed=about,
                        **client.write_kwargs(),
                    )
                except MessageRateLimitedError as exc:
                    form.add_error(None, exc)
                    status = 429
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    if resilience.wants_json(request):
                        return JsonResponse({"ok": True, "error": ""})
                    response = redirect(f"{reverse('patients:messages')}#message-{message.pk}")
                    resilience.acknowledge(request, response)
                    return response
        if form.errors and status == 200:
            status = 400
        if resilience.wants_json(request):
            response = JsonResponse({"ok": False, "error": errors_text(form)}, status=status)
            if status == 429:
                # The phone's queue keeps the message and tries again after this.
                response["Retry-After"] = str(RATE_LIMIT_RETRY_SECONDS)
            return response
    else:
        about = _prescribed(patient, _positive_int(request.GET.get("exercise")))
        if SAVED_COPY not in request.GET:
            try:
                services.thread_read(patient=patient, by_patient=True)
            except DatabaseError as exc:
                # A read-only episode (a failover): the thread is still shown; the clinic's
                # messages count as read on the next visit.
                if not resilience.database_unavailable(exc):
                    raise
    before = _positive_int(request.GET.get("before"))
    window = threads.thread_window(patient, before=before)
    # A message kept after a refusal keeps its id: sent again, it is stored once.
    client_uuid = (
        client.cleaned_data.get("client_uuid") if posted and client.is_valid() else None
    ) or uuid.uuid4()
    return render(
        request,
        "patients/messages.html",
        {
            "patient": patient,
            "form": form,
            "window": window,
            "seen_message": None if before else _seen(window),
            "before": before,
            "about": about,
            "urgent": urgent,
            "client_uuid": client_uuid,
            "emergency_patterns": emergency_words.patterns_for_browser(),
            # "Ask about this exercise" opened offline finds the thread's saved copy, without
            # the exercise: the page's script names it from here (one query).
            "plan_exercises": dict(
                PrescribedExercise.objects.filter(prescription__patient=patient).values_list(
                    "pk", "exercise__name"
                )
            ),
            "nav": "messages",
            "max_length": MESSAGE_MAX_LENGTH,
            "error_links": [
                (error, "#message-text" if field == "text" else "")
                for field, errors in form.errors.items()
                for error in errors
            ],
        },
        status=status,
    )


def _seen(window: threads.ThreadWindow):
    """The patient's newest message, if the clinic has read it: "Seen by your clinic" goes
    under it (on the newest window only)."""
    last = window.last_from_patient
    return last if last is not None and last.read_at is not None else None
