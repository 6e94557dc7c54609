"""Clinical safety: the safety advice on first visit, "my symptoms got worse", precaution
tags when prescribing, the program-size warning, and variant links in suggestions."""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.urls import reverse

from exercises.models import PrecautionTag, SafetyAdvice
from patients import attention, services
from patients.contraindications import ContraindicationWarning
from patients.models import ContraindicationOverride, Patient, SessionLog, SymptomReport
from tests.clock import NOW, TODAY
from tests.factories import (
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    ProgramFactory,
    ProgramItemFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hip_replacement():
    return PrecautionTag.objects.get(slug="after_hip_replacement")


# --- When to stop and get help ---------------------------------------------------------------


def test_first_visit_shows_the_safety_advice_once_and_records_it(client, patient):
    patient.safety_acknowledged_at = None
    patient.save()
    client.force_login(patient.user)
    response = client.get(reverse("patients:today"))
    assert response.url == f"{reverse('patients:safety')}?next=%2Fplan%2F"
    page = client.get(response.url).content.decode()
    assert "Get urgent help now if you have:" in page
    assert "both legs" in page
    response = client.post(reverse("patients:safety"), {"next": "/plan/"})
    assert response.url == "/plan/"
    patient.refresh_from_db()
    assert patient.safety_acknowledged_at is not None
    assert client.get(reverse("patients:today")).status_code == 200
    assert "I have read this" not in client.get(reverse("patients:safety")).content.decode()


def test_acknowledging_never_redirects_off_site(client, patient):
    patient.safety_acknowledged_at = None
    patient.save()
    client.force_login(patient.user)
    response = client.post(reverse("patients:safety"), {"next": "https://evil.example/"})
    assert response.url == reverse("patients:today")


def test_every_patient_page_links_to_the_advice(client, patient):
    prescribed = PrescribedExerciseFactory(
        prescription__patient=patient, prescription__start_date=datetime.date(2026, 1, 1)
    )
    client.force_login(patient.user)
    today = patient.today().isoformat()
    for url in (
        reverse("patients:today"),
        reverse("patients:history"),
        reverse("patients:exercise", args=[prescribed.pk]),
        reverse("patients:guided", args=[today, 1]),
        reverse("patients:checkin"),
    ):
        assert reverse("patients:safety") in client.get(url).content.decode(), url


def test_editors_publish_a_new_version_with_who_changed_it(client, editor, clinician, patient):
    first = SafetyAdvice.objects.first()
    client.force_login(editor)
    add = reverse("admin:exercises_safetyadvice_add")
    form = client.get(add).content.decode()
    assert first.stop_list[0] in form  # pre-filled from the newest
    assert first.reassurance[:40] in form
    response = client.post(
        add,
        {
            "emergency_signs": first.emergency_signs,
            "doctor_soon_signs": first.doctor_soon_signs,
            "stop_rules": "Stop if it hurts more, and call the clinic.",
            "reassurance": first.reassurance,
        },
    )
    assert response.status_code == 302
    newest = SafetyAdvice.objects.first()
    # Versions are ids: newer is larger, but a sequence may skip numbers (PostgreSQL does
    # not give back ids used by a rolled-back transaction), so "+ 1" is not promised.
    assert newest.version > first.version
    assert newest.changed_by == editor
    client.force_login(patient.user)
    assert (
        "Stop if it hurts more, and call the clinic."
        in client.get(reverse("patients:safety")).content.decode()
    )
    client.force_login(clinician)
    assert client.get(add).status_code == 403


# --- My symptoms got worse --------------------------------------------------------------------


def test_symptom_report_advises_urgent_care_and_tops_the_queue(
    client,
    patient,
    clinician,
    other_clinician,
    caplog,
    frozen_clock,
    django_capture_on_commit_callbacks,
):
    calm = PatientFactory(clinician=clinician, last_name="Aaronson")
    PrescriptionFactory(patient=calm, start_date=TODAY - datetime.timedelta(days=30))
    PrescriptionFactory(patient=patient, start_date=TODAY)
    client.force_login(patient.user)
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patients:symptoms"),
            {"symptoms": ["bladder_bowel", "leg_pain"], "note": "Since this morning"},
        )
    html = response.content.decode()
    assert "Get urgent help now" in html
    assert "emergency department" in html
    report = SymptomReport.objects.get()
    assert report.is_emergency
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    assert "URGENT" in mail.outbox[0].subject
    assert "Since this morning" not in mail.outbox[0].body  # details stay in Homeplan
    assert patient.last_name not in caplog.text
    assert "Since this morning" not in caplog.text
    queue = attention.queue_for(clinician, today=TODAY)
    assert queue[0].patient == patient
    assert queue[0].is_urgent
    assert attention.queue_for(other_clinician, today=TODAY) == []


def test_other_worse_symptoms_get_the_stop_advice(
    client, patient, django_capture_on_commit_callbacks
):
    client.force_login(patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(reverse("patients:symptoms"), {"symptoms": ["numbness"]}).content
    assert "Stop any exercise that makes your symptoms worse" in html.decode()
    assert not SymptomReport.objects.get().is_emergency
    assert mail.outbox[0].to == [patient.clinician.email]


def test_symptom_report_needs_a_symptom(client, patient):
    client.force_login(patient.user)
    response = client.post(reverse("patients:symptoms"), {"note": "hmm"})
    assert response.status_code == 400
    assert "Tick at least one thing" in response.content.decode()
    assert not SymptomReport.objects.exists()


def queue_rows(client):
    """The admin front page's needs-attention rows: (patient, urgent?, [reason lines])."""
    html = client.get(reverse("admin:index")).content.decode()
    rows = re.findall(r'<tr( class="urgent")?>\s*<th scope="row">(.*?)</tr>', html, re.S)
    return [
        (
            re.search(r">([^<]+)</a></th>", row)[1],
            bool(urgent),
            [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li[^>]*>(.*?)</li>", row)],
        )
        for urgent, row in rows
    ]


def test_queue_emergency_then_something_else_is_one_urgent_item_until_reviewed(
    client, patient, clinician, frozen_clock, django_capture_on_commit_callbacks
):
    """Emergency, then "something else": one URGENT item listing both with their times;
    reviewed, it goes; a new mild report brings the item back, not urgent."""
    calm = PatientFactory(clinician=clinician, last_name="Aaronson")
    PrescriptionFactory(patient=calm, start_date=TODAY - datetime.timedelta(days=30))
    PrescriptionFactory(patient=patient, start_date=TODAY)
    client.force_login(patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("patients:symptoms"), {"symptoms": ["saddle_numbness"]})
        frozen_clock.shift(datetime.timedelta(minutes=1))
        client.post(reverse("patients:symptoms"), {"symptoms": ["other"]})

    client.force_login(clinician)
    rows = queue_rows(client)
    assert rows[0][:2] == (patient.full_name, True)
    assert [name for name, _, _ in rows].count(patient.full_name) == 1
    reasons = rows[0][2]
    assert reasons[:2] == [
        "Wed 25 Nov, 10:00: URGENT — reported numbness around my genitals or buttocks "
        "(told to get urgent help now)",
        "Wed 25 Nov, 10:01: Reported worse symptoms: something else",
    ]

    frozen_clock.shift(datetime.timedelta(minutes=5))
    html = client.get(reverse("admin:index")).content.decode()
    seen_at = re.search(r'name="seen_at" value="([^"]+)"', html)[1]
    review = reverse("admin:patients_patient_review", args=[patient.pk])
    assert client.post(review, {"seen_at": seen_at}).status_code == 302
    assert patient.full_name not in [name for name, _, _ in queue_rows(client)]

    frozen_clock.shift(datetime.timedelta(minutes=5))
    client.force_login(patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("patients:symptoms"), {"symptoms": ["back_much_worse"]})
    client.force_login(clinician)
    rows = queue_rows(client)
    assert (rows[0][0], rows[0][1]) == (patient.full_name, False)
    assert rows[0][2][0] == (
        "Wed 25 Nov, 10:11: Reported worse symptoms: my back pain is much worse since exercising"
    )
    assert not any("URGENT" in line for line in rows[0][2])


def test_mark_reviewed_does_not_cover_a_report_that_arrived_after_the_page_was_shown(
    client, patient, clinician, frozen_clock
):
    PrescriptionFactory(patient=patient, start_date=TODAY)
    report(patient, "other")
    client.force_login(clinician)
    html = client.get(reverse("admin:index")).content.decode()
    seen_at = re.search(r'name="seen_at" value="([^"]+)"', html)[1]
    frozen_clock.shift(datetime.timedelta(minutes=3))
    report(patient, "leg_weaker")  # while the clinician reads the page
    frozen_clock.shift(datetime.timedelta(minutes=1))
    client.post(reverse("admin:patients_patient_review", args=[patient.pk]), {"seen_at": seen_at})
    item = attention.queue_for(clinician, today=TODAY)[0]
    assert item.patient == patient
    assert item.is_urgent
    assert [r.code for r in item.reasons if r.code in attention.SYMPTOM_CODES] == ["urgent"]


def test_an_emergency_tops_the_queue_even_without_an_active_plan(patient, clinician, frozen_clock):
    PrescriptionFactory(patient=patient, start_date=TODAY, status="paused")
    other = PatientFactory(clinician=clinician)
    PrescriptionFactory(patient=other, start_date=TODAY - datetime.timedelta(days=30))
    report(patient, "urine_retention")
    queue = attention.queue_for(clinician, today=TODAY)
    assert (queue[0].patient, queue[0].is_urgent) == (patient, True)


def test_an_old_unreviewed_emergency_never_drops_out_of_the_queue(patient, clinician, frozen_clock):
    PrescriptionFactory(patient=patient, start_date=TODAY - datetime.timedelta(days=90))
    report(patient, "both_legs_weak")
    frozen_clock.shift(datetime.timedelta(days=60))
    item = attention.queue_for(clinician, today=TODAY + datetime.timedelta(days=60))[0]
    assert (item.patient, item.is_urgent) == (patient, True)


def test_the_patient_who_waited_longest_with_an_emergency_comes_first(clinician, frozen_clock):
    first, second = PatientFactory.create_batch(2, clinician=clinician)
    for someone in (first, second):
        PrescriptionFactory(patient=someone, start_date=TODAY)
    report(second, "other")
    frozen_clock.shift(datetime.timedelta(minutes=1))
    report(first, "saddle_numbness")
    frozen_clock.shift(datetime.timedelta(minutes=1))
    report(second, "leg_weaker")
    queue = attention.queue_for(clinician, today=TODAY)
    assert [(item.patient, item.is_urgent) for item in queue] == [(first, True), (second, True)]


def test_a_legacy_weakness_report_counts_as_urgent(patient, clinician, frozen_clock):
    """Reports of "weakness in a leg" made before the form could say "getting weaker"."""
    PrescriptionFactory(patient=patient, start_date=TODAY)
    SymptomReport.objects.create(patient=patient, symptoms="weakness", is_emergency=False)
    item = attention.queue_for(clinician, today=TODAY)[0]
    assert item.is_urgent
    assert "URGENT — reported weakness in a leg" in item.reasons[0].text
    assert "told to get urgent help" not in item.reasons[0].text


def report(patient, *codes):
    return services.symptom_report_create(
        patient=patient, symptoms=list(codes), note="", progress_url="https://example.org/"
    )


# --- Precaution tags when prescribing ----------------------------------------------------------


@pytest.fixture
def tagged_program(hip_replacement):
    program = ProgramFactory(name="With a deep hip bend")
    item = ProgramItemFactory(program=program, exercise__name="Deep squat hold")
    item.exercise.precaution_tags.add(hip_replacement)
    ProgramItemFactory(program=program, exercise__name="Bridge")
    return program


def assign(patient, program, clinician, reason=""):
    return services.prescription_assign(
        patient=patient,
        program=program,
        start_date=TODAY,
        end_date=None,
        weekdays=127,
        sessions_per_day=1,
        message="",
        assigned_by=clinician,
        override_reason=reason,
    )


def test_assigning_warns_names_the_exercise_and_needs_a_reason(
    patient, clinician, tagged_program, hip_replacement
):
    patient.precaution_tags.add(hip_replacement)
    with pytest.raises(ContraindicationWarning, match=r"Deep squat hold \(After hip replacement\)"):
        assign(patient, tagged_program, clinician)
    assert not patient.prescriptions.exists()
    prescription = assign(patient, tagged_program, clinician, reason="Surgeon cleared to 90°")
    override = ContraindicationOverride.objects.get()
    assert override.prescribed.prescription == prescription
    assert (override.tags, override.reason, override.decided_by) == (
        "After hip replacement",
        "Surgeon cleared to 90°",
        clinician,
    )


def test_no_warning_when_tags_do_not_match(patient, clinician, tagged_program):
    patient.precaution_tags.add(PrecautionTag.objects.get(slug="pregnancy"))
    assign(patient, tagged_program, clinician)
    assert not ContraindicationOverride.objects.exists()


def test_assign_page_shows_the_warning_and_the_reason_field(
    client, patient, clinician, tagged_program, hip_replacement
):
    patient.precaution_tags.add(hip_replacement)
    client.force_login(clinician)
    url = reverse("admin:patients_patient_assign", args=[patient.pk])
    data = {
        "program": tagged_program.pk,
        "start_date": "2026-11-25",
        "weekdays": ["0"],
        "sessions_per_day": 1,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Deep squat hold (After hip replacement)" in response.content.decode()
    response = client.post(url, {**data, "override_reason": "Cleared by surgeon"})
    assert response.status_code == 302
    assert ContraindicationOverride.objects.count() == 1


def test_adding_a_tagged_exercise_to_a_prescription_needs_a_reason(
    client, patient, clinician, hip_replacement
):
    patient.precaution_tags.add(hip_replacement)
    prescription = PrescriptionFactory(patient=patient, start_date=TODAY)
    squat = ExerciseFactory(name="Deep squat hold")
    squat.precaution_tags.add(hip_replacement)
    client.force_login(clinician)
    url = reverse("admin:patients_prescription_change", args=[prescription.pk])
    data = {
        "name": prescription.name,
        "status": "active",
        "start_date": "2026-11-25",
        "weekdays": ["0"],
        "sessions_per_day": 1,
        "loaded_version": prescription.version,
        "exercises-TOTAL_FORMS": 1,
        "exercises-INITIAL_FORMS": 0,
        "education-TOTAL_FORMS": 0,  # the reading inline, empty
        "education-INITIAL_FORMS": 0,
        "exercises-0-exercise": squat.pk,
        "exercises-0-order": 1,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Deep squat hold (After hip replacement)" in response.content.decode()
    assert not prescription.exercises.exists()
    response = client.post(
        url, {**data, "exercises-0-override_reason": "Needed for return to work"}
    )
    assert response.status_code == 302
    assert ContraindicationOverride.objects.get().reason == "Needed for return to work"


def test_accepting_a_switch_to_a_tagged_exercise_needs_a_reason(
    patient, clinician, hip_replacement, frozen_clock
):
    patient.precaution_tags.add(hip_replacement)
    prescription = PrescriptionFactory(patient=patient, start_date=TODAY - datetime.timedelta(30))
    harder = ExerciseFactory(name="Hip airplane", default_reps=8)
    harder.precaution_tags.add(hip_replacement)
    clam = PrescribedExerciseFactory(prescription=prescription, reps=20, exercise__harder=harder)
    for n in range(1, 15):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=TODAY - datetime.timedelta(days=n),
            completed_at=NOW,
            pain=2,
            effort="about_right",
            done_share=1.0,
        )
        log.checks.create(prescribed_exercise=clam)
    with pytest.raises(ContraindicationWarning):
        services.suggestion_decide(
            prescribed=clam, kind="progress", accept=True, decided_by=clinician, today=TODAY
        )
    services.suggestion_decide(
        prescribed=clam,
        kind="progress",
        accept=True,
        decided_by=clinician,
        today=TODAY,
        override_reason="Only with the chair for support",
    )
    clam.refresh_from_db()
    assert clam.exercise == harder  # the linked harder variant, chosen first
    assert ContraindicationOverride.objects.get().prescribed == clam


# --- Program size ------------------------------------------------------------------------------


def template_data(count, exercises):
    data = {
        "name": "Big template",
        "description": "",
        "items-TOTAL_FORMS": count,
        "items-INITIAL_FORMS": 0,
    }
    for index in range(count):
        data[f"items-{index}-exercise"] = exercises[index].pk
        data[f"items-{index}-order"] = index + 1
    return data


@pytest.mark.parametrize(("count", "warned"), [(6, False), (7, True)])
def test_size_warning_above_the_threshold_never_blocks(client, clinician, settings, count, warned):
    settings.PROGRAM_SIZE_WARNING = 6
    exercises = ExerciseFactory.create_batch(count)
    client.force_login(clinician)
    response = client.post(
        reverse("admin:exercises_program_add"), template_data(count, exercises), follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ("exercises a session (about" in html) is warned
    assert "was added successfully" in html


def test_patient_tags_are_set_by_the_clinician(client, clinician, patient, hip_replacement):
    client.force_login(clinician)
    page = client.get(reverse("admin:patients_patient_change", args=[patient.pk])).content.decode()
    assert "After hip replacement" in page
    assert Patient.objects.get(pk=patient.pk).precaution_tags.count() == 0


def test_the_clinician_reads_the_report_and_its_note_on_the_progress_page(
    client, patient, clinician, django_capture_on_commit_callbacks
):
    client.force_login(patient.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("patients:symptoms"),
            {
                "symptoms": ["leg_pain"],
                "note": "Sharp pain down the left calf since Tuesday <script>alert(1)</script>",
            },
        )
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    html = html.content.decode()
    assert "Pain spreading down my leg" in html
    assert "Sharp pain down the left calf since Tuesday &lt;script&gt;" in html
    assert "<script>alert(1)" not in html
