"""A clinician films a patient doing an exercise: the upload is checked, prepared by the task
worker (H.264/AAC, at most 720p, upright, no metadata, a poster), and served only to the
patient and their clinician, with range requests. Every file is made here with PyAV."""

import os
from pathlib import Path

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from clinic.storage import private_storage
from patients.models import PrescribedExercise
from patients.offline import precache_manifest
from tests.factories import PrescribedExerciseFactory
from tests.videos import LOCATION, make_video

# What the MP4 muxer must write and nothing else: the file type (read back as the container's
# "metadata"), and per track its language ("und": none) and the handler name every MP4 track
# needs. Everything the camera wrote is gone.
CONTAINER_TAGS = {"major_brand": "isom", "minor_version": "512", "compatible_brands": None}
TRACK_TAGS = {
    "video": {"language": "und", "handler_name": "VideoHandler"},
    "audio": {"language": "und", "handler_name": "SoundHandler"},
}


@pytest.fixture
def prescribed(patient):
    return PrescribedExerciseFactory(prescription__patient=patient, exercise__status="published")


def page_url(prescribed):
    return reverse(
        "admin:patients_patient_video", args=[prescribed.prescription.patient_id, prescribed.pk]
    )


def upload(client, prescribed, path, name="clinic.mp4"):
    with open(path, "rb") as handle:
        data = handle.read()
    return client.post(page_url(prescribed), {"video": SimpleUploadedFile(name, data, "video/mp4")})


def stored_path(field) -> str:
    return field.storage.path(field.name)


def private_files() -> list[str]:
    root = private_storage().location
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def test_a_phone_video_is_stored_upright_small_and_without_any_metadata(
    client, clinician, prescribed, tmp_path
):
    # A portrait tablet video: stored 320 × 240 with a -90° display matrix (turn clockwise to
    # view), the red band along the stored picture's top, GPS location, title, comment.
    source = make_video(tmp_path / "phone.mp4", rotation=-90, location=LOCATION)
    with av.open(source) as original:  # the test file really carries what a phone writes
        assert original.metadata["location"].startswith("+51.5074-000.1278")
        assert next(original.decode(video=0)).rotation == -90
    client.force_login(clinician)

    response = upload(client, prescribed, source)

    assert response.status_code == 302
    prescribed.refresh_from_db()
    assert prescribed.video_status == "ready", prescribed.video_error
    assert (prescribed.video_width, prescribed.video_height, prescribed.video_seconds) == (
        240,
        320,
        3,
    )
    path = stored_path(prescribed.video)
    with av.open(path) as stored:
        video, audio = stored.streams.video[0], stored.streams.audio[0]
        assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
        assert (video.codec_context.width, video.codec_context.height) == (240, 320)  # upright
        assert 2.9 <= stored.duration / av.time_base <= 3.2
        # Container and tracks: exactly what the muxer must write, nothing of the camera's.
        assert set(stored.metadata) == set(CONTAINER_TAGS)
        assert stored.metadata["major_brand"] == "isom"
        for stream in stored.streams:
            assert dict(stream.metadata) == TRACK_TAGS[stream.type]
        first = next(stored.decode(video=0))
        assert first.rotation == 0  # the turn is in the pictures, not in a flag
        assert not first.side_data  # nor the encoder's own SEI message
    raw = Path(path).read_bytes()
    for secret in (b"51.5074", b"Alice", b"Riverside", b"iPad", b"x264", b"Lavf", b"2026-11-29"):
        assert secret not in raw, secret
    # The poster: a JPEG of the upright picture; the red band (the stored top) is now on the
    # right, as the phone showed it.
    poster = Image.open(stored_path(prescribed.video_poster))
    assert (poster.format, poster.size) == ("JPEG", (240, 320))
    assert "exif" not in poster.info
    red, green, blue = poster.getpixel((poster.width - 6, poster.height // 2))
    assert red > 200
    assert green < 60
    assert blue < 60
    # The original is deleted; only the video and its poster remain, in private storage.
    assert private_files() == sorted([prescribed.video.name, prescribed.video_poster.name]), (
        private_files()
    )
    assert not prescribed.video_original
    assert not os.path.exists(os.path.join(tmp_path, "media", "prescribed"))


def test_a_4k_video_is_made_720p(client, clinician, prescribed, tmp_path):
    source = make_video(tmp_path / "4k.mp4", width=3840, height=2160, fps=2, seconds=1, audio=False)
    client.force_login(clinician)
    upload(client, prescribed, source)
    prescribed.refresh_from_db()
    assert prescribed.video_status == "ready"
    with av.open(stored_path(prescribed.video)) as stored:
        assert [s.type for s in stored.streams] == ["video"]
        context = stored.streams.video[0].codec_context
        assert (context.width, context.height) == (1280, 720)
    assert Image.open(stored_path(prescribed.video_poster)).size == (1280, 720)


def test_a_text_file_called_mp4_is_refused(client, clinician, prescribed, tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("Alice: knee rolls, 10 reps. Not a video at all.\n" * 20)
    client.force_login(clinician)
    response = upload(client, prescribed, fake, name="knee.mp4")
    assert response.status_code == 400
    assert "This file is not a video we can read" in response.content.decode()
    prescribed.refresh_from_db()
    assert prescribed.video_status == ""
    assert private_files() == []


def test_a_truncated_file_is_refused_or_fails_with_a_reason(
    client, clinician, prescribed, tmp_path
):
    client.force_login(clinician)
    # Index at the end (how cameras write): cut in half, it has no index at all: refused.
    whole = Path(make_video(tmp_path / "whole.mp4")).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(whole[: len(whole) // 2])
    response = upload(client, prescribed, tmp_path / "cut.mp4")
    assert response.status_code == 400
    assert "not a video we can read, or it is incomplete" in response.content.decode()
    # Index first: it opens and says 3 seconds, but the pictures stop half-way: the worker
    # fails it with the reason, shown on the clinician's page.
    whole = Path(make_video(tmp_path / "fast.mp4", faststart=True)).read_bytes()
    (tmp_path / "cut2.mp4").write_bytes(whole[: len(whole) // 2])
    assert upload(client, prescribed, tmp_path / "cut2.mp4").status_code == 302
    prescribed.refresh_from_db()
    assert prescribed.video_status == "failed"
    assert "incomplete: it stops at" in prescribed.video_error
    page = client.get(page_url(prescribed)).content.decode()
    assert "The video could not be prepared:" in page
    assert "incomplete: it stops at" in page
    assert private_files() == []  # the unusable original is not kept


def test_a_four_minute_video_is_refused(client, clinician, prescribed, tmp_path):
    source = make_video(tmp_path / "long.mp4", width=64, height=48, fps=1, seconds=240, audio=False)
    client.force_login(clinician)
    response = upload(client, prescribed, source)
    assert response.status_code == 400
    assert "This video lasts 4:00; the longest accepted is 3:00." in response.content.decode()


def test_a_video_over_the_size_limit_is_refused(client, clinician, prescribed, tmp_path, settings):
    settings.VIDEO_MAX_BYTES = 100_000
    source = make_video(tmp_path / "clip.mp4", width=640, height=480)
    size = os.path.getsize(source) / (1024 * 1024)
    client.force_login(clinician)
    response = upload(client, prescribed, source)
    assert response.status_code == 400
    assert (
        f"This video is {size:.1f} MB; the largest accepted is 0.1 MB. Film a shorter clip."
        in response.content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_the_job_through_its_states(
    role_groups, client, clinician, prescribed, tmp_path, settings
):
    """With the production backend: the upload waits (the page and the prescription say
    "Processing…"), the real task worker prepares it, and then it is ready."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    prescribed.refresh_from_db()
    assert prescribed.video_status == "pending"
    assert prescribed.video_original
    assert "Processing…" in client.get(page_url(prescribed)).content.decode()
    prescription_page = client.get(
        reverse("admin:patients_prescription_change", args=[prescribed.prescription_id])
    ).content.decode()
    assert 'data-video-status="pending"' in prescription_page

    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)

    prescribed.refresh_from_db()
    assert prescribed.video_status == "ready"
    assert not prescribed.video_original
    assert "<video controls" in client.get(page_url(prescribed)).content.decode()
    # The worker's writes went through the write path: the audit trail has them.
    changed = list(
        AuditEvent.objects.filter(
            target="patients.prescribedexercise", target_id=str(prescribed.pk)
        )
        .order_by("pk")
        .values_list("actor_id", "fields")
    )
    # The upload (by the clinician), then the worker's "processing" and "ready" (no actor).
    assert changed == [
        (clinician.pk, "video_error,video_original,video_status"),
        (None, "video_status"),
        (
            None,
            "video,video_error,video_height,video_original,video_poster,video_seconds,"
            "video_status,video_width",
        ),
    ]


def test_the_patient_sees_the_video_and_can_seek(client, clinician, patient, prescribed, tmp_path):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    prescribed.refresh_from_db()
    client.force_login(patient.user)
    page = client.get(reverse("patients:exercise", args=[prescribed.pk])).content.decode()
    url = reverse("patients:video", args=[prescribed.pk, os.path.basename(prescribed.video.name)])
    poster = reverse(
        "patients:video", args=[prescribed.pk, os.path.basename(prescribed.video_poster.name)]
    )
    assert f'<source src="{url}" type="video/mp4">' in page
    assert f'poster="{poster}"' in page
    assert 'preload="none" playsinline' in page
    assert "/media/" not in url

    data = Path(stored_path(prescribed.video)).read_bytes()
    whole = client.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == data
    assert whole["Content-Type"] == "video/mp4"
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Cache-Control"] == "private, no-store"
    assert whole["Content-Length"] == str(len(data))

    part = client.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == data[100:1100]

    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206
    assert b"".join(tail.streaming_content) == data[-500:]
    rest = client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest["Content-Range"] == f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}"
    assert b"".join(rest.streaming_content) == data[-10:]

    past = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert past.status_code == 416
    assert past["Content-Range"] == f"bytes */{len(data)}"
    # Not a range we understand (several ranges, nonsense): the whole file, as RFC 9110 allows.
    assert client.get(url, headers={"Range": "bytes=0-1,5-9"}).status_code == 200
    assert client.get(url, headers={"Range": "pages=1"}).status_code == 200
    assert client.get(url, headers={"Range": f"bytes={'7' * 10_000}-"}).status_code == 200

    assert client.get(poster)["Content-Type"] == "image/jpeg"
    # A made-up or old file name is not found.
    assert (
        client.get(reverse("patients:video", args=[prescribed.pk, "video-x.mp4"])).status_code
        == 404
    )


def test_guided_mode_shows_the_video(client, clinician, patient, prescribed, tmp_path):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    client.force_login(patient.user)
    day = prescribed.prescription.start_date.isoformat()
    page = client.get(reverse("patients:guided", args=[day, 1])).content.decode()
    assert '<video class="exercise-video' in page
    assert "filmed at the clinic" in page


def test_only_the_patient_and_their_clinician_may_fetch_it(
    client, clinician, other_clinician, patient, other_patient, prescribed, tmp_path
):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    prescribed.refresh_from_db()
    url = reverse("patients:video", args=[prescribed.pk, os.path.basename(prescribed.video.name)])
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    for outsider in (other_patient.user, other_clinician):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    assert client.get(page_url(prescribed)).status_code == 404  # the clinician's page too
    client.force_login(clinician)
    before = AuditEvent.objects.filter(patient_id=patient.pk, target="clinic video").count()
    assert client.get(url).status_code == 200
    client.get(url, headers={"Range": "bytes=1000-1999"})  # a seek is not a new viewing
    after = AuditEvent.objects.filter(patient_id=patient.pk, target="clinic video").count()
    assert after == before + 1


def test_production_hands_the_file_to_nginx(
    client, clinician, patient, prescribed, tmp_path, settings
):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    prescribed.refresh_from_db()
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    client.force_login(patient.user)
    url = reverse("patients:video", args=[prescribed.pk, os.path.basename(prescribed.video.name)])
    response = client.get(url, headers={"Range": "bytes=0-99"})
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{prescribed.video.name}"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "video/mp4"


def test_videos_are_kept_offline_only_when_the_patient_asks(
    client, clinician, patient, prescribed, tmp_path
):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    prescribed.refresh_from_db()
    video = reverse("patients:video", args=[prescribed.pk, os.path.basename(prescribed.video.name)])
    poster = reverse(
        "patients:video", args=[prescribed.pk, os.path.basename(prescribed.video_poster.name)]
    )
    patient.refresh_from_db()
    manifest = precache_manifest(patient)
    assert poster in manifest["images"]
    assert manifest["videos"] == []

    client.force_login(patient.user)
    settings_page = client.get(reverse("patients:settings")).content.decode()
    assert "Keep videos on this phone" in settings_page
    form = {
        "reminders_enabled": "on",
        "reminder_time": "18:00",
        "timezone": patient.timezone,
        "cue_sound": "on",
        "keep_videos_offline": "on",
    }
    assert client.post(reverse("patients:settings"), form).status_code == 302
    patient.refresh_from_db()
    assert patient.keep_videos_offline
    assert precache_manifest(patient)["videos"] == [video]
    offline = client.get(reverse("patients:offline_manifest")).json()
    assert offline["videos"] == [video]


def test_the_clinician_removes_the_video(client, clinician, prescribed, tmp_path):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    assert private_files() != []
    response = client.post(page_url(prescribed), {"action": "remove"})
    assert response.status_code == 302
    prescribed.refresh_from_db()
    assert (prescribed.video_status, prescribed.video.name) == ("", "")
    assert private_files() == []


def test_a_newer_upload_wins_over_a_job_still_running(prescribed, tmp_path):
    """The worker's result for an upload that was replaced meanwhile is thrown away."""
    from exercises.video_services import video_prepare
    from patients.services.videos import _prescribed_save

    assert video_prepare(
        PrescribedExercise, prescribed.pk, "prescribed/1/old", save=_prescribed_save
    ) == ("superseded")


def test_deleting_the_prescription_deletes_the_video_files(
    client, clinician, prescribed, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(clinician)
    upload(client, prescribed, make_video(tmp_path / "clip.mp4"))
    assert len(private_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:patients_prescription_delete", args=[prescribed.prescription_id]),
            {"post": "yes"},
        )
    assert response.status_code == 302
    assert private_files() == []


def test_the_plan_saved_page_offers_to_film_each_exercise(client, clinician, prescribed):
    client.force_login(clinician)
    page = client.get(
        reverse("admin:patients_patient_prescribed", args=[prescribed.prescription.patient_id])
    ).content.decode()
    assert f'href="{page_url(prescribed)}" class="film-video">Film Alice doing it</a>' in page
