"""Writes for clinic videos: keeping an upload, preparing it in the background, removing it.

The same steps serve a library exercise's video (here, ``exercise_video_*``) and a patient's
own (``patients.services.videos``); each app passes its own ``save``, which writes the row
through that app's write path (the library's change signal; the patients' audit trail and
day-page stamp).

States (``ClinicVideo.VideoStatus``): an upload is ``pending`` until the worker takes it,
``processing`` while it runs, then ``ready`` (the original is deleted) or ``failed`` with a
reason for the uploader (the original is deleted too: it cannot be used, and a patient's
video is not kept for nothing). A newer upload, or a removal, while the worker runs wins:
the worker's result is then thrown away.
"""

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Callable

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from exercises import videos
from exercises.models import ClinicVideo, Exercise
from exercises.signals import library_changed_send

logger = logging.getLogger(__name__)

Save = Callable[[ClinicVideo, list[str]], None]

STATE_FIELDS = ["video_status", "video_error"]
READY_FIELDS = [
    "video",
    "video_poster",
    "video_original",
    "video_status",
    "video_error",
    "video_width",
    "video_height",
    "video_seconds",
]


def video_keep_original(row: ClinicVideo, upload) -> list[str]:
    """Store ``upload`` (checked by ``videos.validate_video_upload``) as ``row``'s pending
    original, without saving the row. Returns the fields changed.

    The file's name is random: the uploaded name (often a date, sometimes a patient's name)
    is not kept."""
    previous = row.video_original.name
    row.video_original.save(f"original-{secrets.token_hex(8)}", upload, save=False)
    row.video_status = ClinicVideo.VideoStatus.PENDING
    row.video_error = ""
    if previous:
        row.video_original.storage.delete(previous)
    return ["video_original", *STATE_FIELDS]


def video_clear(row: ClinicVideo) -> list[str]:
    """Take the video (and any upload waiting) off ``row``, without saving it; the files go."""
    for name in ("video_original", "video", "video_poster"):
        field = getattr(row, name)
        if field.name:
            field.storage.delete(field.name)
        setattr(row, name, "")
    row.video_status = ClinicVideo.VideoStatus.NONE
    row.video_error = ""
    row.video_width = row.video_height = row.video_seconds = None
    return READY_FIELDS


def _current(model: type[models.Model], pk: int, original: str, *, lock: bool = False):
    rows = model.objects.select_for_update() if lock else model.objects
    row = rows.filter(pk=pk).first()
    if row is None or not original or row.video_original.name != original:
        return None  # deleted, replaced by a newer upload, or removed
    return row


def video_prepare(model: type[models.Model], pk: int, original: str, *, save: Save) -> str:
    """The worker's job: make the phone's MP4 and poster from ``original`` and put them on
    the row. Returns what happened ("ready", "failed", "superseded")."""
    row = _current(model, pk, original)
    if row is None:
        return "superseded"
    row.video_status = ClinicVideo.VideoStatus.PROCESSING
    save(row, ["video_status"])
    private = row.video_original.storage
    try:
        with tempfile.TemporaryDirectory(prefix="homeplan-video-") as workdir:
            with private.open(original, "rb") as source:
                made = videos.transcode(source, workdir)
            return _video_ready(model, pk, original, made, save=save)
    except videos.VideoError as error:
        return _video_failed(model, pk, original, str(error), save=save)
    except Exception:
        logger.exception("video %s %s could not be prepared", model._meta.label, pk)
        _video_failed(
            model,
            pk,
            original,
            _("Something went wrong while preparing this video. Try uploading it again."),
            save=save,
        )
        raise


def _video_ready(model, pk: int, original: str, made: videos.Transcoded, *, save: Save) -> str:
    with transaction.atomic():
        row = _current(model, pk, original, lock=True)
        if row is None:
            return "superseded"
        replaced = [row.video.name, row.video_poster.name]
        with open(made.video_path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()[:12]
            handle.seek(0)
            row.video.save(f"video-{digest}.mp4", File(handle), save=False)
        row.video_poster.save(f"poster-{digest}.jpg", ContentFile(made.poster), save=False)
        row.video_original = ""
        row.video_status = ClinicVideo.VideoStatus.READY
        row.video_error = ""
        row.video_width, row.video_height = made.width, made.height
        row.video_seconds = round(made.seconds)
        save(row, READY_FIELDS)
    # Committed: the files it replaced and the original are no longer needed.
    for name in replaced:
        if name and name not in (row.video.name, row.video_poster.name):
            row.video.storage.delete(name)
    row.video_original.storage.delete(original)
    return "ready"


def _video_failed(model, pk: int, original: str, reason: str, *, save: Save) -> str:
    with transaction.atomic():
        row = _current(model, pk, original, lock=True)
        if row is None:
            return "superseded"
        row.video_original = ""
        row.video_status = ClinicVideo.VideoStatus.FAILED
        row.video_error = reason[:300]
        save(row, ["video_original", *STATE_FIELDS])
    row.video_original.storage.delete(original)
    return "failed"


# --- The library's videos (public media once ready) ----------------------------------------


def _exercise_save(exercise: Exercise, fields: list[str]) -> None:
    exercise.save(update_fields=fields)
    library_changed_send([exercise.pk])


@task()
def exercise_video_prepare(exercise_id: int, original: str) -> str:
    return video_prepare(Exercise, exercise_id, original, save=_exercise_save)


def exercise_video_attach(*, exercise: Exercise, upload) -> None:
    """An editor's new video for a library exercise: kept, then prepared by the worker."""
    fields = video_keep_original(exercise, upload)
    _exercise_save(exercise, fields)
    exercise_video_prepare.enqueue(exercise.pk, exercise.video_original.name)


def exercise_video_remove(*, exercise: Exercise) -> None:
    _exercise_save(exercise, video_clear(exercise))
