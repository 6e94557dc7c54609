"""When the server fails, the phone (390 x 844) loses nothing.

The database turns read-only (a failover's moment), so the server answers 503 to every
write while pages still load. A check-off and a "session done" made then are kept on the
phone, shown as "Not sent yet — it will be sent automatically" with what was typed, and
stored exactly once when the server answers again, without the patient doing anything.
Before, the check-off vanished without a word (htmx swaps nothing on a 5xx) and "session
done" replaced the page with "Server Error (500)", the pain score and note gone.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import ClientWrite, ExerciseCheck, Patient, SessionLog, SymptomReport
from tests.browser.helpers import OFFLINE_READY_MS, PHONE, axe_violations, log_in, seed_demo_world
from tests.faults import (
    connection_dropped_after_saving,
    read_only_database,
    unreachable_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOT_SENT = "Not sent yet — it will be sent automatically."
NOTE = "Typed while the server was failing."


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world()
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    expect(phone_page.locator("body[data-offline-ready]")).to_have_count(
        1, timeout=OFFLINE_READY_MS
    )
    return phone_page


def today_rows():
    today = Patient.objects.get(user__username="demo-patient").today()
    logs = SessionLog.objects.filter(
        date=today, prescription__patient__user__username="demo-patient"
    )
    return logs, ExerciseCheck.objects.filter(session_log__in=logs)


def test_check_off_and_session_done_answered_503_wait_and_arrive_exactly_once(
    patient_page, artifacts, capsys
):
    page = patient_page
    first_card = page.locator(".exercise-card").first
    logs, checks = today_rows()

    with read_only_database():
        first_card.get_by_role("button", name=re.compile(r"^Mark done")).click()
        expect(first_card.get_by_test_id("not-sent")).to_have_text(NOT_SENT)
        expect(first_card).to_have_class(re.compile(r"\bis-done\b"))

        page.get_by_text("Mark session done").click()
        page.locator("label[for='pain-1-6']").click()
        page.get_by_text("Too hard", exact=True).click()
        page.get_by_label("A note for your clinician (optional)").fill(NOTE)
        # Three exercises are not ticked: the form asks once what to do with them.
        page.get_by_role("radio", name="Save as it is").check()
        page.get_by_role("button", name="Save", exact=True).click()

        # Back on the day: the session's form, open, with what was typed and the same words.
        session = page.locator("#session-1-done")
        expect(session.get_by_test_id("not-sent")).to_have_text(NOT_SENT)
        expect(page.locator("#pain-1-6")).to_be_checked()
        expect(page.locator("#effort-1-too_hard")).to_be_checked()
        expect(page.get_by_label("A note for your clinician (optional)")).to_have_value(NOTE)
        expect(first_card.get_by_test_id("not-sent")).to_have_text(NOT_SENT)
        expect(page.get_by_test_id("offline-status")).to_contain_text(
            "Your clinic's server isn't answering just now."
        )
        expect(page.get_by_text("Server Error")).to_have_count(0)
        page.screenshot(path=artifacts / "patient-server-503-waiting.png", full_page=True)
        # The network is up: only the server's 503 made the phone keep them.
        assert not logs.exists()
        assert not checks.exists()

    # The server answers again: both arrive without the patient doing anything.
    recovered = time.monotonic()
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "2 entries sent to your clinic", timeout=60_000
    )
    arrived = time.monotonic() - recovered
    log = logs.get()
    assert (log.pain, log.effort, log.note) == (6, "too_hard", NOTE)
    assert checks.count() == 1
    assert ClientWrite.objects.filter(patient__user__username="demo-patient").count() == 2
    expect(page.get_by_test_id("not-sent")).to_have_count(0)
    page.screenshot(path=artifacts / "patient-server-503-sent.png", full_page=True)

    # Later visits send nothing again and show what is stored.
    page.reload()
    expect(page.locator(".exercise-card.is-done")).to_have_count(1)
    logs, checks = today_rows()
    assert (logs.count(), checks.count()) == (1, 1)
    assert ClientWrite.objects.filter(patient__user__username="demo-patient").count() == 2
    with capsys.disabled():
        print(f"\nafter the server answered again: both entries stored within {arrived:.1f} s")
    assert [e for e in page.console_errors if "503" not in e] == []


def test_a_symptom_report_answered_503_shows_its_advice_waits_and_arrives_once(
    patient_page, artifacts
):
    """The advice is decided on the phone (static/js/symptoms.js), so a server failing the
    report never keeps it from the patient; the report waits and goes once."""
    page = patient_page
    with read_only_database():
        page.get_by_role("link", name="My symptoms got worse").click()
        page.get_by_label("Numbness or pain spreading further down my leg").check()
        page.get_by_label("Tell your clinician more (optional)").fill("Since the walk.")
        page.get_by_role("button", name="Send to my clinician").click()

        expect(
            page.get_by_role("heading", name="See a doctor today or tomorrow", exact=True)
        ).to_be_visible()
        expect(page.get_by_text(NOT_SENT)).to_be_visible()
        page.screenshot(path=artifacts / "patient-server-503-symptoms.png", full_page=True)
        assert not SymptomReport.objects.exists()

    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=60_000
    )
    report = SymptomReport.objects.get()
    assert (report.symptoms, report.note) == ("spreading_further", "Since the walk.")
    page.reload()
    assert SymptomReport.objects.count() == 1


def test_while_the_database_is_down_the_day_comes_from_the_saved_copy_and_entries_wait(
    patient_page, artifacts
):
    """The server answers 503 to pages too: the phone shows the plan it saved, says why, and
    keeps the check-off made on it until the server is back."""
    page = patient_page
    _, checks = today_rows()
    with unreachable_database(this_connection_too=False):
        page.reload()
        status = page.get_by_test_id("offline-status")
        expect(status).to_contain_text("The server isn't answering — showing your saved plan")
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        card = page.locator(".exercise-card").first
        card.get_by_role("button", name=re.compile(r"^Mark done")).click()
        expect(card.get_by_test_id("not-sent")).to_have_text(NOT_SENT)
        page.screenshot(path=artifacts / "patient-server-down-saved-copy.png", full_page=True)
        assert not checks.exists()
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=60_000
    )
    assert checks.count() == 1


def test_a_check_off_stored_before_the_connection_dropped_shows_as_done(patient_page):
    """Finding 3 on the phone: the server stored the check-off, then could not redraw its card
    (the connection dropped); it answers "saved", and the card shows it done, not waiting."""
    page = patient_page
    card = page.locator(".exercise-card").first
    _, checks = today_rows()
    with (
        connection_dropped_after_saving(ExerciseCheck),
        page.expect_response(re.compile(r"/check/$")) as answer,
    ):
        card.get_by_role("button", name=re.compile(r"^Mark done")).click()
    assert answer.value.status == 200
    assert answer.value.headers["x-homeplan-saved"] == "done"
    expect(card).to_have_class(re.compile(r"\bis-done\b"))
    expect(card.locator(".status")).to_have_text("✓ Done")
    expect(card.get_by_test_id("not-sent")).to_have_count(0)
    assert checks.count() == 1


def test_without_a_service_worker_an_outage_shows_our_own_page_with_retry_after(
    browser, live_server, artifacts
):
    """A browser with no service worker (a private window, a first visit) gets the app's own
    plain page and Retry-After, not Django's bare "Server Error (500)"."""
    seed_demo_world(with_history=False)
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        service_workers="block",
    )
    page = context.new_page()
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    with unreachable_database(this_connection_too=False):
        answer = page.goto("/plan/history/")
        assert answer.status == 503
        assert answer.headers["retry-after"] == "5"
        expect(page.get_by_role("heading", name="Please try again in a moment")).to_be_visible()
        expect(page.get_by_role("link", name="Try again")).to_have_attribute(
            "href", "/plan/history/"
        )
        assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
        page.screenshot(path=artifacts / "patient-503-plain-page.png", full_page=True)
    context.close()
