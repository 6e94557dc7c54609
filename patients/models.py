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

from clinic.validators import one_line
from exercises.models import Dosage, Exercise, PrecautionTag, Program
from patients import weekdays


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


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

    def with_adherence(self, *, today=None):
        """Adherence over the last 7 and 28 days, pain and activity, as annotations
        (see patients/adherence.py)."""
        from patients import adherence  # adherence.py builds on these models

        return self.annotate(
            **adherence.adherence_annotations(today=today),
            **adherence.pain_annotations(today=today),
        )

    def with_active_prescription_flag(self):
        return self.annotate(
            has_active_prescription=models.Exists(
                Prescription.objects.filter(
                    patient=models.OuterRef("pk"), status=Prescription.Status.ACTIVE
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
        help_text="Used for the invitation, sign-in links and reminders. "
        "Leave empty for paper-only patients.",
    )
    phone = models.CharField(max_length=30, blank=True, validators=[one_line])
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
    precaution_tags = models.ManyToManyField(
        PrecautionTag,
        blank=True,
        related_name="patients",
        help_text="Prescribing an exercise with a matching tag asks you to confirm, with a reason.",
    )
    safety_acknowledged_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the patient confirmed reading “When to stop and get help”.",
    )
    reminders_enabled = models.BooleanField(
        "email reminders", default=True, help_text="Set by the patient on their settings page."
    )
    reminder_time = models.TimeField(default=datetime.time(18, 0))
    reminder_weekdays = weekdays.WeekdaysField(
        "reminder days",
        default=0,
        blank=True,
        help_text="Empty: the days exercises are due.",
    )
    calendar_token = models.CharField(
        max_length=43, unique=True, default=new_calendar_token, editable=False
    )
    checkin_interval_days = models.PositiveSmallIntegerField(
        "function check-in every (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How often the patient is asked to rate their everyday activities.",
    )
    invitation_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # Loaded with the signed-in user at no extra query, so the plan pages can tell whether
    # their rendering kept in memory is still right (patients/plan_cache.py).
    plan_stamp = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Changes whenever anything the patient's plan pages show changes.",
    )
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
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

    def today(self) -> datetime.date:
        """The patient's local date now: their "today", whatever the server's clock says."""
        return timezone.localdate(timezone=self.zone)

    @property
    def invitation_pending(self) -> bool:
        return self.user_id is None and bool(self.invitation_nonce)


def _short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


class PrescriptionQuerySet(models.QuerySet):
    def for_clinician(self, user):
        if user.is_superuser:
            return self
        return self.filter(patient__clinician=user)

    def active(self):
        return self.filter(status=Prescription.Status.ACTIVE)


class Prescription(models.Model):
    """A program assigned to one patient: a snapshot of its exercises, with a schedule."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prescriptions")
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prescriptions",
        help_text="The template it was copied from. Editing the template never changes this plan.",
    )
    name = models.CharField(max_length=150, validators=[one_line])
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Last day of the program; empty for no end date."
    )
    weekdays = weekdays.WeekdaysField(
        "days", default=weekdays.EVERY_DAY, help_text="The days of the week it is due."
    )
    sessions_per_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    message = models.TextField(
        "message to the patient", blank=True, help_text="Shown at the top of the patient's plan."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every change through the admin or a suggestion raises it, and a
    # form loaded at an older version is refused, so one clinician's save never silently
    # overwrites another's.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="prescription_ends_after_it_starts",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__gt=0, weekdays__lte=weekdays.EVERY_DAY),
                name="prescription_has_days",
                violation_error_message="Choose at least one day of the week.",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_per_day__gte=1, sessions_per_day__lte=3),
                name="prescription_sessions_per_day_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})

    def current_version_locked(self) -> int:
        """The stored version, with the row locked until the transaction ends (PostgreSQL;
        SQLite's IMMEDIATE transactions already serialise writers), so two saves of the same
        version cannot both pass the check."""
        return (
            Prescription.objects.select_for_update()
            .values_list("version", flat=True)
            .get(pk=self.pk)
        )

    def version_bump(self) -> None:
        """Record a change made outside the prescription form (a suggestion accepted), so
        a form opened before it is refused instead of undoing it."""
        Prescription.objects.filter(pk=self.pk).update(version=models.F("version") + 1)

    @property
    def days_text(self) -> str:
        return weekdays.describe_days(self.weekdays)

    @property
    def date_range_text(self) -> str:
        start = _short_date(self.start_date)
        return f"{start} – {_short_date(self.end_date)}" if self.end_date else f"from {start}"


class PrescribedExercise(Dosage):
    """One exercise in a patient's plan, with that patient's own dose."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="exercises"
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="prescribed_exercises"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["prescription", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dosage_text()})"

    @classmethod
    def snapshot_of(cls, item, *, prescription, order: int) -> "PrescribedExercise":
        """An unsaved copy of a template's item for one patient (the snapshot rule)."""
        return cls(
            prescription=prescription,
            exercise_id=item.exercise_id,
            order=order,
            sets=item.sets,
            reps=item.reps,
            hold_seconds=item.hold_seconds,
            side=item.side,
            rest_seconds=item.rest_seconds,
            notes=item.notes,
        )


# An entry that reaches us more than this many days after its date is shown as entered late.
LATE_ENTRY_DAYS = 1


class Effort(models.TextChoices):
    TOO_EASY = "too_easy", "Too easy"
    ABOUT_RIGHT = "about_right", "About right"
    TOO_HARD = "too_hard", "Too hard"


class SessionLogQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(prescription__patient=patient)

    def completed(self):
        return self.exclude(completed_at=None)


class SessionLog(models.Model):
    """One session of one prescription on one local date: its check-offs, and once the
    patient marks it done, the pain score, effort and note.

    One row per (prescription, date, session number), enforced by the database: a second
    submission updates the row, never duplicates it.
    """

    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="session_logs"
    )
    date = models.DateField(help_text="The patient's local date.")
    session_number = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(
        "pain (0-10)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text="Numeric rating scale: 0 no pain, 10 worst pain imaginable.",
    )
    effort = models.CharField(max_length=12, choices=Effort.choices, blank=True)
    note = models.TextField("note for the clinician", blank=True, max_length=2000)
    # The share of the prescription's exercises checked off as done, kept up to date by
    # patients.services.exercise_check. Stored (not derived at read time) so that adherence
    # over hundreds of patients is one aggregate: a partly done session counts by this share.
    done_share = models.FloatField(default=0.0, editable=False)
    # Which write set the pain, effort and note, and when the patient gave them (by the
    # phone's clock for entries sent later from its offline queue). A form carries the
    # result_uuid it showed, so patients.services.session_complete can tell an edit of that
    # result from a write that never saw it (another device, or a phone that was offline).
    result_uuid = models.UUIDField(null=True, blank=True, editable=False)
    result_at = models.DateTimeField(null=True, blank=True, editable=False)
    # By our clock, not the phone's: an entry made offline is accepted when the phone's time
    # says the day was still open, so the clinician is shown when one arrived days later.
    received_at = models.DateTimeField(
        _("received"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the latest entry for this session (a check-off or the result) reached the "
            "server, by the server's clock."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "session_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "date", "session_number"],
                name="one_log_per_prescription_day_session",
            ),
            models.CheckConstraint(
                condition=models.Q(pain__isnull=True) | models.Q(pain__lte=10),
                name="session_pain_0_to_10",
            ),
        ]
        indexes = [models.Index(fields=["date", "prescription"])]

    def __str__(self) -> str:
        return f"{self.prescription} on {self.date} (session {self.session_number})"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def days_late(self) -> int:
        """How many days after its date, on the patient's calendar, the latest entry for this
        session reached us (0 on the day). Reads the patient: load it with the log."""
        if self.received_at is None:
            return 0
        received = timezone.localtime(self.received_at, self.prescription.patient.zone).date()
        return (received - self.date).days

    @property
    def entered_late(self) -> bool:
        """Entered more than a day after its date: worth the clinician's knowing."""
        return self.days_late > LATE_ENTRY_DAYS


class SkipReason(models.TextChoices):
    TOO_PAINFUL = "too_painful", "Too painful"
    NO_TIME = "no_time", "No time"
    NO_EQUIPMENT = "no_equipment", "No equipment"
    OTHER = "other", "Other reason"


class ExerciseCheck(models.Model):
    """An exercise checked off, or skipped with a reason, within one session."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    session_log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="checks")
    # RESTRICT: a prescribed exercise with check-offs cannot be removed on its own (the
    # history would vanish); it still goes when its whole prescription or patient is deleted.
    prescribed_exercise = models.ForeignKey(
        PrescribedExercise, on_delete=models.RESTRICT, related_name="checks"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(
        _("received"),
        null=True,
        blank=True,
        help_text=_(
            "When it reached the server (checked_at is the phone's time for an entry made offline)."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_log", "prescribed_exercise"],
                name="one_check_per_exercise_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prescribed_exercise.exercise} {self.status}"


class ClientWrite(models.Model):
    """A check-off, "session done", function check-in or symptom report sent with the UUID
    its page or the phone's offline queue gave it. The UUID is the primary key, so a replay
    of the same write is recognised and stored once; every session-done write is kept here
    with what it said and what it replaced, so a merge never loses a pain score or a note."""

    class Kind(models.TextChoices):
        CHECK = "check", "Check-off"
        SESSION_DONE = "session_done", "Session done"
        CHECKIN = "checkin", _("Function check-in")

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        MERGED = "merged", "Merged with a result from elsewhere"
        SUPERSEDED = "superseded", "Older than what was already stored"

    uuid = models.UUIDField(primary_key=True)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="client_writes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField(help_text="The patient's local date the write is for.")
    session_number = models.PositiveSmallIntegerField(default=1)
    made_at = models.DateTimeField(help_text="When the patient made it, by the phone's clock.")
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)
    replaced = models.JSONField(
        default=dict, blank=True, help_text="The stored values this write replaced, if any."
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.APPLIED)

    class Meta:
        ordering = ["received_at"]
        indexes = [models.Index(fields=["patient", "day"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid} ({self.day})"


class AttentionReview(models.Model):
    """A clinician looked at a patient's "needs attention" item. It stays hidden until
    something new happens: a new log or note, or a reason that was not there before."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    reason_codes = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Reviewed {self.reviewed_at:%Y-%m-%d %H:%M}"

    @property
    def reasons(self) -> set[str]:
        return set(filter(None, self.reason_codes.split(",")))


class FunctionActivity(models.Model):
    """An everyday activity the patient finds hard (Patient-Specific Functional Scale
    format): up to five, named by the patient or the clinician."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(
        max_length=100, help_text="e.g. “putting on socks”", validators=[one_line]
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("still asked", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "order", "pk"]
        verbose_name_plural = "function activities"

    def __str__(self) -> str:
        return self.name


class FunctionCheckIn(models.Model):
    """One round of 0-10 ratings of the patient's activities; one per patient and day."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_checkin_per_day")
        ]

    def __str__(self) -> str:
        return f"Function check-in on {self.date}"


class FunctionScore(models.Model):
    """How well the patient can do one activity now: 0 = unable, 10 = as before the problem."""

    checkin = models.ForeignKey(FunctionCheckIn, on_delete=models.CASCADE, related_name="scores")
    activity = models.ForeignKey(FunctionActivity, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "activity"], name="one_score_per_activity"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="function_score_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.score}/10"


class Suggestion(models.Model):
    """A clinician's decision on a suggested progression or regression of one exercise.

    Suggestions are computed from the logs (patients/suggestions.py); a row is written only
    when the clinician accepts (the prescription changes, by them) or dismisses one.
    """

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progression"
        REGRESS = "regress", "Regression"

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    prescribed = models.ForeignKey(
        PrescribedExercise, on_delete=models.CASCADE, related_name="suggestions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=300)
    change = models.CharField("what was proposed", max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["prescribed", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_status_display().lower()}: {self.change}"


class SymptomReportQuerySet(models.QuerySet):
    def unreviewed(self):
        """Reports that arrived after their patient's last "Mark reviewed" (or with none)."""
        return self.filter(
            models.Q(patient__review__isnull=True)
            | models.Q(created_at__gt=models.F("patient__review__reviewed_at"))
        )


class SymptomReport(models.Model):
    """ "My symptoms got worse": what the patient reported, for the clinician to act on."""

    class Symptom(models.TextChoices):
        # In the order the form offers them: the signs that need urgent care first.
        LEG_WEAKER = "leg_weaker", _("One leg is getting weaker, or my foot drags or gives way")
        BOTH_LEGS_WEAK = "both_legs_weak", _("Weakness or numbness in both legs")
        SADDLE_NUMBNESS = "saddle_numbness", _("Numbness around my genitals or buttocks")
        URINE_RETENTION = (
            "urine_retention",
            _("I can’t pass urine, or I can’t feel when my bladder is full"),
        )
        BLADDER_BOWEL = "bladder_bowel", _("New trouble controlling my bladder or bowels")
        SEXUAL_NUMBNESS = (
            "sexual_numbness",
            _("Changes in how sex feels or works, together with numbness"),
        )
        SPREADING_FURTHER = (
            "spreading_further",
            _("Numbness or pain spreading further down my leg"),
        )
        NUMBNESS = "numbness", _("Numbness or tingling in a leg")
        BACK_MUCH_WORSE = "back_much_worse", _("My back pain is much worse since exercising")
        OTHER = "other", _("Something else")
        # No longer offered, kept so that older reports (and one still waiting in a phone's
        # offline queue) read as the patient wrote them.
        WEAKNESS = "weakness", _("Weakness in a leg")
        LEG_PAIN = "leg_pain", _("Pain spreading down my leg")

    class Level(models.TextChoices):
        """What the patient is told to do, most urgent first."""

        EMERGENCY = "emergency", _("Get urgent help now")
        DOCTOR_SOON = "doctor_soon", _("See a doctor today or tomorrow")
        STOP = "stop", _("Stop the exercise; the clinic will be in touch")

    # The rules, in one place: the server decides with them, and the symptom page carries
    # them to the phone, which decides the same way when it is offline.
    EMERGENCY = frozenset(
        {
            Symptom.LEG_WEAKER,
            Symptom.BOTH_LEGS_WEAK,
            Symptom.SADDLE_NUMBNESS,
            Symptom.URINE_RETENTION,
            Symptom.BLADDER_BOWEL,
            Symptom.SEXUAL_NUMBNESS,
            # On a "my symptoms got worse" form, a weak leg is a leg getting weaker.
            Symptom.WEAKNESS,
        }
    )
    DOCTOR_SOON = frozenset({Symptom.SPREADING_FURTHER})
    NO_LONGER_OFFERED = frozenset({Symptom.WEAKNESS, Symptom.LEG_PAIN})

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="symptom_reports")
    symptoms = models.CharField(max_length=200, help_text="Comma-separated symptom codes.")
    note = models.TextField(blank=True, max_length=2000)
    is_emergency = models.BooleanField(
        default=False, help_text="The patient was told to get urgent help now."
    )
    # When the report reached us: what "reviewed" is measured against, so that a report made
    # offline before a review and sent after it is still new to the clinician.
    created_at = models.DateTimeField(default=timezone.now)
    made_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the patient made it, by the phone's clock, if it was sent later.",
    )
    # The id its form or the phone's offline queue gave it: a report sent twice is stored once.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = SymptomReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "created_at"])]

    def __str__(self) -> str:
        return f"Symptom report of {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def offered(cls) -> list[tuple[str, str, str]]:
        """The form's choices: (code, label, level)."""
        return [
            (code, label, cls.level_for([code]))
            for code, label in cls.Symptom.choices
            if code not in cls.NO_LONGER_OFFERED
        ]

    @classmethod
    def level_for(cls, codes) -> str:
        """The most urgent advice any of the reported symptoms calls for."""
        codes = set(codes)
        if codes & cls.EMERGENCY:
            return cls.Level.EMERGENCY
        if codes & cls.DOCTOR_SOON:
            return cls.Level.DOCTOR_SOON
        return cls.Level.STOP

    @property
    def codes(self) -> list[str]:
        return [code for code in self.symptoms.split(",") if code]

    @property
    def level(self) -> str:
        return self.level_for(self.codes)

    @property
    def is_urgent(self) -> bool:
        """An emergency sign, whatever the patient was told when they reported it."""
        return self.is_emergency or self.level == self.Level.EMERGENCY

    @property
    def reported_at(self) -> datetime.datetime:
        return self.made_at or self.created_at

    @property
    def sent_later(self) -> bool:
        """Made on the phone while offline and sent when the connection came back."""
        return self.made_at is not None and (
            self.created_at - self.made_at > datetime.timedelta(minutes=5)
        )

    @property
    def symptom_labels(self) -> list[str]:
        labels = dict(self.Symptom.choices)
        return [str(labels.get(code, code)) for code in self.codes]


class ContraindicationOverride(models.Model):
    """A clinician prescribed an exercise despite a matching precaution tag, and said why."""

    prescribed = models.ForeignKey(
        PrescribedExercise, on_delete=models.CASCADE, related_name="overrides"
    )
    tags = models.CharField(max_length=300, help_text="The matching tags, by name.")
    reason = models.CharField(max_length=300, validators=[one_line])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.prescribed.exercise} despite {self.tags}: {self.reason}"


class ReminderSent(models.Model):
    """One reminder email per patient per local day: the unique constraint is what keeps two
    workers (or a worker and cron) from both sending it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_reminder_per_day")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.date}"


class WeeklySummarySent(models.Model):
    """One weekly summary per clinician per week (Monday), enforced by the database."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(help_text="The Monday of the week.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinician", "week"], name="one_summary_per_week")
        ]

    def __str__(self) -> str:
        return f"Weekly summary for the week of {self.week}"
