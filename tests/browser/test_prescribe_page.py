"""The prescribing page in a real browser: the two journeys of the issue, counted (clicks,
typed entries, menu choices, full page loads) and printed against their targets; the
precaution warning and reason; keyboard reordering; no horizontal scroll at 1366, 1024 and
820 px; axe-core. Screenshots go to /tmp/shots-19/."""

import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from clinic.models import User
from exercises import services as exercise_services
from exercises.library import load_shipped_library
from exercises.models import PrecautionTag
from patients import demo
from patients.models import ContraindicationOverride, Patient, Prescription
from tests.browser.helpers import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(tempfile.gettempdir()) / "shots-19"
SECOND_PROGRAM = list(demo.DEMO_PROGRAMS)[1]  # the seed's three-exercise template
WIDTHS = {"wide": 1366, "laptop": 1024, "tablet": 820}
ANY_IMPACT = ("minor", "moderate", "serious", "critical")


class Journey:
    """Does what a clinician does, and counts it: clicks, typed entries, menu choices and
    full page loads (htmx requests are not page loads)."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.typed = self.choices = 0
        self.loads: list[str] = []
        page.on(
            "framenavigated",
            lambda frame: frame == page.main_frame and self.loads.append(frame.url),
        )

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def type(self, locator, text: str):
        self.typed += 1
        locator.fill(text)

    def choose(self, locator, label: str):
        self.choices += 1
        locator.select_option(label=label)

    def report(self, name: str, *, clicks: int, loads: int) -> str:
        return (
            f"\n{name}: {self.clicks} clicks (target <= {clicks}), {self.typed} typed entries, "
            f"{self.choices} menu choices, {len(self.loads)} full page loads "
            f"(target <= {loads})"
        )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_new_patient_three_exercises_one_more_and_send(page, browser, live_server, capsys):
    seed_demo_world(with_history=False)
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/patients/patient/add/")

    journey = Journey(page)  # counted from the new-patient form
    journey.type(page.get_by_label("First name:"), "Nora")
    journey.type(page.get_by_label("Last name:"), "Quinn")
    journey.type(page.get_by_label("Email:"), "nora.quinn@example.org")
    journey.click(page.get_by_role("button", name="Save and prescribe"))
    page.wait_for_url("**/prescribe/")

    journey.choose(page.get_by_label("Start from a template"), SECOND_PROGRAM)
    expect(page.locator("li.plan-row")).to_have_count(3)
    journey.type(page.get_by_label("Search by name, body part or complaint"), "buttock")
    expect(page.locator("#library-results")).to_contain_text("found for “buttock”")
    journey.click(
        page.locator("#library-results").get_by_role("button", name="Add Hip lift (glute bridge)")
    )
    expect(page.locator("li.plan-row")).to_have_count(4)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "journey-before-send-1366.png", full_page=True)
    journey.click(page.get_by_role("button", name="Save and send"))
    page.wait_for_url("**/prescribed/")
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=SHOTS / "journey-confirmation-1366.png", full_page=True)

    figures = journey.report(
        "new patient + the seed's three exercises + one more + send", clicks=12, loads=2
    )
    with capsys.disabled():
        print(figures)
    assert journey.clicks <= 12
    assert len(journey.loads) <= 2
    patient = Patient.objects.get(email="nora.quinn@example.org")
    prescription = Prescription.objects.get(patient=patient)
    assert [item.exercise.name for item in prescription.exercises.order_by("order")][-1] == (
        "Hip lift (glute bridge)"
    )
    assert prescription.exercises.count() == 4
    assert mail.outbox[-1].to == ["nora.quinn@example.org"]
    assert page.console_errors == []

    # The copy button and the link.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.get_by_label("Invitation link (works once):").input_value()
    assert re.search(r"/accounts/invite/\S+/$", link)


def test_existing_template_to_existing_patient(page, live_server, capsys):
    seed_demo_world(with_history=False)
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    patient = Patient.objects.get(user__username="demo-patient")
    before = patient.prescriptions.count()
    page.goto("/admin/patients/patient/")

    journey = Journey(page)  # counted from the patient list
    journey.click(page.locator(f'a[href="/admin/patients/patient/{patient.pk}/prescribe/"]'))
    page.wait_for_url("**/prescribe/")
    journey.choose(page.get_by_label("Start from a template"), demo.BEGINNER_PROGRAM)
    expect(page.locator("li.plan-row")).to_have_count(4)
    journey.click(page.get_by_role("button", name="Save and send"))
    page.wait_for_url("**/prescribed/")
    expect(page.get_by_text("already has an account")).to_be_visible()

    figures = journey.report("existing template to existing patient", clicks=4, loads=2)
    with capsys.disabled():
        print(figures)
    assert journey.clicks <= 4
    assert patient.prescriptions.count() == before + 1
    assert patient.prescriptions.order_by("-pk").first().name == demo.BEGINNER_PROGRAM


def _patient_after_hip_replacement():
    seed_demo_world(with_history=False)
    # The rest of the library, with its drawings: every result has a picture.
    exercise_services.library_load(entries=load_shipped_library())
    patient = Patient.objects.get(user__username="demo-patient")
    patient.precaution_tags.add(PrecautionTag.objects.get(slug="after_hip_replacement"))
    return patient


def test_precaution_warning_reason_layout_keyboard_and_axe(page, live_server, capsys):
    patient = _patient_after_hip_replacement()
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1366, "height": 900})
    before = Prescription.objects.filter(patient=patient).count()
    page.goto(f"/admin/patients/patient/{patient.pk}/prescribe/")

    # Search, marked before adding; every result has a picture.
    page.get_by_label("Search by name, body part or complaint").fill("low back")
    results = page.locator("#library-results li.library-item")
    expect(page.locator("#library-results")).to_contain_text("found for “low back”")
    assert results.count() >= 3
    assert results.locator("img").count() == results.count()
    page.get_by_label("Search by name, body part or complaint").fill("outer hip")
    expect(page.locator("#library-results")).to_contain_text("found for “outer hip”")
    clam = page.locator(
        "#library-results li.library-item", has_text="Side-lying knee opening (clamshell)"
    )
    expect(clam.locator(".precaution-flag")).to_contain_text("After hip replacement")

    # Star it (htmx), then add three with Enter on the focused button.
    clam.get_by_role("button", name="Favourite: Side-lying knee opening (clamshell)").click()
    expect(
        clam.get_by_role("button", name="Favourite: Side-lying knee opening (clamshell)")
    ).to_have_attribute("aria-pressed", "true")
    for name in (
        "Side-lying knee opening (clamshell)",
        "Side steps with a band (lateral band walk)",
    ):
        page.locator("#library-results").get_by_role("button", name=f"Add {name}").focus()
        page.keyboard.press("Enter")
        expect(page.locator("li.plan-row", has_text=name)).to_be_visible()
    row = page.locator("li.plan-row", has_text="Side-lying knee opening (clamshell)")
    expect(row.locator(".row-warning")).to_contain_text("Check before prescribing")

    # Keyboard reorder: the focus stays on the button that was pressed.
    page.get_by_role("button", name="Move Side steps with a band (lateral band walk) up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.plan-row").first).to_contain_text(
        "Side steps with a band (lateral band walk)"
    )
    # Now first, its "up" is disabled: the focus moves to the same row's "down".
    expect(
        page.get_by_role("button", name="Move Side steps with a band (lateral band walk) down")
    ).to_be_focused()

    # Drag the row back by its head; a changed dose updates the session length at once.
    page.locator("li.plan-row", has_text="Side-lying knee opening (clamshell)").locator(
        ".row-head"
    ).drag_to(
        page.locator("li.plan-row", has_text="Side steps with a band (lateral band walk)").locator(
            ".row-head"
        )
    )
    expect(page.locator("li.plan-row").first).to_contain_text("Side-lying knee opening (clamshell)")
    totals = page.locator(".plan-summary")
    before_minutes = totals.inner_text()
    page.locator("li.plan-row", has_text="Side steps with a band (lateral band walk)").get_by_label(
        "Sets"
    ).fill("8")
    page.locator("li.plan-row", has_text="Side steps with a band (lateral band walk)").get_by_label(
        "Reps"
    ).focus()
    expect(totals).not_to_have_text(before_minutes)

    SHOTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 1000})
        assert no_horizontal_scroll(page), f"horizontal scroll at {width} px"
        page.screenshot(path=SHOTS / f"prescribe-{label}-{width}.png", full_page=True)

    # Save without a reason: an error on the row and in the summary; nothing saved.
    page.get_by_role("button", name="Save and send").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_contain_text("Side-lying knee opening (clamshell)")
    assert Prescription.objects.filter(patient=patient).count() == before
    page.set_viewport_size({"width": 1024, "height": 900})
    page.screenshot(path=SHOTS / "prescribe-errors-1024.png", full_page=True)
    assert no_horizontal_scroll(page)
    page.locator("#error-summary a", has_text="Side-lying knee opening (clamshell)").click()
    reason = page.get_by_label("Reason to prescribe anyway")
    expect(reason).to_be_focused()

    violations = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    page.set_viewport_size({"width": 820, "height": 1180})
    violations_tablet = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    with capsys.disabled():
        print(
            f"\naxe-core on the prescribing page: {len(violations)} violations at 1024 px, "
            f"{len(violations_tablet)} at 820 px: {violations + violations_tablet}"
        )
    assert violations == []
    assert violations_tablet == []

    reason.fill("Cleared by the surgeon, pain-free range only")
    page.get_by_role("button", name="Save and send").click()
    page.wait_for_url("**/prescribed/")
    expect(page.get_by_text("Prescribed despite")).to_contain_text("Cleared by the surgeon")
    page.screenshot(path=SHOTS / "prescribed-820.png", full_page=True)
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    override = ContraindicationOverride.objects.get()
    assert override.reason == "Cleared by the surgeon, pain-free range only"
    assert page.console_errors == []


def test_the_library_says_in_the_plan_after_an_htmx_add_and_add_after_a_removal(page, live_server):
    """The plan panel alone is redrawn by htmx; the library's button for that exercise
    follows it: "In the plan" (disabled) after the add, "Add" again after the removal."""
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/admin/patients/patient/{patient.pk}/prescribe/")
    loads = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and loads.append(frame.url))
    page.get_by_label("Search by name, body part or complaint").fill("buttock")
    results = page.locator("#library-results")
    expect(results).to_contain_text("found for “buttock”")
    results.get_by_role("button", name="Add Hip lift (glute bridge)").click()
    expect(page.locator("li.plan-row", has_text="Hip lift (glute bridge)")).to_have_count(1)
    in_plan = results.get_by_role("button", name="In the plan Hip lift (glute bridge)")
    expect(in_plan).to_be_disabled()
    expect(results.get_by_role("button", name="Add Hip lift (glute bridge)")).to_have_count(0)
    # caret="initial": Playwright hides the caret with an inline style, which the page's
    # Content Security Policy refuses (and logs as a console error).
    page.screenshot(path=SHOTS / "library-in-the-plan-1366.png", caret="initial")

    page.get_by_role("button", name="Remove Hip lift (glute bridge)").click()
    expect(page.locator("li.plan-row", has_text="Hip lift (glute bridge)")).to_have_count(0)
    expect(results.get_by_role("button", name="Add Hip lift (glute bridge)")).to_be_enabled()
    expect(in_plan).to_have_count(0)
    assert loads == []  # all of it through htmx, no page load
    assert axe_violations(page, ANY_IMPACT) == []
    assert page.console_errors == []


def test_the_pages_this_touches_stay_clean_for_axe(page, live_server, capsys):
    """The admin index, patient list, assign page (with an archived exercise to choose for)
    and template list were clean before; the patient list gained "Prescribe", the assign
    page the stand-in choice and the template list the archived flag."""
    from exercises.models import Exercise, Program

    seed_demo_world(with_history=False)
    program = Program.objects.get(name=demo.BEGINNER_PROGRAM)
    Exercise.objects.filter(pk=program.items.first().exercise_id).update(status="archived")
    patient = Patient.objects.get(user__username="demo-patient")
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1366, "height": 900})
    found = {}
    for url in (
        "/admin/",
        "/admin/patients/patient/",
        f"/admin/patients/patient/{patient.pk}/assign/?program={program.pk}",
        "/admin/exercises/program/",
        f"/admin/patients/patient/{patient.pk}/prescribe/?template={program.pk}",
    ):
        page.goto(url)
        found[url] = axe_violations(page, ANY_IMPACT)
        if "assign" in url:
            expect(page.get_by_text("No longer in the library")).to_be_visible()
            page.screenshot(path=SHOTS / "assign-archived-1366.png", full_page=True)
    with capsys.disabled():
        print(f"\naxe-core, any impact: { ({k: len(v) for k, v in found.items()}) }")
    assert {url: v for url, v in found.items() if v} == {}


def test_clinician_pages_we_customise_pass_axe_and_fit_1024_and_820(page, live_server, capsys):
    """Measured before: the patient page 20 critical and 5 serious (unnamed inline fields),
    the prescription page 45 critical and 8 serious and 1,786 px wide at 1366, the progress
    page contrast failures, the exercise list picture links without a name."""
    seed_demo_world(with_history=True)
    exercise_services.library_load(entries=load_shipped_library())
    patient = Patient.objects.get(user__username="demo-patient")
    prescription = patient.prescriptions.first()
    program = prescription.program
    clinician = User.objects.get(username="demo-clinician")
    own = exercise_services.program_duplicate(program=program, owner=clinician)
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    found, widths = {}, {}
    pages = {
        "patient": f"/admin/patients/patient/{patient.pk}/change/",
        "new-patient": "/admin/patients/patient/add/",
        "prescription": f"/admin/patients/prescription/{prescription.pk}/change/",
        "progress": f"/admin/patients/patient/{patient.pk}/progress/",
        "exercises": "/admin/exercises/exercise/",
        "template": f"/admin/exercises/program/{program.pk}/change/",
        "own-template": f"/admin/exercises/program/{own.pk}/change/",
        "templates": "/admin/exercises/program/",
        "prescribing": f"/admin/patients/patient/{patient.pk}/prescribe/?template={program.pk}",
    }
    for name, url in pages.items():
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(url)
        found[name] = axe_violations(page, ANY_IMPACT)
        if name == "template":  # clinic-wide: read-only for a clinician, so no arrows
            expect(page.locator("#items-group, .inline-group").first).to_be_visible()
            assert page.get_by_role("button", name="Move up").count() == 0
        for width in (1366, 1024, 820):
            page.set_viewport_size({"width": width, "height": 1000})
            widths[(name, width)] = page.evaluate("document.documentElement.scrollWidth")
            if name in ("prescription", "progress") and width != 1366:
                page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    with capsys.disabled():
        counts = {name: len(violations) for name, violations in found.items()}
        print(f"\naxe-core, any impact, per page at 1366 px: {counts}")
        print(f"page widths: {widths}")
    assert {k: v for k, v in found.items() if v} == {}
    assert all(scroll <= width for (_, width), scroll in widths.items()), widths
