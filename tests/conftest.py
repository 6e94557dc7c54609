"""Named actors for every test: the patient, another patient, the clinician, another
clinician, the editor and a superuser, so each view test can ask what the outsider gets."""

import pytest

from tests.factories import (
    ClinicianFactory,
    EditorFactory,
    PatientFactory,
    SuperuserFactory,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing and a private MEDIA_ROOT for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


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
