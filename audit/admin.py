from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from audit.models import AuditEvent


class ReadOnlyForSuperusers:
    """The trail is for the clinic's superusers to read; nobody edits it, not even them."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PatientIdFilter(admin.SimpleListFilter):
    """Filter by patient id: a list of thousands of names would not fit in the sidebar, so
    the patient's change page links here with ``?patient=<id>``."""

    title = "patient"
    parameter_name = "patient"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"Patient #{value}")] if value else []

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(patient_id=int(value))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyForSuperusers, admin.ModelAdmin):
    list_display = (
        "at",
        "who",
        "action",
        "target",
        "target_id",
        "patient_link",
        "fields",
        "ip_address",
    )
    list_filter = (
        PatientIdFilter,
        "action",
        "target",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "at",
    )
    search_fields = ("actor_username", "path")
    date_hierarchy = "at"
    list_per_page = 100
    # Counting every event for the paginator gets slow as the trail grows; estimate instead.
    show_full_result_count = False

    @admin.display(description="who", ordering="actor_username")
    def who(self, event):
        if event.actor_username:
            return event.actor_username
        return f"patient user #{event.actor_id}" if event.actor_id else "system"

    @admin.display(description="patient")
    def patient_link(self, event):
        if event.patient_id is None:
            return "—"
        url = reverse("admin:audit_auditevent_changelist") + f"?patient={event.patient_id}"
        return format_html('<a href="{}">#{}</a>', url, event.patient_id)
