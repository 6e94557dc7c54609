from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from clinic import views
from clinic.forms import LoginForm
from patients import views as patient_views

# Our own plain page, and 503 with Retry-After when the database is unavailable.
handler500 = "clinic.resilience.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("accounts/no-role/", views.no_role, name="no_role"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path(
        "accounts/invite/<str:token>/",
        patient_views.invitation_accept,
        name="invitation_accept",
    ),
    path("accounts/sign-in-link/", patient_views.sign_in_link_request, name="sign_in_link"),
    # Before django.contrib.auth.urls: the same URL and name, plus Clear-Site-Data.
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/sign-in/<str:token>/",
        patient_views.sign_in_link_use,
        name="sign_in_link_use",
    ),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("plan/", include("patients.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", views.media)]
