"""What the audit trail records, as the apps that own the data declare it.

The audit app knows no other app's models: each app registers, from its ``ready()``, the
models whose changes are health records and how to find the patient a row belongs to
(``audit.register(Prescription, patient_of=lambda p: p.patient_id)``). The write path
(``audit.services.record_changes``) reads this table; the test that guards the write path
reads it to know which writes must leave an event.
"""

from collections.abc import Callable

from django.db import models

# Bookkeeping columns that change on every save and say nothing about who did what.
BOOKKEEPING_FIELDS = frozenset({"updated_at", "version", "plan_stamp", "received_at"})

_patient_of: dict[type[models.Model], Callable[[models.Model], int | None]] = {}


def register(model: type[models.Model], *, patient_of: Callable[[models.Model], int | None]):
    """Record every create, change and delete of ``model``; ``patient_of(row)`` is the id
    of the patient whose record the row is (or None)."""
    _patient_of[model] = patient_of


def is_audited(model: type[models.Model]) -> bool:
    return model in _patient_of


def audited_models() -> list[type[models.Model]]:
    return sorted(_patient_of, key=lambda model: model._meta.label_lower)


def patient_id_of(instance: models.Model) -> int | None:
    return _patient_of[type(instance)](instance)
