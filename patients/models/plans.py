"""Plans: a program assigned to a patient (a snapshot of its exercises) with its schedule,
and the education pages it carries."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import dateformat, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinic.storage import private_storage
from clinic.validators import one_line
from exercises.models import ClinicVideo, Dosage, EducationPage, Exercise, Program, video_path
from patients import weekdays
from patients.models.people import Patient


def _short_date(day: datetime.date) -> str:
    # "3 Nov 2026", with the month's short name in the active language.
    return dateformat.format(day, "j M Y")


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
        ACTIVE = "active", pgettext_lazy("plan status", "Active")
        PAUSED = "paused", pgettext_lazy("plan status", "Paused")
        COMPLETED = "completed", pgettext_lazy("plan status", "Completed")

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="prescriptions", verbose_name=_("patient")
    )
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prescriptions",
        help_text=_(
            "The template it was copied from. Editing the template never changes this plan."
        ),
        verbose_name=_("program"),
    )
    name = models.CharField(max_length=150, validators=[one_line], verbose_name=_("name"))
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("Last day of the program; empty for no end date."),
        verbose_name=_("end date"),
    )
    weekdays = weekdays.WeekdaysField(
        _("days"), default=weekdays.EVERY_DAY, help_text=_("The days of the week it is due.")
    )
    sessions_per_day = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        verbose_name=_("sessions per day"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    message = models.TextField(
        _("message to the patient"),
        blank=True,
        help_text=_("Shown at the top of the patient's plan."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Optimistic locking: every change through the admin or a suggestion raises it, and a
    # form loaded at an older version is refused, so one clinician's save never silently
    # overwrites another's.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    # The prescribing page's own id for one "Save and send": a double tap or a resent form
    # finds the prescription the first one made instead of making a second.
    client_uuid = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, verbose_name=_("client uuid")
    )
    # The pauses (PrescriptionPause rows) as plain values, written only by the pause
    # services, so the schedule functions know the paused days without a query:
    # [{"from": "2026-11-10", "until": "2026-11-20" or None, "reason": ..., "message": ...}].
    pause_periods = models.JSONField(
        default=list, blank=True, editable=False, verbose_name=_("pause periods")
    )

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="prescription_ends_after_it_starts",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__gt=0, weekdays__lte=weekdays.EVERY_DAY),
                name="prescription_has_days",
                violation_error_message=_("Choose at least one day of the week."),
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_per_day__gte=1, sessions_per_day__lte=3),
                name="prescription_sessions_per_day_1_to_3",
            ),
        ]
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The end date must be on or after the start date.")}
            )

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
        if self.end_date:
            return f"{start} – {_short_date(self.end_date)}"
        return gettext("from %(date)s") % {"date": start}


class PrescriptionPause(models.Model):
    """A period in which a prescription is not due (a flare-up, a holiday): the days before
    it keep the due status they had, so history and adherence stay true."""

    class Reason(models.TextChoices):
        FLARE_UP = "flare_up", _("Flare-up")
        HOLIDAY = "holiday", _("Holiday")
        ILLNESS = "illness", _("Illness")
        OTHER = "other", pgettext_lazy("pause reason", "Other")

    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.CASCADE,
        related_name="pauses",
        verbose_name=_("prescription"),
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(
        null=True, blank=True, help_text=_("Empty: until resumed."), verbose_name=_("ends on")
    )
    reason = models.CharField(
        max_length=20, choices=Reason.choices, default=Reason.OTHER, verbose_name=_("reason")
    )
    message = models.CharField(
        _("message to the patient"), max_length=300, blank=True, validators=[one_line]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["prescription", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="pause_ends_after_it_starts",
            ),
        ]
        verbose_name = _("prescription pause")
        verbose_name_plural = _("prescription pauses")

    def __str__(self) -> str:
        return gettext("%(plan)s paused from %(date)s") % {
            "plan": self.prescription,
            "date": self.starts_on,
        }

    def as_period(self) -> dict:
        # Stored data: the reason's label in English, whatever language the clinician uses.
        with translation.override("en"):
            reason = str(self.get_reason_display())
        return {
            "from": self.starts_on.isoformat(),
            "until": self.ends_on.isoformat() if self.ends_on else None,
            "reason": reason,
            "message": self.message,
        }


class PrescribedExercise(Dosage, ClinicVideo):
    """One exercise in a patient's plan, with that patient's own dose, and the video the
    clinician may have filmed of this patient doing it: health data, so the prepared video
    and its poster stay in private storage too and are served only by
    ``patients.views.videos`` to the patient and their clinician."""

    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.CASCADE,
        related_name="exercises",
        verbose_name=_("prescription"),
    )
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.PROTECT,
        related_name="prescribed_exercises",
        verbose_name=_("exercise"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    video = models.FileField(
        storage=private_storage,
        upload_to=video_path,
        max_length=200,
        blank=True,
        editable=False,
        verbose_name=_("video"),
    )
    video_poster = models.FileField(
        storage=private_storage,
        upload_to=video_path,
        max_length=200,
        blank=True,
        editable=False,
        verbose_name=_("video poster"),
    )

    class Meta:
        ordering = ["prescription", "order", "pk"]
        verbose_name = _("prescribed exercise")
        verbose_name_plural = _("prescribed exercises")

    def video_folder(self) -> str:
        # By row id, never by name: nothing in a path says whose video it is.
        return f"prescribed/{self.pk}"

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dosage_text()})"

    @classmethod
    def snapshot_of(cls, item, *, prescription, order: int) -> "PrescribedExercise":
        """An unsaved copy of a template's item for one patient (the snapshot rule)."""
        return cls(
            prescription=prescription,
            exercise_id=item.exercise_id,
            order=order,
            **item.dose(),
        )


class PrescriptionEducationQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(prescription__patient=patient)


class PrescriptionEducation(models.Model):
    """An education page a prescription carries ("Keep moving"), and when the patient
    marked it read. The page's newest published text is what the patient reads."""

    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.CASCADE,
        related_name="education",
        verbose_name=_("prescription"),
    )
    page = models.ForeignKey(
        EducationPage,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name=_("page"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    in_handout = models.BooleanField(
        _("in the printed handout"),
        default=False,
        help_text=_("Print this page with the exercises."),
    )
    read_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("read at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = PrescriptionEducationQuerySet.as_manager()

    class Meta:
        ordering = ["prescription", "order", "pk"]
        verbose_name = _("reading")
        verbose_name_plural = _("reading for the patient")
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "page"], name="education_page_once_per_prescription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page} ({self.prescription})"
