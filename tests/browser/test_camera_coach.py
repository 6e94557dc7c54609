"""The camera coach end to end, in Debian's Chromium with its fake camera: a Y4M video made
here from a photo of a person (scikit-image's public-domain "astronaut", shipped inside the
package, no download), eight seconds of the person, then three seconds of black, looped.

The model loads from our own static files with every other address refused; landmarks are
found and the overlay drawn; the hold timer runs while the person is in view and stops while
the picture is black; no request leaves the page with image data; what is saved is numbers."""

import importlib.util
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from patients import services
from patients.demo import DEMO_PASSWORD
from patients.models import ClientWrite, ExerciseCheck, Patient, PrescribedExercise
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import (
    DOCS_IMAGES,
    OFFLINE_READY_MS,
    PHONE,
    axe_violations,
    log_in,
    seed_demo_world,
)

pytestmark = pytest.mark.django_db(transaction=True)

PERSON_FRAMES, BLANK_FRAMES, FPS = 80, 30, 10
# The person in the photo stands upright: a hold "keep your body upright" is what it shows.
UPRIGHT = {
    "view": "front",
    "measure": {"kind": "incline", "points": ["hip", "shoulder"]},
    "rest": 60,
    "started": 40,
    "completed": 20,
    "hysteresis": 5,
}


def astronaut() -> Path:
    spec = importlib.util.find_spec("skimage")
    if spec is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but scikit-image (a test dependency) is missing.")
        pytest.skip("scikit-image not installed")
    return Path(spec.submodule_search_locations[0]) / "data" / "astronaut.png"


def make_y4m(path: Path) -> Path:
    """Chromium's fake camera reads YUV4MPEG2 (4:2:0): the person, then black, at 10 fps."""
    # 384 px square: the model looks at 256 px anyway, and the file stays small (24 MB).
    image = Image.open(astronaut()).convert("RGB").resize((384, 384))
    width, height = image.size
    luma, blue, red = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    person = b"FRAME\n" + luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    black = b"FRAME\n" + bytes(width * height) + bytes([128]) * (width * height // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        video.write(person * PERSON_FRAMES + black * BLANK_FRAMES)
    return path


@pytest.fixture(scope="module")
def camera_browser(playwright, tmp_path_factory):
    """Chromium with a fake camera that films the Y4M video made here."""
    video = make_y4m(tmp_path_factory.mktemp("camera") / "person.y4m")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield browser
    browser.close()


def hold_left_to_do(*, seconds: int) -> PrescribedExercise:
    """demo-patient's session today with everything done but the standing hip flexor
    stretch: one hold of ``seconds``, tracked by the upright-body rule."""
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    stretch = PrescribedExercise.objects.get(
        prescription__patient=patient, exercise__library_key="standing-hip-flexor-stretch"
    )
    stretch.exercise.tracking = UPRIGHT
    stretch.exercise.save()
    stretch.hold_seconds, stretch.sets, stretch.side = seconds, 1, "both"
    stretch.save()
    for prescribed in stretch.prescription.exercises.exclude(pk=stretch.pk):
        services.exercise_check_off(
            patient=patient,
            prescribed=prescribed,
            day=patient.today(),
            session_number=1,
            status="done",
        )
    return stretch


def phone_with_camera(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    context.grant_permissions(["camera"], origin=live_server.url)
    return context


def test_the_camera_counts_a_hold_only_while_the_person_is_in_view(
    camera_browser, live_server, artifacts
):
    hold_left_to_do(seconds=40)
    context = phone_with_camera(camera_browser, live_server)
    # The network is off: only the live server answers; anything else is refused and noted.
    ours = urlsplit(live_server.url).netloc
    refused, requests = [], []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).netloc == ours
            else (refused.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    page.on("request", lambda request: requests.append(request))
    console_errors = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))

    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_contain_text("hip flexor stretch")

    # Before the patient asks, nothing of the model is loaded.
    assert not [r for r in requests if "mediapipe-pose" in r.url]
    step.get_by_role("button", name="Use the camera to count").click()
    coach = step.locator("[data-camera-coach]")
    expect(
        coach.get_by_text("Nothing is recorded, and no picture is sent anywhere.")
    ).to_be_visible()
    coach.get_by_role("button", name="Turn the camera on").click()

    guided = page.locator("[data-guided]")
    expect(guided).to_have_attribute("data-camera-load-ms", re.compile(r"\d+"), timeout=60_000)
    # The count is announced politely (a hold here: the time held is shown, not announced
    # every second).
    expect(coach.locator("[data-camera-count]")).to_have_attribute("aria-live", "polite")
    hold = coach.locator("[data-camera-hold]")
    expect(hold).to_have_text(re.compile(r"Held [2-9] of 40 seconds"), timeout=60_000)
    # Landmarks found: most of the 33 (the legs are out of the photo).
    page.wait_for_function(
        "() => Number(document.querySelector('[data-guided]').dataset.cameraLandmarks) >= 25",
        timeout=30_000,
    )
    # The overlay is drawn over the person: the canvas has painted pixels.
    page.wait_for_function(
        """() => {
          const c = document.querySelector("[data-camera-overlay]");
          if (!c.width) return false;
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
          return n > 500;
        }""",
        timeout=30_000,
    )
    coach.screenshot(path=str(artifacts / "camera-coach-phone.png"))
    # docs/camera.md's picture, made here so that it shows the coach as it is.
    DOCS_IMAGES.mkdir(exist_ok=True)
    coach.screenshot(path=DOCS_IMAGES / "camera-coach-phone.jpg", type="jpeg", quality=70)
    assert axe_violations(page) == []

    # The picture goes black: the coach says so and the hold stops; it runs again after.
    status = coach.locator("[data-camera-status]")
    expect(status).to_have_text(
        "It is too dark for the camera. Turn on a light, or use the buttons.", timeout=30_000
    )
    held_when_dark = hold.inner_text()
    page.wait_for_timeout(2000)
    if "too dark" in status.inner_text():
        assert hold.inner_text() == held_when_dark
    expect(hold).not_to_have_text(held_when_dark, timeout=30_000)

    fps = float(guided.get_attribute("data-camera-fps"))
    load_ms = int(guided.get_attribute("data-camera-load-ms"))
    (artifacts / "camera-coach.json").write_text(json.dumps({"fps": fps, "load_ms": load_ms}))
    print(f"camera coach: model loaded in {load_ms} ms, {fps} frames a second")

    # Turned off by hand: the camera stops (its track ends) and the buttons carry on.
    coach.get_by_role("button", name="Turn the camera off").click()
    expect(step.get_by_role("button", name="Start 40-second hold")).to_be_visible()

    assert refused == []
    model_files = [r for r in requests if "/vendor/mediapipe-pose/" in r.url]
    assert {Path(urlsplit(r.url).path).name.split(".")[0] for r in model_files} >= {
        "pose",
        "pose_landmark_lite",
        "pose_solution_packed_assets",
    }
    # Not one request carries image data: every POST is small form data of ours.
    for request in requests:
        body = request.post_data_buffer or b""
        assert len(body) < 4096, request.url
        assert b"image/" not in body
        assert b"data:" not in body
    assert not [e for e in console_errors if "Content Security Policy" in e]
    context.close()


QUEUED_ENTRIES = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("homeplan-offline");
  request.onsuccess = () => {
    const all = request.result.transaction("queue").objectStore("queue").getAll();
    all.onsuccess = () => { request.result.close(); resolve(all.result); };
  };
  request.onerror = () => reject(request.error);
})"""
CAMERA_CACHE = """async () => {
  const cache = await caches.open("homeplan-camera");
  return (await cache.keys()).map((request) => new URL(request.url).pathname);
}"""


def test_offline_the_saved_model_counts_and_only_numbers_wait_in_the_queue(
    camera_browser, live_server
):
    stretch = hold_left_to_do(seconds=3)
    context = phone_with_camera(camera_browser, live_server)
    page = context.new_page()
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    # The offline copy of the plan has nothing of the model until the patient asks.
    assert page.evaluate(CAMERA_CACHE) == []

    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    step = page.locator("[data-step].is-current")
    step.get_by_role("button", name="Use the camera to count").click()
    coach = step.locator("[data-camera-coach]")
    # Saved for offline use from the explanation, before the camera was ever on.
    coach.get_by_role("button", name="Keep the camera ready for offline use").click()
    expect(coach.locator("[data-camera-offline-status]")).to_have_text(
        "The camera will work offline on this phone.", timeout=60_000
    )
    saved = page.evaluate(CAMERA_CACHE)
    assert any("pose_landmark_lite" in path for path in saved)
    assert not any("pose_landmark_full" in path for path in saved)  # only this phone's model
    coach.get_by_role("button", name="Not now").click()

    # Offline: the guided page and the model come from the phone; the camera ends the set.
    context.set_offline(True)
    page.reload()
    step = page.locator("[data-step].is-current")
    step.get_by_role("button", name="Use the camera to count").click()
    step.get_by_role("button", name="Turn the camera on").click()
    expect(
        step.get_by_role("button", name=re.compile("Finish the session|Next exercise"))
    ).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry")
    (entry,) = page.evaluate(QUEUED_ENTRIES)
    fields = dict(entry["fields"])
    # Numbers and flags only: no picture, no landmark, nothing but these fields.
    assert set(fields) <= {
        "exercise",
        "session",
        "action",
        "if_open",
        "client_uuid",
        "made_at",
        "camera_sets",
        "camera_reps",
        "camera_seconds",
        "camera_warnings",
    }
    assert fields["camera_sets"] == "1"
    assert int(fields["camera_seconds"]) >= 3
    assert all(len(value) < 64 for value in fields.values())

    context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=OFFLINE_READY_MS
    )
    (check,) = ExerciseCheck.objects.filter(prescribed_exercise=stretch)
    assert check.camera_sets == 1
    assert check.camera_seconds >= 3
    assert check.counted_by_camera
    assert ClientWrite.objects.filter(uuid=fields["client_uuid"]).count() == 1
    context.close()
