"""Messages on a phone (390 x 844): "Ask about this exercise" from the exercise page, written
and sent offline ("Waiting to send"), stored exactly once when the connection returns and
shown in the thread; a message naming an emergency sign shows the urgent-care advice before
anything is sent; the thread at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.emergency_words import emergency_signs_in
from patients.models import Message, Patient
from patients.services import message_send
from tests.browser.helpers import OFFLINE_READY_MS, axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-messages"  # noqa: S108 - screenshots to look at, not a secret
WIDTH = "() => document.documentElement.scrollWidth"


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world(with_history=False)
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    return phone_page


def demo_patient():
    return Patient.objects.get(user__username="demo-patient")


def test_ask_about_an_exercise_offline_then_sent_once(patient_page):
    page = patient_page
    # The service worker installs, then saves the coming week (the thread with it).
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    patient = demo_patient()
    message_send(
        patient=patient,
        sender=patient.clinician,
        text="Hello! Write to me here if anything in your plan is unclear.",
        from_patient=False,
    )
    page.reload()
    expect(page.get_by_role("link", name="Messages, 1 unread")).to_be_visible()

    page.locator("a[href^='/plan/exercises/']").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    # Online: the box says which exercise the message is about.
    page.get_by_role("link", name="Ask about this exercise").click()
    page.wait_for_url(re.compile(r"/plan/messages/\?exercise=\d+$"))
    about = page.locator("[data-about]")
    expect(about).to_contain_text(f"About: {name}")
    # Opening the thread read the clinic's message: the badge is gone.
    expect(page.get_by_test_id("nav-messages")).to_have_accessible_name("Messages")
    expect(page.locator("#message-text")).to_be_focused()
    page.screenshot(path=f"{SHOTS}/ask-about-390.png")

    # Offline from the exercise page: the thread's saved copy, with the exercise in the box.
    page.go_back()
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("link", name="Ask about this exercise").click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("Offline")
    expect(about).to_contain_text(f"About: {name}")
    expect(page.locator("#message-text")).to_be_focused()
    page.get_by_label("Write to your clinic").fill(
        "Is it normal that this pinches at the front of my hip?"
    )
    expect(page.locator("[data-counter]")).to_contain_text("1946 characters left.")
    page.get_by_role("button", name="Send", exact=True).click()
    waiting = page.locator("[data-waiting]")
    expect(waiting).to_contain_text("Waiting to send")
    expect(waiting).to_contain_text("pinches at the front of my hip")
    expect(waiting).to_contain_text(f"About: {name}")
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry on this phone")
    page.screenshot(path=f"{SHOTS}/thread-offline-waiting-390.png", full_page=True)
    assert not Message.objects.filter(from_patient=True).exists()

    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    page.goto("/plan/messages/")
    expect(page.locator(".msg-mine")).to_contain_text("pinches at the front of my hip")
    expect(page.locator(".msg-mine .msg-about")).to_contain_text(f"About: {name}")
    expect(page.locator("[data-waiting]")).to_have_count(0)
    sent = Message.objects.filter(from_patient=True)
    assert sent.count() == 1
    message = sent.get()
    assert message.prescribed_exercise.exercise.name == name
    assert message.made_at is not None
    assert message.made_at <= message.created_at
    assert not message.urgent

    # The clinic answers and reads it: "Seen by your clinic" under the patient's message.
    message_send(
        patient=patient, sender=patient.clinician, text="Yes, a little.", from_patient=False
    )
    page.goto("/plan/")
    badge = page.get_by_role("link", name="Messages, 1 unread")
    expect(badge).to_be_visible()
    page.screenshot(path=f"{SHOTS}/today-badge-390.png")
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate(WIDTH) <= 320
    page.screenshot(path=f"{SHOTS}/today-badge-320.png")
    badge.click()
    expect(page.get_by_text("✓ Seen by your clinic")).to_be_visible()
    assert page.evaluate(WIDTH) <= 320
    page.screenshot(path=f"{SHOTS}/thread-320.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=f"{SHOTS}/thread-390.png", full_page=True)
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    assert Message.objects.filter(from_patient=True).count() == 1
    assert page.console_errors == []


def test_saddle_numbness_shows_the_urgent_advice_before_sending(patient_page):
    page = patient_page
    page.goto("/plan/messages/")
    advice = page.locator("[data-urgent-advice]")
    expect(advice).to_be_hidden()
    page.get_by_label("Write to your clinic").fill(
        "Since last night I have numbness in the saddle area. Should I stop the bridges?"
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(advice).to_be_visible()
    expect(page.get_by_role("heading", name="Get urgent help now")).to_be_focused()
    expect(page.get_by_role("link", name="Call 999 in the UK")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/urgent-advice-390.png", full_page=True)
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    assert not Message.objects.exists()

    page.get_by_role("button", name="Send it to my clinic too").click()
    page.wait_for_url(re.compile(r"/plan/messages/#message-\d+$"))
    expect(page.locator(".msg-mine")).to_contain_text("numbness in the saddle area")
    message = Message.objects.get()
    assert message.urgent
    assert page.console_errors == []


# Phrases either side of the line: the phone's check must agree with the server's on each.
PHRASES = [
    "I have numbness in the saddle area",
    "My bottom feels numb since yesterday",
    "numb between my legs",
    "I’ve lost control of my bladder",
    "I wet myself on the way to the bus",
    "I can't pee since this morning",
    "Couldn’t feel my bladder was full",
    "My left leg is getting weaker every day",
    "weakness in my right foot",
    "My foot drags when I walk",
    "Both legs feel weak and tingly",
    "Sex feels numb down there",
    "Clamshells pinch at the front of my hip",
    "The bridge is easy now, can I do more?",
    "I feel a stretch in my legs",
    "My leg is sore after the walk",
    "I control my breathing in the stretch",
    # The same signs in Spanish and Arabic words (JavaScript's \\b knows only ASCII).
    "Tengo adormecida la zona íntima",
    "Se me escapa la orina sin darme cuenta",
    "Mi pierna izquierda está cada vez más débil",
    "Las dos piernas están débiles y dormidas",
    "لا أستطيع التبول منذ الصباح",
    "ساقي اليسرى تضعف كل يوم",
    "Me duele la pierna después de caminar",
    "El puente ya me resulta fácil, ¿puedo hacer más?",
    "التمرين سهل الآن",
]


def test_the_phone_and_the_server_find_the_same_emergency_words(patient_page):
    page = patient_page
    page.goto("/plan/messages/")
    found = page.evaluate(
        """(phrases) => {
          const patterns = JSON.parse(document.getElementById("emergency-patterns").textContent);
          return phrases.map((text) => {
            const normal = text.toLowerCase().replace(/\u2019|\u2018/g, "'");
            return Object.entries(patterns)
              .filter(([, list]) => list.some((p) => new RegExp(p).test(normal)))
              .map(([code]) => code);
          });
        }""",
        PHRASES,
    )
    assert found == [emergency_signs_in(text) for text in PHRASES]
    assert sum(bool(codes) for codes in found) == 12 + 6  # the first twelve, six of the others
