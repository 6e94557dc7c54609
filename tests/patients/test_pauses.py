"""Pauses as periods, on hand-built histories: the days before a pause keep the due status
they had; adherence, streaks, the queue's "no activity" count and reminders count only the
days outside pauses; the patient reads "Paused until …" with the clinician's message."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients import adherence, attention, plan, reminders, schedule, services
from patients.models import Patient, SessionLog
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

NOV = {n: datetime.date(2026, 11, n) for n in range(1, 31)}
TODAY = NOV[25]  # Wednesday; the 7-day window is Wed 18 - Tue 24


def at(day: datetime.date, hour: int = 9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False
    )


def done(prescription, *days):
    for day in days:
        SessionLog.objects.create(
            prescription=prescription,
            date=day,
            session_number=1,
            completed_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        )


@pytest.fixture
def daily(patient):
    patient.timezone = "Europe/London"
    patient.save()
    prescription = PrescriptionFactory(patient=patient, start_date=NOV[1])
    PrescribedExerciseFactory(prescription=prescription)
    return prescription


@pytest.fixture
def paused_in_the_middle(daily, clinician):
    """Done every day from the 1st to the 19th; paused for a flare-up on the 20th (until
    resumed), resumed on the 23rd; done on the 23rd and 24th."""
    done(daily, *(NOV[n] for n in range(1, 20)))
    with at(NOV[20]):
        services.prescription_pause(
            prescription=daily,
            starts_on=NOV[20],
            ends_on=None,
            reason="flare_up",
            message="Rest your back until Monday.",
            paused_by=clinician,
        )
    with at(NOV[23]):
        assert services.prescription_resume(prescription=daily, resumed_by=clinician)
    done(daily, NOV[23], NOV[24])
    daily.refresh_from_db()
    return daily


def test_the_pause_is_a_period_and_past_days_keep_their_status(paused_in_the_middle):
    prescription = paused_in_the_middle
    assert prescription.pause_periods == [
        {
            "from": "2026-11-20",
            "until": "2026-11-22",
            "reason": "Flare-up",
            "message": "Rest your back until Monday.",
        }
    ]
    due = [day for day in NOV.values() if schedule.is_due_on(prescription, day)]
    assert NOV[19] in due
    assert NOV[23] in due
    assert not {NOV[20], NOV[21], NOV[22]} & set(due)
    assert len(due) == 30 - 3


def test_adherence_counts_only_days_outside_the_pause(patient, paused_in_the_middle):
    result = adherence.with_adherence(Patient.objects, today=TODAY).get(pk=patient.pk)
    # 18, 19, 23, 24 due and done; 20-22 paused: 4 of 4, not 4 of 7.
    assert (result.due_7, result.done_7, result.adherence_7) == (4, 4.0, 100.0)
    # 28 days: 28 Oct - 24 Nov; due from 1 Nov (24 days) less 3 paused = 21, all done.
    assert (result.due_28, result.done_28) == (21, 21.0)
    assert adherence.prescription_adherence(paused_in_the_middle, NOV[18], NOV[24]) == (4, 4.0)


def test_the_streak_runs_across_the_pause(patient, paused_in_the_middle):
    history = plan.history(patient, today=TODAY)
    assert history.statuses[NOV[19]] == "done"
    assert history.statuses[NOV[21]] == "not_due"
    assert history.current_streak == 21  # every due day since the 1st


def test_an_open_pause_is_not_inactivity_and_stops_reminders(patient, daily, clinician):
    done(daily, *(NOV[n] for n in range(1, 21)))
    with at(NOV[21]):
        services.prescription_pause(
            prescription=daily,
            starts_on=NOV[21],
            ends_on=None,
            reason="holiday",
            message="Enjoy the trip.",
            paused_by=clinician,
        )
    daily.refresh_from_db()
    assert attention.due_days_without_activity([daily], NOV[20], TODAY) == 0
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    patient.reminder_time = datetime.time(18, 0)
    patient.save()
    assert patient not in [p for p, _ in reminders.due_reminders(evening)]
    with at(TODAY):
        services.prescription_resume(prescription=daily, resumed_by=clinician)
    assert patient in [p for p, _ in reminders.due_reminders(evening)]


def test_the_patient_reads_paused_until_with_the_message(client, patient, daily, clinician):
    with at(NOV[20]):
        services.prescription_pause(
            prescription=daily,
            starts_on=NOV[20],
            ends_on=NOV[27],
            reason="flare_up",
            message="Rest your back until Monday.",
            paused_by=clinician,
        )
        client.force_login(patient.user)
        html = client.get(reverse("patients:today")).content.decode()
    assert "Paused until Friday 27 November" in html
    assert "Rest your back until Monday." in html


def test_pauses_refuse_the_past_and_overlaps_and_others_patients(daily, clinician, other_clinician):
    with at(NOV[20]):
        with pytest.raises(ValidationError, match="days gone by"):
            services.prescription_pause(
                prescription=daily,
                starts_on=NOV[19],
                ends_on=None,
                reason="other",
                message="",
                paused_by=clinician,
            )
        services.prescription_pause(
            prescription=daily,
            starts_on=NOV[22],
            ends_on=NOV[24],
            reason="holiday",
            message="",
            paused_by=clinician,
        )
        with pytest.raises(ValidationError, match="already paused"):
            services.prescription_pause(
                prescription=daily,
                starts_on=NOV[20],
                ends_on=None,
                reason="other",
                message="",
                paused_by=clinician,
            )
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.prescription_resume(prescription=daily, resumed_by=other_clinician)
        # Resuming before a planned pause starts drops it.
        assert services.prescription_resume(prescription=daily, resumed_by=clinician)
    daily.refresh_from_db()
    assert daily.pause_periods == []
    assert not daily.pauses.exists()


def test_pause_and_resume_from_the_patient_page(client, clinician, patient, daily):
    client.force_login(clinician)
    change = reverse("admin:patients_patient_change", args=[patient.pk])
    pause_url = reverse("admin:patients_patient_pause", args=[patient.pk])
    with at(NOV[20]):
        html = client.get(change).content.decode()
        assert f"{pause_url}?prescription={daily.pk}" in html
        page = client.get(pause_url, {"prescription": daily.pk}).content.decode()
        assert 'value="2026-11-20"' in page  # from today by default
        bad = client.post(
            f"{pause_url}?prescription={daily.pk}",
            {"starts_on": "2026-11-19", "reason": "flare_up"},
        )
        assert "days gone by keep what was due" in bad.content.decode()
        response = client.post(
            f"{pause_url}?prescription={daily.pk}",
            {"starts_on": "2026-11-20", "ends_on": "", "reason": "flare_up", "message": "Rest."},
        )
        assert response.status_code == 302
        assert "Paused — resume" in client.get(change).content.decode()
    with at(NOV[23]):
        client.force_login(clinician)  # three days later: a new staff session
        page = client.get(pause_url, {"prescription": daily.pk}).content.decode()
        assert "Resume today" in page
        resume = reverse("admin:patients_patient_resume", args=[patient.pk])
        assert client.post(resume, {"prescription": daily.pk}).status_code == 302
    daily.refresh_from_db()
    assert daily.pause_periods[0]["until"] == "2026-11-22"


def test_another_clinicians_prescription_cannot_be_paused(client, clinician, other_patient):
    theirs = PrescriptionFactory(patient=other_patient)
    client.force_login(clinician)
    for name, method in (
        ("admin:patients_patient_pause", "get"),
        ("admin:patients_patient_resume", "post"),
    ):
        url = reverse(name, args=[other_patient.pk])
        assert getattr(client, method)(url, {"prescription": theirs.pk}).status_code == 404
    assert theirs.pauses.count() == 0
