"""Who looked at or changed which patient's data, and when: an append-only table.

An event records ids and field names, never values: the audit trail must not become a
second copy of the notes and names it protects.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted one by one."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")

    def about(self, patient):
        return self.filter(patient_id=patient.pk)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", pgettext_lazy("audit action", "viewed")
        EXPORT = "export", pgettext_lazy("audit action", "exported")
        PRINT = "print", pgettext_lazy("audit action", "printed")
        CREATE = "create", pgettext_lazy("audit action", "created")
        UPDATE = "update", pgettext_lazy("audit action", "changed")
        DELETE = "delete", pgettext_lazy("audit action", "deleted")

    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("at"))
    # Who: null for the system (management commands, scheduled tasks). No foreign-key
    # constraint, so that the trail outlives a deleted account; the username is kept too.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("Staff only: patients are kept as an id."),
        verbose_name=_("actor username"),
    )
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("action"))
    # Whose data. Again no constraint: the events about a deleted patient stay.
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("patient"),
    )
    # What: a model label ("patients.sessionlog") or a page ("progress page"), and its id.
    target = models.CharField(max_length=60, verbose_name=_("target"))
    target_id = models.CharField(max_length=40, blank=True, verbose_name=_("target id"))
    fields = models.CharField(
        _("fields changed"), max_length=500, blank=True, help_text=_("Names only, never values.")
    )
    # A list page (the patient list, the needs-attention queue...) shows many patients at
    # once: one event for the page, with their ids (never names), as ",3,17,42," so that a
    # search for one id cannot match another.
    patient_ids = models.TextField(
        _("patients shown"), blank=True, help_text=_("List pages: the ids of the patients shown.")
    )
    path = models.CharField(max_length=200, blank=True, verbose_name=_("path"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        who = self.actor_username or (
            gettext("user #%(id)s") % {"id": self.actor_id}
            if self.actor_id
            else pgettext("audit actor", "system")
        )
        return f"{who} {self.get_action_display()} {self.target} {self.target_id}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    @property
    def shown_ids(self) -> list[int]:
        """The patients a list page showed."""
        return [int(pk) for pk in self.patient_ids.strip(",").split(",") if pk]
