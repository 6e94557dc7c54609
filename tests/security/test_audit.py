"""The audit trail: who viewed or changed which patient's data, and when.

Every staff view of a patient's pages and every create, change and delete of Patient,
Prescription, PrescribedExercise, SessionLog, ExerciseCheck and FunctionCheckIn (through the
write path, patients/changes.py) leaves one append-only event, readable by
superusers only, with ids and field names but never names, emails or notes.
"""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.admin import known_targets
from audit.context import acting_as
from audit.models import AppendOnlyError, AuditEvent
from audit.services import record
from patients import services
from patients.models import Prescription, SessionLog, SymptomReport
from tests.admin_forms import prescription_change_data
from tests.factories import (
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    ProgramFactory,
    ProgramItemFactory,
)

SECRET_NOTE = "my knee clicked after the bridge"


@pytest.fixture
def prescription(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=3)
    )
    PrescribedExerciseFactory.create_batch(2, prescription=prescription)
    return prescription


def events(**filters):
    return list(
        AuditEvent.objects.filter(**filters).values_list("actor_username", "action", "target")
    )


# --- Views by staff ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "action", "target"),
    [
        ("admin:patients_patient_change", "view", "patient page"),
        ("admin:patients_patient_history", "view", "patient history"),
        ("admin:patients_patient_progress", "view", "progress page"),
        ("admin:patients_patient_print", "print", "handout"),
        ("admin:patients_patient_export", "export", "sessions CSV"),
    ],
)
def test_each_staff_view_of_a_patients_page_is_recorded(
    client, clinician, patient, prescription, url_name, action, target
):
    client.force_login(clinician)
    set_up = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(reverse(url_name, args=[patient.pk]), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    event = AuditEvent.objects.get(pk__gt=set_up)
    assert (event.actor, event.actor_username, event.action, event.target) == (
        clinician,
        clinician.username,
        action,
        target,
    )
    assert event.patient_id == patient.pk
    assert event.target in known_targets()  # offered by the trail's "what" filter
    assert event.ip_address == "192.0.2.7"
    assert event.at is not None


def test_views_of_prescription_and_session_log_pages_name_the_patient(
    client, clinician, patient, prescription
):
    log = SessionLog.objects.create(prescription=prescription, date=patient.today())
    client.force_login(clinician)
    client.get(reverse("admin:patients_prescription_change", args=[prescription.pk]))
    client.get(reverse("admin:patients_sessionlog_change", args=[log.pk]))
    viewed = AuditEvent.objects.filter(action="view")
    assert set(viewed.values_list("target", flat=True)) <= set(known_targets())
    assert sorted(viewed.values_list("target", "patient_id")) == [
        ("prescription page", patient.pk),
        ("sessionlog page", patient.pk),
    ]


def test_the_adherence_export_records_one_event_per_patient(client, clinician, patient):
    second = PatientFactory(clinician=clinician)
    client.force_login(clinician)
    client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "export_adherence_csv", "_selected_action": [patient.pk, second.pk]},
    )
    exported = AuditEvent.objects.filter(action="export", target="adherence CSV")
    assert sorted(exported.values_list("patient_id", flat=True)) == sorted([patient.pk, second.pk])


# --- List pages (security review round 2, finding 10) --------------------------------------


def list_events(**filters):
    return list(AuditEvent.objects.filter(patient_ids__gt="", **filters).order_by("pk"))


def test_finding_10_each_list_page_is_one_event_naming_the_patients_shown(
    client, clinician, patient, prescription, other_patient
):
    """The patient list, the session-log list, the needs-attention queue and autocomplete
    showed patients' names and figures without a trace in the trail."""
    second = PatientFactory(clinician=clinician, first_name="Bea")
    log = SessionLog.objects.create(prescription=prescription, date=patient.today())
    SessionLog.objects.create(  # another clinician's: never shown, never named
        prescription=PrescriptionFactory(patient=other_patient), date=patient.today()
    )
    client.force_login(clinician)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    pages = [
        (reverse("admin:patients_patient_changelist"), "patient list", {patient.pk, second.pk}),
        (reverse("admin:patients_sessionlog_changelist"), "sessionlog list", {patient.pk}),
        (reverse("admin:patients_prescription_changelist"), "prescription list", {patient.pk}),
        (
            reverse("admin:autocomplete")
            + "?app_label=patients&model_name=prescription&field_name=patient&term=",
            "patient autocomplete",
            {patient.pk, second.pk},
        ),
    ]
    for url, target, shown in pages:
        assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200, url
        (event,) = list_events(pk__gt=before, target=target)
        assert set(event.shown_ids) == shown, target
        assert (event.actor, event.action, event.patient_id) == (clinician, "view", None)
        assert event.target in known_targets()
        assert event.target_id == str(len(shown))
        assert event.ip_address == "192.0.2.9"
    assert log.pk  # the session-log list showed this one
    # Ids only: nothing of the names in the trail.
    for event in list_events():
        assert "Ashby" not in str(event.__dict__)
        assert "Bea" not in str(event.__dict__)


def test_finding_10_the_needs_attention_queue_is_recorded_with_who_was_in_it(
    client, clinician, patient, prescription
):
    SymptomReport.objects.create(patient=patient, symptoms="numbness", is_emergency=False)
    client.force_login(clinician)
    assert client.get(reverse("admin:index")).status_code == 200
    (event,) = list_events(target="needs-attention queue")
    assert event.shown_ids == [patient.pk]


def test_finding_10_a_list_that_shows_nobody_records_nothing(client, clinician):
    client.force_login(clinician)
    client.get(reverse("admin:patients_patient_changelist"))
    client.get(reverse("admin:index"))
    assert list_events() == []


def test_finding_10_the_trail_finds_the_lists_that_showed_a_patient(
    client, clinician, superuser, patient, other_patient
):
    client.force_login(clinician)
    client.get(reverse("admin:patients_patient_changelist"))
    client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    client.force_login(superuser)
    changelist = reverse("admin:audit_auditevent_changelist")
    listed = client.get(changelist, {"listed": patient.pk})
    assert [event.target for event in listed.context["cl"].result_list] == ["patient list"]
    assert f"?listed={patient.pk}" in listed.content.decode()
    # The patient filter keeps to the pages about them (it follows an index).
    about = client.get(changelist, {"patient": patient.pk})
    assert "patient page" in [event.target for event in about.context["cl"].result_list]
    assert client.get(changelist, {"listed": other_patient.pk}).context["cl"].result_count == 0
    assert client.get(changelist, {"listed": "x"}).status_code == 200


def test_a_refused_view_records_nothing(client, other_clinician, patient):
    client.force_login(other_clinician)
    before = AuditEvent.objects.count()
    assert client.get(reverse("admin:patients_patient_progress", args=[patient.pk])).status_code
    assert AuditEvent.objects.count() == before


def test_patients_reading_their_own_plan_are_not_audited(client, patient, prescription):
    client.force_login(patient.user)
    before = AuditEvent.objects.count()
    assert client.get(reverse("patients:today")).status_code == 200
    assert client.get(reverse("patients:history")).status_code == 200
    assert AuditEvent.objects.count() == before


# --- Changes, by anyone --------------------------------------------------------------------


def test_a_clinician_creating_a_patient_is_recorded(client, clinician):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_add"),
        {
            "first_name": "Nora",
            "last_name": "Newman",
            "email": "nora@example.org",
            "timezone": "Europe/London",
            "checkin_interval_days": 14,
            "prescriptions-TOTAL_FORMS": 0,
            "prescriptions-INITIAL_FORMS": 0,
            "activities-TOTAL_FORMS": 0,
            "activities-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = AuditEvent.objects.get(action="create", target="patients.patient")
    assert created.actor == clinician
    assert created.patient_id == int(created.target_id)


def test_a_prescription_change_records_the_names_of_the_changed_fields(
    client, clinician, patient, prescription
):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        prescription_change_data(
            prescription, message="Add the bridge from Monday.", sessions_per_day=2
        ),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="update", target="patients.prescription").get()
    assert event.fields == "message,sessions_per_day"
    assert "bridge" not in str(AuditEvent.objects.values_list())
    assert event.actor_username == clinician.username


def test_assigning_a_program_records_the_plan_and_each_exercise(clinician, patient):
    """Assigning bulk-creates the prescribed exercises: each still gets its event."""
    program = ProgramFactory(owner=clinician)
    for order in range(3):
        ProgramItemFactory(program=program, order=order)
    with acting_as(clinician):
        prescription = services.prescription_assign(
            patient=patient,
            program=program,
            start_date=patient.today(),
            end_date=None,
            weekdays=127,
            sessions_per_day=1,
            message="",
            assigned_by=clinician,
        )
    created = AuditEvent.objects.filter(action="create", patient_id=patient.pk)
    assert sorted(created.values_list("target", "target_id")) == sorted(
        [("patients.prescription", str(prescription.pk))]
        + [("patients.prescribedexercise", str(item.pk)) for item in prescription.exercises.all()]
    )
    assert {event.actor_username for event in created} == {clinician.username}


def test_a_patient_logging_a_session_is_recorded_without_the_note(client, patient, prescription):
    client.force_login(patient.user)
    day = patient.today().isoformat()
    first = prescription.exercises.first()
    client.post(
        reverse("patients:check_off", args=[day]),
        {"exercise": first.pk, "session": 1, "action": "done"},
    )
    client.post(
        reverse("patients:session_done", args=[day, 1]),
        {"pain": 3, "effort": "about_right", "note": SECRET_NOTE},
    )
    logged = AuditEvent.objects.filter(target="patients.sessionlog")
    assert {event.action for event in logged} == {"create", "update"}
    # The patient is the actor, by id: their username is often their email address.
    assert {(event.actor_id, event.actor_username) for event in logged} == {(patient.user.pk, "")}
    done = AuditEvent.objects.filter(target="patients.sessionlog", fields__contains="pain").get()
    assert {"completed_at", "effort", "note", "pain"} <= set(done.fields.split(","))
    assert done.patient_id == patient.pk
    every_value = " ".join(str(row) for row in AuditEvent.objects.values_list())
    for secret in (SECRET_NOTE, patient.first_name, patient.last_name, patient.email):
        assert secret not in every_value


def test_deletes_are_recorded_down_the_cascade(client, superuser, patient, prescription):
    """A plan nobody has logged yet (the admin refuses to delete session logs)."""
    client.force_login(superuser)
    response = client.post(
        reverse("admin:patients_prescription_delete", args=[prescription.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Prescription.objects.filter(pk=prescription.pk).exists()
    deleted = sorted(AuditEvent.objects.filter(action="delete").values_list("target", "patient_id"))
    assert deleted == [
        ("patients.prescribedexercise", patient.pk),
        ("patients.prescribedexercise", patient.pk),
        ("patients.prescription", patient.pk),
    ]
    assert set(AuditEvent.objects.filter(action="delete").values_list("actor", flat=True)) == {
        superuser.pk
    }


# --- Append-only ---------------------------------------------------------------------------


def an_event(patient) -> AuditEvent:
    return record(action="create", patient_id=patient.pk, target="patients.patient")


def test_events_cannot_be_changed_or_deleted_through_the_orm(patient):
    event = an_event(patient)
    event.action = "view"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="view")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_even_in_raw_sql(patient):
    event = an_event(patient)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'view' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "create"


# --- Who may read it -----------------------------------------------------------------------


def test_superusers_read_the_trail_filtered_by_patient_and_by_user(
    client, superuser, clinician, patient, other_patient
):
    client.force_login(clinician)
    client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    client.force_login(superuser)
    client.get(reverse("admin:patients_patient_progress", args=[other_patient.pk]))
    changelist = reverse("admin:audit_auditevent_changelist")

    page = client.get(changelist, {"patient": patient.pk})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown
    assert {event.patient_id for event in shown} == {patient.pk}

    page = client.get(changelist, {"actor": clinician.pk})
    shown = list(page.context["cl"].result_list)
    assert [(event.actor_username, event.target) for event in shown] == [
        (clinician.username, "progress page")
    ]
    assert client.get(changelist, {"patient": "not-a-number"}).status_code == 200

    # The patient's own page links to its trail.
    change = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert f"{changelist}?patient={patient.pk}" in change.content.decode()


def test_nobody_edits_the_trail_and_only_superusers_read_it(
    client, superuser, clinician, editor, patient
):
    event = an_event(patient)
    changelist = reverse("admin:audit_auditevent_changelist")
    for user in (clinician, editor):
        client.force_login(user)
        assert client.get(changelist).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    # No form on the event itself (the page's foot has the language switcher).
    content = detail.content.decode().split('id="content-main"')[1].split('id="footer"')[0]
    assert 'type="submit"' not in content
    deleted = client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("count", [5, 100])
def test_the_trail_page_has_a_constant_query_count(
    client, superuser, patient, count, django_assert_max_num_queries
):
    AuditEvent.objects.bulk_create(
        AuditEvent(action="view", target="progress page", patient_id=patient.pk)
        for _ in range(count)
    )
    client.force_login(superuser)
    # Session, user, the staff filter's choices, the page and its estimated count; nothing
    # that reads the whole trail (1M events: 38 ms, against 4.8 s with Django's
    # related-only filter and date hierarchy).
    with django_assert_max_num_queries(8):
        assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


# --- Retention (security review round 2, finding 13) ---------------------------------------


def test_finding_13_events_past_the_retention_period_are_deleted_in_batches_and_recorded(
    settings, db
):
    """The trail kept every event forever, growing with every write. Now events older than
    the retention period (six years by default) go, a batch at a time, and the deletion is
    itself one event: the only way events ever leave the trail."""
    assert settings.AUDIT_RETENTION_YEARS == 6
    now = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    ages = {
        "ten years": datetime.timedelta(days=3653),
        "seven years": datetime.timedelta(days=2557),
        "six years and a day": datetime.timedelta(days=2192 + 1),
        "six years less a day": datetime.timedelta(days=2191 - 1),
        "a day": datetime.timedelta(days=1),
    }
    for what, age in ages.items():
        AuditEvent.objects.bulk_create(
            AuditEvent(action="view", target=what, patient_id=7, at=now - age) for _ in range(2)
        )
    with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as queries:
        call_command("prune_audit_trail", "--batch-size", "4", stdout=io.StringIO())
    kept = AuditEvent.objects.exclude(target="audit trail")
    assert sorted(set(kept.values_list("target", flat=True))) == [
        "a day",
        "six years less a day",
    ]
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2  # 6 events in batches of 4
    (record,) = AuditEvent.objects.filter(target="audit trail")
    assert (record.action, record.target_id, record.actor_id) == ("delete", "6", None)
    assert record.fields == "events before 2020-11-25"
    # Again: nothing left to delete, nothing recorded.
    with time_machine.travel(now, tick=False):
        call_command("prune_audit_trail", stdout=io.StringIO())
    assert AuditEvent.objects.filter(target="audit trail").count() == 1
    assert AuditEvent.objects.count() == 5


def test_finding_13_the_retention_period_is_a_setting(settings, db):
    settings.AUDIT_RETENTION_YEARS = 1
    now = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(action="view", target="old", at=now - datetime.timedelta(days=367)),
            AuditEvent(action="view", target="new", at=now - datetime.timedelta(days=364)),
        ]
    )
    out = io.StringIO()
    with time_machine.travel(now, tick=False):
        call_command("prune_audit_trail", stdout=out)
    assert "Deleted 1 audit event(s) from before 2027-02-28 (kept for 1 years)." in out.getvalue()
    assert set(AuditEvent.objects.values_list("target", flat=True)) == {"new", "audit trail"}
