"""People: the patient, the minimum the clinic keeps about them."""

import datetime
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.languages import default_language, language_choices
from clinic.validators import one_line
from exercises.models import PrecautionTag
from patients import weekdays


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def default_timezone() -> str:
    return settings.TIME_ZONE


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class PatientQuerySet(models.QuerySet):
    def for_clinician(self, user):
        """The patients this staff user may see: their own, or everyone for a superuser."""
        if user.is_superuser:
            return self
        return self.filter(clinician=user)

    def active(self):
        return self.filter(is_active=True)

    def with_active_prescription_flag(self):
        # By the reverse relation's model: plans.py builds on this module, not the reverse.
        prescription = self.model.prescriptions.field.model
        return self.annotate(
            has_active_prescription=models.Exists(
                prescription.objects.filter(
                    patient=models.OuterRef("pk"), status=prescription.Status.ACTIVE
                )
            )
        )


class Patient(models.Model):
    """A person receiving a home exercise program. Holds the minimum the clinic needs."""

    first_name = models.CharField(max_length=100, validators=[one_line])
    last_name = models.CharField(max_length=100, validators=[one_line])
    # NULL, not "", for "no email": the case-insensitive unique constraint ignores NULLs.
    email = models.EmailField(  # noqa: DJ001
        null=True,
        blank=True,
        help_text=_(
            "Used for the invitation, sign-in links and reminders. "
            "Leave empty for paper-only patients."
        ),
    )
    phone = models.CharField(max_length=30, blank=True, validators=[one_line])
    date_of_birth = models.DateField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text=_("The patient's local time zone: it decides which day is “today” for them."),
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patients",
        limit_choices_to={"is_staff": True},
        help_text=_("The primary clinician, who sees and edits this patient's plan."),
    )
    notes = models.TextField(
        _("condition and notes"),
        blank=True,
        help_text=_("Visible to staff only, never to the patient."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Deactivate instead of deleting: the patient can no longer sign in, "
            "and their history is kept."
        ),
    )
    precaution_tags = models.ManyToManyField(
        PrecautionTag,
        blank=True,
        related_name="patients",
        help_text=_(
            "Prescribing an exercise with a matching tag asks you to confirm, with a reason."
        ),
    )
    safety_acknowledged_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient confirmed reading “When to stop and get help”."),
    )
    reminders_enabled = models.BooleanField(
        _("email reminders"),
        default=True,
        help_text=_("Set by the patient on their settings page."),
    )
    reminder_time = models.TimeField(default=datetime.time(18, 0))
    # Guided mode's cues, the patient's choice: tones and vibration at 3-2-1 and at the end of
    # each hold and rest (on by default: someone on the floor can't watch the phone), and
    # spoken cues with the phone's speech synthesis (off by default: it talks out loud).
    cue_sound = models.BooleanField(
        _("sounds in guided mode"),
        default=True,
        help_text=_("Tones and vibration at 3-2-1 and when a hold or rest ends."),
    )
    calendar_alarm = models.BooleanField(
        _("an alert in the calendar"),
        default=False,
        help_text=_("The calendar feed's events carry an alert at the reminder time."),
    )
    cue_voice = models.BooleanField(
        _("spoken cues in guided mode"),
        default=False,
        help_text=_("The phone says “Hold… ten seconds left… rest”."),
    )
    # Videos are large (a few MB a minute): a phone keeps them for offline use only when the
    # patient asks (patients/offline.py lists them for the service worker then).
    keep_videos_offline = models.BooleanField(
        _("keep videos on this phone"),
        default=False,
        help_text=_(
            "Exercise videos also play with no internet. They use space on your phone: about "
            "15 MB for each minute of video."
        ),
    )
    message_emails = models.BooleanField(
        _("an email when the clinic writes"),
        default=True,
        help_text=_("We never put the message in the email, only a link to sign in and read it."),
    )
    # Kept by the message services and loaded with the signed-in user at no extra query, so
    # every patient page's header shows the unread badge for free.
    messages_unread = models.PositiveSmallIntegerField(default=0, editable=False)
    # The language of the patient's pages, emails, handout and spoken cues: set by the
    # clinician when registering them, changed by the patient in their settings.
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default=default_language
    )
    reminder_weekdays = weekdays.WeekdaysField(
        _("reminder days"),
        default=0,
        blank=True,
        help_text=_("Empty: the days exercises are due."),
    )
    calendar_token = models.CharField(
        max_length=43, unique=True, default=new_calendar_token, editable=False
    )
    checkin_interval_days = models.PositiveSmallIntegerField(
        _("function check-in every (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How often the patient is asked to rate their everyday activities."),
    )
    invitation_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # Loaded with the signed-in user at no extra query, so the plan pages can tell whether
    # their rendering kept in memory is still right (patients/plan_cache.py).
    plan_stamp = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text=_("Changes whenever anything the patient's plan pages show changes."),
    )
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
        help_text=_("The patient's sign-in account, linked when they accept the invitation."),
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
                violation_error_message=_("Another patient already uses this email address."),
            ),
        ]
        indexes = [models.Index(fields=["clinician", "is_active"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        # A save of every column would write back the stamp this instance was loaded with,
        # perhaps one retired since by a check-off: a full save always takes a new stamp.
        if kwargs.get("update_fields") is None:
            self.plan_stamp = uuid.uuid4()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> datetime.date:
        """The patient's local date now: their "today", whatever the server's clock says."""
        return timezone.localdate(timezone=self.zone)

    @property
    def invitation_pending(self) -> bool:
        return self.user_id is None and bool(self.invitation_nonce)
