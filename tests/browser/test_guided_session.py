"""Guided mode on a phone (390 x 844) respects what the patient logged: it starts at the first
open exercise, never turns a skip into "done", can skip and go back, and its finish screen
says what was done, skipped and not reached."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from exercises import services as exercise_services
from exercises.library import load_shipped_library
from exercises.models import Exercise
from patients import changes
from patients.demo import DEMO_PASSWORD
from patients.models import ExerciseCheck, PrescribedExercise, Prescription
from tests.browser.helpers import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world(with_history=False)
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    return phone_page


def _card(page, name):
    return page.locator(".exercise-card").filter(has=page.get_by_role("link", name=name))


def _skip_on_today(page, name, reason):
    card = _card(page, name)
    card.locator("summary", has_text="Skip").click()
    card.get_by_label("Why are you skipping it?").select_option(label=reason)
    card.get_by_role("button", name="Skip this exercise").click()
    expect(_card(page, name).locator(".status")).to_contain_text(f"Skipped: {reason.lower()}")


def _mark_done_on_today(page, name):
    _card(page, name).get_by_role("button", name=re.compile(r"^Mark done")).click()
    expect(_card(page, name).locator(".status")).to_contain_text("✓ Done")


def _run_current_step(page):
    """Every set of the exercise on screen, timers skipped, until its "next" button shows."""
    step = page.locator("[data-step].is-current")
    next_button = step.locator("[data-action=next]")
    for _ in range(12):
        if next_button.is_visible():
            break
        step.locator("[data-controls] [data-action]:visible").first.click()
    expect(next_button).to_be_visible()
    return step


def _check(name):
    return ExerciseCheck.objects.filter(prescribed_exercise__exercise__name=name).first()


def test_a_skip_made_on_today_survives_guided_mode_to_the_end(patient_page):
    page = patient_page
    _skip_on_today(page, "Side-lying knee opening (clamshell)", "No equipment")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")

    # Every exercise guided mode offers, to the end.
    visited = []
    finish = page.locator("[data-finish]")
    for _ in range(6):
        if finish.is_visible():
            break
        step = page.locator("[data-step].is-current")
        visited.append(step.get_by_role("heading", level=1).inner_text())
        _run_current_step(page).locator("[data-action=next]").click()
    expect(finish).to_be_visible()
    # What guided mode sent has reached the server before the skip is read back.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-step]')]"
        ".every((s) => s.dataset.status !== '' && !s.dataset.sending)"
    )
    clamshell = _check("Side-lying knee opening (clamshell)")
    assert (clamshell.status, clamshell.skip_reason) == ("skipped", "no_equipment")
    page.screenshot(path=f"{SHOTS}/guided-finish.png", full_page=True)
    expect(finish.locator("[data-finish-skipped]")).to_contain_text(
        "Side-lying knee opening (clamshell)"
    )
    expect(finish.locator("[data-finish-skipped]")).to_contain_text("no equipment")
    expect(finish.locator("[data-finish-done] li")).to_have_count(3)
    # Clamshell was skipped: guided mode went from the bridge straight to the stretch.
    assert visited == [
        "Pelvic tilt",
        "Hip lift (glute bridge)",
        "Standing stretch for the front of the hip (hip flexor stretch)",
    ]
    page.goto("/plan/")
    expect(_card(page, "Hip lift (glute bridge)").locator(".status")).to_contain_text("✓ Done")
    expect(_card(page, "Side-lying knee opening (clamshell)").locator(".status")).to_contain_text(
        "Skipped: no equipment"
    )
    assert page.console_errors == []


def test_guided_mode_resumes_at_the_first_open_exercise(patient_page):
    page = patient_page
    _mark_done_on_today(page, "Pelvic tilt")
    _skip_on_today(page, "Hip lift (glute bridge)", "No time")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text("Side-lying knee opening (clamshell)")
    expect(page.locator("[data-progress]")).to_have_text("Exercise 3 of 4")

    # Back shows what was logged on the earlier exercise, and changes nothing.
    step.get_by_role("button", name="‹ Back").click()
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text("Hip lift (glute bridge)")
    expect(step.locator("[data-logged]")).to_contain_text("Skipped: no time")
    page.screenshot(path=f"{SHOTS}/guided-back-to-skipped.png")
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    step.get_by_role("button", name="Next exercise ›").click()
    expect(page.locator("[data-step].is-current").get_by_role("heading", level=1)).to_have_text(
        "Side-lying knee opening (clamshell)"
    )
    assert _check("Hip lift (glute bridge)").skip_reason == "no_time"


def test_skip_and_back_in_guided_mode_and_the_finish_screen(patient_page):
    page = patient_page
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    _run_current_step(page).locator("[data-action=next]").click()  # pelvic tilt done

    # Skip the glute bridge with a reason: none is chosen for the patient.
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text("Hip lift (glute bridge)")
    step.locator("summary", has_text="Skip").click()
    reason = step.get_by_label("Why are you skipping it?")
    expect(reason).to_have_value("")
    step.get_by_role("button", name="Skip this exercise").click()
    expect(step.get_by_text("Choose why you skipped it.")).to_be_visible()
    reason.select_option(label="Too painful")
    step.get_by_role("button", name="Skip this exercise").click()
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text("Side-lying knee opening (clamshell)")

    # Back to the glute bridge: it says skipped, and going on does not change it.
    step.get_by_role("button", name="‹ Back").click()
    back = page.locator("[data-step].is-current")
    expect(back.locator("[data-logged]")).to_contain_text("Skipped: too painful")
    back.get_by_role("button", name="Next exercise ›").click()

    # Leave clamshell and the stretch: "Finish now" shows them as not reached.
    page.locator("[data-step].is-current").get_by_role("button", name="Finish now").click()
    finish = page.locator("[data-finish]")
    expect(finish.locator("[data-finish-done]")).to_contain_text("Pelvic tilt")
    expect(finish.locator("[data-finish-skipped]")).to_contain_text("Hip lift (glute bridge)")
    expect(finish.locator("[data-finish-skipped]")).to_contain_text("too painful")
    expect(finish.locator("[data-finish-open] li")).to_have_count(2)
    expect(finish.get_by_role("button", name="Save", exact=True)).to_be_visible()
    page.screenshot(path=f"{SHOTS}/guided-finish-partial.png", full_page=True)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('[data-step]')].some((s) => s.dataset.sending)"
    )
    glute = _check("Hip lift (glute bridge)")
    assert (glute.status, glute.skip_reason) == ("skipped", "too_painful")
    assert _check("Side-lying knee opening (clamshell)") is None
    assert page.console_errors == []


CLS = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  // The pictures on screen: the other steps' pictures are lazy and hidden, so they never
  // load, and waiting for their decode() would wait for ever.
  const pictures = [...document.images].filter((p) => p.checkVisibility());
  Promise.all(pictures.map((p) => p.decode().catch(() => null))).then(() =>
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(total))));
})"""


def test_guided_pictures_keep_their_box_while_loading(patient_page):
    """Each picture's box has the rendition's (or animation's) real width and height: held
    back on the way, the picture already has its final box, so the timer and buttons below
    it do not jump when it arrives (cumulative layout shift under 0.05)."""
    page = patient_page
    # A service worker answers pictures from the week's saved copy (and the page's routes
    # never see them): without it, the pictures come from the network, held back here.
    page.evaluate(
        """async () => {
            for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
            for (const key of await caches.keys()) await caches.delete(key);
        }"""
    )
    held = []
    page.route("**/media/**", lambda route: held.append(route))  # released below
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/", wait_until="domcontentloaded")
    image = page.locator("[data-step].is-current img.guided-image")
    expect(image).to_be_visible()
    assert image.evaluate("(img) => img.complete && img.naturalWidth") == 0  # still loading
    waiting = image.bounding_box()
    start = page.locator("[data-step].is-current [data-action=start]").bounding_box()
    for route in held:
        route.continue_()
    page.unroute("**/media/**")
    page.wait_for_function(
        "() => document.querySelector('[data-step].is-current img.guided-image').naturalWidth"
    )
    natural = image.evaluate("(img) => [img.naturalWidth, img.naturalHeight]")
    # The box is the chosen file's: the animation's <source> (its own width and height), or
    # the still <img> for a phone that asks for less motion.
    shown = image.evaluate(
        """(img) => {
            const source = img.closest('picture').querySelector('source');
            const from = img.currentSrc.includes('/animation-') ? source : img;
            return [+from.getAttribute('width'), +from.getAttribute('height')];
        }"""
    )
    assert natural == shown
    loaded = image.bounding_box()
    assert abs(loaded["height"] - waiting["height"]) < 1, (waiting, loaded)
    after = page.locator("[data-step].is-current [data-action=start]").bounding_box()
    assert abs(after["y"] - start["y"]) < 1
    shift = page.evaluate(CLS)
    print(
        f"\nguided: picture {natural[0]}x{natural[1]}, box {waiting['height']:.0f} px high "
        f"before and after loading, layout shift {shift:.3f}"
    )
    assert shift < 0.05


def test_a_timed_activity_runs_as_a_minutes_timer_not_a_600_second_hold(patient_page):
    """The walking programme's dose is 10 minutes: guided mode offers a 10-minute timer,
    counts it down as minutes and seconds, and calls it "Keep going", not "Hold"."""
    page = patient_page
    walking_entry = [e for e in load_shipped_library() if e["key"] == "walking-program"]
    exercise_services.library_load(entries=walking_entry)
    prescription = Prescription.objects.filter(patient__user__username="demo-patient").first()
    with transaction.atomic():
        walking = PrescribedExercise.objects.create(
            prescription=prescription,
            exercise=Exercise.objects.get(library_key="walking-program"),
            order=0,
            sets=1,
            reps=None,
            hold_seconds=600,
            rest_seconds=0,
        )
        changes.record(prescription.patient_id, [changes.created(walking)])
    page.goto(page.url.split("/plan/")[0] + "/plan/")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/", wait_until="domcontentloaded")
    step = page.locator("[data-step].is-current")
    expect(step).to_contain_text("Walking")
    start = step.get_by_role("button", name="Start the 10-minute timer")
    expect(start).to_be_visible()
    start.click()
    expect(step.locator("[data-timer-label]")).to_have_text("Keep going")
    expect(step.locator("[data-timer-value]")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(step.locator("[data-timer-value]")).to_have_text(re.compile(r"^9:5\d$"))
    step.get_by_role("button", name="Skip the timer").click()
    expect(step.locator("[data-timer]")).to_be_hidden()
