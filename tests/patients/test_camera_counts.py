"""What guided mode's camera coach sends with a check-off (sets counted to the end,
repetitions, seconds held, form cues said) and what is stored of it: numbers only, once per
write, checked, and never over what another device already stored."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from patients.models import ClientWrite, ExerciseCheck
from tests.clock import NOW, TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
TRANSACTION_STATEMENTS = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
CAMERA = {
    "camera_sets": "2",
    "camera_reps": "20",
    "camera_seconds": "95",
    "camera_warnings": "hips_higher:2,hold_longer:1",
}
STORED = {
    "camera_sets": 2,
    "camera_reps": 20,
    "camera_seconds": 95,
    "form_warnings": {"hips_higher": 2, "hold_longer": 1},
}
NO_CAMERA = {"camera_sets": 0, "camera_reps": 0, "camera_seconds": 0, "form_warnings": {}}
# Every column an exercise check has: a new one (a picture, landmarks, a video) must be a
# decision, not a side effect.
CHECK_COLUMNS = {
    "id",
    "session_log",
    "prescribed_exercise",
    "status",
    "skip_reason",
    "checked_at",
    "received_at",
    "camera_sets",
    "camera_reps",
    "camera_seconds",
    "form_warnings",
}


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescribed(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=14)
    )
    bridge = PrescribedExerciseFactory(
        prescription=prescription, order=1, exercise__name="Bridge", sets=3, hold_seconds=5
    )
    PrescribedExerciseFactory(prescription=prescription, order=2, exercise__name="Clamshell")
    return bridge


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient.user)
    return client


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def check(client, prescribed, *, day=TODAY, headers=JSON, **data):
    data = {"exercise": prescribed.pk, "session": 1, "action": "done"} | data
    return client.post(reverse("patients:check_off", args=[day.isoformat()]), data, **headers)


def camera_numbers(check: ExerciseCheck) -> dict:
    return {name: getattr(check, name) for name in NO_CAMERA}


def test_a_camera_check_off_stores_the_numbers_and_nothing_else(signed_in, prescribed):
    write = str(uuid.uuid4())
    response = check(signed_in, prescribed, client_uuid=write, **CAMERA)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "error": ""}
    stored = ExerciseCheck.objects.get()
    assert {field.name for field in ExerciseCheck._meta.concrete_fields} == CHECK_COLUMNS
    assert camera_numbers(stored) == STORED
    assert (stored.status, stored.skip_reason, stored.checked_at) == ("done", "", NOW)
    assert stored.counted_by_camera
    # The write remembers what it said, the camera's numbers included.
    assert ClientWrite.objects.get(pk=write).payload == {
        "exercise": prescribed.pk,
        "status": "done",
        "reason": "",
        **STORED,
    }
    assert AuditEvent.objects.filter(target="patients.exercisecheck", action="create").exists()


def test_a_check_off_ticked_by_hand_has_no_camera_numbers(signed_in, prescribed):
    write = str(uuid.uuid4())
    assert check(signed_in, prescribed, client_uuid=write).status_code == 200
    stored = ExerciseCheck.objects.get()
    assert camera_numbers(stored) == NO_CAMERA
    assert not stored.counted_by_camera
    assert ClientWrite.objects.get(pk=write).payload == {
        "exercise": prescribed.pk,
        "status": "done",
        "reason": "",
    }


def test_a_camera_that_counted_no_whole_set_is_not_counted_by_camera(signed_in, prescribed):
    data = {"camera_sets": "0", "camera_reps": "4", "camera_seconds": "0", "camera_warnings": ""}
    assert check(signed_in, prescribed, **data).status_code == 200
    stored = ExerciseCheck.objects.get()
    assert (stored.camera_sets, stored.camera_reps, stored.form_warnings) == (0, 4, {})
    assert not stored.counted_by_camera


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"camera_sets": "-1"}, "The camera's count of sets is not valid"),
        ({"camera_sets": "51"}, "The camera's count of sets is not valid"),
        ({"camera_sets": "two"}, "The camera's count of sets is not valid"),
        ({"camera_reps": "2001"}, "The camera's count of repetitions is not valid"),
        ({"camera_reps": "1.5"}, "The camera's count of repetitions is not valid"),
        ({"camera_seconds": "36001"}, "The camera's time held is not valid"),
        ({"camera_warnings": "lean_back:1"}, "each must be a known cue, once"),
        ({"camera_warnings": "hips_higher"}, "each must be a known cue, once"),
        ({"camera_warnings": "hips_higher:1,hips_higher:2"}, "each must be a known cue, once"),
        ({"camera_warnings": "hips_higher:0"}, "each is counted from 1 to 999 times"),
        ({"camera_warnings": "hips_higher:1000"}, "each is counted from 1 to 999 times"),
        ({"camera_warnings": "hips_higher:-2"}, "each is counted from 1 to 999 times"),
        ({"camera_warnings": "x" * 401}, "Ensure this value has at most 400 characters"),
        (
            {"action": "skip", "reason": "no_time", "camera_sets": "1"},
            "What the camera counted can only come with an exercise marked done.",
        ),
        (
            {"camera_sets": "4"},
            "The camera counted more sets than prescribed: this exercise has 3 sets.",
        ),
    ],
)
def test_bad_camera_numbers_are_a_400_with_the_reason_and_store_nothing(
    signed_in, prescribed, data, message
):
    response = check(signed_in, prescribed, client_uuid=str(uuid.uuid4()), **data)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert message in response.json()["error"]
    assert not ExerciseCheck.objects.exists()
    assert not ClientWrite.objects.exists()


def test_a_bad_camera_number_from_the_day_page_is_a_400_card_with_the_reason(signed_in, prescribed):
    response = check(signed_in, prescribed, headers={"HTTP_HX_REQUEST": "true"}, camera_sets="9")
    assert response.status_code == 400
    assert "this exercise has 3 sets" in response.content.decode()
    assert not ExerciseCheck.objects.exists()


def test_the_same_camera_check_off_twice_is_stored_once(signed_in, prescribed):
    write = str(uuid.uuid4())
    first = check(signed_in, prescribed, client_uuid=write, **CAMERA)
    # The same write again, even with other numbers (a bug, a tampered queue): nothing changes.
    second = check(signed_in, prescribed, client_uuid=write, **CAMERA | {"camera_sets": "3"})
    assert first.json() == second.json() == {"ok": True, "error": ""}
    assert camera_numbers(ExerciseCheck.objects.get()) == STORED
    assert ClientWrite.objects.count() == 1
    assert AuditEvent.objects.filter(target="patients.exercisecheck").count() == 1


def test_a_camera_check_off_made_offline_and_sent_twice_by_the_queue_is_stored_once(
    signed_in, prescribed
):
    """The service worker replays its queue with each entry's own id and the time it was
    made; a flaky connection may deliver one twice."""
    made = NOW - datetime.timedelta(hours=30)
    queued = {"client_uuid": str(uuid.uuid4()), "made_at": iso(made), **CAMERA}
    answers = [check(signed_in, prescribed, day=made.date(), **queued) for _ in range(2)]
    assert [answer.json() for answer in answers] == [{"ok": True, "error": ""}] * 2
    stored = ExerciseCheck.objects.get()
    assert (stored.session_log.date, stored.checked_at, stored.received_at) == (
        made.date(),
        made,
        NOW,
    )
    assert camera_numbers(stored) == STORED
    write = ClientWrite.objects.get()
    assert (write.made_at, write.outcome, write.payload["camera_sets"]) == (made, "applied", 2)


def test_guided_mode_adds_the_numbers_to_a_check_done_by_hand_elsewhere(signed_in, prescribed):
    check(signed_in, prescribed)  # ticked on Today, on the other phone
    write = str(uuid.uuid4())
    check(signed_in, prescribed, client_uuid=write, if_open="1", **CAMERA)
    assert camera_numbers(ExerciseCheck.objects.get()) == STORED
    assert ClientWrite.objects.get(pk=write).outcome == ClientWrite.Outcome.MERGED
    changed = AuditEvent.objects.get(target="patients.exercisecheck", action="update")
    assert changed.fields == "camera_reps,camera_seconds,camera_sets,form_warnings"


def test_guided_mode_never_replaces_numbers_already_stored(signed_in, prescribed):
    check(signed_in, prescribed, **CAMERA)
    write = str(uuid.uuid4())
    other = {"camera_sets": "1", "camera_reps": "5", "camera_seconds": "0", "camera_warnings": ""}
    check(signed_in, prescribed, client_uuid=write, if_open="1", **other)
    assert camera_numbers(ExerciseCheck.objects.get()) == STORED
    assert ClientWrite.objects.get(pk=write).outcome == ClientWrite.Outcome.SUPERSEDED


def test_guided_mode_keeps_a_skip_and_adds_no_numbers_to_it(signed_in, prescribed):
    check(signed_in, prescribed, action="skip", reason="too_painful")
    check(signed_in, prescribed, if_open="1", **CAMERA)
    stored = ExerciseCheck.objects.get()
    assert (stored.status, stored.skip_reason) == ("skipped", "too_painful")
    assert camera_numbers(stored) == NO_CAMERA


def test_an_older_offline_camera_entry_fills_in_a_later_check_without_numbers(
    signed_in, prescribed
):
    check(signed_in, prescribed)  # done by hand now
    made = NOW - datetime.timedelta(hours=1)
    check(signed_in, prescribed, client_uuid=str(uuid.uuid4()), made_at=iso(made), **CAMERA)
    stored = ExerciseCheck.objects.get()
    assert stored.checked_at == NOW  # the later check is kept
    assert camera_numbers(stored) == STORED


def test_done_again_by_hand_keeps_the_numbers_and_a_skip_clears_them(signed_in, prescribed):
    check(signed_in, prescribed, **CAMERA)
    check(signed_in, prescribed)  # a double tap on Today's "Done"
    assert camera_numbers(ExerciseCheck.objects.get()) == STORED
    check(signed_in, prescribed, action="skip", reason="no_time")
    assert camera_numbers(ExerciseCheck.objects.get()) == NO_CAMERA
    check(signed_in, prescribed)
    assert camera_numbers(ExerciseCheck.objects.get()) == NO_CAMERA


def test_a_camera_check_off_costs_no_more_statements_than_one_by_hand(signed_in, prescribed):
    """tests/patients/test_write_budgets.py: at most 8 statements, one more with an id."""

    def cost(**data) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert check(signed_in, prescribed, **data).status_code == 200
        return sum(
            not query["sql"].lstrip().upper().startswith(TRANSACTION_STATEMENTS)
            for query in captured.captured_queries
        )

    clamshell = prescribed.prescription.exercises.get(exercise__name="Clamshell")
    check(signed_in, clamshell)  # the session's log is made: both below update its share
    by_hand = cost(client_uuid=str(uuid.uuid4()))
    check(signed_in, prescribed, action="undo", client_uuid=str(uuid.uuid4()))
    with_camera = cost(client_uuid=str(uuid.uuid4()), **CAMERA)
    assert with_camera == by_hand <= 9
