"""Every create, change and delete of a patient's records becomes an audit event.

Model signals rather than calls in each service, so that no path — the admin, the patient's
plan, a management command, the shell — can change audited data without a trace. Bulk
operations (``bulk_create``, ``update()``) send no signals; only the scale-data seeding
uses them on these models.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from audit.models import AuditEvent
from audit.services import record
from patients.models import Patient, PrescribedExercise, Prescription, SessionLog

# Bookkeeping columns that change on every save and say nothing about who did what.
IGNORED_FIELDS = {"updated_at", "version", "plan_stamp", "received_at"}


def _patient_id(instance) -> int | None:
    if isinstance(instance, Patient):
        return instance.pk
    if isinstance(instance, Prescription):
        return instance.patient_id
    # PrescribedExercise and SessionLog belong to a prescription, usually already loaded.
    return instance.prescription.patient_id


def _remember_changed_fields(sender, instance, raw, update_fields, **kwargs):
    if raw or instance._state.adding:
        return
    names = [
        field.attname
        for field in sender._meta.concrete_fields
        if not field.primary_key and field.attname not in IGNORED_FIELDS
    ]
    if update_fields is not None:
        attnames = {sender._meta.get_field(name).attname for name in update_fields}
        instance._audit_changed = sorted(set(names) & attnames)
        return
    stored = sender._base_manager.filter(pk=instance.pk).values(*names).first() or {}
    instance._audit_changed = sorted(
        name for name in names if stored.get(name) != getattr(instance, name)
    )


def _record_save(sender, instance, created, raw, **kwargs):
    # A restore loads rows as they were; the events that created them are restored with them.
    if raw:
        return
    if created:
        action, fields = AuditEvent.Action.CREATE, ()
    else:
        fields = getattr(instance, "_audit_changed", ())
        if not fields:
            return
        action = AuditEvent.Action.UPDATE
    record(
        action=action,
        patient_id=_patient_id(instance),
        target=sender._meta.label_lower,
        target_id=instance.pk,
        fields=fields,
    )


def _record_delete(sender, instance, **kwargs):
    try:
        patient_id = _patient_id(instance)
    except Prescription.DoesNotExist:
        patient_id = None
    record(
        action=AuditEvent.Action.DELETE,
        patient_id=patient_id,
        target=sender._meta.label_lower,
        target_id=instance.pk,
    )


AUDITED = (Patient, Prescription, PrescribedExercise, SessionLog)


def connect() -> None:
    for model in AUDITED:
        uid = f"audit:{model._meta.label_lower}"
        pre_save.connect(_remember_changed_fields, sender=model, dispatch_uid=uid)
        post_save.connect(_record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_record_delete, sender=model, dispatch_uid=uid)
