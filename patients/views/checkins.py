"""The function check-in page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic import resilience
from patients import services
from patients.access import patient_required
from patients.forms import (
    ClientWriteForm,
    FunctionCheckInForm,
)
from patients.models import ClientWrite
from patients.views.shared import client_write_valid, errors_text, offline_owner


@require_http_methods(["GET", "POST"])
@patient_required
@offline_owner
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
    identified = posted and client_write_valid(client, form)
    if identified and _checkin_saved(request, patient, form, client):
        if resilience.wants_json(request):
            return JsonResponse({"ok": True, "error": ""})
        resilience.acknowledge(request, redirect("patients:today"))
        messages.success(request, _("Thank you — your clinician will see how things are going."))
        return redirect("patients:today")
    if posted and resilience.wants_json(request):
        return JsonResponse({"ok": False, "error": errors_text(form)}, status=400)
    return render(
        request,
        "patients/checkin.html",
        {
            "patient": patient,
            "form": form,
            "scale_help": FunctionCheckInForm.SCALE_HELP,
            "refused": bool(form.errors),
        },
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
