"""The message emails: the patient's "You have a new message from your clinic" and the
clinician's hourly "patients wrote to you". Sent by the real task worker, one email until
the patient reads, at most one an hour for the clinician, never a word of what was written."""

import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from patients import message_emails
from patients.models import MessageDigestSent, MessageThread, Patient
from patients.services import message_hide, message_send, thread_read
from tests.factories import ClinicianFactory, PatientFactory, PrescribedExerciseFactory

NOW = datetime.datetime(2026, 11, 25, 10, 5, tzinfo=datetime.UTC)
REPLY = "Numbness in the saddle area or losing control of your bladder: go to A&E now."
QUESTION = "Clamshell pinches at the front of my hip, and I have numbness in the saddle area."
# Words an email must never carry: what was written, the exercise, the symptoms.
SECRETS = ("saddle", "Numbness", "numbness", "bladder", "pinches", "Clamshell", "hip")


def everything_in(email) -> str:
    """The subject, the text body and every alternative (the HTML) of an email."""
    return "\n".join([email.subject, email.body, *(body for body, _ in email.alternatives)])


def assert_nothing_written_in(email, *also):
    content = everything_in(email)
    for word in (*SECRETS, *also):
        assert word not in content, word


def reply(patient, clinician, text=REPLY, **kwargs):
    return message_send(patient=patient, sender=clinician, text=text, from_patient=False, **kwargs)


def ask(patient, text=QUESTION, **kwargs):
    return message_send(
        patient=patient, sender=patient.user, text=text, from_patient=True, **kwargs
    )


def committed(capture, send, *args, **kwargs):
    """Send, then run what the commit would run (the enqueue; the immediate backend of the
    tests runs the task at once)."""
    with capture(execute=True):
        return send(*args, **kwargs)


# --- The patient's email ------------------------------------------------------------------------


@pytest.mark.django_db
def test_three_replies_make_one_email_until_the_patient_reads(
    client, clinician, patient, django_capture_on_commit_callbacks
):
    clam = PrescribedExerciseFactory(
        prescription__patient=patient, exercise__name="Clamshell (hip abduction)"
    )
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(NOW, tick=False):
        committed(capture, reply, patient, clinician, prescribed=clam)
    for minutes in (1, 2):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minutes), tick=False):
            committed(capture, reply, patient, clinician, text=f"And one more thing ({minutes}).")
    assert len(mail.outbox) == 1
    (email,) = mail.outbox
    assert email.to == [patient.email]
    assert email.subject == "You have a new message from your clinic"
    assert email.alternatives[0][1] == "text/html"
    assert_nothing_written_in(email, "one more thing", patient.last_name)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert MessageThread.objects.get(patient=patient).patient_notified_at == NOW

    # The link signs the patient in, once.
    line = next(line for line in email.body.splitlines() if "/accounts/sign-in/" in line)
    sign_in = line[line.index("/accounts/") :]
    assert sign_in in email.alternatives[0][0]
    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        assert client.post(sign_in).url == reverse("patients:today")
        client.logout()
        assert client.post(sign_in).status_code == 400

    # Read: the next reply is news again, and gets its own email.
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        thread_read(patient=patient, by_patient=True)
        committed(capture, reply, patient, clinician, text="How is it today?")
    assert len(mail.outbox) == 2
    assert_nothing_written_in(mail.outbox[1], "How is it today")


@pytest.mark.django_db
def test_a_hidden_reply_does_not_hold_back_the_next_email(
    clinician, patient, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(NOW, tick=False):
        wrong, _ = committed(capture, reply, patient, clinician, text="Meant for someone else.")
    message_hide(message=wrong, by=clinician)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        committed(capture, reply, patient, clinician)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_reply_read_before_the_worker_sends_nothing(clinician, patient):
    reply(patient, clinician)
    thread_read(patient=patient, by_patient=True)
    assert message_emails.message_notice_send(patient.pk) is False
    assert mail.outbox == []


@pytest.mark.parametrize(
    "who",
    ["opted out", "no email", "blank email", "no account", "account disabled", "discharged"],
)
@pytest.mark.django_db
def test_patients_who_do_not_want_or_cannot_get_it_get_none(
    clinician, django_capture_on_commit_callbacks, who
):
    extra = {"user": None} if who == "no account" else {}
    patient = PatientFactory(clinician=clinician, **extra)
    change = {
        "opted out": {"message_emails": False},
        "no email": {"email": None},
        "blank email": {"email": ""},
        "discharged": {"is_active": False},
    }.get(who)
    if change:
        Patient.objects.filter(pk=patient.pk).update(**change)
        patient.refresh_from_db()
    if who == "account disabled":
        type(patient.user).objects.filter(pk=patient.user_id).update(is_active=False)
    committed(django_capture_on_commit_callbacks, reply, patient, clinician)
    assert mail.outbox == []
    assert MessageThread.objects.get(patient=patient).patient_notified_at is None


@pytest.mark.django_db
def test_message_emails_are_on_by_default(clinician):
    assert PatientFactory(clinician=clinician).message_emails is True


@pytest.mark.django_db
def test_the_unsubscribe_link_stops_message_emails_too(
    client, clinician, patient, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    committed(capture, reply, patient, clinician)
    (email,) = mail.outbox
    unsubscribe = email.extra_headers["List-Unsubscribe"].strip("<>")
    unsubscribe = unsubscribe[unsubscribe.index("/plan/") :]
    assert unsubscribe in email.body
    page = client.get(unsubscribe).content.decode()
    assert "no email when your clinic sends you a message" in page
    done = client.post(unsubscribe).content.decode()
    assert "no email when your clinic sends you a message" in done
    patient.refresh_from_db()
    assert not patient.message_emails
    assert not patient.reminders_enabled
    assert "already off" in client.post(unsubscribe).content.decode()

    thread_read(patient=patient, by_patient=True)
    committed(capture, reply, patient, clinician, text="Another one.")
    assert len(mail.outbox) == 1  # nothing more


@pytest.mark.django_db
def test_patient_messages_never_email_the_patient(
    clinician, patient, django_capture_on_commit_callbacks
):
    clinician.email = ""
    clinician.save()
    committed(django_capture_on_commit_callbacks, ask, patient)
    assert mail.outbox == []


# --- The clinician's email ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_clinicians_email_counts_patients_and_names_nobody(
    clinician, patient, django_capture_on_commit_callbacks, caplog
):
    capture = django_capture_on_commit_callbacks
    bruno = PatientFactory(clinician=clinician, first_name="Bruno", last_name="Bright")
    caplog.set_level(logging.INFO)
    with time_machine.travel(NOW, tick=False):
        committed(capture, ask, patient)
    (email,) = mail.outbox
    assert email.to == [clinician.email]
    assert email.subject == "Homeplan: 1 patient wrote to you"
    assert "1 of your patients has sent you a message" in email.body
    inbox = reverse("admin:patients_messages_inbox")
    assert inbox in email.body
    assert inbox in email.alternatives[0][0]
    assert_nothing_written_in(
        email, patient.first_name, patient.last_name, patient.email, "Alice", "Ashby"
    )
    # Within the hour: nothing more, however many write (the tests' worker cannot wait for
    # the next hour; the test below runs the real one).
    with time_machine.travel(NOW + datetime.timedelta(minutes=20), tick=False):
        committed(capture, ask, bruno, text="Can I swim?")
        committed(capture, ask, patient, text="And cycle?")
    assert len(mail.outbox) == 1
    assert list(MessageDigestSent.objects.values_list("hour", "patients")) == [
        (NOW.replace(minute=0), 1)
    ]
    # The next hour, the next patient message brings one email counting both.
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        committed(capture, ask, bruno, text="Sorry, one more.")
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Homeplan: 2 patients wrote to you"
    assert "2 of your patients have sent you messages" in mail.outbox[1].body
    assert_nothing_written_in(mail.outbox[1], "Bruno", "Bright", "swim", "cycle")
    logged = caplog.text
    for secret in ("Alice", "Bruno", patient.email, clinician.email, "saddle", "swim"):
        assert secret not in logged


@pytest.mark.django_db
def test_nothing_unread_nothing_sent(clinician, patient):
    with time_machine.travel(NOW, tick=False):
        ask(patient)
        thread_read(patient=patient, by_patient=False)  # the clinician was looking already
        assert message_emails.message_digest_send(clinician.pk) == "nothing"
    assert mail.outbox == []
    assert not MessageDigestSent.objects.exists()


@pytest.mark.django_db
def test_a_clinician_without_an_address_or_account_gets_none(clinician, patient):
    ask(patient)
    for change in ({"email": ""}, {"email": "c@example.org", "is_active": False}):
        type(clinician).objects.filter(pk=clinician.pk).update(**change)
        assert message_emails.message_digest_send(clinician.pk) == "nothing"
    assert mail.outbox == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_one_digest_an_hour_and_the_next_one_in_the_next_hour(
    role_groups, settings
):
    """The real queue and worker: messages after this hour's email wait for the next hour,
    then one email counts whoever is still unread; the copies of the task that waited with
    it send nothing."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    def work(at):
        with time_machine.travel(at, tick=False):
            call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    def at(minutes):
        return NOW + datetime.timedelta(minutes=minutes)

    clinician = ClinicianFactory(username="clinician-a")
    names = ["Alice", "Bruno", "Carla", "Dev"]
    alice, bruno, carla, dev = (PatientFactory(clinician=clinician, first_name=n) for n in names)
    with time_machine.travel(at(0), tick=False):
        ask(alice)
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []  # queued, not sent by the request
    work(at(0))
    assert [email.subject for email in mail.outbox] == ["Homeplan: 1 patient wrote to you"]

    for minutes, patient in ((15, bruno), (25, carla)):
        with time_machine.travel(at(minutes), tick=False):
            ask(patient, text="A question.")
    work(at(26))  # both find this hour's email gone: both wait for 11:00
    assert len(mail.outbox) == 1
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 2
    assert {task.run_after for task in waiting} == {NOW.replace(hour=11, minute=0)}
    work(at(54))  # not yet
    assert len(mail.outbox) == 1

    work(at(56))  # 11:01
    assert [email.subject for email in mail.outbox][1:] == ["Homeplan: 3 patients wrote to you"]
    assert not DBTaskResult.objects.filter(status="READY").exists()

    # Read before the next hour: the waiting task finds nothing to say.
    with time_machine.travel(at(65), tick=False):
        thread_read(patient=alice, by_patient=False)
        thread_read(patient=bruno, by_patient=False)
        thread_read(patient=carla, by_patient=False)
        ask(dev, text="Thanks!")
    work(at(66))
    with time_machine.travel(at(80), tick=False):
        thread_read(patient=dev, by_patient=False)
    work(at(116))  # 12:01
    assert len(mail.outbox) == 2
    assert MessageDigestSent.objects.count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_emails_the_patient_once_for_three_replies(role_groups, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    clinician = ClinicianFactory(username="clinician-a")
    patient = PatientFactory(clinician=clinician)
    for minutes in (0, 1, 2):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minutes), tick=False):
            reply(patient, clinician, text=f"Reply {minutes}")
    assert mail.outbox == []
    with time_machine.travel(NOW + datetime.timedelta(minutes=3), tick=False):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert_nothing_written_in(mail.outbox[0], "Reply")


@pytest.mark.django_db
def test_the_patient_switches_message_emails_in_their_settings(client, patient):
    client.force_login(patient.user)
    page = client.get(reverse("patients:settings")).content.decode()
    assert 'name="message_emails" id="id_message_emails"' in page
    assert "Email me when my clinic sends me a message" in page
    form = {"reminders_enabled": "on", "reminder_time": "18:00", "timezone": "Europe/London"}
    assert client.post(reverse("patients:settings"), form).status_code == 302
    patient.refresh_from_db()
    assert not patient.message_emails
    assert patient.reminders_enabled
    client.post(reverse("patients:settings"), {**form, "message_emails": "on"})
    patient.refresh_from_db()
    assert patient.message_emails
