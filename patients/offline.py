"""What a patient's phone keeps for offline use: the service worker's settings (with the
offline fallback page), and the list of the patient's own pages and pictures to save (see
docs/architecture.md, "Offline").
"""

import datetime
import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from clinic.context_processors import tel_href
from exercises.models import SafetyAdvice
from patients import plan, reading, schedule
from patients.models import Patient
from patients.videos import video_urls

# The app shell: every static file a patient page loads, saved when the service worker installs.
SHELL = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "css/homeplan.css",
    "css/print.css",
    "css/plan.css",
    "css/guided.css",
    "js/forms.js",
    "js/guided.js",
    # The camera coach's scripts (small); its model is saved only when the patient asks.
    "js/camera/counter.js",
    "js/camera/coach.js",
    "js/offline.js",
    "js/symptoms.js",
    "js/messages.js",
    "img/favicon.png",
    "img/icon-192.png",
)
SERVICE_WORKER = "sw.js"
# Plan pages saved ahead: today and this many days after it.
DAYS_AHEAD = 7
OWNER_HEADER = "X-Homeplan-Owner"
DAY_HEADER = "X-Homeplan-Day"
# On an acknowledgement that could not rebuild the card (clinic/resilience.py): the action
# that was stored, which offline.js then shows on the card.
SAVED_HEADER = "X-Homeplan-Saved"


def owner_key(patient: Patient) -> str:
    """An opaque, stable name for the patient's saved pages on a phone: the service worker
    keeps one patient's pages apart from the next one's without learning who they are."""
    return salted_hmac("homeplan.offline.owner", str(patient.pk)).hexdigest()[:24]


def _source_text() -> str:
    path = finders.find(SERVICE_WORKER)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _files_hash() -> str:
    """Without a static manifest (DEBUG, tests), the shell files' contents are the version."""
    digest = hashlib.sha256()
    for name in SHELL:
        with open(finders.find(name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def _version(source: str) -> str:
    # A deploy changes the hashed static manifest, and with it every cache name, so the new
    # service worker drops the old files; a change to sw.js alone counts too.
    static_version = getattr(staticfiles_storage, "manifest_hash", "") or _files_hash()
    return hashlib.sha256(f"{static_version}:{source}".encode()).hexdigest()[:16]


def shell_files() -> tuple[str, ...]:
    """The app shell in the active language's direction: Bootstrap's right-to-left build
    for a right-to-left language."""
    if not translation.get_language_bidi():
        return SHELL
    return tuple(
        "vendor/bootstrap/bootstrap.rtl.min.css"
        if name == "vendor/bootstrap/bootstrap.min.css"
        else name
        for name in SHELL
    )


def offline_fallback_page(advice: SafetyAdvice | None) -> str:
    """The page the service worker shows for a patient page that is not saved on the phone:
    the emergency signs and the numbers to call, and the way to the pages that are saved.
    Nobody's data: the clinic's name and phone, and the newest safety advice."""
    return render_to_string(
        "patients/offline_fallback.html",
        {
            "advice": advice,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "clinic_phone_href": tel_href(settings.CLINIC_PHONE),
            "stylesheets": [
                static(name)
                for name in (
                    # Bootstrap's right-to-left build for a right-to-left language.
                    "vendor/bootstrap/bootstrap.rtl.min.css"
                    if translation.get_language_bidi()
                    else "vendor/bootstrap/bootstrap.min.css",
                    "css/homeplan.css",
                    "css/plan.css",
                )
            ],
        },
    )


def _script(advice: SafetyAdvice | None) -> str:
    source = _source_text()
    config = {
        "version": _version(source),
        "shell": [
            *(static(name) for name in shell_files()),
            reverse("manifest"),
            reverse("javascript-catalog"),
        ],
        "catalogUrl": reverse("javascript-catalog"),  # the scripts' words: network first
        "scope": reverse("patients:today"),
        "manifestUrl": reverse("patients:offline_manifest"),
        "loginUrl": reverse("login"),
        "symptomsUrl": reverse("patients:symptoms"),
        "messagesUrl": reverse("patients:messages"),
        # A patient's saved videos no longer in the plan (or no longer wanted) are dropped.
        "videosPrefix": reverse("patients:today") + "videos/",
        "offlinePage": offline_fallback_page(advice),
        "ownerHeader": OWNER_HEADER,
        "dayHeader": DAY_HEADER,
    }
    return f"self.HOMEPLAN = {json.dumps(config, sort_keys=True)};\n{source}"


@functools.lru_cache(maxsize=8)
def _script_cached(advice_pk: int | None, clinic: tuple[str, str], language: str) -> str:
    # ``clinic`` (name and phone, which the fallback page shows) and ``language`` (the one the
    # fallback page is rendered in, the active one) are part of the cache key only.
    return _script(SafetyAdvice.objects.filter(pk=advice_pk).first())


def service_worker_script() -> str:
    """sw.js with its settings in front, the offline fallback page among them. Computed once
    per process and safety advice version (append-only, so its id names its content) unless
    DEBUG, where the files change under the developer's hands. A new version changes the
    script, so phones install it and show the new advice offline too."""
    advice = SafetyAdvice.objects.only("pk").first()
    if settings.DEBUG:
        return _script(SafetyAdvice.objects.first())
    return _script_cached(
        advice.pk if advice else None,
        (settings.CLINIC_NAME, settings.CLINIC_PHONE),
        get_language(),
    )


def precache_manifest(patient: Patient) -> dict:
    """The URLs of the patient's plan for today and the next week: day pages (future days as
    they will look on the day), guided sessions, exercise pages, safety advice, the Learn
    page with every education page on the plan, the message thread, the exercises' pictures
    and animations (the pages show the animation unless the phone asks for less motion, so
    both are saved), the videos' posters, and the videos themselves if the patient keeps
    them on the phone."""
    today = patient.today()
    prescriptions = plan.prescriptions_with_exercises(patient)
    pages = [reverse("patients:today")]
    guided, exercises, images, videos = [], {}, {}, {}
    for offset in range(DAYS_AHEAD + 1):
        day = today + datetime.timedelta(days=offset)
        if offset:
            pages.append(f"{reverse('patients:day', args=[day.isoformat()])}?offline-copy=1")
        due = schedule.due_on(prescriptions, day)
        for number in range(1, schedule.sessions_on(due, day) + 1):
            guided.append(reverse("patients:guided", args=[day.isoformat(), number]))
        for prescription in due:
            for prescribed in prescription.exercises.all():
                exercises[prescribed.pk] = reverse("patients:exercise", args=[prescribed.pk])
                exercise = prescribed.exercise
                for image in (exercise.image_medium, exercise.end_image_medium, exercise.animation):
                    if image:
                        images[image.name] = image.url
                _videos_of(prescribed, images, videos)
    return {
        "owner": owner_key(patient),
        "today": today.isoformat(),
        "timezone": patient.timezone,
        "pages": [
            *pages,
            *guided,
            *exercises.values(),
            reverse("patients:safety"),
            reverse("patients:symptoms"),
            reverse("patients:history"),
            reverse("patients:learn"),
            # The thread, as a copy that does not mark the clinic's messages read.
            f"{reverse('patients:messages')}?saved-copy=1",
            *(
                reverse("patients:learn_page", args=[item.page.slug])
                for item in reading.attached(patient)
            ),
        ],
        "images": list(images.values()),
        # Only when the patient chose "keep videos on this phone": a few MB a minute each.
        "videos": list(videos.values()) if patient.keep_videos_offline else [],
    }


def _videos_of(prescribed, images: dict, videos: dict) -> None:
    """The posters (small: always saved, so the page looks the same offline) and the videos
    of one prescribed exercise: the clinic's video of the patient and the library's."""
    own_src, own_poster = video_urls(prescribed)
    if own_src:
        images[own_poster] = own_poster
        videos[own_src] = own_src
    exercise = prescribed.exercise
    if exercise.video_ready:
        images[exercise.video_poster.name] = exercise.video_poster.url
        videos[exercise.video.name] = exercise.video.url
