"""Issue 22 from both ends: a patient on a phone asks about the clamshell from its exercise
page while offline; back online the message arrives once; the clinician (1024 px) finds it
first in the inbox and in the needs-attention queue, and answers; the patient sees the answer
and the badge clears; the clinician sees "Seen". And a message about saddle numbness: the
urgent advice before it is sent, then the patient first in the queue, URGENT."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import Message, MessageThread, Patient
from patients.services import message_send
from tests.browser.helpers import OFFLINE_READY_MS, PHONE, log_in, seed_demo_world
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Is it normal that clamshells pinch at the front of my hip?"
ANSWER = "A little pinch at first is normal. Keep the movement small and slow."


def clinician_page(browser, live_server, width=1024):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    log_in(page, "demo-clinician", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    return page


def patient_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    return page


def test_a_question_asked_offline_is_answered_seen_and_the_badge_clears(browser, live_server):
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    # Another of the clinician's patients wrote earlier and was answered: the inbox has two.
    other = PatientFactory(clinician=patient.clinician, first_name="Olive", last_name="Answered")
    message_send(patient=other, sender=other.user, text="Thanks!", from_patient=True)
    message_send(patient=other, sender=patient.clinician, text="Good.", from_patient=False)

    phone = patient_page(browser, live_server)
    expect(phone.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    clamshell = phone.locator("a[href^='/plan/exercises/']", has_text="clamshell").first
    clamshell.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("clamshell")

    # Offline on the exercise page: ask, and the message waits on the phone.
    phone.context.set_offline(True)
    phone.reload()
    phone.get_by_role("link", name="Ask about this exercise").click()
    expect(phone.locator("[data-about]")).to_contain_text("clamshell")
    phone.get_by_label("Write to your clinic").fill(QUESTION)
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.locator("[data-waiting]")).to_contain_text("Waiting to send")
    assert not Message.objects.filter(patient=patient).exists()

    # Back online: sent once.
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    phone.reload()
    sent = Message.objects.filter(patient=patient, from_patient=True)
    assert sent.count() == 1
    question = sent.get()
    assert question.text == QUESTION
    assert "clamshell" in question.prescribed_exercise.exercise.name

    # It has waited more than a working day (the queue's rule) when the clinician looks.
    week_ago = timezone.now() - datetime.timedelta(days=7)
    Message.objects.filter(pk=question.pk).update(created_at=week_ago)
    MessageThread.objects.filter(patient=patient).update(waiting_since=week_ago)

    desk = clinician_page(browser, live_server)
    first_in_queue = desk.locator(".attention-queue tbody tr").first
    expect(first_in_queue).to_contain_text(patient.full_name)
    expect(first_in_queue).to_contain_text("A message unanswered for more than 1 working day")
    desk.get_by_role("link", name="Messages").first.click()
    first_in_inbox = desk.locator("#inbox tbody tr").first
    expect(first_in_inbox).to_contain_text(patient.full_name)
    expect(first_in_inbox).to_contain_text("1 unread")
    first_in_inbox.get_by_role("link", name=patient.full_name).click()
    thread = desk.locator("#messages")
    expect(thread).to_contain_text(QUESTION)
    expect(thread.locator(".message-about")).to_contain_text("clamshell")
    desk.get_by_label(f"Reply to {patient.first_name}").fill(ANSWER)
    desk.get_by_role("button", name="Send", exact=True).click()
    expect(thread.locator(".message-seen")).to_have_text("Not seen yet")

    # The patient: a badge on every page, the answer in the thread, then no badge.
    phone.goto("/plan/")
    badge = phone.get_by_role("link", name="Messages, 1 unread")
    expect(badge).to_be_visible()
    badge.click()
    expect(phone.locator("main")).to_contain_text(ANSWER)
    expect(phone.get_by_test_id("nav-messages")).to_have_accessible_name("Messages")
    phone.goto("/plan/")
    expect(phone.get_by_test_id("nav-messages")).to_have_accessible_name("Messages")

    # The clinician sees it was read; the queue and the inbox have nobody waiting.
    desk.reload()
    expect(thread.locator(".message-seen")).to_contain_text(re.compile(r"^Seen "))
    desk.goto("/admin/")
    expect(desk.locator(".attention-queue")).not_to_contain_text("A message unanswered")
    desk.goto("/admin/patients/patient/messages/")
    expect(desk.locator("#inbox tbody tr.waiting")).to_have_count(0)
    assert Message.objects.filter(patient=patient).count() == 2


def test_saddle_numbness_gets_the_urgent_advice_first_and_goes_first_in_the_queue(
    browser, live_server
):
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    # Someone else of the clinician's has waited longer, without an emergency sign.
    waiting = PatientFactory(clinician=patient.clinician, first_name="Wanda", last_name="Waits")
    message_send(
        patient=waiting, sender=waiting.user, text="When is my next visit?", from_patient=True
    )
    long_ago = timezone.now() - datetime.timedelta(days=9)
    MessageThread.objects.filter(patient=waiting).update(waiting_since=long_ago)

    phone = patient_page(browser, live_server)
    phone.goto("/plan/messages/")
    phone.get_by_label("Write to your clinic").fill(
        "Since this morning I have numbness in the saddle area. Should I keep going?"
    )
    phone.get_by_role("button", name="Send", exact=True).click()
    # The advice shows before anything is sent.
    expect(phone.get_by_role("heading", name="Get urgent help now")).to_be_visible()
    assert not Message.objects.filter(patient=patient).exists()
    phone.get_by_role("button", name="Send it to my clinic too").click()
    expect(phone.locator(".msg-mine")).to_contain_text("saddle area")
    expect(phone.get_by_role("link", name="When to stop and get help").first).to_be_visible()
    assert Message.objects.get(patient=patient).urgent

    desk = clinician_page(browser, live_server)
    rows = desk.locator(".attention-queue tbody tr")
    expect(rows.first).to_contain_text(patient.full_name)
    expect(rows.first.locator(".urgent-flag")).to_be_visible()
    expect(rows.first).to_contain_text("URGENT")
    expect(rows.nth(1)).to_contain_text("Wanda Waits")
    desk.get_by_role("link", name="Messages").first.click()
    expect(desk.locator("#inbox tbody tr").first).to_contain_text("URGENT")
    expect(desk.locator("#inbox tbody tr").first).to_contain_text(patient.full_name)
