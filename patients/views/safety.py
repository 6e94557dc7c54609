"""When to stop and get help, and "my symptoms got worse"."""

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from clinic import resilience
from exercises.models import SafetyAdvice
from patients import services
from patients.access import before_safety, patient_required
from patients.forms import (
    ClientWriteForm,
    SymptomReportForm,
)
from patients.models import SymptomReport
from patients.views.shared import client_write_valid, errors_text, offline_owner


@require_http_methods(["GET", "POST"])
@patient_required
@before_safety
@offline_owner
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
@offline_owner
def symptoms(request, *, patient):
    """`/plan/symptoms/`: "my symptoms got worse" — advice at once, and the clinician told.
    Kept on the phone for offline use: there, static/js/symptoms.js shows the advice from
    the same rules and the service worker sends the report when the connection returns (as
    JSON, like the other queued entries); its UUID makes a second sending a no-op."""
    posted = request.method == "POST"
    form = SymptomReportForm(request.POST if posted else None)
    client = ClientWriteForm(request.POST if posted else None)
    if posted and client_write_valid(client, form) and form.is_valid():
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
        return JsonResponse({"ok": False, "error": errors_text(form)}, status=400)
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
