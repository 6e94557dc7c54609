"""``{% exercise_videos prescribed %}``: the videos on a patient's exercise page and in
guided mode — the clinic's video of this patient (private, served by
``patients.views.videos``) and the library's demonstration video (public media) — once they
are ready."""

from django import template

from patients.videos import video_urls

register = template.Library()


@register.inclusion_tag("patients/exercise_videos.html")
def exercise_videos(prescribed, patient):
    exercise = prescribed.exercise
    own_src, own_poster = video_urls(prescribed)
    return {
        "name": exercise.display_name,
        "own": {"src": own_src, "poster": own_poster, "row": prescribed} if own_src else None,
        "library": (
            {"src": exercise.video.url, "poster": exercise.video_poster.url, "row": exercise}
            if exercise.video_ready
            else None
        ),
        "kept_offline": patient.keep_videos_offline,
    }
