"""Offline writes reaching the server: a client UUID makes a replay harmless, entries made
offline are dated by the phone (within limits), conflicting session results are merged
without losing a pain score or a note; the service worker and the list of pages it saves."""

import datetime
import json
import re
import uuid
from itertools import combinations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from exercises.models import SafetyAdvice
from patients import attention, offline, services
from patients.models import ClientWrite, ExerciseCheck, FunctionCheckIn, SessionLog, SymptomReport
from tests.clock import NOW, TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescription(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=14)
    )
    for order, name in enumerate(["Bridge", "Clamshell", "Bird dog"], start=1):
        PrescribedExerciseFactory(prescription=prescription, order=order, exercise__name=name)
    return prescription


@pytest.fixture
def signed_in(client, patient, prescription):
    client.force_login(patient.user)
    return client


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def check(client, prescribed, *, client_uuid, action="done", day=TODAY, made_at=None, **headers):
    data = {"exercise": prescribed.pk, "session": 1, "action": action, "client_uuid": client_uuid}
    if made_at is not None:
        data["made_at"] = iso(made_at)
    return client.post(
        reverse("patients:check_off", args=[day.isoformat()]), data, **(headers or JSON)
    )


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def done(client, *, day=TODAY, headers=JSON, **data):
    return client.post(
        reverse("patients:session_done", args=[day.isoformat(), 1]),
        {"pain": 3, "effort": "about_right", "note": ""} | data,
        **headers,
    )


# --- Idempotency --------------------------------------------------------------------------


def test_same_check_off_uuid_twice_is_one_row_and_the_same_answer(signed_in, prescription):
    prescribed = prescription.exercises.first()
    write = str(uuid.uuid4())
    first = check(signed_in, prescribed, client_uuid=write)
    second = check(signed_in, prescribed, client_uuid=write)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"ok": True, "error": ""}
    assert ExerciseCheck.objects.count() == 1
    assert ClientWrite.objects.filter(pk=write).count() == 1


def test_a_replayed_check_off_does_not_undo_a_later_change(signed_in, prescription):
    """The queue sends "done" (uuid A); the patient undoes it online; A arrives again."""
    prescribed = prescription.exercises.first()
    write = str(uuid.uuid4())
    check(signed_in, prescribed, client_uuid=write)
    check(signed_in, prescribed, client_uuid=str(uuid.uuid4()), action="undo")
    assert check(signed_in, prescribed, client_uuid=write).status_code == 200
    assert ExerciseCheck.objects.count() == 0


def test_same_session_done_uuid_twice_is_one_log_and_the_same_answer(signed_in):
    write = str(uuid.uuid4())
    first = done(signed_in, client_uuid=write, pain=4, note="Stiff at first")
    second = done(signed_in, client_uuid=write, pain=4, note="Stiff at first")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    log = SessionLog.objects.get()
    assert (log.pain, log.note, str(log.result_uuid)) == (4, "Stiff at first", write)
    assert ClientWrite.objects.count() == 1


def test_a_plain_form_replayed_redirects_both_times(signed_in):
    write = str(uuid.uuid4())
    answers = [done(signed_in, headers={}, client_uuid=write) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"] == reverse("patients:today")
    assert SessionLog.objects.count() == 1


def test_an_htmx_check_off_replayed_returns_the_same_card(signed_in, prescription):
    prescribed = prescription.exercises.first()
    write = str(uuid.uuid4())
    htmx = {"HTTP_HX_REQUEST": "true"}
    first = check(signed_in, prescribed, client_uuid=write, **htmx)
    second = check(signed_in, prescribed, client_uuid=write, **htmx)
    assert first.status_code == second.status_code == 200
    # The same card, but for the CSRF token, which is masked afresh on every page.
    assert without_token(first) == without_token(second)
    assert "Undo" in first.content.decode()


def test_same_check_in_uuid_twice_is_one_check_in_naming_its_activities_once(signed_in, patient):
    """The phone's queue sends a check-in again when it got a 5xx or no answer: the new
    activities it names must not be created twice."""
    write = str(uuid.uuid4())
    data = {"new_name_1": "Putting on socks", "new_score_1": "4", "client_uuid": write}
    first = signed_in.post(reverse("patients:checkin"), data, **JSON)
    second = signed_in.post(reverse("patients:checkin"), data, **JSON)
    assert first.json() == second.json() == {"ok": True, "error": ""}
    assert list(patient.activities.values_list("name", flat=True)) == ["Putting on socks"]
    assert FunctionCheckIn.objects.get().scores.get().score == 4
    assert ClientWrite.objects.get(pk=write).kind == ClientWrite.Kind.CHECKIN


def test_a_refused_check_in_replay_is_a_400_with_the_reason(signed_in):
    response = signed_in.post(
        reverse("patients:checkin"), {"client_uuid": str(uuid.uuid4())}, **JSON
    )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": "Name at least one everyday activity you find hard.",
    }
    assert not ClientWrite.objects.exists()


def test_a_symptom_report_sent_later_is_dated_when_it_arrived(signed_in, frozen_clock):
    """A report made offline an hour ago counts from when the clinic could see it, so that a
    review made in between never covers it; when it was made is kept beside it."""
    made = NOW - datetime.timedelta(hours=1)
    data = {"symptoms": ["other"], "client_uuid": str(uuid.uuid4()), "made_at": iso(made)}
    assert signed_in.post(reverse("patients:symptoms"), data, **JSON).status_code == 200
    report = SymptomReport.objects.get()
    assert (report.created_at, report.made_at) == (NOW, made)


# --- Entries made offline, sent later ------------------------------------------------------


def test_an_entry_made_offline_is_dated_when_it_was_made(signed_in, prescription, frozen_clock):
    """Made yesterday evening, offline; sent today, when yesterday is still editable."""
    made = NOW - datetime.timedelta(hours=14)
    response = done(
        signed_in, day=made.date(), client_uuid=str(uuid.uuid4()), made_at=iso(made), pain=5
    )
    assert response.status_code == 200
    log = SessionLog.objects.get()
    assert (log.date, log.pain, log.completed_at, log.result_at) == (made.date(), 5, made, made)


def test_an_entry_made_offline_a_week_ago_is_still_accepted_for_its_day(
    signed_in, prescription, patient
):
    """Five days offline: the day is past the 2-day grace period now, not when it was made."""
    made = NOW - datetime.timedelta(days=5)
    prescribed = prescription.exercises.first()
    response = check(
        signed_in, prescribed, client_uuid=str(uuid.uuid4()), day=made.date(), made_at=made
    )
    assert response.status_code == 200
    assert ExerciseCheck.objects.get().checked_at == made
    # Without the phone's time the same day is read-only, as before.
    response = check(signed_in, prescribed, client_uuid=str(uuid.uuid4()), day=made.date())
    assert response.status_code == 400
    assert "can no longer be changed" in response.json()["error"]


@pytest.mark.parametrize(
    ("made_at", "message"),
    [
        (NOW + datetime.timedelta(hours=1), "dated in the future"),
        (NOW - datetime.timedelta(days=8), "more than 7 days ago"),
    ],
)
def test_implausible_phone_times_are_refused_with_a_reason(signed_in, made_at, message):
    response = done(
        signed_in, day=made_at.date(), client_uuid=str(uuid.uuid4()), made_at=iso(made_at)
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not SessionLog.objects.exists()


def test_a_write_for_a_day_after_the_phones_own_date_is_refused(signed_in):
    made = NOW - datetime.timedelta(days=1)
    response = done(signed_in, day=TODAY, client_uuid=str(uuid.uuid4()), made_at=iso(made))
    assert response.status_code == 400
    assert "hasn't happened yet" in response.json()["error"]


def test_a_bad_uuid_is_a_clear_400(signed_in, prescription):
    prescribed = prescription.exercises.first()
    response = check(signed_in, prescribed, client_uuid="not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error"] == "This entry's id is not valid: it must be a UUID."
    response = done(signed_in, client_uuid="12345", headers={})
    assert response.status_code == 400
    assert "This entry&#x27;s id is not valid: it must be a UUID." in response.content.decode()
    assert not ExerciseCheck.objects.exists()
    assert not SessionLog.objects.exists()


def test_another_patients_uuid_cannot_touch_their_data(
    client, patient, prescription, other_patient
):
    theirs = PrescriptionFactory(patient=other_patient, start_date=TODAY)
    their_exercise = PrescribedExerciseFactory(prescription=theirs)
    write = str(uuid.uuid4())
    client.force_login(other_patient.user)
    done(client, client_uuid=write, pain=7, note="Theirs")
    client.force_login(patient.user)
    # The same UUID from patient A: refused, and neither patient's data changes.
    response = done(client, client_uuid=write, pain=1, note="Mine")
    assert response.status_code == 400
    assert response.json()["error"] == "This entry's id has already been used for something else."
    assert SessionLog.objects.get().note == "Theirs"
    assert not SessionLog.objects.filter(prescription=prescription).exists()
    # Their exercise, whatever the UUID: a 404.
    assert check(client, their_exercise, client_uuid=str(uuid.uuid4())).status_code == 404
    assert not ExerciseCheck.objects.exists()


def test_replays_need_a_csrf_token(patient, prescription):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient.user)
    assert done(browser, client_uuid=str(uuid.uuid4())).status_code == 403
    browser.get(reverse("patients:today"))
    token = browser.cookies["csrftoken"].value
    response = done(
        browser, client_uuid=str(uuid.uuid4()), headers=JSON | {"HTTP_X_CSRFTOKEN": token}
    )
    assert response.status_code == 200
    assert SessionLog.objects.count() == 1


def test_a_replay_after_the_session_expired_is_sent_to_sign_in(client, prescription):
    response = done(client, client_uuid=str(uuid.uuid4()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not SessionLog.objects.exists()


# --- Conflicts: the same session logged from two places ---------------------------------


def test_offline_result_made_later_than_an_online_one_wins_and_keeps_both_notes(signed_in):
    """Online from the laptop at 08:00 (pain 6); the phone, offline, logged it at 09:00
    (pain 4) without seeing the laptop's entry, and syncs at 10:00."""
    laptop = str(uuid.uuid4())
    done(
        signed_in,
        client_uuid=laptop,
        made_at=iso(NOW - datetime.timedelta(hours=2)),
        pain=6,
        note="Sore after the bridge",
        seen="",
    )
    phone = str(uuid.uuid4())
    response = done(
        signed_in,
        client_uuid=phone,
        made_at=iso(NOW - datetime.timedelta(hours=1)),
        pain=4,
        effort="too_easy",
        note="Better in the evening",
        seen="",
    )
    assert response.status_code == 200
    log = SessionLog.objects.get()
    assert (log.pain, log.effort) == (4, "too_easy")
    assert log.note == "Sore after the bridge\n\nBetter in the evening"
    assert log.completed_at == NOW - datetime.timedelta(hours=2)
    merged = ClientWrite.objects.get(pk=phone)
    assert merged.outcome == ClientWrite.Outcome.MERGED
    assert merged.replaced["pain"] == 6  # the laptop's score is kept
    assert ClientWrite.objects.get(pk=laptop).payload["pain"] == 6


def test_offline_result_made_earlier_keeps_the_online_pain_and_adds_its_note(signed_in):
    """The phone logged at 08:00 offline (pain 4); the laptop at 09:00 (pain 6) online."""
    done(
        signed_in,
        client_uuid=str(uuid.uuid4()),
        made_at=iso(NOW - datetime.timedelta(hours=1)),
        pain=6,
        note="Laptop note",
        seen="",
    )
    phone = str(uuid.uuid4())
    done(
        signed_in,
        client_uuid=phone,
        made_at=iso(NOW - datetime.timedelta(hours=2)),
        pain=4,
        note="Phone note",
        seen="",
    )
    log = SessionLog.objects.get()
    assert log.pain == 6
    assert log.note == "Phone note\n\nLaptop note"
    assert log.completed_at == NOW - datetime.timedelta(hours=2)
    write = ClientWrite.objects.get(pk=phone)
    assert (write.outcome, write.payload["pain"]) == (ClientWrite.Outcome.MERGED, 4)


def test_an_edit_of_the_result_the_form_showed_replaces_it(signed_in):
    first = str(uuid.uuid4())
    done(signed_in, client_uuid=first, pain=6, note="Sore", seen="")
    done(signed_in, client_uuid=str(uuid.uuid4()), pain=5, note="Less sore now", seen=first)
    log = SessionLog.objects.get()
    assert (log.pain, log.note) == (5, "Less sore now")
    assert ClientWrite.objects.exclude(pk=first).get().replaced == {
        "pain": 6,
        "effort": "about_right",
        "note": "Sore",
    }


def test_the_same_note_from_two_devices_is_not_repeated(signed_in):
    done(signed_in, client_uuid=str(uuid.uuid4()), pain=3, note="Fine", seen="")
    done(signed_in, client_uuid=str(uuid.uuid4()), pain=3, note="Fine", seen="")
    assert SessionLog.objects.get().note == "Fine"


def test_a_plain_form_without_javascript_still_edits_as_before(signed_in):
    done(signed_in, headers={}, pain=6, note="First")
    done(signed_in, headers={}, pain=2, note="Second")
    log = SessionLog.objects.get()
    assert (log.pain, log.note) == (2, "Second")
    assert ClientWrite.objects.filter(kind=ClientWrite.Kind.SESSION_DONE).count() == 2


def test_a_check_off_made_offline_before_a_newer_one_does_not_overwrite_it(signed_in, prescription):
    prescribed = prescription.exercises.first()
    signed_in.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": prescribed.pk, "session": 1, "action": "skip", "reason": "no_time"},
    )
    write = str(uuid.uuid4())
    response = check(
        signed_in, prescribed, client_uuid=write, made_at=NOW - datetime.timedelta(hours=1)
    )
    assert response.status_code == 200
    assert ExerciseCheck.objects.get().status == ExerciseCheck.Status.SKIPPED
    assert ClientWrite.objects.get(pk=write).outcome == ClientWrite.Outcome.SUPERSEDED


def test_the_day_page_carries_the_result_version_its_form_shows(signed_in):
    write = str(uuid.uuid4())
    done(signed_in, client_uuid=write)
    page = signed_in.get(reverse("patients:today")).content.decode()
    assert f'data-result="{write}"' in page
    assert f'data-plan-day="{TODAY.isoformat()}"' in page


# --- The service worker and what it saves --------------------------------------------------


def test_the_service_worker_is_served_under_plan_with_its_settings(client):
    response = client.get(reverse("patients:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response  # /plan/sw.js covers /plan/ by itself
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.HOMEPLAN = ").rstrip(";"))
    assert config["scope"] == "/plan/"
    assert config["manifestUrl"] == "/plan/offline.json"
    assert "/static/vendor/htmx/htmx.min.js" in config["shell"]
    assert "/static/js/offline.js" in config["shell"]
    assert len(config["version"]) == 16
    assert 'addEventListener("fetch"' in body


def test_the_cache_version_follows_the_static_files(client, settings, monkeypatch):
    settings.DEBUG = True
    first = offline._version("source")
    assert offline._version("source") == first
    monkeypatch.setattr(offline, "_files_hash", lambda: "another deploy")
    assert offline._version("source") != first


def test_patient_pages_name_their_owner_for_the_cache(signed_in, patient, other_patient):
    response = signed_in.get(reverse("patients:today"))
    key = response[offline.OWNER_HEADER]
    assert key == offline.owner_key(patient) != offline.owner_key(other_patient)
    assert re.fullmatch(r"[0-9a-f]{24}", key)
    assert response[offline.DAY_HEADER] == TODAY.isoformat()
    # The settings page holds the calendar secret: never saved for offline use.
    assert offline.OWNER_HEADER not in signed_in.get(reverse("patients:settings"))


def test_the_offline_manifest_lists_the_coming_week(signed_in, patient, prescription):
    response = signed_in.get(reverse("patients:offline_manifest"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["owner"] == offline.owner_key(patient)
    assert data["today"] == TODAY.isoformat()
    tomorrow = TODAY + datetime.timedelta(days=1)
    week_end = TODAY + datetime.timedelta(days=7)
    assert data["pages"][0] == "/plan/"
    assert f"/plan/{tomorrow.isoformat()}/?offline-copy=1" in data["pages"]
    assert f"/plan/{week_end.isoformat()}/?offline-copy=1" in data["pages"]
    assert f"/plan/{TODAY.isoformat()}/sessions/1/guided/" in data["pages"]
    for prescribed in prescription.exercises.all():
        assert reverse("patients:exercise", args=[prescribed.pk]) in data["pages"]
    assert "/plan/safety/" in data["pages"]
    assert "/plan/settings/" not in data["pages"]


def test_an_offline_copy_shows_a_coming_day_as_it_will_look_on_the_day(signed_in):
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    url = reverse("patients:day", args=[tomorrow])
    normal = signed_in.get(url).content.decode()
    assert "hasn't come yet" in normal
    assert "check-form" not in normal
    copy = signed_in.get(f"{url}?offline-copy=1").content.decode()
    assert "hasn't come yet" not in copy
    assert "check-form" in copy
    assert '<h1 class="h3 mb-0">Today</h1>' in copy
    # Not beyond the coming week.
    far = reverse("patients:day", args=[(TODAY + datetime.timedelta(days=9)).isoformat()])
    assert "check-form" not in signed_in.get(f"{far}?offline-copy=1").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "other_patient", "clinician"])
def test_the_offline_manifest_is_only_the_patients_own(client, who, request, prescription):
    if who != "anonymous":
        user = request.getfixturevalue(who)
        client.force_login(getattr(user, "user", user))
    response = client.get(reverse("patients:offline_manifest"))
    if who == "other_patient":
        assert response.status_code == 200
        assert response.json()["owner"] == offline.owner_key(request.getfixturevalue(who))
        pages = response.json()["pages"]
        assert not any(f"/plan/exercises/{p.pk}/" in pages for p in prescription.exercises.all())
    else:
        assert response.status_code == 302
        expected = "/accounts/login/" if who == "anonymous" else "/admin/"
        assert response["Location"].startswith(expected)


def test_logout_clears_the_sites_caches_and_storage(signed_in):
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


# --- Symptom reports made offline ----------------------------------------------------------


def symptom(client, *, client_uuid, made_at=None, symptoms=("leg_weaker",), headers=JSON):
    data = {"symptoms": list(symptoms), "note": "", "client_uuid": client_uuid}
    if made_at is not None:
        data["made_at"] = iso(made_at)
    return client.post(reverse("patients:symptoms"), data, **headers)


def test_a_symptom_report_sent_twice_is_stored_and_emailed_once(
    signed_in, patient, django_capture_on_commit_callbacks
):
    key = str(uuid.uuid4())
    made = NOW - datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = symptom(signed_in, client_uuid=key, made_at=made)
        again = symptom(signed_in, client_uuid=key, made_at=made)
    assert first.json() == {"ok": True, "error": "", "level": "emergency"}
    assert again.json() == first.json()
    report = SymptomReport.objects.get()
    assert (report.made_at, report.created_at, report.is_emergency) == (made, NOW, True)
    assert report.sent_later
    assert len(mail.outbox) == 1


def test_a_double_tap_on_the_plain_form_stores_one_report(signed_in):
    page = signed_in.get(reverse("patients:symptoms")).content.decode()
    key = re.search(r'name="client_uuid" value="([^"]+)"', page)[1]
    for _ in range(2):
        response = symptom(signed_in, client_uuid=key, headers={})
        assert "Get urgent help now" in response.content.decode()
    assert SymptomReport.objects.count() == 1


def test_a_symptom_report_is_never_refused_for_its_age_but_never_dated_ahead(signed_in):
    old = symptom(signed_in, client_uuid=str(uuid.uuid4()), made_at=NOW - datetime.timedelta(30))
    ahead = symptom(signed_in, client_uuid=str(uuid.uuid4()), made_at=NOW + datetime.timedelta(1))
    assert (old.status_code, ahead.status_code) == (200, 200)
    assert sorted(r.made_at for r in SymptomReport.objects.all()) == [
        NOW - datetime.timedelta(30),
        NOW,
    ]


def test_another_patients_symptom_report_id_is_refused_without_saying_whose(
    signed_in, other_patient
):
    key = str(uuid.uuid4())
    theirs = Client()
    theirs.force_login(other_patient.user)
    symptom(theirs, client_uuid=key)
    response = symptom(signed_in, client_uuid=key)
    assert response.status_code == 400
    assert response.json()["error"] == "This entry's id has already been used for something else."
    assert SymptomReport.objects.get().patient == other_patient


def test_a_report_made_offline_before_a_review_and_sent_after_it_is_still_new(
    signed_in, patient, clinician, frozen_clock
):
    made = NOW
    frozen_clock.shift(datetime.timedelta(minutes=30))
    services.attention_review(patient=patient, reviewed_by=clinician, today=TODAY)
    frozen_clock.shift(datetime.timedelta(minutes=30))
    symptom(signed_in, client_uuid=str(uuid.uuid4()), made_at=made)
    item = attention.queue_for(clinician, today=TODAY)[0]
    assert (item.patient, item.is_urgent) == (patient, True)
    assert item.reasons[0].at == made
    assert "(made offline, sent at 11:00)" in item.reasons[0].text


def test_the_symptom_page_is_kept_offline_and_carries_the_rules(signed_in, patient):
    assert "/plan/symptoms/" in signed_in.get(reverse("patients:offline_manifest")).json()["pages"]
    response = signed_in.get(reverse("patients:symptoms"))
    assert response[offline.OWNER_HEADER] == offline.owner_key(patient)
    page = response.content.decode()
    levels = re.search(r'data-levels="([^"]+)"', page)[1].split()
    assert levels == ["emergency", "doctor_soon", "stop"]
    offered = dict(re.findall(r'value="(\w+)" id="symptom-\w+" data-level="(\w+)"', page))
    assert list(offered) == [code for code, _label, _level in SymptomReport.offered()]
    # The phone picks the first level, most urgent first, among those ticked: the same answer
    # as the server's rule for every combination of the offered symptoms.
    for size in range(1, len(offered) + 1):
        for ticked in combinations(offered, size):
            phone = next(level for level in levels if level in {offered[c] for c in ticked})
            assert phone == SymptomReport.level_for(ticked), ticked
    for level in levels:
        assert f'data-advice="{level}" hidden' in page
    assert 'href="tel:999"' in page


def test_the_service_worker_carries_the_offline_fallback_with_the_emergency_signs(client):
    body = client.get(reverse("patients:service_worker")).content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.HOMEPLAN = ").rstrip(";"))
    fallback = config["offlinePage"]
    assert "You’re offline" in fallback
    for line in SafetyAdvice.objects.first().emergency_list:
        assert line in fallback
    for number in ("999", "112", "911"):
        assert f'href="tel:{number}"' in fallback
    assert 'href="/plan/symptoms/"' in fallback
    assert config["symptomsUrl"] == "/plan/symptoms/"
    assert "/static/js/symptoms.js" in config["shell"]


def test_a_new_safety_advice_version_changes_the_service_worker(client):
    before = client.get(reverse("patients:service_worker")).content
    newest = SafetyAdvice.objects.first()
    newest.pk = None
    newest.emergency_signs += "\nA new sign, in our own words."
    newest.save()
    after = client.get(reverse("patients:service_worker")).content.decode()
    assert after != before.decode()
    assert "A new sign, in our own words." in after


# --- When entries arrived (security review round 2, finding 9) ------------------------------


def test_finding_9_an_entry_that_arrives_days_late_is_stored_and_shown_as_late(
    signed_in, client, prescription, clinician, patient
):
    """The edit window trusts the phone's clock: a replay dated six days ago still edits a
    day the 2-day rule has closed. It is still accepted (offline work is not lost), but the
    server keeps when it arrived, and the clinician sees that it arrived a week late."""
    day = TODAY - datetime.timedelta(days=7)
    made = NOW - datetime.timedelta(days=6)  # the phone says: the next day, still editable
    prescribed = prescription.exercises.first()
    assert check(signed_in, prescribed, client_uuid=str(uuid.uuid4()), day=day, made_at=made)
    response = done(
        signed_in, day=day, client_uuid=str(uuid.uuid4()), made_at=iso(made), note="Late one"
    )
    assert response.status_code == 200
    late = SessionLog.objects.get(date=day)
    assert late.received_at == NOW
    assert late.result_at == made
    assert ExerciseCheck.objects.get().received_at == NOW
    assert late.days_late == 7
    assert late.entered_late
    # An entry made and sent on its day is not flagged.
    done(signed_in, client_uuid=str(uuid.uuid4()), note="On time")
    on_time = SessionLog.objects.get(date=TODAY)
    assert (on_time.received_at, on_time.entered_late) == (NOW, False)

    signed_in.logout()
    client.force_login(clinician)
    progress = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    html = progress.content.decode()
    assert "Entered more than a day after the day" in html
    assert "session 1: received Wed 25 Nov 2026, 10:00, 7 days after the day" in html
    assert "entered 7 days after the day" in html  # beside the note, too
    assert html.count("days after the day") == 2  # not the entry made on time
    page = client.get(reverse("admin:patients_sessionlog_change", args=[late.pk]))
    assert "Entered 7 days after the day" in page.content.decode()
    listing = client.get(reverse("admin:patients_sessionlog_changelist")).content.decode()
    assert listing.count("Entered 7 days after the day") == 1
