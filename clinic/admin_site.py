from django.contrib import admin


class HomeplanAdminSite(admin.AdminSite):
    """The admin, branded, with the clinician's "needs attention" queue on its front page."""

    site_header = "Homeplan"
    site_title = "Homeplan"
    index_title = "Clinic administration"
    index_template = "admin/homeplan_index.html"

    def index(self, request, extra_context=None):
        from patients.attention import queue_for  # wiring: the queue lives in patients

        attention = None
        if request.user.has_perm("patients.view_patient"):
            attention = queue_for(request.user)
        return super().index(request, {**(extra_context or {}), "attention": attention})
