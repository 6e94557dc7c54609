"""What the patient logged: sessions, check-offs, and the writes their phone sent."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from patients.models.people import Patient
from patients.models.plans import PrescribedExercise, Prescription

# An entry that reaches us more than this many days after its date is shown as entered late.
LATE_ENTRY_DAYS = 1


class Effort(models.TextChoices):
    TOO_EASY = "too_easy", _("Too easy")
    ABOUT_RIGHT = "about_right", _("About right")
    TOO_HARD = "too_hard", _("Too hard")


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
    date = models.DateField(help_text=_("The patient's local date."))
    session_number = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(
        _("pain (0-10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=_("Numeric rating scale: 0 no pain, 10 worst pain imaginable."),
    )
    effort = models.CharField(max_length=12, choices=Effort.choices, blank=True)
    note = models.TextField(_("note for the clinician"), blank=True, max_length=2000)
    # The share of the prescription's exercises checked off as done, kept up to date by
    # patients.services.exercise_check_off. Stored (not derived at read time) so that adherence
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
        return gettext("%(plan)s on %(date)s (session %(number)s)") % {
            "plan": self.prescription,
            "date": self.date,
            "number": self.session_number,
        }

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
    TOO_PAINFUL = "too_painful", _("Too painful")
    NO_TIME = "no_time", _("No time")
    NO_EQUIPMENT = "no_equipment", _("No equipment")
    OTHER = "other", _("Other reason")


class ExerciseCheck(models.Model):
    """An exercise checked off, or skipped with a reason, within one session."""

    class Status(models.TextChoices):
        DONE = "done", pgettext_lazy("exercise check", "Done")
        SKIPPED = "skipped", pgettext_lazy("exercise check", "Skipped")

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


class ExerciseFeedback(models.Model):
    """How one prescribed exercise felt on one day (too easy, about right, too hard): the
    patient's optional tap after the exercise, on Today or in guided mode.

    One row per exercise and day (a database constraint): tapping again changes the answer.
    Suggestions, the needs-attention rules, the progress page and the CSV read these for
    exercises; the session's own "how it felt" (``SessionLog.effort``) stays an answer about
    the session and is never copied onto its exercises.
    """

    prescribed_exercise = models.ForeignKey(
        PrescribedExercise, on_delete=models.CASCADE, related_name="feedback"
    )
    date = models.DateField(help_text=_("The patient's local date."))
    # The session it was given in (an exercise done twice a day has one answer for the day):
    # the CSV and the day page read answers with their sessions' logs.
    session_log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="feedback")
    effort = models.CharField(max_length=12, choices=Effort.choices)
    given_at = models.DateTimeField(
        help_text=_("When the patient answered, by the phone's clock for an entry sent later.")
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("exercise feedback")
        verbose_name_plural = _("exercise feedback")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescribed_exercise", "date"], name="one_feedback_per_exercise_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prescribed_exercise_id} on {self.date}: {self.effort}"


class ClientWrite(models.Model):
    """A check-off, "session done", function check-in or symptom report sent with the UUID
    its page or the phone's offline queue gave it. The UUID is the primary key, so a replay
    of the same write is recognised and stored once; every session-done write is kept here
    with what it said and what it replaced, so a merge never loses a pain score or a note."""

    class Kind(models.TextChoices):
        CHECK = "check", _("Check-off")
        SESSION_DONE = "session_done", _("Session done")
        CHECKIN = "checkin", _("Function check-in")
        FEEDBACK = "feedback", _("How an exercise felt")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        MERGED = "merged", _("Merged with a result from elsewhere")
        SUPERSEDED = "superseded", _("Older than what was already stored")

    uuid = models.UUIDField(primary_key=True)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="client_writes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField(help_text=_("The patient's local date the write is for."))
    session_number = models.PositiveSmallIntegerField(default=1)
    made_at = models.DateTimeField(help_text=_("When the patient made it, by the phone's clock."))
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)
    replaced = models.JSONField(
        default=dict, blank=True, help_text=_("The stored values this write replaced, if any.")
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.APPLIED)

    class Meta:
        ordering = ["received_at"]
        indexes = [models.Index(fields=["patient", "day"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid} ({self.day})"
