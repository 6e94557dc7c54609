"""The camera coach on a guided page: what the page needs to offer it, and the two headers
that let it run there and nowhere else.

The coach itself runs on the phone (static/js/camera/coach.js, counter.js) with MediaPipe
Pose, vendored under static/vendor/mediapipe-pose/. Nothing here reads or stores a picture:
the page gets the exercises' tracking rules, the model's file addresses and its words, and
the phone sends back only numbers with the check-off.
"""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.translation import gettext

from clinic.middleware import permissions_policy
from exercises.tracking import CUES

VENDOR = "vendor/mediapipe-pose/"
# The files MediaPipe Pose asks for (its locateFile), by the names it asks with. The page
# maps each name to our static address, so hashed names in production still resolve.
RUNTIME_FILES = (
    "pose.js",
    "pose_solution_packed_assets_loader.js",
    "pose_solution_packed_assets.data",
    "pose_solution_simd_wasm_bin.js",
    "pose_solution_simd_wasm_bin.wasm",
    "pose_solution_wasm_bin.js",
    "pose_solution_wasm_bin.wasm",
    "pose_web.binarypb",
)
MODELS = {"lite": "pose_landmark_lite.tflite", "full": "pose_landmark_full.tflite"}


def files() -> dict[str, str]:
    return {name: static(VENDOR + name) for name in (*RUNTIME_FILES, *MODELS.values())}


def texts() -> dict[str, str]:
    """Everything the coach shows or says, in the page's language."""
    return {
        "loading": gettext("Getting the camera ready…"),
        "ready_side": gettext(
            "Stand the phone to your side, about 2 to 3 metres away, so it sees all of you."
        ),
        "ready_front": gettext(
            "Stand the phone in front of you, about 2 to 3 metres away, so it sees all of you."
        ),
        "seen": gettext("I can see you. Start when you are ready."),
        "holding": gettext("Holding. The clock runs only while you hold the position."),
        "lost": gettext(
            "I can't see you well. Move so all of you is in the picture. "
            "You can carry on with the buttons."
        ),
        "dark": gettext("It is too dark for the camera. Turn on a light, or use the buttons."),
        "failed": gettext("The camera could not start. You can carry on with the buttons."),
        "model_failed": gettext(
            "The camera coach could not load on this phone. You can carry on with the buttons."
        ),
        "rest": gettext("Rest. The camera waits for your next set."),
        "count": gettext("%(count)s of %(reps)s"),
        "held": gettext("Held %(held)s of %(hold)s seconds"),
        "set_done": gettext("Set done: counted by the camera."),
        "offline_saving": gettext("Saving the camera for offline use…"),
        "offline_saved": gettext("The camera will work offline on this phone."),
        "offline_failed": gettext(
            "The camera could not be saved for offline use. Try again when you are online."
        ),
        "cues": {key: str(text) for key, text in CUES.items()},
    }


def guided_camera(items) -> dict | None:
    """The camera part of a guided page for a session's items, or None when none of its
    exercises has a tracking rule (then the page offers no camera and keeps the strict
    headers)."""
    rules = {
        str(item.prescribed.pk): item.prescribed.exercise.tracking
        for item in items
        if item.prescribed.exercise.tracking
    }
    if not rules:
        return None
    return {
        "rules": rules,
        "files": files(),
        "texts": texts(),
    }


def allow_camera(response):
    """Let a guided page that offers the coach use the camera and run the model: the camera
    for our own origin, and WebAssembly compiled by the model's loader ('wasm-unsafe-eval':
    WebAssembly only, not JavaScript eval). Every other page keeps both off."""
    response["Permissions-Policy"] = permissions_policy(camera=True)
    response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}
    return response
