"""The day page's plan, rendered once per change rather than once per visit.

Today is the page patients open most, and most visits find nothing changed since the last
one. Its plan (the sessions, the exercise cards, the session-done forms) is therefore kept,
rendered, in this process's memory, under a key that holds the patient's ``plan_stamp``.
The stamp comes with the signed-in user (no query); every save or delete of something the
plan shows gives the patient a new random stamp, in the same transaction as the change, so
the next visit misses the old rendering and builds a new one. Writers need do nothing: model
signals cover the admin, the patient's pages, commands and the shell alike.

What the plan shows, and so what changes the stamp: the patient (check-in interval,
clinician), their prescriptions, prescribed exercises, session logs, exercise checks and
function check-ins, the library's exercises (names, pictures) and the clinician's name.
Bulk ``update()`` and ``bulk_create`` send no signals: code that uses them on these models
calls ``patients_changed`` itself (or, like ``prescription_assign``, runs in a transaction
with a save that does). The date is part of the key too, so a new day never sees
yesterday's rendering.

Kept out of the rendering, so that it is the same for every request: the CSRF token (a
placeholder, swapped for the request's own token on the way out), the CSP nonce (the plan has
no scripts) and the page's frame (rendered per request). The cache is local memory on
purpose, never the shared Redis cache: health data stays in the process that read it, and
a deploy's new templates start from an empty cache.
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from exercises.models import Exercise
from patients.models import (
    ExerciseCheck,
    FunctionCheckIn,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
)

CACHE_ALIAS = "plan-pages"
# Not a token: a random marker in the stored rendering where each request's token goes.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"


def _cache():
    return caches[CACHE_ALIAS]


def cache_key(patient: Patient, day: datetime.date, today: datetime.date, variant: str) -> str:
    return f"plan:{patient.pk}:{patient.plan_stamp}:{day.isoformat()}:{today.isoformat()}:{variant}"


def get(request, key: str) -> SafeString | None:
    stored = _cache().get(key)
    return None if stored is None else with_csrf_token(request, stored)


def put(request, key: str, rendered: str) -> SafeString:
    _cache().set(key, rendered)
    return with_csrf_token(request, rendered)


def with_csrf_token(request, rendered: str) -> SafeString:
    # The rendering was escaped when it was made; the token is letters and digits only.
    return mark_safe(rendered.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


def patients_changed(patients) -> None:
    """Give these patients (a Patient queryset) new stamps: their cached plans are stale."""
    patients.update(plan_stamp=uuid.uuid4())


# --- What makes a plan stale -----------------------------------------------------------------


@receiver(pre_save, sender=Patient)
def _patient_saving(sender, instance, raw, update_fields, **kwargs):
    # A new stamp in the same UPDATE, never the one this instance was loaded with: saving a
    # patient read before someone's check-off must not bring back a stamp already retired.
    if not raw:
        instance.plan_stamp = uuid.uuid4()


@receiver(post_save, sender=Patient)
def _patient_saved(sender, instance, raw, update_fields, **kwargs):
    if not raw and update_fields is not None and "plan_stamp" not in update_fields:
        patients_changed(Patient.objects.filter(pk=instance.pk))


# How to find the patients a saved or deleted row belongs to: a lookup on Patient, and the
# row's attribute that it matches.
PATIENTS_OF = {
    Prescription: ("pk", "patient_id"),
    FunctionCheckIn: ("pk", "patient_id"),
    PrescribedExercise: ("prescriptions", "prescription_id"),
    SessionLog: ("prescriptions", "prescription_id"),
    ExerciseCheck: ("prescriptions__session_logs", "session_log_id"),
    # Rare (an editor's change) but wide: every patient with the exercise prescribed.
    Exercise: ("prescriptions__exercises__exercise", "pk"),
}


def _record_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        lookup, attribute = PATIENTS_OF[sender]
        patients_changed(Patient.objects.filter(**{lookup: getattr(instance, attribute)}))


for _model in PATIENTS_OF:
    post_save.connect(_record_changed, sender=_model, dispatch_uid=f"plan-cache-save-{_model}")
    post_delete.connect(_record_changed, sender=_model, dispatch_uid=f"plan-cache-del-{_model}")


@receiver(post_save, sender=get_user_model())
def _clinician_changed(sender, instance, raw=False, **kwargs):
    # Messages show the clinician's name. Patients' own accounts (saved at every sign-in)
    # are never anyone's clinician, so they cost no query.
    if not raw and instance.is_staff:
        patients_changed(Patient.objects.filter(clinician=instance.pk))


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    # Tests change settings the rendering depends on (grace days, media URL) in one process.
    # A change of CACHES itself is Django's to handle: it sets up the caches anew.
    if setting != "CACHES" and CACHE_ALIAS in settings.CACHES:
        _cache().clear()
