"""The message services: the thread's state, the patient's unread count, idempotency,
urgent words, hiding, and the audit trail."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from patients.models import Message, MessageThread, Patient
from patients.services import (
    message_hide,
    message_send,
    thread_mark_handled,
    thread_read,
)
from tests.factories import PrescribedExerciseFactory

pytestmark = pytest.mark.django_db


def send_from_patient(patient, text="Is it normal that clamshells pinch?", **kwargs):
    return message_send(
        patient=patient, sender=patient.user, text=text, from_patient=True, **kwargs
    )


def test_a_patient_message_waits_until_the_clinic_answers(patient, clinician):
    message, created = send_from_patient(patient)
    assert created
    thread = MessageThread.objects.get(patient=patient)
    assert thread.waiting_since == message.created_at
    assert thread.clinic_unread == 1
    assert not thread.urgent

    reply, _ = message_send(
        patient=patient, sender=clinician, text="Yes, a little.", from_patient=False
    )
    thread.refresh_from_db()
    assert thread.waiting_since is None
    assert thread.clinic_unread == 0
    assert Message.objects.get(pk=message.pk).read_at is not None  # answering is reading
    assert Patient.objects.get(pk=patient.pk).messages_unread == 1

    assert thread_read(patient=patient, by_patient=True) == 1
    assert Patient.objects.get(pk=patient.pk).messages_unread == 0
    assert Message.objects.get(pk=reply.pk).read_at is not None


def test_the_same_client_uuid_is_stored_once(patient):
    key = uuid.uuid4()
    first, created = send_from_patient(patient, client_uuid=key)
    again, created_again = send_from_patient(patient, client_uuid=key)
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert MessageThread.objects.get(patient=patient).clinic_unread == 1


def test_another_patients_uuid_is_refused_without_saying_whose(patient, other_patient):
    key = uuid.uuid4()
    send_from_patient(patient, client_uuid=key)
    with pytest.raises(ValidationError, match="already been used"):
        send_from_patient(other_patient, client_uuid=key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your message first"),
        ("   \n ", "Write your message first"),
        ("x" * 2001, "under 2000 characters"),
        ("hello\x00there", "cannot be sent"),
        ("\x1b[31mred", "cannot be sent"),
    ],
)
def test_bad_text_gets_a_clear_message(patient, text, message):
    with pytest.raises(ValidationError, match=message):
        send_from_patient(patient, text=text)
    assert not Message.objects.exists()


def test_line_breaks_are_kept(patient):
    message, _ = send_from_patient(patient, text="First line\r\nSecond line")
    assert message.text == "First line\nSecond line"


def test_emergency_words_make_the_message_and_thread_urgent(patient, clinician):
    message, _ = send_from_patient(patient, text="I have numbness in the saddle area since today")
    assert message.urgent
    assert MessageThread.objects.get(patient=patient).urgent
    message_send(patient=patient, sender=clinician, text="Please call 999 now.", from_patient=False)
    assert not MessageThread.objects.get(patient=patient).urgent


def test_mark_handled_clears_the_wait_without_a_reply(patient, clinician):
    send_from_patient(patient)
    thread = thread_mark_handled(patient=patient, by=clinician)
    assert thread.waiting_since is None
    assert thread.handled_by == clinician
    assert AuditEvent.objects.filter(target="patients.messagethread").exists()


def test_hiding_a_message_recounts_the_thread(patient, clinician):
    wrong, _ = message_send(
        patient=patient, sender=clinician, text="Meant for someone else", from_patient=False
    )
    assert Patient.objects.get(pk=patient.pk).messages_unread == 1
    message_hide(message=wrong, by=clinician)
    assert Patient.objects.get(pk=patient.pk).messages_unread == 0
    wrong.refresh_from_db()
    assert wrong.hidden_by == clinician
    assert not Message.objects.visible().exists()


def test_hiding_the_answer_puts_the_question_back_in_waiting(patient, clinician):
    question, _ = send_from_patient(patient)
    answer, _ = message_send(
        patient=patient, sender=clinician, text="Wrong one", from_patient=False
    )
    message_hide(message=answer, by=clinician)
    assert MessageThread.objects.get(patient=patient).waiting_since == question.created_at


def test_messages_reach_the_audit_trail(patient):
    message, _ = send_from_patient(patient)
    assert AuditEvent.objects.filter(
        target="patients.message", target_id=str(message.pk), action=AuditEvent.Action.CREATE
    ).exists()


def test_an_exercise_from_another_patients_plan_is_refused(patient, other_patient):
    theirs = PrescribedExerciseFactory(prescription__patient=other_patient)
    with pytest.raises(ValidationError, match="not on your plan"):
        send_from_patient(patient, prescribed=theirs)


def test_patients_are_limited_to_thirty_messages_an_hour(patient, settings):
    settings.MESSAGES_PER_HOUR = 3
    for number in range(3):
        send_from_patient(patient, text=f"Message {number}")
    with pytest.raises(ValidationError, match="try again later"):
        send_from_patient(patient, text="One more")
    assert Message.objects.count() == 3
