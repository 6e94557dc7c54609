"""Emails are made outside the reader's own request (the task worker, a clinician's request):
each one switches to its reader's language itself. A patient's in theirs, subject included;
a clinician's in the clinic's (settings.LANGUAGE_CODE), whoever's request sent it."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import translation

from patients import message_emails, reminders
from tests.factories import PatientFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

EVENING = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)


def spanish_patient(clinician):
    patient = PatientFactory(
        clinician=clinician,
        first_name="Lucía",
        language="es",
        timezone="Europe/Madrid",
        reminder_time=datetime.time(18, 0),
    )
    prescription = PrescriptionFactory(patient=patient, start_date=datetime.date(2026, 11, 1))
    PrescribedExerciseFactory(
        prescription=prescription,
        exercise__name="Puente",
        sets=3,
        reps=10,
        hold_seconds=None,
        side="each",
    )
    return patient


def languages_while_rendering(module):
    """Patch ``module``'s render_to_string to note the active language at each call."""
    seen = []
    real = module.render_to_string

    def render(*args, **kwargs):
        seen.append(translation.get_language())
        return real(*args, **kwargs)

    return seen, mock.patch.object(module, "render_to_string", render)


def test_a_reminder_to_a_spanish_patient_is_rendered_in_spanish(clinician):
    spanish_patient(clinician)
    seen, patched = languages_while_rendering(reminders)
    with translation.override("en-gb"), patched:
        assert reminders.send_due_reminders(EVENING).sent == 1
        assert translation.get_language() == "en-gb"  # the worker's language is back
    assert seen == ["es", "es"]  # the text and the HTML part
    message = mail.outbox[0]
    assert message.subject == "Sus ejercicios de hoy, Lucía"
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert "Un recordatorio amable: sus ejercicios de hoy le esperan." in part
        assert "Puente" in part
        assert "3 series de 10, en cada lado" in part  # the dose line too
    assert "Abrir el plan de hoy</a>" in html


def test_an_english_patient_gets_the_english_reminder_from_a_spanish_context(clinician):
    patient = spanish_patient(clinician)
    patient.language = "en-gb"
    patient.save()
    with translation.override("es"):
        reminders.send_due_reminders(EVENING)
    message = mail.outbox[0]
    assert message.subject == "Your exercises for today, Lucía"
    assert "3 sets of 10, each side" in message.body


def test_the_clinicians_digest_is_in_the_clinics_language_inside_a_spanish_request(
    clinician, settings
):
    seen, patched = languages_while_rendering(message_emails)
    with translation.override("es"), patched:
        email = message_emails._digest_email(clinician, 2)
    assert seen == [settings.LANGUAGE_CODE, settings.LANGUAGE_CODE]
    assert email.subject == "Homeplan: 2 patients wrote to you"
