"""Each clinician turns their own weekly summary and symptom-report emails on or off
(issue 19): the page in the admin's user tools, what the two senders do with the settings,
and the emergency that is emailed whatever the setting says."""

import datetime
import re

from django.core import mail
from django.urls import reverse

from patients import reminders, services
from patients.models import SymptomReport
from tests.factories import PatientFactory

URL = "/admin/my-email/"


def test_the_url_is_the_admins_and_linked_from_every_admin_page(client, clinician):
    assert reverse("admin:email_settings") == URL
    client.force_login(clinician)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in page
    assert "My email settings" in page


def test_the_page_shows_both_settings_and_says_emergencies_still_come(
    client, clinician, django_assert_max_num_queries
):
    client.force_login(clinician)
    # The session and the user, the permissions for the admin's menu (two), the session's
    # save: no query of the page's own beyond the user it already has.
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert re.search(r'<input[^>]*name="weekly_summary"[^>]*checked', body)
    assert re.search(r'<input[^>]*name="notification_emails"[^>]*checked', body)
    assert "Emergencies are always emailed." in body
    assert clinician.email in body
    assert 'aria-describedby="id_notification_emails_helptext"' in body


def test_turning_both_off_and_on_again_changes_only_their_own(client, clinician, other_clinician):
    client.force_login(clinician)
    response = client.post(URL, {})  # unticked boxes are not sent
    assert response.status_code == 302
    assert response["Location"] == URL
    clinician.refresh_from_db()
    other_clinician.refresh_from_db()
    assert (clinician.weekly_summary, clinician.notification_emails) == (False, False)
    assert (other_clinician.weekly_summary, other_clinician.notification_emails) == (True, True)
    assert "Your email settings are saved." in client.get(URL).content.decode()

    client.post(URL, {"weekly_summary": "on", "notification_emails": "on"})
    clinician.refresh_from_db()
    assert (clinician.weekly_summary, clinician.notification_emails) == (True, True)


def test_a_double_tap_saves_once_and_a_strange_value_is_no_500(client, clinician, caplog):
    client.force_login(clinician)
    with caplog.at_level("INFO", logger="clinic.email_settings"):
        client.post(URL, {"weekly_summary": "on"})
        client.post(URL, {"weekly_summary": "on"})
    assert [r.getMessage() for r in caplog.records] == [
        f"email settings of user {clinician.pk} changed: notification_emails"
    ]
    # Django reads any value but "false", "0" and the empty string as ticked.
    assert client.post(URL, {"weekly_summary": "x" * 5000}).status_code == 302


def test_patients_are_sent_to_the_login_page(client, patient):
    client.force_login(patient.user)
    assert client.get(URL).status_code == 302
    assert client.post(URL, {}).status_code == 302
    patient.clinician.refresh_from_db()
    assert patient.clinician.notification_emails is True


def test_the_weekly_summary_respects_the_setting_changed_on_the_page(
    client, clinician, other_clinician
):
    PatientFactory(clinician=clinician)
    PatientFactory(clinician=other_clinician)
    client.force_login(other_clinician)
    client.post(URL, {"notification_emails": "on"})
    monday = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
    assert reminders.send_weekly_summaries(monday).sent == 1
    assert [message.to for message in mail.outbox] == [[clinician.email]]


def report(patient, *codes):
    return services.symptom_report_create(
        patient=patient, symptoms=list(codes), note="", progress_url="https://example.org/"
    )


def test_symptom_report_emails_follow_the_setting_but_an_emergency_always_goes(
    client, clinician, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(patient, SymptomReport.Symptom.SPREADING_FURTHER)
    assert [message.to for message in mail.outbox] == [[clinician.email]]

    client.force_login(clinician)
    client.post(URL, {"weekly_summary": "on"})  # symptom report emails off
    patient.clinician.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report(patient, SymptomReport.Symptom.SPREADING_FURTHER)
    assert mail.outbox == []
    assert SymptomReport.objects.count() == 2  # still stored, still in the queue

    with django_capture_on_commit_callbacks(execute=True):
        report(patient, SymptomReport.Symptom.SADDLE_NUMBNESS)
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    assert mail.outbox[0].subject.startswith("URGENT")
