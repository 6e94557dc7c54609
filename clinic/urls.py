from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page
from django.views.decorators.vary import vary_on_headers
from django.views.i18n import JavaScriptCatalog

from clinic import views
from clinic.forms import LoginForm

# Our own plain page, and 503 with Retry-After when the database is unavailable.
handler500 = "clinic.resilience.server_error"

# The words our scripts show and say (static/js, djangojs catalogues), in the request's
# language: public, nobody's data. The language comes from the patient's setting (their
# session), the language cookie or Accept-Language, and a browser does not always tell those
# apart in its cache (Chrome reused the login page's English copy after a Spanish patient
# signed in, Vary: Cookie notwithstanding): so it is kept by this browser alone and asked
# again on each use, an ETag making the answer a short 304 while the language is the same.
# The service worker keeps a copy for offline use (sw.js).
javascript_catalog = cache_control(private=True, no_cache=True)(
    vary_on_headers("Cookie", "Accept-Language")(conditional_page(JavaScriptCatalog.as_view()))
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    # Django's set_language: the language of the pages for anyone not signed in as a patient.
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/no-role/", views.no_role, name="no_role"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    # The apps' pages are included by module name: the wiring imports no app.
    path("accounts/", include("patients.account_urls")),
    # Before django.contrib.auth.urls: the same URL and name, plus Clear-Site-Data.
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("plan/", include("patients.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", views.media)]
