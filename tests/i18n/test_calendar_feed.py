"""The calendar feed is fetched by a calendar app, with no language of its own: it is written
in the patient's language (event titles, the alarm, the dose lines)."""

import datetime

import icalendar
import pytest
import time_machine
from django.urls import reverse

from tests.i18n.test_emails import spanish_patient

pytestmark = pytest.mark.django_db


def test_the_calendar_feed_of_a_spanish_patient_is_in_spanish(client, clinician):
    patient = spanish_patient(clinician)
    patient.calendar_alarm = True
    patient.save()
    url = reverse("patients:calendar", args=[patient.calendar_token])
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-gb")
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == "Ejercicios en casa"
    assert str(event["description"]) == "Puente: 3 series de 10, en cada lado"
    assert str(calendar["x-wr-calname"]).startswith("Ejercicios · ")
