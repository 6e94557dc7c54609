"""The write path's guard: every model the patient's pages read and every model the audit
trail keeps is registered, and a write to any of them that skips ``patients.changes.record``
fails (tests/write_path.py wraps every test-client request in the same check)."""

import datetime
import re

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import registry
from exercises import services as exercise_services
from exercises.library.education import load_shipped_education
from exercises.models import EducationPage, Exercise
from patients import changes, plan_cache, services
from patients.models import (
    ExerciseCheck,
    ExerciseFeedback,
    FunctionCheckIn,
    Message,
    MessageThread,
    Patient,
    PrescribedExercise,
    Prescription,
    PrescriptionEducation,
    SessionLog,
)
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory
from tests.write_path import UnrecordedWriteError, every_write_recorded, guarded_models

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)

# Read by the day page but not kept in its rendering's key, each for its reason.
NOT_PLAN_DATA = {
    "django_session",  # the request's session
    "clinic_user",  # the signed-in user; a clinician's name: clinic.accounts.staff_renamed
}


@pytest.fixture
def lived_in_plan(patient):
    """A plan with everything a day page can show: exercises, a log with a check, a
    function check-in, an education page to read."""
    today = patient.today()
    prescription = PrescriptionFactory(patient=patient, start_date=today - datetime.timedelta(3))
    items = [PrescribedExerciseFactory(prescription=prescription, order=n) for n in range(2)]
    services.exercise_check_off(
        patient=patient,
        prescribed=items[0],
        day=today,
        session_number=1,
        status=ExerciseCheck.Status.DONE,
    )
    services.function_checkin_save(
        patient=patient, day=today, scores={}, new_activities=[("Walking", 5)], entered_by=None
    )
    services.exercise_feedback_give(
        patient=patient, prescribed=items[0], day=today, session_number=1, effort="too_hard"
    )
    services.message_send(
        patient=patient, sender=patient.user, text="Is that right?", from_patient=True
    )
    exercise_services.education_load(entries=load_shipped_education()[:1])
    with transaction.atomic():
        changes.record(
            patient.pk,
            services.education_sync(
                prescription, list(EducationPage.objects.all()), in_handout=False
            ),
        )
    return prescription


def models_read(sql: list[str]) -> set[str]:
    tables = {table for query in sql for table in TABLE.findall(query)}
    return tables - NOT_PLAN_DATA


def test_every_table_the_day_page_reads_is_registered(client, patient, lived_in_plan):
    """Removing a model from ``plan_cache.DAY_PAGE_MODELS`` (or adding a table to the page
    without registering it) fails here: its writes would leave kept pages stale."""
    client.force_login(patient.user)
    caches[plan_cache.CACHE_ALIAS].clear()
    yesterday = (patient.today() - datetime.timedelta(days=1)).isoformat()
    with CaptureQueriesContext(connection) as captured:
        for url in (reverse("patients:today"), reverse("patients:day", args=[yesterday])):
            assert client.get(url).status_code == 200
    read = models_read([query["sql"] for query in captured.captured_queries])
    registered = {model._meta.db_table for model in plan_cache.DAY_PAGE_MODELS}
    assert read - registered == set(), "read by the day page, not in DAY_PAGE_MODELS"


def test_the_patients_records_are_all_audited():
    """Removing a registration from ``PatientsConfig.ready`` fails here."""
    assert set(registry.audited_models()) == {
        Patient,
        Prescription,
        PrescribedExercise,
        PrescriptionEducation,
        SessionLog,
        ExerciseCheck,
        ExerciseFeedback,
        FunctionCheckIn,
        Message,
        MessageThread,
    }


def one_row_of(model):
    return apps.get_model(model._meta.label).objects.order_by("pk").first()


@pytest.mark.parametrize(
    "model",
    sorted(guarded_models(), key=lambda model: model._meta.label),
    ids=lambda model: model._meta.label,
)
def test_a_save_past_the_write_path_is_caught(patient, lived_in_plan, model):
    row = one_row_of(model)
    assert row is not None, f"no {model._meta.label} row to save"
    with pytest.raises(UnrecordedWriteError, match=model._meta.label), every_write_recorded():
        row.save()


def test_the_same_save_through_the_write_path_passes(patient, lived_in_plan):
    prescription = Prescription.objects.get()
    with every_write_recorded():
        prescription.message = "Twice a day now."
        prescription.save(update_fields=["message"])
        changes.record(patient.pk, [changes.changed(prescription, ["message"])])
    assert Exercise.objects.exists()
