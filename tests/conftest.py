"""Named actors for every test: the patient, another patient, the clinician, another
clinician, the editor and a superuser, so each view test can ask what the outsider gets."""

import os
import shutil
import tempfile

import hypothesis
import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from zeal import zeal_context
from zeal.constants import initialize_app_registry
from zeal.patch import patch as zeal_patch

from clinic import roles
from tests.clock import NOW
from tests.factories import (
    ClinicianFactory,
    EditorFactory,
    PatientFactory,
    SuperuserFactory,
)
from tests.write_path import WritePathClient

# In CI every run draws the same examples (a failure there is reproducible, never luck);
# locally Hypothesis explores and keeps what it found in .hypothesis/.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis.settings.load_profile("ci")

# django-zeal watches querysets for N+1 patterns, but only inside `no_n_plus_one()` blocks:
# the page requests of the query-budget tests. (What zeal's app config would do, for the
# tests only: production has no use for the patching.)
initialize_app_registry()
zeal_patch()


DRAWINGS_DIR = "HOMEPLAN_LIBRARY_DRAWINGS_DIR"


def pytest_configure(config):
    """One folder of kept library drawings for the run, made before the xdist workers start
    (they inherit it): the library is drawn once for the whole suite, not once per process."""
    if hasattr(config, "workerinput") or os.environ.get(DRAWINGS_DIR):
        return
    config.drawings_dir = os.environ[DRAWINGS_DIR] = tempfile.mkdtemp(prefix="homeplan-drawings-")


def pytest_unconfigure(config):
    if folder := getattr(config, "drawings_dir", None):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _kept_library_drawings():
    """Django's settings may be read before pytest_configure: the folder is set here too."""
    with override_settings(LIBRARY_DRAWINGS_DIR=os.environ.get(DRAWINGS_DIR, "")):
        yield


def pytest_collection_modifyitems(config, items):
    """Tests of a database server's faults (``postgresql`` marker) mean nothing for SQLite's
    file: the SQLite pass leaves them out, named in the summary, and the PostgreSQL pass runs
    them, so that with CI=true nothing is ever skipped."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql")]
    if left_out:
        items[:] = [item for item in items if item not in left_out]
        config.hook.pytest_deselected(items=left_out)


@pytest.fixture
def client():
    """Django's test client, with the write-path guard around every request
    (tests/write_path.py)."""
    return WritePathClient()


@pytest.fixture
def no_n_plus_one():
    """``with no_n_plus_one(): client.get(...)`` raises zeal.NPlusOneError if the request
    loads related rows one at a time, even while the query count is within its budget."""
    return zeal_context


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing and a MEDIA_ROOT (and private media root) of its own for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    # Queued tasks run inline in tests; one test checks the database backend on its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Rate-limit counters and rendered plans live in caches; one test must not see another's.
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def clinician(db):
    return ClinicianFactory(username="clinician-a")


@pytest.fixture
def other_clinician(db):
    return ClinicianFactory(username="clinician-b")


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="admin")


@pytest.fixture
def patient(clinician):
    return PatientFactory(clinician=clinician, first_name="Alice", last_name="Ashby")


@pytest.fixture
def other_patient(other_clinician):
    return PatientFactory(clinician=other_clinician, first_name="Bruno", last_name="Bright")


@pytest.fixture
def role_groups(transactional_db):
    """The role groups, for transactional tests.

    Tests that commit real rows (live server, several processes) flush the database after
    them; the flush's post_migrate signal re-creates the groups (``clinic.apps``), and this
    makes sure of it for the test at hand.
    """
    roles.role_groups_sync()


@pytest.fixture
def frozen_clock():
    """Stop the clock at NOW for tests about days, windows and streaks."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
