"""The patient's CSV export carries their messages: when, who, the text, the exercise it was
about and when it was read; hidden ones left out; text kept as text, never a formula."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from patients.models import Patient, SessionLog
from patients.services import message_hide, message_send, thread_read
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC)


def export(client, patient) -> list[dict[str, str]]:
    response = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_messages_are_in_the_export_in_order_with_sessions(client, clinician, patient):
    Patient.objects.filter(pk=patient.pk).update(timezone="Europe/Madrid")
    patient.refresh_from_db()
    prescription = PrescriptionFactory(
        patient=patient, start_date=datetime.date(2026, 11, 25), name="Hip"
    )
    clam = PrescribedExerciseFactory(prescription=prescription, exercise__name="Clamshell")
    SessionLog.objects.create(
        prescription=prescription, date=datetime.date(2026, 11, 26), session_number=1, pain=3
    )
    with time_machine.travel(NOW, tick=False):  # 00:30 on the 26th in Madrid
        message_send(
            patient=patient,
            sender=patient.user,
            text="Does it pinch?",
            from_patient=True,
            prescribed=clam,
        )
    with time_machine.travel(NOW + datetime.timedelta(hours=9), tick=False):
        wrong, _ = message_send(
            patient=patient, sender=clinician, text="Bruno: your scan is fine.", from_patient=False
        )
        message_send(patient=patient, sender=clinician, text="A little, yes.", from_patient=False)
    message_hide(message=wrong, by=clinician)
    with time_machine.travel(NOW + datetime.timedelta(hours=10), tick=False):
        thread_read(patient=patient, by_patient=True)
        client.force_login(clinician)
        rows = export(client, patient)

    messages = [row for row in rows if row["status"] == "message"]
    assert [(row["message from"], row["message"]) for row in messages] == [
        ("patient", "Does it pinch?"),
        ("clinic", "A little, yes."),
    ]  # the hidden one (sent to the wrong patient) is not in this patient's record
    asked, answered = messages
    assert asked["date"] == "2026-11-26"  # the patient's day
    assert asked["message time"] == "2026-11-26T00:30:00+01:00"
    assert asked["about exercise"] == "Clamshell"
    assert asked["read at"] == "2026-11-26T09:30:00+01:00"  # answering is reading
    assert answered["read at"] == "2026-11-26T10:30:00+01:00"
    assert answered["about exercise"] == ""
    assert asked["patient"] == patient.full_name
    assert asked["session"] == asked["pain (0-10)"] == asked["note"] == ""
    # The day's session first, then its messages; the sessions' columns unchanged.
    session = next(row for row in rows if row["date"] == "2026-11-26" and row["session"])
    assert rows.index(session) < rows.index(asked)
    assert session["pain (0-10)"] == "3"
    assert session["message"] == session["message time"] == ""


@pytest.mark.parametrize("formula", ["=1+1", "+1", "-1", "@SUM(A1)", "\uff1dHYPERLINK(1)"])
def test_message_text_in_the_export_is_never_a_formula(client, clinician, patient, formula):
    message_send(patient=patient, sender=patient.user, text=formula, from_patient=True)
    client.force_login(clinician)
    (row,) = [row for row in export(client, patient) if row["status"] == "message"]
    assert row["message"] == "'" + formula


def test_the_export_costs_the_same_for_10_and_200_messages(
    client, clinician, patient, django_assert_max_num_queries
):
    client.force_login(clinician)

    def exported(count):
        for n in range(count):
            message_send(patient=patient, sender=clinician, text=f"Note {n}", from_patient=False)
        with django_assert_max_num_queries(15) as queries:
            rows = export(client, patient)
        return len(rows), len(queries)

    few, few_queries = exported(10)
    many, many_queries = exported(190)
    assert (few, many) == (10, 200)
    assert few_queries == many_queries
