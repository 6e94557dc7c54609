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

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(
        max_length=100, help_text=_("e.g. “putting on socks”"), validators=[one_line]
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("still asked"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "order", "pk"]
        verbose_name_plural = _("function activities")

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
        return gettext("Function check-in on %(date)s") % {"date": self.date}


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
