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

    first_name = models.CharField(
        max_length=100, validators=[one_line], verbose_name=_("first name")
    )
    last_name = models.CharField(max_length=100, validators=[one_line], verbose_name=_("last name"))
    # NULL, not "", for "no email": the case-insensitive unique constraint ignores NULLs.
    email = models.EmailField(  # noqa: DJ001
        null=True,
        blank=True,
        help_text=_(
            "Used for the invitation, sign-in links and reminders. "
            "Leave empty for paper-only patients."
        ),
        verbose_name=_("email"),
    )
    phone = models.CharField(
        max_length=30, blank=True, validators=[one_line], verbose_name=_("phone")
    )
    date_of_birth = models.DateField(null=True, blank=True, verbose_name=_("date of birth"))
    timezone = models.CharField(
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text=_("The patient's local time zone: it decides which day is “today” for them."),
        verbose_name=_("timezone"),
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patients",
        limit_choices_to={"is_staff": True},
        help_text=_("The primary clinician, who sees and edits this patient's plan."),
        verbose_name=_("clinician"),
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
        verbose_name=_("precaution tags"),
    )
    safety_acknowledged_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient confirmed reading “When to stop and get help”."),
        verbose_name=_("safety acknowledged at"),
    )
    reminders_enabled = models.BooleanField(
        _("email reminders"),
        default=True,
        help_text=_("Set by the patient on their settings page."),
    )
    reminder_time = models.TimeField(default=datetime.time(18, 0), verbose_name=_("reminder time"))
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
    messages_unread = models.PositiveSmallIntegerField(
        default=0, editable=False, verbose_name=_("messages unread")
    )
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
        max_length=43,
        unique=True,
        default=new_calendar_token,
        editable=False,
        verbose_name=_("calendar token"),
    )
    checkin_interval_days = models.PositiveSmallIntegerField(
        _("function check-in every (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How often the patient is asked to rate their everyday activities."),
    )
    invitation_nonce = models.CharField(
        max_length=32, blank=True, editable=False, verbose_name=_("invitation nonce")
    )
    # Loaded with the signed-in user at no extra query, so the plan pages can tell whether
    # their rendering kept in memory is still right (patients/plan_cache.py).
    plan_stamp = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text=_("Changes whenever anything the patient's plan pages show changes."),
        verbose_name=_("plan stamp"),
    )
    invited_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("invited at")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
        help_text=_("The patient's sign-in account, linked when they accept the invitation."),
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

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
