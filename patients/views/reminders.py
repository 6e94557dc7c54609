"""Reminder settings, the unsubscribe link and the calendar feed."""

import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from patients import calendar, reminders, services
from patients.access import patient_required
from patients.forms import (
    ReminderSettingsForm,
)
from patients.models import Patient

# What patients.models.new_calendar_token makes: URL-safe base64.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,43}")


@require_http_methods(["GET", "POST"])
@patient_required
def reminder_settings(request, *, patient):
    """`/plan/settings/`: reminder time and days, time zone, and the calendar feed link."""
    if request.method == "POST" and request.POST.get("action") == "new_calendar_link":
        services.calendar_link_renew(patient=patient)
        messages.success(request, _("Here is your new calendar link. The old one no longer works."))
        return redirect("patients:settings")
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, instance=patient
    )
    if request.method == "POST" and form.is_valid():
        services.reminder_settings_save(patient=form.save(commit=False), fields=form.changed_data)
        # Said in the language just chosen, as the next page will be.
        translation.activate(patient.language)
        messages.success(request, _("Your settings are saved."))
        return redirect("patients:settings")
    feed = request.build_absolute_uri(reverse("patients:calendar", args=[patient.calendar_token]))
    return render(
        request,
        "patients/settings.html",
        {
            "patient": patient,
            "form": form,
            "calendar_url": feed,
            # The same address for calendar apps: webcal:// opens "Subscribe" on an iPhone.
            "webcal_url": "webcal://" + feed.split("://", 1)[1],
            "nav": "settings",
            "refused": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """`/plan/unsubscribe/<token>/`: stop reminder and message emails, no login needed."""
    patient = reminders.patient_from_unsubscribe_token(token)
    if patient is None:
        raise Http404("Unknown unsubscribe link.")
    already = not (patient.reminders_enabled or patient.message_emails)
    if request.method == "POST":
        services.reminders_stop(patient=patient)
        return render(request, "patients/unsubscribed.html", {"already": already})
    return render(request, "patients/unsubscribe.html", {"already": already})


@require_GET
def calendar_feed(request, token):
    """`/plan/calendar/<secret>.ics`: the patient's due sessions for calendar apps."""
    if not CALENDAR_TOKEN.fullmatch(token):  # nothing to look up for a token of another shape
        raise Http404("Unknown calendar link.")
    patient = get_object_or_404(Patient.objects.active(), calendar_token=token)
    response = HttpResponse(calendar.feed(patient), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="homeplan.ics"'
    return response
