from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language, get_language_bidi, gettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from clinic import health, roles
from clinic.emails import QueuedPasswordResetForm


@require_GET
def home(request):
    """Send each visitor to their own start page: patients to their plan, staff to the admin,
    everyone else to the login page."""
    return redirect(roles.home_url_for(request.user))


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("img/favicon.png"), permanent=True)


@require_GET
def manifest(request):
    """The web app manifest: patients can add their plan to the home screen. In the
    visitor's language (a signed-in patient's own), with its direction."""
    data = {
        "name": f"Homeplan · {settings.CLINIC_NAME}",
        "short_name": "Homeplan",
        "description": gettext("Your home exercise plan from your clinic, with reminders."),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": "/plan/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e6e",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@cache_control(max_age=3600)
def media(request, path):
    """`/media/...` when the app serves media itself (DJANGO_SERVE_MEDIA): the exercise
    library's pictures, nobody's health data, so browsers may keep them for an hour."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as exc:  # a name longer than the file system allows, and the like
        raise Http404("No such file.") from exc


class LogoutView(auth_views.LogoutView):
    """Django's logout, which also tells the browser to empty this site's caches and storage:
    a patient's plan saved for offline use, and any unsent entries, never outlive their
    session on a shared phone (browsers honour it on https and localhost)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


@login_required
def no_role(request):
    """A signed-in account that is neither staff nor an active patient (e.g. deactivated)."""
    return render(request, "clinic/no_role.html", status=403)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers and can take a write; otherwise 503 naming the check that
    failed (``clinic/health.py``), within 2 seconds whatever the database does."""
    results = health.checks()
    healthy = all(value == health.OK for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with the email queued (same answer and timing class for known and
    unknown addresses) and a rate limit, answered with 429 and a clear message."""

    form_class = QueuedPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "rate_limited"):
            response.status_code = 429
        return response
