"""The one gate in front of every patient page: who is asking, and is it theirs?"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from clinic import roles
from patients.models import PrescribedExercise


def before_safety(view):
    """Mark a patient view that opens even before the safety advice is acknowledged."""
    view.before_safety = True
    return view


def patient_required(view):
    """Run ``view(request, *args, patient=..., **kwargs)`` for the signed-in patient only.

    Anonymous visitors go to the login page; staff, who are never patients, go to the admin;
    other signed-in accounts (e.g. deactivated patients) see the "no role" page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Loaded with the user, and its clinician with it (clinic.backends.get_user).
        patient = roles.patient_for(user)
        if patient is None:
            return redirect(roles.home_url_for(user))
        if patient.safety_acknowledged_at is None and not getattr(view, "before_safety", False):
            # First visit: "When to stop and get help" comes before anything else.
            safety = reverse("patients:safety")
            return redirect(f"{safety}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, patient=patient, **kwargs)

    return wrapper


def get_prescribed_for_patient(patient, pk, *, with_session_size=False) -> PrescribedExercise:
    """One of this patient's prescribed exercises; anyone else's is a 404. With
    ``with_session_size``, also how many exercises its prescription has (``session_size``),
    in the same query: a check-off needs it to store the share of the session done."""
    rows = PrescribedExercise.objects.select_related("exercise", "prescription")
    if with_session_size:
        siblings = (
            PrescribedExercise.objects.filter(prescription=OuterRef("prescription"))
            .order_by()
            .values("prescription")
            .annotate(count=Count("pk"))
            .values("count")
        )
        rows = rows.annotate(session_size=Subquery(siblings))
    return get_object_or_404(rows, pk=pk, prescription__patient=patient)
