import pytest
from playwright.sync_api import expect

from exercises.models import Program
from patients.demo import BEGINNER_PROGRAM, DEMO_PASSWORD
from tests.browser.helpers import log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinician_reorders_a_template_and_sees_the_live_total(page, artifacts):
    seed_demo_world(with_history=False)
    from django.contrib.auth import get_user_model

    clinician = get_user_model().objects.get(username="demo-clinician")
    from exercises.services import program_duplicate

    mine = program_duplicate(program=Program.objects.get(name=BEGINNER_PROGRAM), owner=clinician)
    log_in(page, "demo-clinician", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/exercises/program/{mine.pk}/change/")

    total = page.locator("[data-total-minutes]")
    before = total.inner_text()
    first_row_exercise = page.locator("input[name='items-0-order']")
    expect(first_row_exercise).to_have_value("1")
    page.get_by_role("button", name="Move down").first.click()
    # The row that was first is now second and renumbered; its order input says 2.
    expect(page.locator("input[name='items-0-order']")).to_have_value("2")
    expect(page.locator("input[name='items-1-order']")).to_have_value("1")

    page.locator("input[name='items-0-sets']").fill("10")
    expect(total).not_to_have_text(before)
    page.screenshot(path=artifacts / "admin-template.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/exercises/program/")
    orders = list(mine.items.order_by("order").values_list("exercise__library_key", "sets"))
    assert orders[0][0] == "glute-bridge"
    assert orders[1] == ("pelvic-tilt", 10)
    assert page.console_errors == []
