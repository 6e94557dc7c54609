"""The guard over the one write path (patients/changes.py).

Services record what they wrote; nothing records it for them. So the tests watch: while a
test client's request runs, every row saved or deleted of a model that the audit trail
keeps or that the day page shows must have been handed to ``patients.changes.record`` (or,
for library exercises, announced with ``exercises.signals.library_changed``) in the same
request. A write that slips past the write path -- a new service, an admin form, a bulk
write turned into a save -- fails the test that made it, whatever that test was about.

Model signals are used here, and only here: they see every ``save()`` and ``delete()``.
"""

from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save
from django.test import Client

from audit import registry
from exercises.models import EducationPage, Exercise
from exercises.signals import education_changed, library_changed
from patients import changes, plan_cache


class UnrecordedWriteError(AssertionError):
    pass


def guarded_models() -> set[type]:
    return set(registry.audited_models()) | set(plan_cache.DAY_PAGE_MODELS)


@contextmanager
def every_write_recorded():
    written, recorded = [], set()

    def saved(sender, instance, raw=False, **kwargs):
        if not raw:
            written.append((sender, instance.pk))

    def deleted(sender, instance, **kwargs):
        written.append((sender, instance.pk))

    def on_record(sender, changes, **kwargs):
        recorded.update((type(row), row.pk) for _, row, _ in changes)

    def on_library(sender, exercise_ids, **kwargs):
        recorded.update((Exercise, pk) for pk in exercise_ids)

    def on_education(sender, page_ids, **kwargs):
        recorded.update((EducationPage, pk) for pk in page_ids)

    models = guarded_models()
    for model in models:
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"guard-save-{model}")
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"guard-del-{model}")
    changes.recorded.connect(on_record, weak=False, dispatch_uid="guard-recorded")
    library_changed.connect(on_library, weak=False, dispatch_uid="guard-library")
    education_changed.connect(on_education, weak=False, dispatch_uid="guard-education")
    try:
        yield written
    finally:
        for model in models:
            post_save.disconnect(dispatch_uid=f"guard-save-{model}", sender=model)
            post_delete.disconnect(dispatch_uid=f"guard-del-{model}", sender=model)
        changes.recorded.disconnect(dispatch_uid="guard-recorded")
        library_changed.disconnect(dispatch_uid="guard-library")
        education_changed.disconnect(dispatch_uid="guard-education")
    missing = [(model._meta.label, pk) for model, pk in written if (model, pk) not in recorded]
    if missing:
        raise UnrecordedWriteError(
            f"Written without patients.changes.record (no audit event, stale day page): {missing}"
        )


class WritePathClient(Client):
    """The test client, with every request under ``every_write_recorded``."""

    def request(self, **request):
        with every_write_recorded():
            return super().request(**request)
