from django.contrib import admin

from clinic.forms import AdminLoginForm


class HomeplanAdminSite(admin.AdminSite):
    """The admin, branded, with the clinician's "needs attention" queue on its front page."""

    site_header = "Homeplan"
    site_title = "Homeplan"
    index_title = "Clinic administration"
    index_template = "admin/homeplan_index.html"
    login_form = AdminLoginForm

    def index(self, request, extra_context=None):
        from clinic.emails import WORKER_ALERT_MINUTES, emails_waiting_too_long
        from patients.attention import queue_for  # wiring: the queue lives in patients

        attention = None
        if request.user.has_perm("patients.view_patient"):
            attention = queue_for(request.user)
        # Whoever runs the server needs to know when the worker is not sending emails
        # (sign-in links, password resets, reminders): patients would only see nothing arrive.
        stalled = emails_waiting_too_long() if request.user.is_superuser else None
        return super().index(
            request,
            {
                **(extra_context or {}),
                "attention": attention,
                "emails_stalled": stalled,
                "worker_alert_minutes": WORKER_ALERT_MINUTES,
            },
        )
