"""Where a patient's clinic video can be fetched: its private addresses (served by
``patients.views.videos.video_file``). The file's own name is in the address, so a new video
gets a new address (and a phone's saved copy of the old one is simply no longer asked for)."""

import os

from django.urls import reverse

from patients.models import PrescribedExercise


def video_urls(prescribed: PrescribedExercise) -> tuple[str, str]:
    """The addresses of a ready video and its poster ("", "" when there is none)."""
    if not prescribed.video_ready:
        return "", ""
    video, poster = (
        reverse("patients:video", args=[prescribed.pk, os.path.basename(field.name)])
        for field in (prescribed.video, prescribed.video_poster)
    )
    return video, poster
