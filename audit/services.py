"""Writing audit events: staff looking at a patient's data (``record_view``) and every
create, change and delete of the registered models (``record_changes``, which the owning
app's write path calls; ``audit.registry`` says which models and whose records they are)."""

import datetime

from django.db import connection, transaction

from audit import context, registry
from audit.models import AuditEvent


def _event(*, action: str, patient_id: int | None, target: str, target_id="", fields=()):
    """An unsaved event by the current actor (the request's user, or the system)."""
    actor = context.current()
    return AuditEvent(
        actor_id=actor.user_id,
        actor_username=actor.username,
        action=action,
        patient_id=patient_id,
        target=target[:60],
        target_id=str(target_id)[:40],
        fields=",".join(sorted(fields))[:500],
        path=actor.path,
        ip_address=actor.ip_address,
    )


def record(
    *, action: str, patient_id: int | None, target: str, target_id="", fields=()
) -> AuditEvent:
    event = _event(
        action=action, patient_id=patient_id, target=target, target_id=target_id, fields=fields
    )
    event.save()
    return event


def record_changes(changes, *, patient_id: int | None = None) -> list[AuditEvent]:
    """One event per ``(action, row, fields)`` whose model is registered, in one INSERT.

    With ``patient_id`` (the writer knows whose records it changed) the registry's
    ``patient_of`` is not asked, which saves a query for rows whose relations are not loaded.

    ``fields`` are the changed field names of an update; bookkeeping columns are left out,
    and an update that changed nothing else is not an event. Rows of models that are not
    registered are passed over, so a service can hand over everything it wrote.
    """
    events = []
    for action, row, fields in changes:
        if not registry.is_audited(type(row)):
            continue
        fields = sorted(set(fields) - registry.BOOKKEEPING_FIELDS)
        if action == AuditEvent.Action.UPDATE and not fields:
            continue
        events.append(
            _event(
                action=action,
                patient_id=patient_id if patient_id is not None else registry.patient_id_of(row),
                target=row._meta.label_lower,
                target_id=row.pk,
                fields=fields,
            )
        )
    if events:
        AuditEvent.objects.bulk_create(events)
    return events


def record_view(request, patient, page: str, *, action: str = AuditEvent.Action.VIEW):
    """A member of staff opened one of ``patient``'s pages (change page, progress page,
    handout, export...). Patients looking at their own plan are not audited."""
    if not request.user.is_staff:
        return None
    return record(action=action, patient_id=patient.pk, target=page, target_id=patient.pk)


def record_list(request, patient_ids, page: str) -> AuditEvent | None:
    """A member of staff saw a list of patients (the patient list, the session logs, the
    needs-attention queue, the admin's autocomplete): one event for the page, with the ids
    of the patients shown. A list that showed nobody is not recorded."""
    ids = sorted(set(patient_ids))
    if not request.user.is_staff or not ids:
        return None
    event = _event(action=AuditEvent.Action.VIEW, patient_id=None, target=page, target_id=len(ids))
    event.patient_ids = f",{','.join(str(pk) for pk in ids)},"
    event.save()
    return event


def record_views(request, patients, page: str, *, action: str = AuditEvent.Action.EXPORT):
    """One event per patient, in one query: e.g. the adherence CSV of a whole list."""
    AuditEvent.objects.bulk_create(
        _event(action=action, patient_id=patient.pk, target=page, target_id=patient.pk)
        for patient in patients
    )


def retention_cutoff(now: datetime.datetime, years: int) -> datetime.datetime:
    """The moment ``years`` years before ``now`` (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def events_prune(*, older_than: datetime.datetime, batch_size: int = 5000) -> int:
    """Delete the events from before ``older_than``, oldest first, ``batch_size`` at a time;
    return how many. Each batch is its own short transaction, so a first run over years of
    events neither locks the trail for long nor builds one huge transaction, and the app
    goes on writing events meanwhile. What was deleted is then recorded as one event.

    The only way events ever leave the trail: the model and its queryset refuse deletes,
    so this is plain SQL (the database's trigger refuses updates, not deletes).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    statement = (
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - our own table name, values bound
        f"(SELECT id FROM {table} WHERE at < %s ORDER BY id LIMIT %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM would store it
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [adapt(older_than), batch_size])
            count = cursor.rowcount
        deleted += count
        if count < batch_size:
            break
    if deleted:
        record(
            action=AuditEvent.Action.DELETE,
            patient_id=None,
            target="audit trail",
            target_id=deleted,
            fields=[f"events before {older_than:%Y-%m-%d}"],
        )
    return deleted
