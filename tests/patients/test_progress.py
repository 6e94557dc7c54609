import csv
import datetime
import io

import pytest
from django.urls import reverse

from patients.models import ExerciseCheck, SessionLog
from tests.clock import NOW, TODAY
from tests.factories import PatientFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def history(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=20), name="Beginner"
    )
    bridge, clam = (
        PrescribedExerciseFactory(prescription=prescription, exercise__name=name)
        for name in ("Bridge", "Clamshell")
    )
    for n in range(1, 15):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=TODAY - datetime.timedelta(days=n),
            completed_at=NOW,
            pain=2 + n % 3,
            effort="too_hard" if n == 3 else "about_right",
            note="Knees felt stiff" if n == 5 else "",
            done_share=1.0,
        )
        ExerciseCheck.objects.create(session_log=log, prescribed_exercise=bridge)
        ExerciseCheck.objects.create(
            session_log=log,
            prescribed_exercise=clam,
            status="skipped" if n in (2, 4) else "done",
            skip_reason="too_painful" if n in (2, 4) else "",
        )
    return prescription


def progress_url(patient):
    return reverse("admin:patients_patient_progress", args=[patient.pk])


def test_progress_page_shows_charts_table_notes_and_history(client, clinician, patient, history):
    client.force_login(clinician)
    html = client.get(progress_url(patient)).content.decode()
    assert 'class="heatmap"' in html
    assert html.count("<rect") >= 84  # 12 weeks of days
    assert "<polyline" in html  # pain over time
    assert "Adherence by week" in html
    assert "Too painful ×2" in html
    assert "Knees felt stiff" in html
    assert "Beginner" in html
    assert 'data-testid="adherence-7">100%' in html


def test_progress_page_query_count_does_not_grow_with_history(
    client, clinician, patient, history, django_assert_max_num_queries, no_n_plus_one
):
    client.force_login(clinician)
    # 32: one more for the exercises prescribed despite a precaution (who, why, when), and
    # one for each exercise's own "how did it feel?" answers (its row and the suggestions).
    # 35: three for the messages panel (the newest messages, the thread, the quick replies).
    with django_assert_max_num_queries(35) as small:
        assert client.get(progress_url(patient)).status_code == 200
    for n in range(15, 80):  # two more months of sessions with check-offs
        log = SessionLog.objects.create(
            prescription=history, date=TODAY - datetime.timedelta(days=n), completed_at=NOW, pain=3
        )
        for item in history.exercises.all():
            ExerciseCheck.objects.create(session_log=log, prescribed_exercise=item)
    with django_assert_max_num_queries(35) as large, no_n_plus_one():
        assert client.get(progress_url(patient)).status_code == 200
    assert len(large) == len(small)


def test_another_clinician_gets_404_on_progress_and_exports(
    client, other_clinician, patient, history
):
    client.force_login(other_clinician)
    assert client.get(progress_url(patient)).status_code == 404
    export = reverse("admin:patients_patient_export", args=[patient.pk])
    assert client.get(export).status_code == 404


def test_patients_and_anonymous_cannot_open_progress(client, patient, history):
    assert client.get(progress_url(patient)).status_code == 302
    client.force_login(patient.user)
    assert client.get(progress_url(patient)).status_code == 302


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_patient_export_lists_every_session(client, clinician, patient, history):
    client.force_login(clinician)
    response = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:7] == [
        "patient",
        "patient id",
        "date",
        "session",
        "program",
        "status",
        "pain (0-10)",
    ]
    # 14 logged sessions and the 6 due days before them with nothing logged, in date order.
    assert len(rows) == 1 + 14 + 6
    assert {tuple(row[:2]) for row in rows[1:]} == {(patient.full_name, str(patient.pk))}
    assert [row[5] for row in rows[1:7]] == ["missed"] * 6
    assert rows[1][2] == (TODAY - datetime.timedelta(days=20)).isoformat()
    assert [row[2] for row in rows[1:]] == sorted(row[2] for row in rows[1:])
    skipped_column = rows[0].index("exercises skipped")
    skipped = [row for row in rows if "Clamshell (Too painful)" in row[skipped_column]]
    assert len(skipped) == 2
    again = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    assert b"".join(again.streaming_content).startswith("\ufeff".encode())  # for Excel


def test_adherence_export_contains_exactly_the_clinicians_own_patients(
    client, clinician, patient, history, other_patient
):
    second = PatientFactory(clinician=clinician, last_name="Second")
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_changelist"),
        {
            "action": "export_adherence_csv",
            "_selected_action": [patient.pk, second.pk, other_patient.pk],
        },
    )
    rows = read_csv(response)
    assert {row[0] for row in rows[1:]} == {str(patient.pk), str(second.pk)}


def test_patient_list_shows_adherence_and_pain(client, clinician, patient, history):
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_changelist")).content.decode()
    assert "100%" in html
    assert "/10" in html
    sorted_html = client.get(reverse("admin:patients_patient_changelist"), {"o": "2"})
    assert sorted_html.status_code == 200
