"""Guided mode's cues on a phone (390 x 844): the tones of a 5-second hold are scheduled on the
audio clock at 3-2-1 and at the end, observed through the Web Audio API (no waiting for the
sound itself); the phone vibrates; spoken cues stay off until the patient turns them on."""

import pytest
from playwright.sync_api import expect

from patients import services
from patients.demo import DEMO_PASSWORD
from patients.models import Patient, PrescribedExercise
from tests.browser.helpers import log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret

# Recorders around the browser's own APIs (not around our code): every oscillator started,
# with its frequency and how far ahead on the audio clock; every utterance; every vibration.
RECORDERS = """
window.__tones = [];
window.__spoken = [];
window.__vibrations = [];
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const oscillator = createOscillator.call(this);
  const context = this;
  const start = oscillator.start.bind(oscillator);
  oscillator.start = (when) => {
    const frequency = oscillator.frequency.value;
    window.__tones.push({ ahead: when - context.currentTime, frequency });
    start(when);
  };
  return oscillator;
};
window.speechSynthesis.speak = (utterance) => window.__spoken.push(utterance.text);
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
"""


def test_tones_at_3_2_1_and_the_end_of_a_5_second_hold_and_voice_off_by_default(phone_page):
    page = phone_page
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    stretch = PrescribedExercise.objects.get(
        prescription__patient=patient, exercise__library_key="standing-hip-flexor-stretch"
    )
    stretch.hold_seconds = 5
    stretch.save()
    for prescribed in stretch.prescription.exercises.exclude(pk=stretch.pk):
        services.exercise_check_off(
            patient=patient,
            prescribed=prescribed,
            day=patient.today(),
            session_number=1,
            status="done",
        )
    page.add_init_script(RECORDERS)
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    guided = page.locator("[data-guided]")
    expect(guided).to_have_attribute("data-cue-sound", "1")
    expect(guided).to_have_attribute("data-cue-voice", "0")

    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text(
        "Standing stretch for the front of the hip (hip flexor stretch)"
    )
    step.get_by_role("button", name="Start 5-second hold").click()
    page.wait_for_function("() => window.__tones.length >= 4")
    tones = page.evaluate("window.__tones")
    assert [tone["frequency"] for tone in tones] == [880, 880, 880, 660]
    assert [round(tone["ahead"]) for tone in tones] == [2, 3, 4, 5]
    assert page.evaluate("window.__spoken") == []  # voice is off by default

    # The hold runs out: three short buzzes and a long one, then the second side.
    page.wait_for_function("() => window.__vibrations.length >= 4", timeout=10_000)
    assert page.evaluate("window.__vibrations") == [60, 60, 60, [200, 100, 200]]
    expect(step.locator("[data-set-counter]")).to_contain_text("second side")
    assert page.evaluate("window.__spoken") == []

    # Voice on, in the settings: the next hold is announced.
    page.goto("/plan/settings/")
    expect(page.get_by_label("Sounds and vibration in guided mode")).to_be_checked()
    voice = page.get_by_label("Spoken cues in guided mode")
    expect(voice).not_to_be_checked()
    voice.check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/settings-cues.png", full_page=True)
    page.goto(page.url.replace("/plan/settings/", "/plan/"))
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    page.locator("[data-step].is-current").get_by_role("button", name="Start 5-second hold").click()
    page.wait_for_function("() => window.__spoken.length >= 1")
    assert page.evaluate("window.__spoken") == ["Hold… 5 seconds"]
    assert page.console_errors == []
