"""Today's plan in airplane mode on a phone (390 x 844), with Chromium's offline emulation:
served from the service worker's cache with a banner, check-offs and "session done" queued
and shown at once, and every entry in the database exactly once after reconnecting; the
queue waiting for a new sign-in; logging out empties the phone's copy."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import ClientWrite, ExerciseCheck, Patient, SessionLog
from tests.browser.helpers import OFFLINE_READY_MS, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

# Every response body the service worker keeps, by cache, in the page.
CACHED = """async () => {
  const files = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).arrayBuffer();
      const url = new URL(request.url);
      files.push({cache: name, url: url.pathname + url.search, bytes: body.byteLength});
    }
  }
  return files;
}"""
DATABASES = "async () => (await indexedDB.databases()).map((d) => d.name)"
QUEUED = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("homeplan-offline");
  request.onsuccess = () => {
    const count = request.result.transaction("queue").objectStore("queue").count();
    count.onsuccess = () => { request.result.close(); resolve(count.result); };
  };
  request.onerror = () => reject(request.error);
})"""


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world()
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    # The service worker installs, then saves the coming week and says so.
    expect(phone_page.locator("body[data-offline-ready]")).to_have_count(
        1, timeout=OFFLINE_READY_MS
    )
    return phone_page


def today_rows():
    today = Patient.objects.get(user__username="demo-patient").today()
    logs = SessionLog.objects.filter(
        date=today, prescription__patient__user__username="demo-patient"
    )
    checks = ExerciseCheck.objects.filter(session_log__in=logs)
    return logs, checks


# No saved page is left in any cache (a JS predicate for page.wait_for_function).
NO_SAVED_PAGES = f"""async () => (await ({CACHED})()).every((f) => !f.cache.includes("-pages-"))"""


def test_today_offline_then_synced_exactly_once(patient_page, artifacts, capsys):
    page = patient_page
    files = page.evaluate(CACHED)
    pages = [f for f in files if "-pages-" in f["cache"]]
    shell = sum(f["bytes"] for f in files if "-shell-" in f["cache"])
    with capsys.disabled():
        print(
            f"\noffline cache for demo-patient's week: {sum(f['bytes'] for f in files)} bytes "
            f"in {len(files)} responses (app shell {shell}, "
            f"plan pages and pictures {sum(f['bytes'] for f in pages)})"
        )
        for kind, pattern in [
            ("day pages", r"^/plan/(\d{4}-\d{2}-\d{2}/\?offline-copy=1)?$"),
            ("guided sessions", r"/guided/$"),
            ("exercise pages", r"^/plan/exercises/"),
            ("pictures", r"^/media/"),
        ]:
            chosen = [f for f in pages if re.search(pattern, f["url"])]
            print(f"  {kind}: {len(chosen)}, {sum(f['bytes'] for f in chosen)} bytes")
    assert any(f["url"] == "/plan/" for f in pages)
    assert len([f for f in pages if "offline-copy" in f["url"]]) == 7

    page.context.set_offline(True)
    page.reload()
    status = page.get_by_test_id("offline-status")
    expect(status).to_contain_text("Offline — showing your saved plan from")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.locator(".exercise-image").first).to_have_js_property("complete", True)

    done_buttons = page.get_by_role("button", name=re.compile(r"^Mark done"))
    total = done_buttons.count()
    assert total == 4
    done_buttons.first.click()
    expect(done_buttons).to_have_count(total - 1)
    done_buttons.first.click()
    expect(done_buttons).to_have_count(total - 2)
    expect(page.locator(".exercise-card.is-done")).to_have_count(2)

    page.get_by_text("Mark session done").click()
    page.locator("label[for='pain-1-4']").click()
    page.get_by_text("About right", exact=True).click()
    page.get_by_label("A note for your clinician (optional)").fill("Done on the train.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(status).to_contain_text("3 saved entries on this phone will be sent")
    expect(page.get_by_text("Session done ✓ (saved on this phone)")).to_be_attached()
    expect(page.locator(".exercise-card.is-done")).to_have_count(2)
    page.screenshot(path=artifacts / "patient-offline-queued.png", full_page=True)
    logs, checks = today_rows()
    assert not logs.exists()

    page.context.set_offline(False)
    start = time.monotonic()
    # The page says so once the server has answered all three.
    expect(status).to_contain_text("3 entries sent to your clinic", timeout=30_000)
    sync_seconds = time.monotonic() - start
    assert checks.filter(status="done").count() == 2
    assert logs.exclude(completed_at=None).count() == 1
    with capsys.disabled():
        print(f"sync after reconnecting: {sync_seconds:.2f} s until the server had all entries")

    # A reload (another chance to replay) and a later visit change nothing.
    page.reload()
    expect(page.locator(".exercise-card.is-done")).to_have_count(2)
    logs, checks = today_rows()
    log = logs.get()
    assert (log.pain, log.effort, log.note) == (4, "about_right", "Done on the train.")
    assert checks.count() == 2
    assert ClientWrite.objects.filter(patient__user__username="demo-patient").count() == 3
    assert str(log.result_uuid) in page.content()
    page.screenshot(path=artifacts / "patient-offline-synced.png", full_page=True)
    assert page.console_errors == []


def test_guided_mode_offline_checks_off_through_the_queue(patient_page):
    page = patient_page
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", name="Pelvic tilt")).to_be_visible()
    step.get_by_role("button", name="Done with this set").click()
    step.get_by_role("button", name="Skip the timer").click()
    step.get_by_role("button", name="Done with this set").click()
    expect(step.get_by_role("button", name="Next exercise ›")).to_be_visible()
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry")
    _, checks = today_rows()
    assert not checks.exists()
    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    assert checks.filter(prescribed_exercise__exercise__name="Pelvic tilt").count() == 1
    assert page.console_errors == []


def test_saved_entries_wait_for_a_new_sign_in(patient_page):
    page = patient_page
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("button", name=re.compile(r"^Mark done")).first.click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry")
    Session.objects.all().delete()  # the sign-in expires while the phone is offline

    page.context.set_offline(False)
    sign_in = page.get_by_role("link", name="Sign in to send 1 saved entry")
    expect(sign_in).to_be_visible(timeout=30_000)
    _, checks = today_rows()
    assert not checks.exists()
    sign_in.click()
    page.get_by_label("Username or email").fill("demo-patient")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/plan/")
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    assert checks.count() == 1
    assert ClientWrite.objects.count() == 1
    assert page.console_errors == []


def test_finding_2_a_login_redirect_drops_the_saved_pages_and_keeps_the_queue(
    patient_page, artifacts
):
    """Security review round 2, finding 2: a session that ended without a logout left the
    plan readable offline on the phone. A patient page answered with the login page now
    empties the saved pages; an entry waiting to be sent stays, and goes after sign-in."""
    page = patient_page
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("button", name=re.compile(r"^Mark done")).first.click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry")
    Session.objects.all().delete()  # the session ends on the server, no logout on the phone

    page.context.set_offline(False)
    page.goto("/plan/")
    page.wait_for_url("**/accounts/login/?next=/plan/")
    page.wait_for_function(NO_SAVED_PAGES, timeout=30_000)
    assert page.evaluate(QUEUED) == 1
    _, checks = today_rows()
    assert not checks.exists()

    # Whoever holds the phone now finds no plan offline.
    page.context.set_offline(True)
    page.goto("/plan/")
    expect(page.get_by_text("Your plan isn’t saved on this phone.")).to_be_visible()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_have_count(0)
    page.screenshot(path=artifacts / "patient-offline-after-session-ended.png", full_page=True)

    page.context.set_offline(False)
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    assert checks.count() == 1
    assert ClientWrite.objects.count() == 1
    # Only the deliberate visit offline failed (its 503 page and what it could not load).
    offline_visit = ("ERR_INTERNET_DISCONNECTED", "ERR_FAILED", "status of 503")
    assert [e for e in page.console_errors if not any(s in e for s in offline_visit)] == []


def test_logout_empties_the_phones_copy_of_the_plan(patient_page):
    page = patient_page
    assert len(page.evaluate("async () => await caches.keys()")) == 2
    assert "homeplan-offline" in page.evaluate(DATABASES)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.evaluate("async () => await caches.keys()") == []
    assert page.evaluate(DATABASES) == []
    registrations = "async () => (await navigator.serviceWorker.getRegistrations()).length"
    assert page.evaluate(registrations) == 0

    # Whoever picks the phone up next finds nothing of the plan offline.
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto("/plan/")
    page.context.set_offline(False)
    assert [e for e in page.console_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_a_page_opened_after_the_week_was_saved_says_it_is_saved(patient_page):
    """The worker saves the week at most every 10 minutes; a page opened in between still
    hears that the week is saved (and when), instead of never (a reload right after a save
    waited for a message that had gone to the page before it)."""
    page = patient_page
    saved_at = page.locator("body").get_attribute("data-offline-ready")
    page.reload()
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=15_000)
    assert page.locator("body").get_attribute("data-offline-ready") == saved_at
