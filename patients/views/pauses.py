"""Pause and resume a patient's prescription (``services.prescription_pause`` and
``prescription_resume``), from the patient page. Behind ``staff_patient_view``: another
clinician's patient, or a prescription not this patient's, is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patients import services
from patients.forms.pauses import PauseForm
from patients.views.staff import _admin_context, staff_patient_view


def _prescription(patient, pk: str):
    if not str(pk).isdigit():
        raise Http404("No such prescription for this patient.")
    return get_object_or_404(patient.prescriptions, pk=pk)


@staff_patient_view(change=True)
def pause(request, *, patient):
    """The pause form, or the running pause with "Resume"."""
    prescription = _prescription(patient, request.GET.get("prescription", ""))
    today = patient.today()
    running = services.current_pause(prescription, today)
    form = PauseForm(
        request.POST if request.method == "POST" else None, initial={"starts_on": today}
    )
    if request.method == "POST" and running is None and form.is_valid():
        try:
            services.prescription_pause(
                prescription=prescription,
                paused_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is paused.") % {"name": prescription.name})
            return redirect("admin:patients_patient_change", patient.pk)
    context = _admin_context(
        request,
        _("Pause %(name)s") % {"name": prescription.name},
        patient=patient,
        prescription=prescription,
        running=running,
        form=form,
    )
    return TemplateResponse(request, "admin/patients/patient/pause.html", context)


@require_POST
@staff_patient_view(change=True)
def resume(request, *, patient):
    prescription = _prescription(patient, request.POST.get("prescription", ""))
    if services.prescription_resume(prescription=prescription, resumed_by=request.user):
        messages.success(request, _("%(name)s is running again.") % {"name": prescription.name})
    else:
        messages.info(request, _("%(name)s was not paused.") % {"name": prescription.name})
    return redirect("admin:patients_patient_change", patient.pk)
