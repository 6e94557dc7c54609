"""Row-level access in the admin: a clinician's lists, pages, autocomplete and actions show
only their own patients; another clinician's objects are 404."""

import pytest
from django.urls import reverse

from patients.models import Patient
from tests.factories import PatientFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_patient):
    """Another clinician's patient with a prescription and one prescribed exercise."""
    prescribed = PrescribedExerciseFactory(prescription__patient=other_patient)
    return other_patient, prescribed.prescription


def object_urls(patient, prescription):
    return [
        reverse("admin:patients_patient_change", args=[patient.pk]),
        reverse("admin:patients_patient_delete", args=[patient.pk]),
        reverse("admin:patients_patient_history", args=[patient.pk]),
        reverse("admin:patients_patient_assign", args=[patient.pk]),
        reverse("admin:patients_patient_invitation", args=[patient.pk]),
        f"{reverse('admin:patients_patient_assign_many')}?ids={patient.pk}",
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        reverse("admin:patients_prescription_delete", args=[prescription.pk]),
        reverse("admin:patients_prescription_history", args=[prescription.pk]),
    ]


def test_another_clinicians_objects_are_404_on_every_page(client, clinician, theirs):
    client.force_login(clinician)
    for url in object_urls(*theirs):
        assert client.get(url).status_code == 404, url
    invite = reverse("admin:patients_patient_invite", args=[theirs[0].pk])
    assert client.post(invite).status_code == 404


def test_own_objects_open(client, other_clinician, theirs):
    client.force_login(other_clinician)
    patient, prescription = theirs
    for url in object_urls(patient, prescription):
        if "invitation" in url:
            continue  # no pending invitation: redirects back to the patient
        assert client.get(url).status_code == 200, url


def test_superuser_sees_everyones_objects(client, superuser, theirs):
    client.force_login(superuser)
    patient, prescription = theirs
    for url in (
        reverse("admin:patients_patient_change", args=[patient.pk]),
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
    ):
        assert client.get(url).status_code == 200
    listing = client.get(reverse("admin:patients_patient_changelist")).content.decode()
    assert patient.last_name in listing


def test_changelists_show_only_own_patients(client, clinician, patient, theirs):
    PrescriptionFactory(patient=patient, name="Mine")
    client.force_login(clinician)
    patients = client.get(reverse("admin:patients_patient_changelist")).content.decode()
    assert patient.last_name in patients
    assert theirs[0].last_name not in patients
    prescriptions = client.get(reverse("admin:patients_prescription_changelist")).content.decode()
    assert theirs[0].last_name not in prescriptions
    assert "Mine" in prescriptions


def test_patient_autocomplete_returns_only_own_patients(client, clinician, patient, theirs):
    client.force_login(clinician)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "patients",
            "model_name": "prescription",
            "field_name": "patient",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {patient.pk}


def test_actions_ignore_another_clinicians_rows(client, clinician, patient, theirs):
    client.force_login(clinician)
    changelist = reverse("admin:patients_patient_changelist")
    client.post(
        changelist, {"action": "deactivate", "_selected_action": [patient.pk, theirs[0].pk]}
    )
    assert not Patient.objects.get(pk=patient.pk).is_active
    assert Patient.objects.get(pk=theirs[0].pk).is_active
    many = reverse("admin:patients_patient_assign_many")
    assert client.get(f"{many}?ids={patient.pk},{theirs[0].pk}").status_code == 404


def test_prescription_form_offers_only_own_patients(client, clinician, patient, theirs):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_prescription_add"),
        {
            "patient": theirs[0].pk,
            "name": "Sneaky",
            "status": "active",
            "start_date": "2026-11-02",
            "weekdays": ["0"],
            "sessions_per_day": 1,
            "exercises-TOTAL_FORMS": 0,
            "exercises-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not theirs[0].prescriptions.filter(name="Sneaky").exists()


def test_anonymous_and_patients_are_sent_to_the_admin_login(client, patient, theirs):
    urls = object_urls(*theirs)
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(patient.user)
    for url in urls:
        assert client.get(url).status_code == 302, url


def test_editor_without_patient_permissions_gets_403(client, editor, theirs):
    client.force_login(editor)
    assert client.get(reverse("admin:patients_patient_changelist")).status_code == 403


def test_clinician_creating_a_patient_becomes_their_clinician(client, clinician):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_add"),
        {
            "first_name": "New",
            "last_name": "Person",
            "email": " New.Person@Example.org ",
            "timezone": "Europe/London",
            "checkin_interval_days": 14,
            "is_active": "on",
            "prescriptions-TOTAL_FORMS": 0,
            "prescriptions-INITIAL_FORMS": 0,
            "activities-TOTAL_FORMS": 0,
            "activities-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    patient = Patient.objects.get(last_name="Person")
    assert patient.clinician == clinician
    assert patient.email == "new.person@example.org"


@pytest.mark.parametrize("count", [5, 200])
def test_patient_changelist_query_count_is_constant(
    client, clinician, count, django_assert_max_num_queries, no_n_plus_one
):
    for patient in PatientFactory.create_batch(count, clinician=clinician, user=None):
        PrescriptionFactory(patient=patient)
    client.force_login(clinician)
    # 11: ten reads, and the audit event naming the patients shown (one insert, any count).
    with django_assert_max_num_queries(11), no_n_plus_one():
        response = client.get(reverse("admin:patients_patient_changelist"), {"all": ""})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-full_name"') == count


def test_session_logs_are_read_only_and_scoped(client, clinician, patient, theirs):
    from patients.models import SessionLog

    mine = SessionLog.objects.create(
        prescription=PrescriptionFactory(patient=patient), date="2026-11-20", pain=4
    )
    other = SessionLog.objects.create(prescription=theirs[1], date="2026-11-20", pain=7)
    client.force_login(clinician)
    listing = client.get(reverse("admin:patients_sessionlog_changelist"))
    assert listing.status_code == 200
    assert theirs[0].last_name not in listing.content.decode()
    own = client.get(reverse("admin:patients_sessionlog_change", args=[mine.pk]))
    assert own.status_code == 200
    assert b'name="_save"' not in own.content
    assert (
        client.get(reverse("admin:patients_sessionlog_change", args=[other.pk])).status_code == 404
    )
    assert (
        client.post(reverse("admin:patients_sessionlog_delete", args=[other.pk])).status_code == 404
    )


def test_deleting_a_patient_shows_what_history_would_be_lost(client, clinician, patient):
    from patients.models import SessionLog

    prescription = PrescriptionFactory(patient=patient)
    SessionLog.objects.create(prescription=prescription, date="2026-11-20", pain=4)
    client.force_login(clinician)
    page = client.get(reverse("admin:patients_patient_delete", args=[patient.pk]))
    html = page.content.decode()
    assert "permanently destroys their history" in html
    assert "1 prescriptions, 0 prescribed exercises, 1 logged sessions" in html
    assert "untick “Active”" in html
