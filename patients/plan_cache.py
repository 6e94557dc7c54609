"""The day page's plan, rendered once per change rather than once per visit.

Today is the page patients open most, and most visits find nothing changed since the last
one. Its plan (the sessions, the exercise cards, the session-done forms) is therefore kept,
rendered, in this process's memory, under a key that holds the patient's ``plan_stamp``.
The stamp comes with the signed-in user (no query); every write of something the plan shows
gives the patient a new random stamp, in the same transaction as the change, so the next
visit misses the old rendering and builds a new one. Writers do that through the one write
path, ``patients.changes.record``; ``DAY_PAGE_MODELS`` below lists what the plan shows.
Editors' library and education page changes and a clinician's new name arrive as signals
that the ``exercises`` and ``clinic`` apps send (they may not import this app). The date
is part of the key too, so a new day never sees yesterday's rendering, and so is the
language, so a patient who switches language never sees the old one.

Kept out of the rendering, so that it is the same for every request: the CSRF token (a
placeholder, swapped for the request's own token on the way out), the CSP nonce (the plan has
no scripts) and the page's frame (rendered per request). The cache is local memory on
purpose, never the shared Redis cache: health data stays in the process that read it, and
a deploy's new templates start from an empty cache.
"""

import datetime
import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from exercises.models import EducationPage, Exercise
from patients import changes
from patients.models import (
    ExerciseCheck,
    ExerciseFeedback,
    FunctionCheckIn,
    Patient,
    PrescribedExercise,
    Prescription,
    PrescriptionEducation,
    SessionLog,
)

CACHE_ALIAS = "plan-pages"
# Not a token: a random marker in the stored rendering where each request's token goes.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"


def _cache():
    return caches[CACHE_ALIAS]


def cache_key(patient: Patient, day: datetime.date, today: datetime.date, variant: str) -> str:
    # One rendering per language: the page is in the language active for this request.
    language = translation.get_language()
    return (
        f"plan:{patient.pk}:{patient.plan_stamp}:{day.isoformat()}:{today.isoformat()}"
        f":{language}:{variant}"
    )


def get(request, key: str) -> SafeString | None:
    stored = _cache().get(key)
    return None if stored is None else with_csrf_token(request, stored)


def put(request, key: str, rendered: str) -> SafeString:
    _cache().set(key, rendered)
    return with_csrf_token(request, rendered)


def with_csrf_token(request, rendered: str) -> SafeString:
    # The rendering was escaped when it was made; the token is letters and digits only.
    return mark_safe(rendered.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


# --- What makes a plan stale -----------------------------------------------------------------

# Every model whose rows the day page shows. A write to one of these goes through
# ``patients.changes.record`` (which gives the patient a new stamp); the write-path guard test
# reads this set and checks it against the tables the day page actually queries. The
# clinician's name shows too: see ``clinician_renamed``.
DAY_PAGE_MODELS = frozenset(
    {
        Patient,
        Prescription,
        PrescribedExercise,
        SessionLog,
        ExerciseCheck,
        FunctionCheckIn,
        ExerciseFeedback,
        Exercise,
        # The "Read" items: the pages a prescription carries, their titles and summaries.
        PrescriptionEducation,
        EducationPage,
    }
)


def clinician_renamed(sender, user, **kwargs):
    """A clinician's displayed name changed: their patients' messages show it. Saving a
    user for any other reason (every sign-in stores ``last_login``) touches no patient."""
    changes.plans_stale_where(clinician=user.pk)


def library_changed(sender, exercise_ids, **kwargs):
    # An editor changed these exercises (names, pictures): every patient who has one.
    changes.plans_stale_where(prescriptions__exercises__exercise__in=list(exercise_ids))


def education_changed(sender, page_ids, **kwargs):
    # An editor changed these education pages (titles, summaries): every patient who has one.
    changes.plans_stale_where(prescriptions__education__page__in=list(page_ids))


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    # Tests change settings the rendering depends on (grace days, media URL) in one process.
    # A change of CACHES itself is Django's to handle: it sets up the caches anew.
    if setting != "CACHES" and CACHE_ALIAS in settings.CACHES:
        _cache().clear()
