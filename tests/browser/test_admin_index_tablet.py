"""The admin's front page (the needs-attention queue) on an 820 px tablet: no horizontal
scroll, and no button or link cut off by its box or by the screen's edge (issue 19: "the
iPad layout of the index without clipped buttons"). Screenshots go to /tmp/shots-19b/."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.models import User
from patients import demo, services
from patients.models import SymptomReport
from tests.browser.helpers import axe_violations, log_in, seed_demo_world
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(tempfile.gettempdir()) / "shots-19b"

# Every control on the page whose box is narrower than its content, or reaches past the
# window's right edge (or starts left of 0): what a clipped button is.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll(
    "#content button, #content .button, #content input[type=submit], #content a.addlink," +
    " #content a.changelink, #header a, #header button, .breadcrumbs a"
  )).filter((el) => el.offsetParent !== null).map((el) => {
    const box = el.getBoundingClientRect();
    return {
      text: el.textContent.trim() || el.value || el.getAttribute("aria-label"),
      clipped: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
        && getComputedStyle(el).overflow !== "visible",
      outside: box.right > width + 0.5 || box.left < -0.5,
      left: Math.round(box.left), right: Math.round(box.right),
    };
  }).filter((c) => c.clipped || c.outside);
}"""

# Tables that run past the right edge of their own box (the queue's did at 820 px: its
# heading bar 490 px wide, its rows 714, the "Mark reviewed" buttons beyond the bar).
SPILLING = """() => Array.from(document.querySelectorAll("#content .module table")).map((table) => {
  const module = table.closest(".module").getBoundingClientRect();
  const box = table.getBoundingClientRect();
  return {module: table.closest(".module").id || table.closest(".module").className,
          table: Math.round(box.right), edge: Math.round(module.right)};
}).filter((c) => c.table > c.edge + 0.5)"""


@pytest.mark.parametrize("width", [820, 1024, 1366])
def test_the_needs_attention_queue_fits_a_tablet(page, live_server, width, capsys):
    seed_demo_world(with_history=True)
    # A fuller queue than the demo's: a long name, an urgent report, several reasons.
    clinician = User.objects.get(username="demo-clinician")
    for first, last, symptoms in (
        ("Maximiliana", "Fitzgerald-Worthington-Smythe", [SymptomReport.Symptom.SADDLE_NUMBNESS]),
        ("Bartholomew", "Oyelaran-Abernethy", [SymptomReport.Symptom.SPREADING_FURTHER]),
        ("Jo", "Li", [SymptomReport.Symptom.LEG_WEAKER, SymptomReport.Symptom.SPREADING_FURTHER]),
    ):
        patient = PatientFactory(clinician=clinician, first_name=first, last_name=last)
        services.symptom_report_create(
            patient=patient, symptoms=symptoms, note="", progress_url="https://example.org/"
        )
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": width, "height": 1180})
    page.reload()
    expect(page.locator("#attention")).to_be_visible()
    rows = page.locator("#attention tbody tr").count()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"admin-index-{width}.png", full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    clipped = page.evaluate(CLIPPED)
    spilling = page.evaluate(SPILLING)
    with capsys.disabled():
        print(
            f"\nadmin index at {width} px: {rows} queue rows, page {scroll} px wide, "
            f"clipped or off-screen controls: {clipped}, tables past their box: {spilling}"
        )
    assert rows >= 4
    assert scroll <= width
    assert clipped == []
    assert spilling == []
    assert axe_violations(page, ("minor", "moderate", "serious", "critical")) == []
