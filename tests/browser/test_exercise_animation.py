"""The exercise's animation on a phone (390 x 844): the exercise page and guided mode show it,
and a phone set to reduce motion gets the still picture instead, with no script involved."""

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from tests.browser.helpers import PHONE, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOWN = """() => {
    const img = document.querySelector('.guided-step.is-current picture img, main picture img');
    return img && img.complete && img.naturalWidth > 0 ? img.currentSrc : null;
}"""


@pytest.mark.parametrize(
    ("motion", "shown", "caption"),
    [
        ("no-preference", "/animation-", "The movement: start, end and back"),
        ("reduce", "/start-", "Start"),
    ],
)
def test_the_exercise_moves_unless_the_phone_asks_for_less_motion(
    browser, live_server, artifacts, motion, shown, caption
):
    seed_demo_world(with_history=False)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.emulate_media(reduced_motion=motion)
        log_in(page, "demo-patient", DEMO_PASSWORD)
        page.wait_for_url("**/plan/")
        # Today shows still pictures only, whatever the setting.
        assert "/animation-" not in page.content()

        page.locator(".exercise-card h3 a").first.click()
        page.wait_for_function(SHOWN)
        source = page.evaluate(SHOWN)
        assert shown in source, source
        figure = page.locator("main figure").first
        expect(figure.get_by_text(caption, exact=True)).to_be_visible()
        alt = figure.locator("img").get_attribute("alt")
        assert "a drawing of the movement, from the start position to the end position" in alt
        page.screenshot(path=artifacts / f"exercise-page-motion-{motion}.png")

        page.goto("/plan/")
        page.get_by_role("link", name="Start guided session").click()
        page.wait_for_function(SHOWN)
        assert shown in page.evaluate(SHOWN)
        page.screenshot(path=artifacts / f"guided-motion-{motion}.png")
    finally:
        context.close()
    assert errors == []
