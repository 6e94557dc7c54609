"""What a clinician decided: a queue item reviewed, a suggestion accepted or dismissed, an
exercise prescribed despite a precaution."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from patients.models.people import Patient
from patients.models.plans import PrescribedExercise


class AttentionReview(models.Model):
    """A clinician looked at a patient's "needs attention" item. It stays hidden until
    something new happens: a new log or note, or a reason that was not there before."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="review", verbose_name=_("patient")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(default=timezone.now, verbose_name=_("reviewed at"))
    reason_codes = models.CharField(max_length=200, blank=True, verbose_name=_("reason codes"))

    class Meta:
        verbose_name = _("attention review")
        verbose_name_plural = _("attention reviews")

    def __str__(self) -> str:
        return gettext("Reviewed %(time)s") % {"time": f"{self.reviewed_at:%Y-%m-%d %H:%M}"}

    @property
    def reasons(self) -> set[str]:
        return set(filter(None, self.reason_codes.split(",")))


class Suggestion(models.Model):
    """A clinician's decision on a suggested progression or regression of one exercise.

    Suggestions are computed from the logs (patients/suggestions.py); a row is written only
    when the clinician accepts (the prescription changes, by them) or dismisses one.
    """

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progression")
        REGRESS = "regress", _("Regression")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("suggestion status", "Accepted")
        DISMISSED = "dismissed", pgettext_lazy("suggestion status", "Dismissed")

    prescribed = models.ForeignKey(
        PrescribedExercise,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("prescribed"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(max_length=10, choices=Status.choices, verbose_name=_("status"))
    reason = models.CharField(max_length=300, verbose_name=_("reason"))
    change = models.CharField(_("what was proposed"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(default=timezone.now, verbose_name=_("decided at"))

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["prescribed", "decided_at"])]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_status_display().lower()}: {self.change}"


class ContraindicationOverride(models.Model):
    """A clinician prescribed an exercise despite a matching precaution tag, and said why."""

    prescribed = models.ForeignKey(
        PrescribedExercise,
        on_delete=models.CASCADE,
        related_name="overrides",
        verbose_name=_("prescribed"),
    )
    tags = models.CharField(
        max_length=300, help_text=_("The matching tags, by name."), verbose_name=_("tags")
    )
    reason = models.CharField(max_length=300, validators=[one_line], verbose_name=_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(default=timezone.now, verbose_name=_("decided at"))

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("contraindication override")
        verbose_name_plural = _("contraindication overrides")

    def __str__(self) -> str:
        return gettext("%(exercise)s despite %(tags)s: %(reason)s") % {
            "exercise": self.prescribed.exercise,
            "tags": self.tags,
            "reason": self.reason,
        }
