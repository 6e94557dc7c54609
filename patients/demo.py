"""Demo data for trying Homeplan and for the browser tests: the accounts named in DESIGN.md.

Every function is idempotent: it looks rows up by a stable key and creates only what is
missing, so running ``seed_demo`` twice changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clinic import roles
from patients.models import Patient

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a documented, development-only password


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str  # "clinician", "editor" or "patient"
    clinician: str = ""  # for patients: the username of their clinician


DEMO_ACCOUNTS = (
    DemoAccount("demo-clinician", "Dana", "Reyes", "clinician"),
    DemoAccount("demo-clinician-2", "Sam", "Okafor", "clinician"),
    DemoAccount("demo-editor", "Eli", "Novak", "editor"),
    DemoAccount("demo-patient", "Pat", "Morgan", "patient", clinician="demo-clinician"),
    DemoAccount("demo-patient-2", "Lee", "Harper", "patient", clinician="demo-clinician-2"),
)


def _ensure_user(account: DemoAccount):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=account.username,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": f"{account.username}@example.org",
            "is_staff": account.role != "patient",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    group_name = {"clinician": roles.CLINICIANS, "editor": roles.CONTENT_EDITORS}.get(account.role)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@transaction.atomic
def demo_accounts_ensure() -> list[str]:
    """Create the demo users and patients that are missing; return every demo username."""
    users = {account.username: _ensure_user(account) for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        if account.role != "patient":
            continue
        user = users[account.username]
        Patient.objects.get_or_create(
            user=user,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": user.email,
                "clinician": users[account.clinician],
            },
        )
    return list(users)
