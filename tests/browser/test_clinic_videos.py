"""Clinic videos in a real browser: the clinician's page on a tablet (1024 and 820 wide) with
the camera-offering file input, and the patient's phone (390 x 844) playing their own video,
then, with "Keep videos on this phone" on, playing and seeking it in airplane mode from the
service worker's copy (range requests answered from the cache)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from patients import services
from patients.demo import DEMO_PASSWORD
from patients.models import Patient, PrescribedExercise
from tests.browser.helpers import OFFLINE_READY_MS, axe_violations, log_in, seed_demo_world
from tests.videos import LOCATION, make_video

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "test-artifacts"

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


@pytest.fixture
def filmed(tmp_path):
    """The demo patient's first exercise with a clinic video, prepared (tasks run inline)."""
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    prescribed = (
        PrescribedExercise.objects.filter(prescription__patient=patient)
        .select_related("prescription", "exercise")
        .order_by("prescription", "order")
        .first()
    )
    source = make_video(
        tmp_path / "clinic.mp4", width=480, height=360, rotation=-90, location=LOCATION
    )
    with open(source, "rb") as handle:
        upload = SimpleUploadedFile("clinic.mp4", handle.read(), "video/mp4")
    services.prescribed_video_attach(prescribed=prescribed, upload=upload)
    prescribed.refresh_from_db()
    assert prescribed.video_status == "ready", prescribed.video_error
    return prescribed


def test_the_clinicians_video_page_on_a_tablet(browser, live_server, filmed, artifacts):
    for width in (1024, 820):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 1100}
        )
        page = context.new_page()
        log_in(page, "demo-clinician", DEMO_PASSWORD)
        page.wait_for_url("**/admin/")
        page.goto(f"/admin/patients/prescription/{filmed.prescription_id}/change/")
        page.get_by_role("link", name="▶ Video ready").first.click()
        page.wait_for_url("**/videos/*/")
        file_input = page.locator("input[type=file][name=video]")
        expect(file_input).to_have_attribute("accept", "video/*")
        expect(file_input).to_have_attribute("capture", "environment")
        video = page.locator("video.clinic-video")
        expect(video).to_have_attribute("preload", "none")
        # The poster is fetched through the checking view and shows.
        page.wait_for_function(
            "() => { const v = document.querySelector('video.clinic-video');"
            " return v && v.getAttribute('poster').startsWith('/plan/videos/'); }"
        )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=f"{artifacts}/clinic-video-{width}.png", full_page=True)
        assert axe_violations(page) == []
        context.close()


def test_the_patient_plays_it_and_keeps_it_for_offline(phone_page, filmed, artifacts):
    page = phone_page
    patient = Patient.objects.get(user__username="demo-patient")
    patient.keep_videos_offline = True
    patient.save(update_fields=["keep_videos_offline"])
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    page.goto(f"/plan/exercises/{filmed.pk}/")
    video = page.locator("video.exercise-video").first
    expect(video).to_have_attribute("preload", "none")
    video_url = video.locator("source").get_attribute("src")
    assert video_url.startswith(f"/plan/videos/{filmed.pk}/video-")
    assert video_url in page.evaluate(CACHED_URLS)
    page.screenshot(path=f"{artifacts}/clinic-video-phone.png", full_page=True)
    assert axe_violations(page) == []
    playable = page.evaluate(
        "() => document.createElement('video')"
        ".canPlayType('video/mp4; codecs=\"avc1.4D401E, mp4a.40.2\"')"
    )
    if not playable:
        pytest.skip("this Chromium build plays no H.264")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("body[data-offline-saved]")).to_have_count(1)
    played = page.evaluate(
        """async () => {
          const v = document.querySelector('video.exercise-video');
          v.muted = true;
          await v.play();
          await new Promise((done) => setTimeout(done, 300));
          v.pause();
          v.currentTime = 2.0;
          await new Promise((done) => v.addEventListener('seeked', done, { once: true }));
          return {
            width: v.videoWidth, height: v.videoHeight, time: v.currentTime, duration: v.duration,
          };
        }"""
    )
    assert (played["width"], played["height"]) == (360, 480)  # upright on the phone
    assert 2.9 <= played["duration"] <= 3.2
    assert played["time"] == pytest.approx(2.0, abs=0.2)
    page.context.set_offline(False)
