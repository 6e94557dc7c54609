from django.shortcuts import render
from django.views.decorators.http import require_GET

from patients.access import patient_required


@require_GET
@patient_required
def today(request, *, patient):
    return render(request, "patients/today.html", {"patient": patient})
