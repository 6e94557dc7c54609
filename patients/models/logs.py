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
        Prescription,
        on_delete=models.CASCADE,
        related_name="session_logs",
        verbose_name=_("prescription"),
    )
    date = models.DateField(help_text=_("The patient's local date."), verbose_name=_("date"))
    session_number = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        verbose_name=_("session number"),
    )
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    pain = models.PositiveSmallIntegerField(
        _("pain (0-10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=_("Numeric rating scale: 0 no pain, 10 worst pain imaginable."),
    )
    effort = models.CharField(
        max_length=12, choices=Effort.choices, blank=True, verbose_name=_("effort")
    )
    note = models.TextField(_("note for the clinician"), blank=True, max_length=2000)
    # The share of the prescription's exercises checked off as done, kept up to date by
    # patients.services.exercise_check_off. Stored (not derived at read time) so that adherence
    # over hundreds of patients is one aggregate: a partly done session counts by this share.
    done_share = models.FloatField(default=0.0, editable=False, verbose_name=_("done share"))
    # Which write set the pain, effort and note, and when the patient gave them (by the
    # phone's clock for entries sent later from its offline queue). A form carries the
    # result_uuid it showed, so patients.services.session_complete can tell an edit of that
    # result from a write that never saw it (another device, or a phone that was offline).
    result_uuid = models.UUIDField(
        null=True, blank=True, editable=False, verbose_name=_("result uuid")
    )
    result_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("result at")
    )
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
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")

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


# The most guided mode's camera coach may report with one check-off: the check-off form
# and the service hold to the same numbers. (Tips are keys of exercises.tracking.CUES, each
# once, so there are never more of them than the coach knows.)
CAMERA_LIMITS = {"camera_sets": 50, "camera_reps": 2000, "camera_seconds": 36000}
CAMERA_WARNING_COUNT_MAX = 999


class ExerciseCheck(models.Model):
    """An exercise checked off, or skipped with a reason, within one session."""

    class Status(models.TextChoices):
        DONE = "done", pgettext_lazy("exercise check", "Done")
        SKIPPED = "skipped", pgettext_lazy("exercise check", "Skipped")

    session_log = models.ForeignKey(
        SessionLog, on_delete=models.CASCADE, related_name="checks", verbose_name=_("session log")
    )
    # RESTRICT: a prescribed exercise with check-offs cannot be removed on its own (the
    # history would vanish); it still goes when its whole prescription or patient is deleted.
    prescribed_exercise = models.ForeignKey(
        PrescribedExercise,
        on_delete=models.RESTRICT,
        related_name="checks",
        verbose_name=_("prescribed exercise"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DONE, verbose_name=_("status")
    )
    skip_reason = models.CharField(
        max_length=20, choices=SkipReason.choices, blank=True, verbose_name=_("skip reason")
    )
    checked_at = models.DateTimeField(default=timezone.now, verbose_name=_("checked at"))
    received_at = models.DateTimeField(
        _("received"),
        null=True,
        blank=True,
        help_text=_(
            "When it reached the server (checked_at is the phone's time for an entry made offline)."
        ),
    )
    # What guided mode's camera coach counted, sent with a "done" check-off (zero for one
    # ticked by hand). Numbers only: no pictures, frames or body landmarks ever reach us.
    camera_sets = models.PositiveSmallIntegerField(
        default=0,
        verbose_name=_("sets counted by the camera"),
        help_text=_("How many of the exercise's sets the camera counted to the end."),
    )
    camera_reps = models.PositiveIntegerField(
        default=0,
        verbose_name=_("repetitions counted by the camera"),
        help_text=_("All sets together."),
    )
    camera_seconds = models.PositiveIntegerField(
        default=0,
        verbose_name=_("seconds held, timed by the camera"),
        help_text=_("How long the end position was held, all sets together."),
    )
    form_warnings = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("form warnings"),
        help_text=_("The camera coach's cues said, with how many times: {cue key: count}."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session_log", "prescribed_exercise"],
                name="one_check_per_exercise_per_session",
            ),
        ]
        verbose_name = _("exercise check")
        verbose_name_plural = _("exercise checks")

    def __str__(self) -> str:
        return f"{self.prescribed_exercise.exercise} {self.status}"

    @property
    def counted_by_camera(self) -> bool:
        """At least one set was counted to the end by guided mode's camera coach."""
        return self.camera_sets > 0

    @property
    def has_camera_numbers(self) -> bool:
        """Anything at all came from the camera coach (a set, a repetition, a hold or a cue)."""
        return bool(
            self.camera_sets or self.camera_reps or self.camera_seconds or self.form_warnings
        )


class ExerciseFeedback(models.Model):
    """How one prescribed exercise felt on one day (too easy, about right, too hard): the
    patient's optional tap after the exercise, on Today or in guided mode.

    One row per exercise and day (a database constraint): tapping again changes the answer.
    Suggestions, the needs-attention rules, the progress page and the CSV read these for
    exercises; the session's own "how it felt" (``SessionLog.effort``) stays an answer about
    the session and is never copied onto its exercises.
    """

    prescribed_exercise = models.ForeignKey(
        PrescribedExercise,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("prescribed exercise"),
    )
    date = models.DateField(help_text=_("The patient's local date."), verbose_name=_("date"))
    # The session it was given in (an exercise done twice a day has one answer for the day):
    # the CSV and the day page read answers with their sessions' logs.
    session_log = models.ForeignKey(
        SessionLog, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("session log")
    )
    effort = models.CharField(max_length=12, choices=Effort.choices, verbose_name=_("effort"))
    given_at = models.DateTimeField(
        help_text=_("When the patient answered, by the phone's clock for an entry sent later."),
        verbose_name=_("given at"),
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

    uuid = models.UUIDField(primary_key=True, verbose_name=_("uuid"))
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="client_writes", verbose_name=_("patient")
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    day = models.DateField(
        help_text=_("The patient's local date the write is for."), verbose_name=_("day")
    )
    session_number = models.PositiveSmallIntegerField(default=1, verbose_name=_("session number"))
    made_at = models.DateTimeField(
        help_text=_("When the patient made it, by the phone's clock."), verbose_name=_("made at")
    )
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    payload = models.JSONField(default=dict, blank=True, verbose_name=_("payload"))
    replaced = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("The stored values this write replaced, if any."),
        verbose_name=_("replaced"),
    )
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.APPLIED, verbose_name=_("outcome")
    )

    class Meta:
        ordering = ["received_at"]
        indexes = [models.Index(fields=["patient", "day"])]
        verbose_name = _("client write")
        verbose_name_plural = _("client writes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid} ({self.day})"
