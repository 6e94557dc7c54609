"""Safety: "my symptoms got worse" reports and the rules that say how urgent they are."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patients.models.people import Patient


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

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="symptom_reports", verbose_name=_("patient")
    )
    symptoms = models.CharField(
        max_length=200, help_text=_("Comma-separated symptom codes."), verbose_name=_("symptoms")
    )
    note = models.TextField(blank=True, max_length=2000, verbose_name=_("note"))
    is_emergency = models.BooleanField(
        default=False,
        help_text=_("The patient was told to get urgent help now."),
        verbose_name=_("is emergency"),
    )
    # When the report reached us: what "reviewed" is measured against, so that a report made
    # offline before a review and sent after it is still new to the clinician.
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    made_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient made it, by the phone's clock, if it was sent later."),
        verbose_name=_("made at"),
    )
    # The id its form or the phone's offline queue gave it: a report sent twice is stored once.
    client_uuid = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, verbose_name=_("client uuid")
    )

    objects = SymptomReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "created_at"])]
        verbose_name = _("symptom report")
        verbose_name_plural = _("symptom reports")

    def __str__(self) -> str:
        return gettext("Symptom report of %(time)s") % {"time": f"{self.created_at:%Y-%m-%d %H:%M}"}

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
