from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from clinic import views
from clinic.forms import LoginForm

# Our own plain page, and 503 with Retry-After when the database is unavailable.
handler500 = "clinic.resilience.server_error"

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
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", views.media)]
