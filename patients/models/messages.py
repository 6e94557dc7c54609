"""Messages between a patient and their clinic: one thread per patient.

Nothing is edited or deleted by users. A clinician may hide a message sent to the wrong
patient (the row stays, with who hid it and when, and the audit trail records it). The
thread row keeps what the inbox and the needs-attention queue sort and filter on, so neither
counts messages: who is waiting, since when, and whether a waiting message named a sign that
needs urgent care.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from patients.models.people import Patient
from patients.models.plans import PrescribedExercise

MESSAGE_MAX_LENGTH = 2000


class MessageQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Message(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="messages", verbose_name=_("patient")
    )
    # The patient's own account for their messages, the clinician (or a superuser) for the
    # clinic's; kept if the account goes (SET_NULL), the thread reads "the clinic" then.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sender"),
    )
    from_patient = models.BooleanField(_("from the patient"))
    text = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    # "Ask about this exercise": the prescribed exercise the question is about. SET_NULL: a
    # plan change that removes the exercise keeps the question (its name stays below).
    prescribed_exercise = models.ForeignKey(
        PrescribedExercise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("prescribed exercise"),
    )
    exercise_name = models.CharField(
        max_length=200, blank=True, editable=False, verbose_name=_("exercise name")
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text=_("When it reached us."), verbose_name=_("created at")
    )
    made_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the patient wrote it, by the phone's clock, if it was sent later."),
        verbose_name=_("made at"),
    )
    read_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the other side first saw it."),
        verbose_name=_("read at"),
    )
    urgent = models.BooleanField(
        default=False,
        help_text=_("It named a sign that needs urgent care; the patient was shown the advice."),
        verbose_name=_("urgent"),
    )
    hidden_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("hidden at")
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("hidden by"),
    )
    # The id its form or the phone's offline queue gave it: a message sent twice is stored once.
    client_uuid = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, verbose_name=_("client uuid")
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["patient", "created_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return gettext("Message of %(time)s") % {"time": f"{self.created_at:%Y-%m-%d %H:%M}"}


class MessageThreadQuerySet(models.QuerySet):
    def for_clinician(self, user):
        if user.is_superuser:
            return self
        return self.filter(patient__clinician=user)

    def waiting(self):
        return self.filter(waiting_since__isnull=False)


class MessageThread(models.Model):
    """What the inbox and the queue read for one patient's thread, kept by the services."""

    patient = models.OneToOneField(
        Patient,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="message_thread",
        verbose_name=_("patient"),
    )
    # The oldest patient message not yet answered or marked handled; None: nobody waits.
    waiting_since = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("waiting since")
    )
    # A waiting message named an emergency sign (cleared with waiting_since).
    urgent = models.BooleanField(default=False, verbose_name=_("urgent"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    last_from_patient = models.BooleanField(default=False, verbose_name=_("last from patient"))
    # Patient messages the clinic has not opened yet.
    clinic_unread = models.PositiveIntegerField(default=0, verbose_name=_("clinic unread"))
    handled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("handled at"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    # When the patient was last emailed "You have a new message": one email until they have
    # read what it announced.
    patient_notified_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("patient notified at")
    )

    objects = MessageThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")

    def __str__(self) -> str:
        return gettext("Messages of patient %(id)s") % {"id": self.patient_id}


class QuickReply(models.Model):
    """A clinician's saved answer, put into the reply box with one tap (and edited there)."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quick_replies",
        verbose_name=_("clinician"),
    )
    title = models.CharField(_("title"), max_length=60, validators=[one_line])
    text = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        constraints = [
            models.UniqueConstraint(fields=["clinician", "title"], name="quick_reply_title_unique")
        ]

    def __str__(self) -> str:
        return self.title


class MessageDigestSent(models.Model):
    """A clinician's "patients wrote to you" email: at most one an hour. The hour's slot is
    unique, so two workers cannot both send it."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clinician"),
    )
    hour = models.DateTimeField(
        help_text=_("The start of the hour (UTC) it was sent in."), verbose_name=_("hour")
    )
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))
    patients = models.PositiveIntegerField(default=0, verbose_name=_("patients"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinician", "hour"], name="one_message_digest_an_hour")
        ]
        verbose_name = _("message digest sent")
        verbose_name_plural = _("message digests sent")

    def __str__(self) -> str:
        return gettext("Message digest of %(hour)s") % {"hour": f"{self.hour:%Y-%m-%d %H:00}"}
