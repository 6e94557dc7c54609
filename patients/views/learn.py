"""The patient's reading: the Learn page (every education page on their plan, read or not),
one page, and "Mark as read" (also on Today's "Read" items)."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from clinic import resilience
from patients import reading, services
from patients.access import patient_required
from patients.forms import ClientWriteForm
from patients.views.shared import offline_owner


@require_GET
@patient_required
@offline_owner
def learn(request, *, patient):
    """`/plan/learn/`: every page the clinician gave the patient to read, unread first."""
    return render(
        request,
        "patients/learn.html",
        {"patient": patient, "readings": reading.attached(patient), "nav": "learn"},
    )


@require_GET
@patient_required
@offline_owner
def learn_page(request, slug, *, patient):
    """`/plan/learn/<slug>/`: one page, its newest published text; 404 unless one of the
    patient's prescriptions carries it."""
    found, version = reading.page_for(patient, slug)
    return render(
        request,
        "patients/learn_page.html",
        {"patient": patient, "reading": found, "version": version, "nav": "learn"},
    )


def _back(request, slug: str) -> str:
    """Where "Mark as read" returns: the page it was sent from (Today, Learn, the page
    itself), if it is one of the patient's pages; the page otherwise."""
    wanted = request.POST.get("next", "")
    if (
        wanted.startswith(reverse("patients:today"))
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
        and "\\" not in wanted
    ):
        return wanted
    return reverse("patients:learn_page", args=[slug])


@require_POST
@patient_required
def learn_read(request, slug, *, patient):
    """`/plan/learn/<slug>/read/`: "Mark as read". A double tap, or the phone's offline queue
    sending it again, changes nothing: the first time is kept."""
    found, _version = reading.page_for(patient, slug)
    client = ClientWriteForm(request.POST)
    made_at = client.cleaned_data["made_at"] if client.is_valid() else None
    services.education_mark_read(patient=patient, page=found.page, made_at=made_at)
    if resilience.wants_json(request):
        return JsonResponse({"ok": True, "error": ""})
    response = redirect(_back(request, slug))
    resilience.acknowledge(request, response)
    return response
