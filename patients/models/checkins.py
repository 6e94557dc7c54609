"""Function check-ins: everyday activities the patient rates 0-10 now and then."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from patients.models.people import Patient


class FunctionActivity(models.Model):
    """An everyday activity the patient finds hard (Patient-Specific Functional Scale
    format): up to five, named by the patient or the clinician."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="activities", verbose_name=_("patient")
    )
    name = models.CharField(
        max_length=100,
        help_text=_("e.g. “putting on socks”"),
        validators=[one_line],
        verbose_name=_("name"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    is_active = models.BooleanField(_("still asked"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["patient", "order", "pk"]
        verbose_name_plural = _("function activities")
        verbose_name = _("function activity")

    def __str__(self) -> str:
        return self.name


class FunctionCheckIn(models.Model):
    """One round of 0-10 ratings of the patient's activities; one per patient and day."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("patient")
    )
    date = models.DateField(verbose_name=_("date"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["patient", "date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_checkin_per_day")
        ]
        verbose_name = _("function check-in")
        verbose_name_plural = _("function check-ins")

    def __str__(self) -> str:
        return gettext("Function check-in on %(date)s") % {"date": self.date}


class FunctionScore(models.Model):
    """How well the patient can do one activity now: 0 = unable, 10 = as before the problem."""

    checkin = models.ForeignKey(
        FunctionCheckIn, on_delete=models.CASCADE, related_name="scores", verbose_name=_("checkin")
    )
    activity = models.ForeignKey(
        FunctionActivity,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("activity"),
    )
    score = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], verbose_name=_("score")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "activity"], name="one_score_per_activity"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="function_score_0_10"),
        ]
        verbose_name = _("function score")
        verbose_name_plural = _("function scores")

    def __str__(self) -> str:
        return f"{self.activity}: {self.score}/10"
