"""Education pages on a patient's plan: attached on the prescribing page, "Read" on Today,
the Learn page, "Mark as read" (idempotent, from the offline queue too), the handout and
the offline copy; another patient's reading is a 404."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from exercises import services as exercise_services
from exercises.library.education import load_shipped_education
from exercises.models import EducationPage
from patients import offline
from patients.models import PrescriptionEducation
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory
from tests.patients.test_prescribe_page import form_data, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    exercise_services.education_load(entries=load_shipped_education())
    return {page.slug: page for page in EducationPage.objects.all()}


@pytest.fixture
def plan(patient, pages):
    """A running plan carrying two pages, the first one also printed."""
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=2)
    )
    PrescribedExerciseFactory(prescription=prescription)
    PrescriptionEducation.objects.create(
        prescription=prescription, page=pages["keep-moving"], order=1, in_handout=True
    )
    PrescriptionEducation.objects.create(
        prescription=prescription, page=pages["flare-up-plan"], order=2
    )
    return prescription


def test_the_clinician_attaches_pages_on_the_prescribing_page(client, clinician, patient, pages):
    exercise = ExerciseFactory(name="Glute bridge")
    client.force_login(clinician)
    html = client.get(page_url(patient)).content.decode()
    assert "Reading for the patient" in html
    assert "Keep moving: stay active, avoid bed rest" in html
    html = client.post(page_url(patient), form_data(html, op=f"add:{exercise.pk}")).content
    chosen = [str(pages["keep-moving"].pk), str(pages["do-i-need-a-scan"].pk)]
    data = form_data(html.decode(), op="save", education=chosen, education_in_handout="on")
    response = client.post(page_url(patient), data)
    assert response.status_code == 302
    rows = PrescriptionEducation.objects.filter(prescription__patient=patient)
    # In the library's order, printed as asked.
    assert [(row.page.slug, row.in_handout) for row in rows] == [
        ("keep-moving", True),
        ("do-i-need-a-scan", True),
    ]
    created = AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, target="patients.prescriptioneducation"
    )
    assert created.count() == 2
    # A double tap on "Save and send" makes nothing more.
    assert client.post(page_url(patient), data).status_code == 302
    assert rows.count() == 2


def test_changing_a_plan_keeps_what_was_read_and_drops_what_was_unticked(
    client, clinician, patient, plan, pages
):
    services_read = PrescriptionEducation.objects.get(page=pages["keep-moving"])
    services_read.read_at = timezone.now()
    services_read.save()
    client.force_login(clinician)
    html = client.get(page_url(patient), {"prescription": plan.pk}).content.decode()
    assert f'value="{pages["keep-moving"].pk}" id="id_education_' in html
    assert "checked> Keep moving" in html
    data = form_data(html, op="save", education=[str(pages["keep-moving"].pk)])
    assert client.post(page_url(patient), data).status_code == 302
    rows = list(plan.education.all())
    assert [row.page.slug for row in rows] == ["keep-moving"]
    assert rows[0].read_at is not None
    assert rows[0].in_handout is False


def test_hip_replacement_page_is_suggested_for_a_patient_with_that_precaution(
    client, clinician, patient, pages
):
    patient.precaution_tags.add(pages["after-hip-replacement"].precaution_tags.first())
    client.force_login(clinician)
    html = client.get(page_url(patient)).content.decode()
    chips = html[html.index('class="reading-chips"') :]
    assert chips.index("After a hip replacement") < chips.index("Back pain is common")
    assert "suggested" in chips[: chips.index("After a hip replacement") + 200]


def test_today_shows_the_read_items_and_mark_as_read_is_idempotent(client, patient, plan, pages):
    client.force_login(patient.user)
    html = client.get(reverse("patients:today")).content.decode()
    assert ">Read</h2>" in html
    assert "Keep moving: stay active, avoid bed rest" in html
    assert html.count("Mark as read") == 2
    url = reverse("patients:learn_read", args=["keep-moving"])
    for _ in range(2):  # a double tap
        response = client.post(url, {"next": reverse("patients:today")})
        assert response.status_code == 302
        assert response.url == reverse("patients:today")
    row = PrescriptionEducation.objects.get(page=pages["keep-moving"])
    first = row.read_at
    assert first is not None
    events = AuditEvent.objects.filter(
        target="patients.prescriptioneducation", action=AuditEvent.Action.UPDATE
    )
    assert events.count() == 1
    html = client.get(reverse("patients:today")).content.decode()
    assert "✓ Read" in html
    assert html.count("Mark as read") == 1
    # Read yesterday: no longer on Today, still on the Learn page.
    row.read_at = timezone.now() - datetime.timedelta(days=2)
    row.save()
    patient.refresh_from_db()
    from patients import changes

    changes.plans_stale(patient.pk)
    html = client.get(reverse("patients:today")).content.decode()
    assert "Keep moving: stay active" not in html
    learn = client.get(reverse("patients:learn")).content.decode()
    assert "Keep moving: stay active" in learn
    assert "✓ Read" in learn


def test_the_offline_queue_sends_it_later_with_the_time_it_was_made(client, patient, plan, pages):
    client.force_login(patient.user)
    made = timezone.now() - datetime.timedelta(hours=3)
    response = client.post(
        reverse("patients:learn_read", args=["flare-up-plan"]),
        {"client_uuid": str(uuid.uuid4()), "made_at": made.isoformat(), "next": "//evil.example/"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "error": ""}
    row = PrescriptionEducation.objects.get(page=pages["flare-up-plan"])
    assert abs((row.read_at - made).total_seconds()) < 1
    # A plain form with a foreign address to go back to: back to the page instead.
    response = client.post(
        reverse("patients:learn_read", args=["flare-up-plan"]), {"next": "//evil.example/"}
    )
    assert response.url == reverse("patients:learn_page", args=["flare-up-plan"])


def test_a_page_shows_the_newest_published_text(client, patient, plan, pages, editor):
    client.force_login(patient.user)
    url = reverse("patients:learn_page", args=["keep-moving"])
    html = client.get(url).content.decode()
    assert "Keep moving: stay active, avoid bed rest" in html
    assert "<h2" in html
    assert "Walking is good" in html
    page = pages["keep-moving"]
    exercise_services.education_page_save(
        page=page, body="A newer text.", published=True, changed_by=editor
    )
    exercise_services.education_page_save(
        page=page, body="A draft.", published=False, changed_by=editor
    )
    html = client.get(url).content.decode()
    assert "A newer text." in html
    assert "A draft." not in html


def test_the_traffic_light_guide_is_in_words_and_colour(client, patient, plan, pages):
    PrescriptionEducation.objects.create(
        prescription=plan, page=pages["hurt-does-not-mean-harm"], order=3
    )
    client.force_login(patient.user)
    html = client.get(reverse("patients:learn_page", args=["hurt-does-not-mean-harm"])).content
    html = html.decode()
    for colour in ("green", "amber", "red"):
        assert f'class="marker marker-{colour}"' in html
    assert "0 to 3: Safe." in html
    assert "6 or more: Too much." in html


def test_another_patients_reading_and_unattached_pages_are_404(
    client, patient, other_patient, plan, pages
):
    client.force_login(other_patient.user)
    assert client.get(reverse("patients:learn_page", args=["keep-moving"])).status_code == 404
    response = client.post(reverse("patients:learn_read", args=["keep-moving"]))
    assert response.status_code == 404
    assert not PrescriptionEducation.objects.filter(read_at__isnull=False).exists()
    client.force_login(patient.user)
    assert client.get(reverse("patients:learn_page", args=["pacing"])).status_code == 404
    assert client.get(reverse("patients:learn_page", args=["no-such"])).status_code == 404


def test_an_editors_new_title_reaches_the_kept_day_page(client, patient, plan, pages, editor):
    client.force_login(patient.user)
    assert "Keep moving: stay active" in client.get(reverse("patients:today")).content.decode()
    page = pages["keep-moving"]
    page.title = "Keep moving, gently"
    exercise_services.education_page_save(
        page=page, body=page.newest_published().body, published=True, changed_by=editor
    )
    assert "Keep moving, gently" in client.get(reverse("patients:today")).content.decode()


def test_the_handout_prints_the_chosen_pages_only(client, clinician, patient, plan):
    client.force_login(patient.user)
    html = client.get(reverse("patients:print")).content.decode()
    assert 'class="handout-reading"' in html
    assert "Keep moving: stay active, avoid bed rest" in html
    assert "Your flare-up plan" not in html  # attached, not chosen for print
    client.force_login(clinician)
    staff = client.get(f"/admin/patients/patient/{patient.pk}/print/").content.decode()
    assert "Walking is good" in staff


def test_the_offline_copy_lists_the_learn_pages(patient, plan):
    manifest = offline.precache_manifest(patient)
    assert reverse("patients:learn") in manifest["pages"]
    for slug in ("keep-moving", "flare-up-plan"):
        assert reverse("patients:learn_page", args=[slug]) in manifest["pages"]
    assert reverse("patients:learn_page", args=["pacing"]) not in manifest["pages"]


def test_the_prescription_admin_adds_a_page_through_the_write_path(
    client, clinician, patient, plan, pages
):
    from tests.admin_forms import prescription_change_data

    client.force_login(clinician)
    url = f"/admin/patients/prescription/{plan.pk}/change/"
    assert "Reading for the patient" in client.get(url).content.decode()
    data = prescription_change_data(plan)
    data |= {
        "education-TOTAL_FORMS": 3,
        "education-2-prescription": plan.pk,
        "education-2-page": pages["sleeping-positions"].pk,
        "education-2-order": 3,
        "education-2-in_handout": "on",
    }
    response = client.post(url, data)  # the write-path guard wraps this request
    assert response.status_code == 302
    added = plan.education.get(page=pages["sleeping-positions"])
    assert added.in_handout
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE,
        target="patients.prescriptioneducation",
        target_id=str(added.pk),
    ).exists()
