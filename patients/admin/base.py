"""Row-level access for the clinician's admin: ``ClinicianScopedAdmin`` limits every list,
form, autocomplete and action to the clinician's own patients; another clinician's objects are
404 (superusers see all). Also small display helpers the patients' admins share."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.services import record_list, record_view
from patients import changes
from patients.models import (
    Patient,
    SessionLog,
)


class ClinicianScopedAdmin(admin.ModelAdmin):
    """Shows a clinician only the rows of their own patients; other rows are 404."""

    clinician_lookup = "clinician"  # the path from this model to the owning clinician

    def patient_of(self, obj) -> Patient:
        """Whose data ``obj`` is, for the audit trail."""
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.clinician_lookup: request.user})

    def get_visible_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such record among your patients.")
        return obj

    def changelist_view(self, request, extra_context=None):
        """The list, recorded in the audit trail as one event naming the patients shown."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            shown = (self.patient_of(obj).pk for obj in changelist.result_list)
            record_list(request, shown, f"{self.opts.model_name} list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_visible_object(request, object_id)
        # Saves are audited as changes (save_model below); opening the page is a view.
        if request.method == "GET":
            record_view(request, self.patient_of(obj), f"{self.opts.model_name} page")
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_visible_object(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    # --- Saves go through the one write path (patients/changes.py) ---------------------------

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        recorded = changes.changed(obj, form.changed_data) if change else changes.created(obj)
        changes.record(self.patient_of(obj).pk, [recorded])

    def save_formset(self, request, form, formset, change):
        # The rows the formset deletes are recorded before they go (their patient and id are
        # read from them); the new and changed ones after they are saved.
        patient_id = self.patient_of(form.instance).pk
        gone = [changes.deleted(f.instance) for f in formset.deleted_forms if f.instance.pk]
        if gone:
            changes.record(patient_id, gone)
        super().save_formset(request, form, formset, change)
        changes.record(
            patient_id,
            [
                *(changes.created(row) for row in formset.new_objects),
                *(changes.changed(row, fields) for row, fields in formset.changed_objects),
            ],
        )

    def delete_model(self, request, obj):
        changes.record(self.patient_of(obj).pk, changes.deleted_with_cascade(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_visible_object(request, object_id)
        record_view(request, self.patient_of(obj), f"{self.opts.model_name} history")
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Patient:
            kwargs["queryset"] = Patient.objects.for_clinician(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def adherence_bar(percent: float | None):
    """A percentage with a small bar (SVG attributes, so no inline style for CSP)."""
    if percent is None:
        return "—"
    width = max(0, min(100, round(percent)))
    return format_html(
        '<span class="adherence"><svg width="50" height="8" aria-hidden="true">'
        '<rect width="50" height="8" class="track"/><rect width="{}" height="8" class="fill"/>'
        "</svg> {}%</span>",
        width // 2,
        width,
    )


def late_entry_flag(log: SessionLog):
    """ "Entered N days later", marked up, for an entry that arrived more than a day late."""
    if not log.entered_late:
        return ""
    text = ngettext(
        "Entered %(days)s day after the day",
        "Entered %(days)s days after the day",
        log.days_late,
    ) % {"days": log.days_late}
    return format_html('<strong class="entered-late">{}</strong>', text)


class ScheduleColumns:
    """A prescription's dates and days as columns with clinic words for headings (the
    model's properties would be headed "DATE RANGE TEXT" and "DAYS TEXT")."""

    @admin.display(description=_("Dates"), ordering="start_date")
    def dates(self, prescription):
        return prescription.date_range_text

    @admin.display(description=_("Days"))
    def days(self, prescription):
        return prescription.days_text
