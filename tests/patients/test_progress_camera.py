"""The progress page shows what guided mode's camera counted, per exercise over the page's
period: sets counted by the camera against those the patient ticked off, seconds held per
repetition against the prescribed hold, and the form cues said, in their own words."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from patients import progress
from patients.models import ExerciseCheck, SessionLog
from tests.clock import NOW, TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=200), name="Hips"
    )
    bridge = PrescribedExerciseFactory(
        prescription=prescription, order=1, exercise__name="Bridge", sets=3, hold_seconds=5
    )
    clam = PrescribedExerciseFactory(
        prescription=prescription, order=2, exercise__name="Clamshell", sets=2, hold_seconds=None
    )
    return prescription, bridge, clam


def log_on(prescription, days_ago: int) -> SessionLog:
    return SessionLog.objects.create(
        prescription=prescription,
        date=TODAY - datetime.timedelta(days=days_ago),
        completed_at=NOW,
        pain=3,
        done_share=1.0,
    )


def camera_history(plan):
    """Six check-offs of Bridge (3 sets each) in the period, two of them counted by the
    camera: 6 of 18 sets, 84 s over 20 repetitions; Clamshell done by hand only; and one
    camera check-off of Bridge long before the period, which the page leaves out."""
    prescription, bridge, clam = plan
    camera = {
        1: {
            "camera_sets": 3,
            "camera_reps": 10,
            "camera_seconds": 40,
            "form_warnings": {"hips_higher": 2},
        },
        2: {
            "camera_sets": 3,
            "camera_reps": 10,
            "camera_seconds": 44,
            "form_warnings": {"hips_higher": 1, "hold_longer": 1},
        },
    }
    for n in range(1, 9):
        log = log_on(prescription, n)
        if n <= 6:
            ExerciseCheck.objects.create(
                session_log=log, prescribed_exercise=bridge, **camera.get(n, {})
            )
        else:
            ExerciseCheck.objects.create(
                session_log=log, prescribed_exercise=bridge, status="skipped", skip_reason="no_time"
            )
        ExerciseCheck.objects.create(session_log=log, prescribed_exercise=clam)
    old = log_on(prescription, 150)
    ExerciseCheck.objects.create(
        session_log=old,
        prescribed_exercise=bridge,
        camera_sets=1,
        camera_reps=3,
        camera_seconds=3,
        form_warnings={"back_flat": 5},
    )


def progress_url(patient):
    return reverse("admin:patients_patient_progress", args=[patient.pk])


def test_the_page_shows_camera_against_self_reported_sets_the_hold_and_the_cues(
    client, clinician, patient, plan
):
    camera_history(plan)
    _, bridge, clam = plan
    client.force_login(clinician)
    html = client.get(progress_url(patient)).content.decode()
    assert "Counted by the camera" in html
    line = html.split(f'data-testid="camera-{bridge.pk}">')[1].split("</li>")[0]
    assert line == (
        "<strong>Bridge</strong>: Camera: 6 of 18 sets (12 self-reported)"
        " · held 4.2 s of 5 s on average"
        " · “Lift your hips a little higher.” ×3"
        " · “Hold the end position a little longer.” ×1"
    )
    # Clamshell was never done with the camera; the cue from before the period is left out.
    assert f'data-testid="camera-{clam.pk}"' not in html
    assert "Keep your back flat" not in html
    assert "No sets counted by the camera" not in html
    # The skips are still counted with their reasons, from the same query.
    assert "No time ×2" in html


def test_the_read_model_counts_only_done_check_offs_of_the_period(patient, plan):
    camera_history(plan)
    context = progress.progress(patient, today=TODAY)
    (row,) = context["camera_rows"]
    assert row.prescribed == plan[1]
    assert (row.camera.sets, row.camera.total_sets, row.camera.self_reported) == (6, 18, 12)
    assert row.camera.seconds_per_rep == pytest.approx(4.2)
    bridge_row = next(r for r in context["exercise_rows"] if r.prescribed == plan[1])
    assert (bridge_row.done, bridge_row.skipped) == (7, 2)  # all-time counts unchanged


def test_no_hold_is_compared_for_an_exercise_without_one(client, clinician, patient, plan):
    prescription, _, clam = plan
    ExerciseCheck.objects.create(
        session_log=log_on(prescription, 1),
        prescribed_exercise=clam,
        camera_sets=1,
        camera_reps=12,
        camera_seconds=30,
    )
    client.force_login(clinician)
    html = client.get(progress_url(patient)).content.decode()
    line = html.split(f'data-testid="camera-{clam.pk}">')[1].split("</li>")[0]
    assert line == "<strong>Clamshell</strong>: Camera: 1 of 2 sets (1 self-reported)"


def test_one_short_line_when_the_camera_counted_no_set(client, clinician, patient, plan):
    prescription, bridge, _ = plan
    # Done by hand, and once with the camera running but no set counted to the end.
    ExerciseCheck.objects.create(session_log=log_on(prescription, 1), prescribed_exercise=bridge)
    ExerciseCheck.objects.create(
        session_log=log_on(prescription, 2),
        prescribed_exercise=bridge,
        camera_reps=4,
        form_warnings={"hips_higher": 1},
    )
    client.force_login(clinician)
    html = client.get(progress_url(patient)).content.decode()
    assert html.count("No sets counted by the camera in this period.") == 1
    assert 'class="camera-counts"' not in html
    assert "Lift your hips" not in html


def test_camera_data_costs_the_page_no_query(
    client, clinician, patient, plan, django_assert_max_num_queries, no_n_plus_one
):
    prescription, bridge, clam = plan
    for n in range(1, 9):  # by hand only
        log = log_on(prescription, n)
        for item in (bridge, clam):
            ExerciseCheck.objects.create(session_log=log, prescribed_exercise=item)
    client.force_login(clinician)
    # tests/patients/test_progress.py: at most 35, whatever the history.
    with django_assert_max_num_queries(35) as by_hand:
        assert client.get(progress_url(patient)).status_code == 200
    for n in range(9, 60):  # seven more weeks, every check-off counted by the camera
        log = log_on(prescription, n)
        for item in (bridge, clam):
            ExerciseCheck.objects.create(
                session_log=log,
                prescribed_exercise=item,
                camera_sets=item.sets,
                camera_reps=10,
                camera_seconds=50,
                form_warnings={"hips_higher": 1, "go_further": 2},
            )
    with django_assert_max_num_queries(35) as with_camera, no_n_plus_one():
        response = client.get(progress_url(patient))
    assert response.status_code == 200
    assert 'class="camera-counts"' in response.content.decode()
    assert len(with_camera) == len(by_hand)


def test_the_export_names_the_sets_the_camera_counted(client, clinician, patient, plan):
    camera_history(plan)
    client.force_login(clinician)
    response = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    done = rows[0].index("exercises done")
    yesterday = next(
        row for row in rows if row[2] == (TODAY - datetime.timedelta(days=1)).isoformat()
    )
    assert yesterday[done] == "Bridge (camera: 3 of 3 sets); Clamshell"
    by_hand = next(
        row for row in rows if row[2] == (TODAY - datetime.timedelta(days=3)).isoformat()
    )
    assert by_hand[done] == "Bridge; Clamshell"
