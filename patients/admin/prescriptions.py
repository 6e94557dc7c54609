"""A patient's prescription: its schedule and each exercise's dose for this patient."""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from exercises.admin import LabelledInlineFields, minutes_html, size_warning
from exercises.models import EducationPage
from patients import (
    contraindications,
)
from patients.admin.base import ClinicianScopedAdmin, ScheduleColumns
from patients.forms.staff import PrescribedExerciseForm, PrescriptionForm
from patients.models import (
    ContraindicationOverride,
    PrescribedExercise,
    Prescription,
    PrescriptionEducation,
)


class PrescribedExerciseInline(LabelledInlineFields, admin.TabularInline):
    model = PrescribedExercise
    form = PrescribedExerciseForm
    fields = (
        "order",
        "exercise",
        "sets",
        "reps",
        "hold_seconds",
        "side",
        "rest_seconds",
        "notes",
        "override_reason",
        "clinic_video",
    )
    readonly_fields = ("clinic_video",)
    autocomplete_fields = ("exercise",)
    extra = 0
    classes = ("ordered-items",)

    @admin.display(description=_("Clinic video"))
    def clinic_video(self, item):
        """A link to film or upload a video of this patient doing it, with where it stands."""
        if item.pk is None:
            return _("Save first")
        state = {
            "": _("Add a video"),
            "ready": _("▶ Video ready"),
            "failed": _("Video failed: try again"),
        }.get(item.video_status, _("Processing…"))
        return format_html(
            '<a href="{}" data-video-status="{}">{}</a>',
            reverse("admin:patients_patient_video", args=[item.prescription.patient_id, item.pk]),
            item.video_status or "none",
            state,
        )


class PrescriptionEducationInline(LabelledInlineFields, admin.TabularInline):
    """The education pages this prescription carries, and when the patient read each."""

    model = PrescriptionEducation
    fields = ("page", "order", "in_handout", "read_at")
    readonly_fields = ("read_at",)
    extra = 0
    verbose_name = _("page to read")
    verbose_name_plural = _("Reading for the patient")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "page":
            kwargs["queryset"] = EducationPage.objects.filter(archived=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Prescription)
class PrescriptionAdmin(ScheduleColumns, ClinicianScopedAdmin):
    clinician_lookup = "patient__clinician"
    list_display = ("name", "patient", "status", "dates", "days", "sessions_per_day")

    def patient_of(self, prescription):
        return prescription.patient

    list_filter = ("status",)
    search_fields = ("name", "patient__first_name", "patient__last_name")
    list_select_related = ("patient",)
    autocomplete_fields = ("patient",)
    inlines = (PrescribedExerciseInline, PrescriptionEducationInline)
    form = PrescriptionForm
    readonly_fields = ("program", "estimated_session", "precaution_overrides")
    fieldsets = (
        (None, {"fields": ("patient", "name", "program", "status", "loaded_version")}),
        (
            _("Schedule"),
            {"fields": (("start_date", "end_date"), "weekdays", "sessions_per_day")},
        ),
        (_("For the patient"), {"fields": ("message", "estimated_session")}),
        (_("Precautions"), {"fields": ("precaution_overrides",)}),
    )

    class Media:
        js = ("js/admin-items.js",)
        css = {"all": ("css/admin.css",)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (*self.readonly_fields, "patient")
        return self.readonly_fields

    @admin.display(description=_("Prescribed despite a precaution"))
    def precaution_overrides(self, prescription):
        """Why each exercise that matches the patient's precautions was prescribed anyway,
        by whom and when (recorded by contraindications.record)."""
        if prescription.pk is None:
            return "—"
        overrides = ContraindicationOverride.objects.filter(
            prescribed__prescription=prescription
        ).select_related("prescribed__exercise", "decided_by")
        if not overrides:
            return _("None")
        return format_html_join(
            mark_safe("<br>"),
            "{} ({}): “{}” — {}, {}",
            (
                (
                    o.prescribed.exercise.name,
                    o.tags,
                    o.reason,
                    (o.decided_by.get_full_name() or o.decided_by.username)
                    if o.decided_by
                    else "—",
                    date_format(o.decided_at, "j M Y"),
                )
                for o in overrides
            ),
        )

    @admin.display(description=_("One session takes"))
    def estimated_session(self, prescription):
        return minutes_html(sum(item.estimated_seconds() for item in prescription.exercises.all()))

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for item_form in formset.forms:
            found = getattr(item_form, "contraindications", None)
            if found and item_form.instance.pk:
                contraindications.record(
                    prescribed=[item_form.instance],
                    found=found,
                    reason=item_form.cleaned_data["override_reason"],
                    decided_by=request.user,
                )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        size_warning(request, form.instance.exercises.all())
