"""The clinician's messages in a browser, at 1024 px and on an 820 px tablet: the inbox
shows the waiting thread first, a quick reply goes into the box with one tap, the reply is
sent (once), and "Seen" shows once the patient has read it. Screenshots go to
/tmp/shots-22-clinician/."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Message, MessageThread, QuickReply
from patients.services import message_send, thread_read
from tests.browser.helpers import axe_violations, log_in
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, PrescribedExerciseFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(tempfile.gettempdir()) / "shots-22-clinician"


def write(patient, text, *, hours_ago, prescribed=None):
    message, _ = message_send(
        patient=patient, sender=patient.user, text=text, from_patient=True, prescribed=prescribed
    )
    then = timezone.now() - datetime.timedelta(hours=hours_ago)
    Message.objects.filter(pk=message.pk).update(created_at=then)
    MessageThread.objects.filter(patient=patient).update(waiting_since=then, last_message_at=then)
    return message


@pytest.mark.parametrize("width", [1024, 820])
def test_the_clinician_answers_the_waiting_thread_with_a_quick_reply(page, width, capsys):
    clinician = ClinicianFactory(username="dr-messages", first_name="Dana", last_name="Reyes")
    QuickReply.objects.create(
        clinician=clinician,
        title="Normal at first",
        text="A little pinching at first is normal. Make the movement smaller.",
    )
    QuickReply.objects.create(clinician=clinician, title="Call us", text="Please call the clinic.")
    waiting = PatientFactory(clinician=clinician, first_name="Carla", last_name="Clamshell")
    prescribed = PrescribedExerciseFactory(prescription__patient=waiting)
    write(
        waiting,
        "Is it normal that clamshells pinch at the front of my hip?",
        hours_ago=30,
        prescribed=prescribed,
    )
    answered = PatientFactory(clinician=clinician, first_name="Ben", last_name="Answered")
    write(answered, "Thanks, all good.", hours_ago=2)
    message_send(patient=answered, sender=clinician, text="Glad to hear it.", from_patient=False)

    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, "dr-messages", PASSWORD)
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Messages").first.click()
    rows = page.locator("#inbox tbody tr")
    expect(rows.first).to_contain_text("Carla Clamshell")
    expect(rows.first).to_contain_text("1 unread")
    expect(rows.nth(1)).to_contain_text("Ben Answered")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"inbox-{width}.png", full_page=True)

    page.goto(f"/admin/patients/patient/{waiting.pk}/progress/")
    expect(page.locator("#messages")).to_contain_text("clamshells pinch")
    page.screenshot(path=SHOTS / f"progress-waiting-{width}.png")
    page.go_back()
    rows.first.get_by_role("link", name="Carla Clamshell").click()
    thread = page.locator("#messages")
    expect(thread).to_contain_text("clamshells pinch")
    expect(thread.locator(".message-about a")).to_have_text(prescribed.exercise.name)
    page.get_by_role("button", name="Normal at first").click()
    box = page.get_by_label("Reply to Carla")
    expect(box).to_have_value("A little pinching at first is normal. Make the movement smaller.")
    expect(page.locator("[data-quick-replies-nojs]")).to_be_hidden()
    page.screenshot(path=SHOTS / f"thread-quick-reply-{width}.png", full_page=True)
    box.press("End")
    box.type(" See you Tuesday.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Message sent to Carla")
    expect(thread.locator(".message-seen")).to_have_text("Not seen yet")
    replies = Message.objects.filter(patient=waiting, from_patient=False)
    assert replies.count() == 1
    assert replies.get().text.endswith("See you Tuesday.")

    thread_read(patient=waiting, by_patient=True)  # the patient opens their messages
    page.reload()
    expect(thread.locator(".message-seen")).to_contain_text("Seen ")
    page.screenshot(path=SHOTS / f"thread-seen-{width}.png", full_page=True)
    page.goto(f"/admin/patients/patient/{waiting.pk}/change/")
    expect(page.locator("#messages")).to_contain_text("See you Tuesday.")
    page.locator("#messages").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"patient-page-panel-{width}.png", full_page=True)
    # Answered: the inbox no longer shows Carla as waiting.
    page.goto("/admin/patients/patient/messages/")
    expect(page.locator("#inbox tbody tr.waiting")).to_have_count(0)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    violations = axe_violations(page)
    with capsys.disabled():
        print(f"\nmessages at {width} px: page {scroll} px wide, axe: {violations}")
    assert scroll <= width
    assert violations == []
    assert page.console_errors == []


def test_the_quick_reply_works_without_javascript(browser, live_server):
    clinician = ClinicianFactory(username="dr-nojs")
    QuickReply.objects.create(clinician=clinician, title="Ice", text="Try ice for ten minutes.")
    patient = PatientFactory(clinician=clinician, first_name="Nora")
    write(patient, "My knee is sore.", hours_ago=3)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1024, "height": 900}
    )
    page = context.new_page()
    try:
        log_in(page, "dr-nojs", PASSWORD)
        page.wait_for_url("**/admin/")
        page.goto(f"/admin/patients/patient/{patient.pk}/messages/")
        page.get_by_label("Quick reply").select_option(label="Ice")
        page.get_by_role("button", name="Insert").click()
        expect(page.get_by_label("Reply to Nora")).to_have_value("Try ice for ten minutes.")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator("#messages .from-clinic")).to_contain_text("Try ice for ten minutes.")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / "thread-no-js.png", full_page=True)
    finally:
        context.close()
