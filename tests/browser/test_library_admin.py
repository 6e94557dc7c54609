import pytest

from patients.demo import DEMO_PASSWORD, demo_accounts_ensure
from tests.browser.helpers import log_in
from tests.exercises.images import picture_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_creates_an_exercise_with_a_picture_and_sees_the_thumbnail(
    page, artifacts, tmp_path
):
    demo_accounts_ensure()
    picture = tmp_path / "seated-march.jpg"
    picture.write_bytes(picture_bytes(size=(1200, 900), image_format="JPEG", colour=(90, 160, 90)))

    log_in(page, "demo-editor", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/exercises/exercise/add/")
    page.get_by_label("Name:").fill("Seated hip march")
    page.get_by_label("Summary:").fill("Lift one knee at a time while sitting tall.")
    page.get_by_label("Status:").select_option("published")
    page.get_by_label("Body region:").select_option("hip")
    page.get_by_label("Category:").select_option("strengthening")
    page.get_by_label("Position:").select_option("sitting")
    page.get_by_label("Steps:").fill("Sit tall on a firm chair.\nLift one knee.\nLower it slowly.")
    page.get_by_label("Repetitions:").fill("10")
    page.get_by_label("New start image:").set_input_files(str(picture))
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url("**/admin/exercises/exercise/")
    assert page.get_by_text("was added successfully").is_visible()
    row = page.get_by_role("row").filter(has_text="Seated hip march")
    thumbnail = row.locator("img.exercise-picture")
    thumbnail.wait_for()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=artifacts / "editor-exercise-list.png", full_page=True)
    assert page.console_errors == []
