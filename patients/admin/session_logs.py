"""What patients logged, read-only for staff."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patients.admin.base import ClinicianScopedAdmin, late_entry_flag
from patients.models import (
    ExerciseCheck,
    SessionLog,
)


class ExerciseCheckInline(admin.TabularInline):
    model = ExerciseCheck
    fields = ("prescribed_exercise", "status", "skip_reason", "checked_at", "received_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("prescribed_exercise__exercise")


@admin.register(SessionLog)
class SessionLogAdmin(ClinicianScopedAdmin):
    """What patients logged: read-only for staff, scoped to the clinician's patients."""

    clinician_lookup = "prescription__patient__clinician"
    list_display = (
        "date",
        "patient",
        "session_number",
        "done",
        "pain",
        "effort",
        "skipped",
        "entered",
    )

    def patient_of(self, log):
        return log.prescription.patient

    list_filter = ("effort", ("completed_at", admin.EmptyFieldListFilter))
    search_fields = ("prescription__patient__first_name", "prescription__patient__last_name")
    date_hierarchy = "date"
    list_select_related = ("prescription__patient",)
    inlines = (ExerciseCheckInline,)

    class Media:
        css = {"all": ("css/admin.css",)}  # the "entered late" mark

    readonly_fields = (
        "prescription",
        "date",
        "session_number",
        "completed_at",
        "received",
        "pain",
        "effort",
        "note",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                skipped_count=models.Count(
                    "checks", filter=models.Q(checks__status=ExerciseCheck.Status.SKIPPED)
                )
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Patient"), ordering="prescription__patient__last_name")
    def patient(self, log):
        return log.prescription.patient

    @admin.display(
        description=pgettext_lazy("session status", "Done"), boolean=True, ordering="completed_at"
    )
    def done(self, log):
        return log.is_done

    @admin.display(description=pgettext_lazy("times skipped", "Skipped"), ordering="skipped_count")
    def skipped(self, log):
        return log.skipped_count

    @admin.display(description=_("Entered"), ordering="received_at")
    def entered(self, log):
        """Flags an entry that reached us more than a day after its date (the phone's clock
        decided it could still be made; ours says when it arrived)."""
        return late_entry_flag(log) or "—"

    @admin.display(description=_("Received"))
    def received(self, log):
        if log.received_at is None:
            return "—"
        when = date_format(timezone.localtime(log.received_at), "DATETIME_FORMAT")
        flag = late_entry_flag(log)
        return format_html("{} {}", when, flag) if flag else when
