import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def default_timezone() -> str:
    return settings.TIME_ZONE


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("“%(value)s” is not a known time zone.", params={"value": value})


class PatientQuerySet(models.QuerySet):
    def for_clinician(self, user):
        """The patients this staff user may see: their own, or everyone for a superuser."""
        if user.is_superuser:
            return self
        return self.filter(clinician=user)

    def active(self):
        return self.filter(is_active=True)


class Patient(models.Model):
    """A person receiving a home exercise program. Holds the minimum the clinic needs."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    # NULL, not "", for "no email": the case-insensitive unique constraint ignores NULLs.
    email = models.EmailField(  # noqa: DJ001
        null=True,
        blank=True,
        help_text="Used for the invitation, sign-in links and reminders. "
        "Leave empty for paper-only patients.",
    )
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text="The patient's local time zone: it decides which day is “today” for them.",
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patients",
        limit_choices_to={"is_staff": True},
        help_text="The primary clinician, who sees and edits this patient's plan.",
    )
    notes = models.TextField(
        "condition and notes",
        blank=True,
        help_text="Visible to staff only, never to the patient.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Deactivate instead of deleting: the patient can no longer sign in, "
        "and their history is kept.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
        help_text="The patient's sign-in account, linked when they accept the invitation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="patient_email_unique_ci",
                violation_error_message="Another patient already uses this email address.",
            ),
        ]
        indexes = [models.Index(fields=["clinician", "is_active"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)
