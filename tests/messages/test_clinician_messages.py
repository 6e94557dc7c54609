"""The clinician's side of messages: the inbox's order, the thread page (reply, mark
handled, hide, "Earlier messages", "Seen"), quick replies per clinician, another clinician's
404s, the audit trail, query budgets, and the needs-attention rule (working days, URGENT)."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from patients import attention
from patients.models import Message, MessageThread, QuickReply
from patients.services import message_send, thread_read
from tests.factories import PatientFactory, PrescribedExerciseFactory

pytestmark = pytest.mark.django_db

# A Wednesday.
WED = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def from_patient(patient, text="Is it normal that clamshells pinch?", at=None, **kwargs):
    if at is None:
        return message_send(
            patient=patient, sender=patient.user, text=text, from_patient=True, **kwargs
        )[0]
    with time_machine.travel(at, tick=False):
        return message_send(
            patient=patient, sender=patient.user, text=text, from_patient=True, **kwargs
        )[0]


def from_clinic(patient, sender, text="Yes, a little at first.", at=None):
    if at is None:
        return message_send(patient=patient, sender=sender, text=text, from_patient=False)[0]
    with time_machine.travel(at, tick=False):
        return message_send(patient=patient, sender=sender, text=text, from_patient=False)[0]


def thread_url(patient):
    return reverse("admin:patients_patient_messages", args=[patient.pk])


def url(name, patient):
    return reverse(f"admin:patients_patient_{name}", args=[patient.pk])


INBOX = "admin:patients_messages_inbox"


def inbox_names(client):
    response = client.get(reverse(INBOX))
    assert response.status_code == 200
    return [row.patient.last_name for row in response.context["rows"]], response


# --- The inbox -------------------------------------------------------------------------------


def test_inbox_urgent_first_then_oldest_waiting_then_the_others(client, clinician, patient):
    waited_long = PatientFactory(clinician=clinician, last_name="Longwait")
    waited_short = PatientFactory(clinician=clinician, last_name="Shortwait")
    urgent = PatientFactory(clinician=clinician, last_name="Urgent")
    answered = PatientFactory(clinician=clinician, last_name="Answered")
    patient.last_name = "Quiet"
    patient.save()
    from_patient(patient, at=WED - 5 * DAY)
    from_clinic(patient, clinician, at=WED - 4 * DAY)  # answered long ago
    from_patient(waited_long, at=WED - 3 * DAY)
    from_patient(waited_short, at=WED - HOUR)
    from_patient(urgent, "My saddle area feels numb", at=WED - 10 * HOUR / 60)
    from_patient(answered, at=WED - 2 * HOUR)
    from_clinic(answered, clinician, at=WED - HOUR / 2)  # answered, newest last message
    client.force_login(clinician)
    names, response = inbox_names(client)
    assert names == ["Urgent", "Longwait", "Shortwait", "Answered", "Quiet"]
    html = response.content.decode()
    assert html.index("URGENT") < html.index("Longwait")
    assert "1 unread" in html
    assert "saddle area" in html  # the excerpt, for the clinician
    assert response["Cache-Control"].count("no-store")


def test_inbox_link_on_the_admin_index_with_how_many_wait(client, clinician, patient):
    from_patient(patient)
    client.force_login(clinician)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse(INBOX) in html
    assert "1 patient waiting for an answer" in html


def test_inbox_paginates(client, clinician, settings):
    from patients import inbox

    for n in range(inbox.PER_PAGE + 3):
        from_patient(PatientFactory(clinician=clinician, last_name=f"P{n:03}"))
    client.force_login(clinician)
    first, _ = inbox_names(client)
    assert len(first) == inbox.PER_PAGE
    second = client.get(reverse(INBOX), {"page": 2}).context["rows"]
    assert len(second) == 3
    assert client.get(reverse(INBOX), {"page": "x"}).status_code == 200  # a bad page: the first


def test_other_clinicians_patients_are_absent_and_a_superuser_sees_all(
    client, clinician, other_clinician, patient, other_patient, superuser
):
    from_patient(patient)
    from_patient(other_patient)
    client.force_login(clinician)
    names, _ = inbox_names(client)
    assert names == ["Ashby"]
    client.force_login(other_clinician)
    names, _ = inbox_names(client)
    assert names == ["Bright"]
    client.force_login(superuser)
    names, _ = inbox_names(client)
    assert sorted(names) == ["Ashby", "Bright"]
    assert client.get(thread_url(patient)).status_code == 200
    assert client.get(thread_url(other_patient)).status_code == 200


def test_editor_may_not_open_the_inbox(client, editor):
    client.force_login(editor)
    assert client.get(reverse(INBOX)).status_code == 403


# --- The thread page -------------------------------------------------------------------------


def test_opening_the_thread_marks_the_patients_messages_seen_and_the_panels_do_not(
    client, clinician, patient
):
    message = from_patient(patient)
    client.force_login(clinician)
    assert (
        client.get(reverse("admin:patients_patient_change", args=[patient.pk])).status_code == 200
    )
    assert Message.objects.get(pk=message.pk).read_at is None  # the patient's page: shown only
    assert MessageThread.objects.get(patient=patient).clinic_unread == 1
    response = client.get(thread_url(patient))
    assert response.status_code == 200
    assert "Is it normal that clamshells pinch?" in response.content.decode()
    assert Message.objects.get(pk=message.pk).read_at is not None
    thread = MessageThread.objects.get(patient=patient)
    assert thread.clinic_unread == 0
    assert thread.waiting_since is not None  # seen is not answered


def test_the_panel_is_on_the_patients_page_and_the_progress_page(client, clinician, patient):
    from_patient(patient, "About my knee")
    client.force_login(clinician)
    for page in ("change", "progress"):
        html = client.get(url(page, patient)).content.decode()
        assert "About my knee" in html
        assert url("message_send", patient) in html
        assert "Mark handled" in html


def test_reply_sends_once_however_often_it_is_tapped(client, clinician, patient):
    from_patient(patient)
    client.force_login(clinician)
    key = str(uuid.uuid4())
    data = {"text": "Yes, a little at first.", "client_uuid": key, "next": thread_url(patient)}
    first = client.post(url("message_send", patient), data)
    again = client.post(url("message_send", patient), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == thread_url(patient)
    replies = Message.objects.filter(patient=patient, from_patient=False)
    assert replies.count() == 1
    assert replies.get().sender == clinician
    thread = MessageThread.objects.get(patient=patient)
    assert thread.waiting_since is None
    assert not thread.last_from_patient


def test_reply_goes_back_to_the_page_it_was_on_never_another_site(client, clinician, patient):
    client.force_login(clinician)
    progress = url("progress", patient) + "#messages"
    response = client.post(url("message_send", patient), {"text": "Hello", "next": progress})
    assert response["Location"] == progress
    response = client.post(
        url("message_send", patient), {"text": "Hello again", "next": "https://evil.example/"}
    )
    assert response["Location"] == thread_url(patient)


@pytest.mark.parametrize(
    ("text", "says"),
    [("   ", "Write your message first."), ("x" * 2001, "Keep your message under 2000")],
)
def test_a_bad_reply_is_refused_with_a_clear_message_and_the_text_kept(
    client, clinician, patient, text, says
):
    client.force_login(clinician)
    response = client.post(url("message_send", patient), {"text": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert says in html
    assert not Message.objects.exists()


def test_mark_handled_stops_the_wait_without_a_reply(client, clinician, patient):
    from_patient(patient)
    client.force_login(clinician)
    response = client.post(url("messages_handled", patient), {"next": thread_url(patient)})
    assert response.status_code == 302
    thread = MessageThread.objects.get(patient=patient)
    assert thread.waiting_since is None
    assert thread.handled_by == clinician
    assert not Message.objects.filter(from_patient=False).exists()
    assert "Mark handled" not in client.get(thread_url(patient)).content.decode()


def test_hide_asks_first_then_hides_and_shows_it_greyed_with_who(client, clinician, patient):
    from_patient(patient)
    wrong = from_clinic(patient, clinician, "Meant for another patient")
    client.force_login(clinician)
    html = client.get(thread_url(patient)).content.decode()
    assert f"?hide={wrong.pk}" in html
    confirm = client.get(thread_url(patient), {"hide": wrong.pk}).content.decode()
    assert "Yes, hide it" in confirm
    assert wrong.hidden_at is None
    response = client.post(url("message_hide", patient), {"message": wrong.pk})
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.hidden_by == clinician
    html = client.get(thread_url(patient)).content.decode()
    assert "hidden-message" in html
    assert "Hidden by" in html
    assert "Meant for another patient" in html  # greyed, still there for the clinic
    # A patient's message is not offered for hiding.
    patient_message = Message.objects.get(from_patient=True)
    assert (
        "Yes, hide it"
        not in client.get(thread_url(patient), {"hide": patient_message.pk}).content.decode()
    )


def test_hide_refuses_another_threads_message(client, clinician, patient, other_patient, superuser):
    other = from_clinic(other_patient, superuser, "Other thread")
    client.force_login(clinician)
    assert client.post(url("message_hide", patient), {"message": other.pk}).status_code == 404
    assert client.post(url("message_hide", patient), {"message": "x"}).status_code == 404
    huge = "9" * 40
    assert client.post(url("message_hide", patient), {"message": huge}).status_code == 404
    assert client.get(thread_url(patient), {"before": huge, "hide": huge}).status_code == 200
    assert Message.objects.get(pk=other.pk).hidden_at is None


def test_seen_under_the_clinics_newest_message_and_the_exercise_link(client, clinician, patient):
    prescribed = PrescribedExerciseFactory(prescription__patient=patient)
    from_patient(patient, "Does this pinch?", prescribed=prescribed)
    reply = from_clinic(patient, clinician)
    client.force_login(clinician)
    html = client.get(thread_url(patient)).content.decode()
    assert "Not seen yet" in html
    assert reverse("admin:patients_prescription_change", args=[prescribed.prescription_id]) in html
    assert prescribed.exercise.name in html
    thread_read(patient=patient, by_patient=True)
    html = client.get(thread_url(patient)).content.decode()
    seen = Message.objects.get(pk=reply.pk).read_at
    assert "Seen " in html
    assert "Not seen yet" not in html
    assert seen is not None


def test_earlier_messages_a_window_at_a_time(client, clinician, patient):
    for n in range(45):
        from_patient(patient, f"Message number {n:02}") if n % 2 else from_clinic(
            patient, clinician, f"Message number {n:02}"
        )
    client.force_login(clinician)
    html = client.get(thread_url(patient)).content.decode()
    assert "Message number 44" in html
    assert "Message number 14" not in html
    assert "Earlier messages" in html
    window = client.get(thread_url(patient)).context["panel"]["window"]
    earlier = client.get(thread_url(patient), {"before": window.earlier_before}).content.decode()
    assert "Message number 14" in earlier
    assert "Message number 00" in earlier
    assert "Message number 44" not in earlier


def test_patient_text_is_escaped(client, clinician, patient):
    from_patient(patient, "<script>alert(1)</script> & <b>bold</b>")
    client.force_login(clinician)
    for page in (thread_url(patient), reverse(INBOX)):
        html = client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


# --- Quick replies ---------------------------------------------------------------------------


def test_quick_replies_are_each_clinicians_own(client, clinician, other_clinician, patient):
    client.force_login(clinician)
    add = reverse("admin:patients_quickreply_add")
    response = client.post(add, {"title": "Normal", "text": "That is normal at first."})
    assert response.status_code == 302
    mine = QuickReply.objects.get()
    assert mine.clinician == clinician
    # The same title again: a clear message, not a 500.
    again = client.post(add, {"title": "Normal", "text": "Twice"})
    assert again.status_code == 200
    assert "already have a quick reply" in again.content.decode()
    theirs = QuickReply.objects.create(clinician=other_clinician, title="Theirs", text="Private")
    listing = client.get(reverse("admin:patients_quickreply_changelist")).content.decode()
    assert "Normal" in listing
    assert "Theirs" not in listing
    change = reverse("admin:patients_quickreply_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    assert client.post(change, {"title": "Mine now", "text": "x"}).status_code in (302, 404)
    assert QuickReply.objects.get(pk=theirs.pk).title == "Theirs"
    # The reply box offers mine only.
    html = client.get(thread_url(patient)).content.decode()
    assert 'data-quick-text="That is normal at first."' in html
    assert "Private" not in html


def test_a_quick_reply_title_is_one_line(client, clinician):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_quickreply_add"), {"title": "Two\nlines", "text": "Fine"}
    )
    assert response.status_code == 200
    assert not QuickReply.objects.exists()


def test_insert_a_quick_reply_without_javascript(client, clinician, other_clinician, patient):
    mine = QuickReply.objects.create(clinician=clinician, title="Ice", text="Try ice for 10 min.")
    theirs = QuickReply.objects.create(clinician=other_clinician, title="X", text="Not yours")
    client.force_login(clinician)
    response = client.post(
        url("message_send", patient), {"text": "Hello.", "insert": "1", "quick_reply": mine.pk}
    )
    assert response.status_code == 200
    assert "Hello.\n\nTry ice for 10 min.</textarea>" in response.content.decode()
    response = client.post(
        url("message_send", patient), {"text": "", "insert": "1", "quick_reply": theirs.pk}
    )
    assert "Not yours" not in response.content.decode()
    assert not Message.objects.exists()  # inserting sends nothing


def test_editor_has_no_quick_replies(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:patients_quickreply_changelist")).status_code == 403


# --- Another clinician ---------------------------------------------------------------------


def test_another_clinician_gets_404_on_the_thread_and_every_endpoint(
    client, other_clinician, patient
):
    message = from_patient(patient)
    client.force_login(other_clinician)
    assert client.get(thread_url(patient)).status_code == 404
    posts = {
        "message_send": {"text": "Hi", "client_uuid": str(uuid.uuid4())},
        "messages_handled": {},
        "message_hide": {"message": message.pk},
    }
    for name, data in posts.items():
        assert client.post(url(name, patient), data).status_code == 404, name
    assert Message.objects.count() == 1
    thread = MessageThread.objects.get(patient=patient)
    assert thread.waiting_since is not None
    assert thread.clinic_unread == 1


def test_patients_and_anonymous_are_sent_to_sign_in(client, patient):
    assert client.get(thread_url(patient)).status_code == 302
    assert client.get(reverse(INBOX)).status_code == 302
    client.force_login(patient.user)
    assert client.get(thread_url(patient)).status_code == 302
    assert client.post(url("message_send", patient), {"text": "x"}).status_code == 302


# --- The audit trail --------------------------------------------------------------------------


def test_every_look_at_a_thread_or_the_inbox_is_audited(client, clinician, patient):
    from_patient(patient)
    client.force_login(clinician)
    client.get(thread_url(patient))
    view = AuditEvent.objects.filter(target="message thread").get()
    assert view.patient_id == patient.pk
    assert view.actor == clinician
    client.get(reverse(INBOX))
    listed = AuditEvent.objects.filter(target="messages inbox").get()
    assert listed.patient_ids == f",{patient.pk},"
    client.post(url("message_send", patient), {"text": "A reply"})
    assert AuditEvent.objects.filter(target="patients.message", action="create").exists()
    client.post(url("messages_handled", patient))
    assert AuditEvent.objects.filter(target="patients.messagethread", action="update").exists()


# --- Query budgets ------------------------------------------------------------------------------


def many_messages(patient, clinician, count):
    Message.objects.bulk_create(
        Message(
            patient=patient,
            sender=patient.user if n % 2 else clinician,
            from_patient=bool(n % 2),
            text=f"Message {n}",
        )
        for n in range(count)
    )
    from_patient(patient, "The newest")


@pytest.mark.parametrize("page", ["thread", "change", "progress", "inbox"])
def test_pages_cost_the_same_for_10_or_500_messages(
    client, clinician, patient, page, django_assert_max_num_queries, no_n_plus_one
):
    QuickReply.objects.create(clinician=clinician, title="Ice", text="Try ice.")
    prescribed = PrescribedExerciseFactory(prescription__patient=patient)
    from_patient(patient, "About this", prescribed=prescribed)
    address = (
        reverse(INBOX)
        if page == "inbox"
        else url("messages" if page == "thread" else page, patient)
    )
    client.force_login(clinician)
    # Once first: the admin's content types are cached per process, and whether an earlier
    # test filled that cache must not change the count.
    client.get(address)
    many_messages(patient, clinician, 10)
    with django_assert_max_num_queries(40) as small, no_n_plus_one():
        assert client.get(address).status_code == 200
    many_messages(patient, clinician, 490)
    with django_assert_max_num_queries(40) as large, no_n_plus_one():
        assert client.get(address).status_code == 200
    assert len(large) == len(small)


def test_inbox_costs_the_same_for_5_or_50_threads(
    client, clinician, django_assert_max_num_queries, no_n_plus_one
):
    def threads(count):
        for _ in range(count):
            patient = PatientFactory(clinician=clinician)
            from_patient(patient)
            from_clinic(patient, clinician)

    client.force_login(clinician)
    threads(5)
    with django_assert_max_num_queries(15) as small, no_n_plus_one():
        assert client.get(reverse(INBOX)).status_code == 200
    threads(45)
    with django_assert_max_num_queries(15) as large, no_n_plus_one():
        assert client.get(reverse(INBOX)).status_code == 200
    assert len(large) == len(small)
    print(f"\ninbox: {len(large)} queries")


# --- The needs-attention rule -----------------------------------------------------------------


def queue_at(clinician, moment):
    with time_machine.travel(moment, tick=False):
        return {item.patient.last_name: item for item in attention.queue_for(clinician)}


def test_a_message_unanswered_for_more_than_a_working_day_needs_attention(clinician, patient):
    from_patient(patient, at=WED)
    assert "Ashby" not in queue_at(clinician, WED + DAY - datetime.timedelta(minutes=1))
    assert "Ashby" not in queue_at(clinician, WED + DAY)  # one working day: not more
    item = queue_at(clinician, WED + DAY + datetime.timedelta(minutes=1))["Ashby"]
    assert item.codes == {attention.MESSAGE}
    assert not item.is_urgent
    assert "unanswered for more than 1 working day" in item.reasons[0].text
    assert item.reasons[0].at == WED


def test_the_weekend_does_not_count(clinician, patient):
    friday = WED + 2 * DAY + 6 * HOUR  # Friday 16:00
    from_patient(patient, at=friday)
    assert "Ashby" not in queue_at(clinician, friday + 3 * DAY - datetime.timedelta(minutes=1))
    assert "Ashby" in queue_at(clinician, friday + 3 * DAY + datetime.timedelta(minutes=1))
    saturday = friday + 18 * HOUR  # Saturday 10:00: nothing counts until Monday
    other = PatientFactory(clinician=clinician, last_name="Weekend")
    from_patient(other, at=saturday)
    tuesday = saturday + 2 * DAY + 14 * HOUR  # Tuesday 00:00: all of Monday counted
    assert "Weekend" not in queue_at(clinician, tuesday - datetime.timedelta(minutes=1))
    assert "Weekend" in queue_at(clinician, tuesday + datetime.timedelta(minutes=1))


def test_the_threshold_is_a_setting(clinician, patient, settings):
    settings.ATTENTION_MESSAGE_WORKING_DAYS = 2
    from_patient(patient, at=WED)
    assert "Ashby" not in queue_at(clinician, WED + 2 * DAY)
    assert "Ashby" in queue_at(clinician, WED + 5 * DAY + HOUR)  # Thu, Fri, Mon: more than 2


def test_an_answer_or_mark_handled_clears_it(client, clinician, patient):
    from_patient(patient, at=WED)
    later = WED + 2 * DAY
    assert "Ashby" in queue_at(clinician, later)
    from_clinic(patient, clinician, at=later)
    assert "Ashby" not in queue_at(clinician, later + HOUR)
    from_patient(patient, at=later + HOUR)  # Friday 11:00
    assert "Ashby" not in queue_at(clinician, later + 3 * DAY)  # Monday 10:00: 23 hours
    tuesday = later + 4 * DAY
    assert "Ashby" in queue_at(clinician, tuesday)
    client.force_login(clinician)
    with time_machine.travel(tuesday, tick=False):
        client.post(url("messages_handled", patient))
    assert "Ashby" not in queue_at(clinician, tuesday + HOUR)


def test_an_urgent_message_goes_first_at_once_marked_urgent(client, clinician, patient):
    waiting = PatientFactory(clinician=clinician, last_name="Waiting")
    from_patient(waiting, at=WED - 5 * DAY)
    from_patient(patient, "I have numbness in the saddle area", at=WED)
    with time_machine.travel(WED + HOUR, tick=False):
        items = attention.queue_for(clinician)
        client.force_login(clinician)
        html = client.get(reverse("admin:index")).content.decode()
    assert [item.patient.last_name for item in items][:2] == ["Ashby", "Waiting"]
    assert items[0].is_urgent
    assert items[0].reasons[0].code == attention.MESSAGE_URGENT
    assert "URGENT" in items[0].reasons[0].text
    row = html[html.index('id="attention"') :]
    assert row.index("Ashby") < row.index("Waiting")
    assert 'class="urgent"' in row


def test_mark_reviewed_does_not_hide_a_waiting_message(client, clinician, patient):
    from_patient(patient, at=WED)
    client.force_login(clinician)
    with time_machine.travel(WED + 2 * DAY, tick=False):
        client.post(reverse("admin:patients_patient_review", args=[patient.pk]))
    assert "Ashby" in queue_at(clinician, WED + 2 * DAY + HOUR)


def test_the_queue_costs_the_same_for_5_or_50_waiting_threads(
    clinician, django_assert_max_num_queries
):
    def waiting(count):
        for n in range(count):
            text = "My saddle area feels numb" if n % 5 == 0 else "A question"
            from_patient(PatientFactory(clinician=clinician), text, at=WED - 3 * DAY)

    waiting(5)
    with time_machine.travel(WED, tick=False):
        attention.queue_for(clinician)  # the summaries kept: then only the live reads count
        with django_assert_max_num_queries(12) as small:
            items = attention.queue_for(clinician)
    assert len(items) == 5
    waiting(45)
    with time_machine.travel(WED, tick=False):
        attention.queue_for(clinician)
        with django_assert_max_num_queries(12) as large:
            items = attention.queue_for(clinician)
    assert len(items) == 50
    assert len(large) == len(small)
    assert [item.is_urgent for item in items[:10]] == [True] * 10
