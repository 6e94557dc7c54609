"""Who is this user? The one place that answers it.

Roles (see DESIGN.md): content editors (group, or superuser) write the library; clinicians
(staff in the group) prescribe; patients are non-staff users linked to an active Patient.
Group names are fixed here and created by the data migration ``clinic/migrations/0002``.
"""

from django.urls import reverse

CLINICIANS = "Clinicians"
CONTENT_EDITORS = "Content editors"


def group_names(user) -> frozenset[str]:
    """The user's group names, fetched once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_homeplan_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._homeplan_group_names = cached
    return cached


def is_clinician(user) -> bool:
    return user.is_authenticated and user.is_staff and CLINICIANS in group_names(user)


def is_content_editor(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (user.is_staff and CONTENT_EDITORS in group_names(user))
    )


def patient_for(user):
    """The active Patient this user signs in as, or None (staff are never patients)."""
    if not user.is_authenticated or user.is_staff:
        return None
    patient = getattr(user, "patient", None)
    if patient is None or not patient.is_active:
        return None
    return patient


def is_patient(user) -> bool:
    return patient_for(user) is not None


def home_url_for(user) -> str:
    """Where `/` sends this user: patients to their plan, staff to the admin."""
    if not user.is_authenticated:
        return reverse("login")
    if user.is_staff:
        return reverse("admin:index")
    if is_patient(user):
        return reverse("patients:today")
    return reverse("no_role")
