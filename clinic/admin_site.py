from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from audit.services import record_list
from clinic.forms import AdminLoginForm


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete (choosing a patient for a prescription): the patients it
    answers with are a list of patients shown, so it is recorded like one."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient_of = getattr(self.model_admin, "patient_of", None)
        if patient_of is not None:  # the patients' models (ClinicianScopedAdmin)
            shown = (patient_of(obj).pk for obj in context["object_list"])
            record_list(self.request, shown, f"{self.model_admin.opts.model_name} autocomplete")
        return context


class HomeplanAdminSite(admin.AdminSite):
    """The admin, branded. Apps add to its front page through ``index_panels``: the patients
    app puts the clinician's "needs attention" queue there (from its AppConfig), so the
    project's wiring imports no app."""

    site_header = "Homeplan"
    site_title = "Homeplan"
    index_title = _("Clinic administration")
    index_template = "admin/homeplan_index.html"
    login_form = AdminLoginForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Callables (request) -> dict: context for the front page's template.
        self.index_panels = []

    def index(self, request, extra_context=None):
        from clinic.emails import WORKER_ALERT_MINUTES, emails_waiting_too_long

        context = {}
        for panel in self.index_panels:
            context.update(panel(request))
        # Whoever runs the server needs to know when the worker is not sending emails
        # (sign-in links, password resets, reminders): patients would only see nothing arrive.
        stalled = emails_waiting_too_long() if request.user.is_superuser else None
        return super().index(
            request,
            {
                **(extra_context or {}),
                **context,
                "emails_stalled": stalled,
                "worker_alert_minutes": WORKER_ALERT_MINUTES,
            },
        )

    def login(self, request, extra_context=None):
        """One login page for everyone: the admin's sends its visitors to the app's (same
        look, same lockout, the one-time link). A form posted here is still handled, so a
        page opened before this change logs in as before."""
        if request.method == "GET" and not (
            request.user.is_authenticated and request.user.is_staff
        ):
            next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
                "admin:index", current_app=self.name
            )
            return redirect_to_login(next_url, settings.LOGIN_URL)
        return super().login(request, extra_context)

    def get_urls(self):
        from clinic.email_settings import email_settings_view

        # Each member of staff's own settings, not a model's page: before Django's own
        # patterns, whose catch-all would answer first.
        own = [
            path("my-email/", self.admin_view(email_settings_view), name="email_settings"),
        ]
        return own + super().get_urls()

    def autocomplete_view(self, request):
        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)
