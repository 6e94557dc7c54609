import contextlib
import ipaddress
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation

STAFF_SINCE = "_homeplan_staff_since"


class RefuseNulMiddleware:
    """A NUL character in a URL's path or query string is answered 400 before any view runs.

    No address of ours has one, and PostgreSQL text cannot hold one: passed on to a lookup
    (a calendar token, the admin's autocomplete search) it was a 500. Forms refuse NUL in
    what is posted themselves (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            raise SuspiciousOperation("NUL character in the URL")
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """End staff sessions after ``STAFF_SESSION_IDLE_MINUTES`` without a request, and in any
    case ``STAFF_SESSION_MAX_HOURS`` after they began (a clinic computer left signed in and
    kept busy must still ask for the password again).

    Setting a relative expiry on every staff request slides the idle window forward;
    patients keep the long ``SESSION_COOKIE_AGE`` on their own phone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            since = request.session.setdefault(STAFF_SINCE, now)
            if now - since > settings.STAFF_SESSION_MAX_HOURS * 3600:
                logout(request)
                return redirect_to_login(request.get_full_path())
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)


class ProxiedClientAddressMiddleware:
    """Behind our reverse proxy, ``REMOTE_ADDR`` is the proxy's own address; the proxy puts
    the client's in ``X-Real-IP``, overwriting any value the client sent. Login lockouts,
    rate limits and the audit trail all read ``REMOTE_ADDR``, so it must be the client's:
    otherwise one stranger's failed logins would lock a username out for everyone.

    Off unless ``DJANGO_BEHIND_PROXY=1``: without a proxy the header is the client's own
    claim and must not be believed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.BEHIND_PROXY:
            claimed = request.META.get("HTTP_X_REAL_IP", "").strip()
            # No header, or nonsense in it: keep the proxy's address.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(claimed))
        return self.get_response(request)


# Browser features our pages may use. Everything is off except two, for our own pages only:
# the screen wake lock (guided mode keeps the phone awake during timers) and, on the guided
# pages that offer the camera coach only, the camera (patients/camera.py; the browser still
# asks the patient first). Embedded frames get nothing (and X-Frame-Options forbids framing
# us anyway). Only features Chromium recognises: it warns about unknown names.
_FEATURES_OFF = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "clipboard-read",
    "clipboard-write",
    "compute-pressure",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "keyboard-map",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "serial",
    "speaker-selection",
    "storage-access",
    "sync-xhr",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)


def permissions_policy(*, camera: bool = False) -> str:
    """The Permissions-Policy header: the camera for our own origin only when asked."""
    return ", ".join(
        [
            "camera=(self)" if camera else "camera=()",
            "screen-wake-lock=(self)",
            *(f"{feature}=()" for feature in _FEATURES_OFF),
        ]
    )


PERMISSIONS_POLICY = permissions_policy()
NO_STORE = "private, no-store"


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, on every response of the app.

    - ``Cache-Control: private, no-store`` unless the view chose its own: patient pages, the
      calendar feed, exports and staff pages about a patient must not be kept by a shared
      proxy or the browser's back-forward cache. One default for every response rather than
      a list of views, so a new page showing health data is covered without anyone
      remembering. (The service worker keeps its own offline copy in the Cache API, which
      does not read these headers.) Static files never reach here: WhiteNoise answers them
      first, forever-cached under hashed names.
    - ``Permissions-Policy`` (above) and ``Cross-Origin-Resource-Policy: same-origin``: no
      other site may embed our responses (a patient's pages, pictures, the feed).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
