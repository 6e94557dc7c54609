"""The patient's Messages page (/plan/messages/): the thread, sending (once per client UUID,
after the urgent-care advice when the words name an emergency sign), bad and hostile input,
the unread badge, "Ask about this exercise", and a query budget constant in thread length."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patients.models import Message, MessageThread, Patient
from patients.services import message_send
from tests.factories import PrescribedExerciseFactory

pytestmark = pytest.mark.django_db

URL = "/plan/messages/"


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient.user)
    return client


def post(client, text="Is it normal that clamshells pinch at the front of my hip?", **extra):
    data = {"text": text, "client_uuid": str(extra.pop("client_uuid", uuid.uuid4()))}
    data.update(extra)
    return client.post(URL, data)


def clinic_writes(patient, clinician, text="Yes, a little at first."):
    return message_send(patient=patient, sender=clinician, text=text, from_patient=False)[0]


def test_the_url_is_named():
    assert reverse("patients:messages") == URL


def test_an_empty_thread_invites_a_first_message(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No messages yet" in body
    assert 'href="/plan/safety/"' in body
    assert "When to stop and get help" in body
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_message_is_sent_then_the_page_is_shown_again(signed_in, patient):
    response = post(signed_in)
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == f"{URL}#message-{message.pk}"
    assert message.from_patient
    assert message.sender == patient.user
    assert not message.urgent
    page = signed_in.get(URL).content.decode()
    assert "clamshells pinch" in page
    assert "Seen by your clinic" not in page


def test_the_same_client_uuid_twice_is_one_message(signed_in):
    key = uuid.uuid4()
    assert post(signed_in, client_uuid=key).status_code == 302
    assert post(signed_in, client_uuid=key).status_code == 302
    assert Message.objects.count() == 1
    assert MessageThread.objects.get().clinic_unread == 1


def test_the_offline_queue_gets_json_and_made_at_is_kept(signed_in):
    made = (timezone.now() - timezone.timedelta(hours=2)).replace(microsecond=0)
    key = uuid.uuid4()
    for _ in range(2):
        response = signed_in.post(
            URL,
            {"text": "Written on the bus", "client_uuid": str(key), "made_at": made.isoformat()},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200
        assert response.json() == {"ok": True, "error": ""}
    message = Message.objects.get()
    assert message.made_at == made


def test_clinic_messages_show_the_clinicians_name_and_opening_marks_them_read(
    signed_in, patient, clinician
):
    clinician.first_name, clinician.last_name = "Dana", "Physio"
    clinician.save()
    reply = clinic_writes(patient, clinician)
    assert Patient.objects.get(pk=patient.pk).messages_unread == 1
    body = signed_in.get("/plan/").content.decode()
    assert 'aria-label="Messages, 1 unread"' in body
    page = signed_in.get(URL).content.decode()
    assert "Dana Physio" in page
    reply.refresh_from_db()
    assert reply.read_at is not None
    assert Patient.objects.get(pk=patient.pk).messages_unread == 0
    # The badge is gone on the page that cleared it, and after.
    assert "unread" not in page.split("</nav>")[0]
    assert "data-unread" not in signed_in.get("/plan/").content.decode()


def test_the_saved_offline_copy_does_not_count_as_reading(signed_in, patient, clinician):
    reply = clinic_writes(patient, clinician)
    assert signed_in.get(URL + "?saved-copy=1").status_code == 200
    reply.refresh_from_db()
    assert reply.read_at is None
    assert Patient.objects.get(pk=patient.pk).messages_unread == 1


def test_a_message_from_a_clinician_who_left_reads_your_clinic(signed_in, patient, superuser):
    clinic_writes(patient, superuser)
    superuser.delete()
    assert "Your clinic" in signed_in.get(URL).content.decode()


def test_seen_by_your_clinic_under_the_patients_newest_message(signed_in, patient):
    post(signed_in, text="First question")
    post(signed_in, text="Second question")
    assert "Seen by your clinic" not in signed_in.get(URL).content.decode()
    Message.objects.update(read_at=timezone.now())
    page = signed_in.get(URL).content.decode()
    assert page.count("Seen by your clinic") == 1
    assert page.index("Second question") < page.index("Seen by your clinic")


def test_ask_about_an_exercise(signed_in, patient):
    prescribed = PrescribedExerciseFactory(prescription__patient=patient)
    exercise_page = signed_in.get(reverse("patients:exercise", args=[prescribed.pk]))
    assert f'href="{URL}?exercise={prescribed.pk}"' in exercise_page.content.decode()
    page = signed_in.get(f"{URL}?exercise={prescribed.pk}").content.decode()
    assert "About:" in page
    assert prescribed.exercise.name in page
    assert f'name="exercise" value="{prescribed.pk}"' in page
    assert post(signed_in, text="Does it pinch?", exercise=prescribed.pk).status_code == 302
    message = Message.objects.get()
    assert message.prescribed_exercise == prescribed
    assert message.exercise_name == prescribed.exercise.name
    thread = signed_in.get(URL).content.decode()
    assert f'href="/plan/exercises/{prescribed.pk}/"' in thread


def test_another_patients_exercise_is_refused(signed_in, other_patient):
    theirs = PrescribedExerciseFactory(prescription__patient=other_patient)
    page = signed_in.get(f"{URL}?exercise={theirs.pk}").content.decode()
    assert theirs.exercise.name not in page
    response = post(signed_in, text="About yours", exercise=theirs.pk)
    assert response.status_code == 400
    assert "That exercise is not on your plan." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Write your message first."),
        ("   ", "Write your message first."),
        ("x" * 2001, "under 2000 characters"),
        ("hello\x00there", "Null characters are not allowed."),
        ("\x1b[31mred", "cannot be sent"),
    ],
)
def test_bad_text_gets_a_clear_message_and_is_kept(signed_in, text, expected):
    response = post(signed_in, text=text)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert "There is a problem" in body
    assert not Message.objects.exists()


def test_2000_characters_with_line_breaks_are_fine(signed_in):
    text = ("a" * 99 + "\r\n") * 20  # 2,000 once each line break is one character
    assert post(signed_in, text=text.strip()).status_code == 302
    assert len(Message.objects.get().text) <= 2000


def test_script_in_a_message_is_shown_as_text(signed_in, patient, clinician):
    post(signed_in, text='<script>alert("x")</script> <img src=x onerror=alert(1)>')
    clinic_writes(patient, clinician, text="<b>bold</b>")
    body = signed_in.get(URL).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_a_post_without_csrf_token_is_refused(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient.user)
    response = client.post(URL, {"text": "Hello", "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_bad_uuid_or_time_is_refused(signed_in):
    assert post(signed_in, client_uuid="not-a-uuid").status_code == 400
    response = post(signed_in, made_at="yesterday-ish")
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_too_many_messages_in_an_hour_is_a_429_with_the_text_kept(signed_in, settings):
    settings.MESSAGES_PER_HOUR = 2
    for number in range(2):
        assert post(signed_in, text=f"Message {number}").status_code == 302
    response = post(signed_in, text="One too many, please keep me")
    assert response.status_code == 429
    body = response.content.decode()
    assert "You have sent a lot of messages in the last hour" in body
    assert "One too many, please keep me</textarea>" in body
    assert Message.objects.count() == 2
    json_response = signed_in.post(
        URL,
        {"text": "Queued", "client_uuid": str(uuid.uuid4())},
        headers={"Accept": "application/json"},
    )
    assert json_response.status_code == 429
    assert json_response["Retry-After"] == "300"  # the phone's queue keeps it and retries
    assert "try again later" in json_response.json()["error"]


def test_emergency_words_show_the_advice_before_sending(signed_in):
    text = "Since this morning I have numbness in the saddle area"
    key = uuid.uuid4()
    response = post(signed_in, text=text, client_uuid=key)
    assert response.status_code == 200
    body = response.content.decode()
    assert not Message.objects.exists()
    assert "Get urgent help now" in body
    assert 'href="tel:999"' in body
    assert f"{text}</textarea>" in body
    assert "Send it to my clinic too" in body
    assert f'value="{key}"' in body  # the same message, sent again, is stored once
    advice = body.split("data-urgent-advice")[1].split(">", 1)[0]
    assert "hidden" not in advice

    assert post(signed_in, text=text, client_uuid=key, confirmed="1").status_code == 302
    message = Message.objects.get()
    assert message.urgent
    assert MessageThread.objects.get().urgent


def test_the_page_carries_the_patterns_for_the_phone(signed_in):
    body = signed_in.get(URL).content.decode()
    assert 'id="emergency-patterns"' in body
    assert "saddle" in body.split('id="emergency-patterns"')[1].split("</script>")[0]
    # Rendered hidden, for the script to show at once (offline too).
    assert "data-urgent-advice hidden" in body


def test_the_offline_queue_sends_urgent_messages_without_asking_again(signed_in):
    response = signed_in.post(
        URL,
        {"text": "I can't pee since yesterday", "client_uuid": str(uuid.uuid4())},
        headers={"Accept": "application/json"},
    )
    assert response.json()["ok"]
    assert Message.objects.get().urgent


def test_earlier_messages_a_window_at_a_time(signed_in, patient):
    for number in range(35):
        Message.objects.create(patient=patient, from_patient=True, text=f"Note number {number:02}")
    page = signed_in.get(URL).content.decode()
    assert "Note number 34" in page
    assert "Note number 05" in page
    assert "Note number 04" not in page
    first_shown = Message.objects.get(text="Note number 05")
    assert f"?before={first_shown.pk}" in page
    earlier = signed_in.get(f"{URL}?before={first_shown.pk}").content.decode()
    assert "Note number 00" in earlier
    assert "Note number 04" in earlier
    assert "Note number 05" not in earlier
    assert "Back to the newest messages" in earlier
    # Hostile values are ignored, never a 500 (a NUL is refused for every URL: 400).
    for value in ("abc", "-1", "0", "99999999999999999999", "1e5", "<script>"):
        assert signed_in.get(URL, {"before": value, "exercise": value}).status_code == 200
    assert signed_in.get(URL, {"before": "\x00"}).status_code == 400


def test_hidden_messages_are_not_shown(signed_in, patient, clinician):
    from patients.services import message_hide

    wrong = clinic_writes(patient, clinician, text="Meant for someone else")
    message_hide(message=wrong, by=clinician)
    assert "Meant for someone else" not in signed_in.get(URL).content.decode()


def test_other_patients_messages_never_show(signed_in, other_patient, other_clinician):
    clinic_writes(other_patient, other_clinician, text="Private to Bruno")
    message_send(
        patient=other_patient, sender=other_patient.user, text="Bruno's question", from_patient=True
    )
    body = signed_in.get(URL).content.decode()
    assert "Bruno" not in body


def test_the_badge_costs_no_query(signed_in, patient, clinician, django_assert_num_queries):
    clinic_writes(patient, clinician)
    signed_in.get("/plan/learn/")  # warm up: the session
    with django_assert_num_queries(3) as context:
        body = signed_in.get("/plan/learn/").content.decode()
    assert "Messages, 1 unread" in body
    assert not any(
        "messages_unread" in q["sql"] and "SELECT" not in q["sql"][:10]
        for q in context.captured_queries
    )


@pytest.mark.parametrize("count", [10, 500])
def test_the_thread_page_costs_the_same_for_10_or_500_messages(
    signed_in, patient, clinician, count, django_assert_max_num_queries, no_n_plus_one
):
    prescribed = PrescribedExerciseFactory(prescription__patient=patient)
    rows = []
    for number in range(count):
        mine = number % 2 == 0
        rows.append(
            Message(
                patient=patient,
                from_patient=mine,
                sender=patient.user if mine else clinician,
                text=f"Message {number}",
                prescribed_exercise=prescribed if number % 5 == 0 else None,
                exercise_name=prescribed.exercise.name if number % 5 == 0 else "",
            )
        )
    Message.objects.bulk_create(rows)
    Patient.objects.filter(pk=patient.pk).update(messages_unread=count // 2)
    # Session, user with patient, the read marks (two UPDATEs in a savepoint), the window,
    # the thread row and the plan's exercise names: 9 statements for 10 messages or 500.
    with django_assert_max_num_queries(9) as queries, no_n_plus_one():
        response = signed_in.get(URL)
    assert response.status_code == 200
    assert len(re.findall(r' id="message-\d+"', response.content.decode())) == min(count, 30)
    # Recorded for the other parameter: the same number, whatever the thread's length.
    budgets.setdefault("thread", set()).add(len(queries.captured_queries))
    assert len(budgets["thread"]) == 1


budgets: dict[str, set[int]] = {}


def test_the_settings_page_has_the_message_email_setting(signed_in, patient):
    page = signed_in.get("/plan/settings/").content.decode()
    assert 'name="message_emails"' in page
    assert "checked" in page.split('name="message_emails"')[1][:80]
    data = {
        "reminders_enabled": "",
        "reminder_time": "18:00",
        "timezone": "Europe/London",
    }
    response = signed_in.post("/plan/settings/", data)
    assert response.status_code == 302
    assert Patient.objects.get(pk=patient.pk).message_emails is False
    data["message_emails"] = "on"
    signed_in.post("/plan/settings/", data)
    assert Patient.objects.get(pk=patient.pk).message_emails is True


def test_staff_never_get_the_patient_thread(client, clinician):
    client.force_login(clinician)
    response = client.get(URL)
    assert response.status_code == 302
    assert not response["Location"].startswith(URL)


@pytest.mark.parametrize("value", ["99999999999999999999", "-5", "abc", "1.5"])
def test_a_hostile_exercise_id_is_a_clear_400(signed_in, value):
    response = post(signed_in, text="About what?", exercise=value)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Message.objects.exists()


def test_each_guided_step_asks_about_its_exercise(signed_in, patient):
    from tests.factories import PrescriptionFactory

    prescription = PrescriptionFactory(patient=patient)
    first = PrescribedExerciseFactory(prescription=prescription)
    second = PrescribedExerciseFactory(prescription=prescription)
    today = patient.today().isoformat()
    body = signed_in.get(reverse("patients:guided", args=[today, 1])).content.decode()
    for prescribed in (first, second):
        assert f'href="{URL}?exercise={prescribed.pk}"' in body
    assert body.count("Ask about this exercise") == 2


@pytest.mark.django_db(transaction=True)
def test_the_thread_shows_while_the_database_is_read_only(role_groups, patient, clinician):
    from django.db import connection

    from tests.faults import ServerClient, read_only_database

    phone = ServerClient()
    phone.force_login(patient.user)
    reply = clinic_writes(patient, clinician, text="Shown even during a failover")
    connection.close()  # the next request opens its connection during the episode
    with read_only_database():
        response = phone.get(URL)
        assert response.status_code == 200
        assert "Shown even during a failover" in response.content.decode()
    reply.refresh_from_db()
    assert reply.read_at is None  # counted as read on the next visit


@pytest.mark.parametrize(
    "text",
    ["Weakness in my right leg since Monday", "weakness in my left foot", "weak in the other leg"],
)
def test_a_weak_leg_named_by_its_side_is_an_emergency_sign(text):
    from patients.emergency_words import emergency_signs_in

    assert emergency_signs_in(text) == ["leg_weaker"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tengo adormecida la zona íntima", ["saddle_numbness"]),
        ("Se me escapa la orina sin darme cuenta", ["bladder_bowel"]),
        ("No puedo orinar desde ayer", ["urine_retention"]),
        ("Mi pierna izquierda está cada vez más débil", ["leg_weaker"]),
        ("Arrastro el pie al caminar", ["leg_weaker"]),
        ("Noto el sexo adormecido", ["sexual_numbness"]),
        ("لا أستطيع التبول منذ الصباح", ["urine_retention"]),
        ("أشعر بخدر في الأعضاء التناسلية", ["saddle_numbness"]),
        ("ساقي اليسرى تضعف كل يوم", ["leg_weaker"]),
        ("El puente ya me resulta fácil, ¿puedo hacer más?", []),
        ("Me duele la pierna después de caminar", []),
        ("Siento un estiramiento en las piernas", []),
        ("التمرين سهل الآن", []),
    ],
)
def test_emergency_signs_are_found_in_spanish_and_arabic_words(text, expected):
    from patients.emergency_words import emergency_signs_in

    assert emergency_signs_in(text) == expected
