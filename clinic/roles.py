"""Who is this user? The one place that answers it.

Roles: content editors (group, or superuser) write the library; clinicians (staff in the
group) prescribe; patients are non-staff users linked to an active Patient. The two groups
and their model permissions are declared once, in ``ROLE_PERMISSIONS`` below, and
``role_groups_sync`` makes the database match it after every ``migrate`` (the data migrations
in ``clinic/migrations/`` that first created them stay as they landed).
"""

from django.urls import reverse

CLINICIANS = "Clinicians"
CONTENT_EDITORS = "Content editors"

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# {group: {app label: {model: actions}}}. A permission given to a group by hand in the admin
# is taken away again at the next migrate: change this table instead.
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    CLINICIANS: {
        "exercises": {
            # The library is the editors'; clinicians read it and tag their patients with
            # its precaution tags.
            "exercise": VIEW,
            "precautiontag": VIEW,
            "safetyadvice": VIEW,
            "educationpage": VIEW,
            "educationpageversion": VIEW,
            # Program templates: their own and clinic-wide ones.
            "program": ALL,
            "programitem": ALL,
        },
        "patients": {
            "patient": ALL,
            "prescription": ALL,
            "prescribedexercise": ALL,
            "prescriptioneducation": ALL,
            "functionactivity": ALL,
            # What patients logged is theirs: clinicians read it, never edit it.
            "sessionlog": VIEW,
            "exercisecheck": VIEW,
            "functioncheckin": VIEW,
            "functionscore": VIEW,
        },
    },
    CONTENT_EDITORS: {
        "exercises": {
            "exercise": ALL,
            "program": ALL,
            "programitem": ALL,
            "precautiontag": ALL,
            # Safety advice is versioned and append-only: editors publish new versions.
            "safetyadvice": ("add", "view"),
            # Education pages: their text is versioned (a change adds a version); pages are
            # archived, never deleted, as prescriptions carry them.
            "educationpage": ("add", "change", "view"),
            "educationpageversion": ("add", "view"),
        },
    },
}


def role_groups_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions of ``ROLE_PERMISSIONS``.

    Idempotent; run after every ``migrate`` (``clinic.apps``) and by tests that flush the
    database. Permissions are created first, because Django makes them only after the
    migrations of each app, and this may run before an app's turn.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for label in {label for apps_ in ROLE_PERMISSIONS.values() for label in apps_}:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for group_name, by_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        wanted = []
        for label, models in by_app.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                found = list(
                    Permission.objects.using(using).filter(
                        content_type__app_label=label, codename__in=codenames
                    )
                )
                if len(found) != len(codenames):
                    raise LookupError(f"Missing permissions for {label}.{model}: {codenames}")
                wanted += found
        group.permissions.set(wanted)


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
