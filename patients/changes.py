"""The one write path for patients' records: the audit trail and the day page's cache.

Every service (and every admin save) that writes a row the audit trail records or the day
page shows hands what it wrote to ``record`` once, at the end of its transaction:

    changes.record(patient.pk, [changes.created(log), changes.changed(check, ["status"])])

which writes the audit events in one INSERT and gives the patients a new ``plan_stamp`` in
one UPDATE, inside the same transaction as the change: if the change rolls back, so do its
events and its stamp, and once it commits no request can read the new rows under the old
stamp's rendering. ``bulk_create`` and ``update()`` go through here like single saves.

Model signals are not used to write: they fire per row (a 3-exercise assignment would cost 3
stamps and 3 INSERTs) and never for bulk writes. They remain only in the tests, as a guard
that every write to a registered model was recorded (tests/write_path.py). ``recorded`` is
sent with each call, for that guard.
"""

import copy
import uuid
from collections.abc import Iterable

from django.db import models, router
from django.db.models.deletion import Collector
from django.dispatch import Signal

from audit.models import AuditEvent
from audit.services import record_changes
from patients.models import Patient

# Sent by ``record`` with ``changes``, a list of (action, row, fields).
recorded = Signal()

Change = tuple[str, models.Model, tuple[str, ...]]


def created(row: models.Model) -> Change:
    return (AuditEvent.Action.CREATE, row, ())


def changed(row: models.Model, fields: Iterable[str]) -> Change:
    return (AuditEvent.Action.UPDATE, row, tuple(fields))


def deleted(row: models.Model) -> Change:
    """Take this *before* deleting the row. A copy is kept: Django clears the id of a row it
    deletes, and the audit event names the row by its id."""
    return (AuditEvent.Action.DELETE, copy.copy(row), ())


def deleted_with_cascade(row: models.Model) -> list[Change]:
    """``row`` and every row its deletion takes with it (a prescription's exercises and
    logs), as Django's delete would collect them: hand these over before deleting."""
    collector = Collector(using=router.db_for_write(type(row)))
    collector.collect([row])
    return [deleted(obj) for model, objs in collector.data.items() for obj in objs] + [
        deleted(obj)
        for queryset in collector.fast_deletes
        if hasattr(queryset, "model")
        for obj in queryset
    ]


def record(patient_ids: int | Iterable[int] | None, changes: Iterable[Change]) -> None:
    """Audit ``changes`` and make the plans of ``patient_ids`` stale (None: nobody's)."""
    changes = list(changes)
    record_changes(changes, patient_id=patient_ids if isinstance(patient_ids, int) else None)
    plans_stale(patient_ids)
    recorded.send(sender=None, changes=changes)


def plans_stale(patient_ids: int | Iterable[int] | None) -> None:
    """Give these patients new stamps: their cached day pages (and needs-attention
    summaries) are stale. One UPDATE whatever the number of patients."""
    if patient_ids is None:
        return
    ids = [patient_ids] if isinstance(patient_ids, int) else list(patient_ids)
    if ids:
        plans_stale_where(pk__in=ids)


def plans_stale_where(**lookup) -> None:
    """The same for the patients ``lookup`` finds (one UPDATE): a clinician's, or those with
    a library exercise prescribed."""
    Patient.objects.filter(**lookup).update(plan_stamp=uuid.uuid4())
