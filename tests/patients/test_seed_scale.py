"""seed_scale builds the benchmark's data (accounts, plans, a history that adds up), and
bench.run measures pages on it."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Q
from django.test import override_settings
from django.utils import timezone

from bench import run
from clinic import roles
from patients import demo
from patients.management.commands.seed_scale import clinician_sizes
from patients.models import ExerciseCheck, Patient, Prescription, SessionLog
from tests.factories import ExerciseFactory, PatientFactory, ProgramFactory, ProgramItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def templates(settings):
    """The two demo templates, the beginner one with five exercises marked as shipped, so
    seed_scale finds them instead of drawing the whole library (about 15 seconds)."""
    settings.DEBUG = True
    beginner, progression = demo.DEMO_PROGRAMS
    program = ProgramFactory(name=beginner, owner=None)
    for n in range(5):
        ProgramItemFactory(program=program, exercise=ExerciseFactory(library_key=f"key-{n}"))
    ProgramFactory(name=progression, owner=None)
    return program


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", patients=12, months=1, stdout=out, **options)
    return out.getvalue()


def scale_patients():
    return Patient.objects.filter(user__username__startswith="scale-patient-")


def test_clinician_sizes_give_the_bench_clinician_250_and_spread_the_rest():
    assert clinician_sizes(5000) == [250] * 20
    assert clinician_sizes(12) == [12] + [0] * 19
    sizes = clinician_sizes(300)
    assert sizes[0] == 250
    assert sum(sizes) == 300
    assert max(sizes[1:]) - min(sizes[1:]) <= 1


def test_seed_scale_creates_accounts_plans_and_a_consistent_history(templates):
    out = seed()

    assert "Created 20 clinicians, 12 patients" in out
    clinicians = get_user_model().objects.filter(username__startswith="scale-clinician-")
    assert clinicians.count() == 20
    assert all(c.is_staff and c.groups.filter(name=roles.CLINICIANS).exists() for c in clinicians)
    assert clinicians.get(username="scale-clinician-01").check_password(demo.DEMO_PASSWORD)
    # Fewer than 250 patients: scale-clinician-01 has them all (see clinician_sizes).
    assert clinicians.annotate(n=Count("patients")).get(username="scale-clinician-01").n == 12

    patients = scale_patients()
    assert patients.count() == 12
    assert not patients.filter(safety_acknowledged_at=None).exists()
    assert patients.values("calendar_token").distinct().count() == 12
    prescriptions = Prescription.objects.filter(patient__in=patients)
    assert prescriptions.filter(status=Prescription.Status.ACTIVE, program=templates).count() == 12
    assert all(p.exercises.count() == 5 for p in prescriptions)

    logs = SessionLog.objects.filter(prescription__in=prescriptions).annotate(
        done=Count("checks", filter=Q(checks__status=ExerciseCheck.Status.DONE)),
        last_check=Max("checks__checked_at"),
    )
    completed = logs.exclude(completed_at=None)
    assert completed.count() > 0
    assert ExerciseCheck.objects.filter(session_log__in=logs).count() > 0
    assert not logs.filter(date__gte=timezone.localdate()).exists()  # today is left to do
    for log in completed:
        assert (log.done_share, log.done, log.updated_at) == (1.0, 5, log.completed_at)
        assert 0 <= log.pain <= 10
    for log in logs.filter(completed_at=None):
        assert log.done_share == log.done / 5
        assert log.updated_at == log.last_check


def test_seed_scale_stops_when_scale_data_exists_and_reset_replaces_only_it(templates):
    other = PatientFactory()
    seed()
    fingerprint = list(
        SessionLog.objects.order_by("prescription__patient__user__username", "date").values_list(
            "date", "pain", "effort", "note", "done_share"
        )
    )

    assert "already exists" in seed()
    assert scale_patients().count() == 12

    assert "Deleted 12 scale patients" in seed(reset=True)
    assert scale_patients().count() == 12
    assert Patient.objects.filter(pk=other.pk).exists()
    same_seed = SessionLog.objects.order_by(
        "prescription__patient__user__username", "date"
    ).values_list("date", "pain", "effort", "note", "done_share")
    assert list(same_seed) == fingerprint


def test_seed_scale_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert not get_user_model().objects.filter(username__startswith="scale-").exists()


def test_bench_measures_every_page_on_a_small_data_set(templates):
    seed()
    clinician = get_user_model().objects.get(username="scale-clinician-01")
    patient = scale_patients().select_related("user").first()

    with override_settings(ROOT_URLCONF=run.BenchURLconf):
        measured = {
            name: run.measure(client, url, 2, *before_each)
            for name, client, url, *before_each in run.pages(patient, clinician)
        }

    # Session, user, and the view's one query.
    assert measured["baseline"]["queries"] == 3
    # Today as most visits find it (the plan kept rendered) and after a change.
    assert measured["today"]["queries"] == 2
    assert measured["today after a change"]["queries"] > 2
    # /healthz on PostgreSQL asks on a connection of its own (clinic/health.py), not Django's.
    assert all(
        page["queries"] > 0 and page["bytes"] > 0
        for name, page in measured.items()
        if name != "healthz" or connection.vendor == "sqlite"
    )
    assert all(0 < page["median_ms"] <= page["p95_ms"] for page in measured.values())
    assert "| today | `/plan/` |" in run.markdown({"pages": measured})


def test_bench_summary_is_the_median_and_a_measured_95th_percentile():
    assert run.summarize([float(n) for n in range(1, 21)]) == (10.5, 19.0)
