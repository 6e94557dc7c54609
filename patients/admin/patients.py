"""The patients' list and change page: adherence columns, filters, actions, and the
clinician's own pages about a patient (routed here, written in patients/views/staff.py)."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.services import record_views
from exercises.admin import LabelledInlineFields
from patients import (
    adherence,
    attention,
    exports,
    schedule,
    services,
    weekdays,
)
from patients.admin.base import ClinicianScopedAdmin, ScheduleColumns, adherence_bar
from patients.forms import timezone_choices
from patients.forms.staff import PatientForm
from patients.models import (
    FunctionActivity,
    Patient,
    Prescription,
)
from patients.views import pauses, prescribe, staff, staff_messages, videos
from patients.views.thread_panel import PANEL_SIZE, thread_panel


class HasActivePrescriptionFilter(admin.SimpleListFilter):
    title = _("active plan")
    parameter_name = "active_plan"

    def lookups(self, request, model_admin):
        return [("yes", _("Has an active plan")), ("no", _("No active plan"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_active_prescription=self.value() == "yes")
        return queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs attention"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            ids = [item.patient.pk for item in attention.queue_for(request.user)]
            return queryset.filter(pk__in=ids)
        return queryset


class FunctionActivityInline(LabelledInlineFields, admin.TabularInline):
    """Everyday activities the patient rates 0-10 (Patient-Specific Functional Scale format)."""

    model = FunctionActivity
    fields = ("name", "order", "is_active")
    extra = 0
    max_num = 5
    verbose_name = _("everyday activity")  # "Add another everyday activity"
    verbose_name_plural = _("Everyday activities the patient rates (up to 5)")


class PrescriptionInline(ScheduleColumns, admin.TabularInline):
    """The patient's prescriptions, read-only here; open one to change it."""

    model = Prescription
    fields = ("name", "status", "dates", "days", "sessions_per_day", "change_link", "pause_link")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("Prescriptions")

    @admin.display(description=_("Exercises and doses"))
    def change_link(self, prescription):
        url = reverse("admin:patients_patient_prescribe", args=[prescription.patient_id])
        return format_html('<a href="{}?prescription={}">{}</a>', url, prescription.pk, _("Change"))

    @admin.display(description=_("Pause"))
    def pause_link(self, prescription):
        if prescription.status != Prescription.Status.ACTIVE:
            return "—"
        running = schedule.pause_on(prescription, prescription.patient.today())
        label = (
            gettext("Paused until %(day)s — resume") % {"day": running["until"]}
            if running and running["until"]
            else _("Paused — resume")
            if running
            else _("Pause")
        )
        url = reverse("admin:patients_patient_pause", args=[prescription.patient_id])
        return format_html('<a href="{}?prescription={}">{}</a>', url, prescription.pk, label)


@admin.register(Patient)
class PatientAdmin(ClinicianScopedAdmin):
    form = PatientForm
    list_display = (
        "full_name",
        "prescribe_link",
        "week_adherence",
        "month_adherence",
        "last_session_day",
        "pain",
        "active_plan",
        "account",
    )
    list_display_links = ("full_name",)
    list_filter = (NeedsAttentionFilter, "is_active", HasActivePrescriptionFilter)
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("clinician",)
    list_per_page = 50
    inlines = (PrescriptionInline, FunctionActivityInline)
    readonly_fields = ("account", "reminders")
    change_form_template = "admin/patients/patient/change_form.html"
    fieldsets = (
        (None, {"fields": (("first_name", "last_name"), "email", "phone", "date_of_birth")}),
        (
            _("Care"),
            {
                "fields": (
                    "clinician",
                    "language",
                    "timezone",
                    "notes",
                    "precaution_tags",
                    "checkin_interval_days",
                    "is_active",
                )
            },
        ),
        (_("Account"), {"fields": ("account", "reminders")}),
    )

    actions = ("assign_program", "deactivate", "export_adherence_csv")

    class Media:
        css = {"all": ("css/admin.css",)}

    def get_queryset(self, request):
        return adherence.with_adherence(
            super().get_queryset(request).with_active_prescription_flag()
        )

    def get_list_display(self, request):
        if request.user.is_superuser:
            return (*self.list_display[:1], "clinician", *self.list_display[1:])
        return self.list_display

    @admin.display(description=_("7 days"), ordering="adherence_7")
    def week_adherence(self, patient):
        return adherence_bar(patient.adherence_7)

    @admin.display(description=_("28 days"), ordering="adherence_28")
    def month_adherence(self, patient):
        return adherence_bar(patient.adherence_28)

    @admin.display(description=_("Last session"), ordering="last_session")
    def last_session_day(self, patient):
        return patient.last_session or "—"

    @admin.display(description=_("Latest pain"), ordering="latest_pain")
    def pain(self, patient):
        if patient.latest_pain is None:
            return "—"
        direction = adherence.pain_direction(patient.pain_this_week, patient.pain_last_week)
        arrow = {
            "up": gettext("↑ rising"),
            "down": gettext("↓ easing"),
            "steady": gettext("→ steady"),
        }.get(direction, "")
        return format_html(
            '{}/10 <span class="pain-{}">{}</span>', patient.latest_pain, direction, arrow
        )

    @admin.action(
        description=_("Export adherence of the selected patients (CSV)"), permissions=["view"]
    )
    def export_adherence_csv(self, request, queryset):
        record_views(request, queryset, "adherence CSV")
        return exports.adherence_csv(queryset)

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return (*self.list_filter, "clinician")
        return self.list_filter

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A clinician's new patients are theirs; they never pick another clinician.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "clinician"]})
            for name, options in fieldsets
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clinician":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "precaution_tags":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "timezone":
            kwargs["widget"] = forms.Select(choices=timezone_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.clinician = request.user
        super().save_model(request, obj, form, change)  # PatientForm lower-cases the email
        if change and "is_active" in form.changed_data:
            services.patient_active_set(patient=obj, active=obj.is_active)

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, patient):
        return patient.full_name

    @admin.display(description=_("Plan"))
    def prescribe_link(self, patient):
        if not patient.is_active:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:patients_patient_prescribe", args=[patient.pk]),
            _("Prescribe"),
        )

    def response_add(self, request, obj, post_url_continue=None):
        # "Save and prescribe": straight from a new patient to their plan.
        if "_prescribe" in request.POST:
            self.message_user(request, gettext("%(name)s was added.") % {"name": obj.full_name})
            return redirect("admin:patients_patient_prescribe", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("Active plan"), boolean=True, ordering="has_active_prescription")
    def active_plan(self, patient):
        return patient.has_active_prescription

    @admin.display(description=_("Reminder emails"))
    def reminders(self, patient):
        """Patients choose this themselves; staff see it, and cannot change it."""
        if not patient.reminders_enabled:
            return gettext("Off (the patient turned them off)")
        days = (
            weekdays.describe_days(patient.reminder_weekdays)
            if patient.reminder_weekdays
            else gettext("the days exercises are due")
        )
        return gettext("On, at %(time)s (%(timezone)s), %(days)s") % {
            "time": f"{patient.reminder_time:%H:%M}",
            "timezone": patient.timezone,
            "days": days,
        }

    @admin.display(description=_("Sign-in account"))
    def account(self, patient):
        if patient.user_id:
            return gettext("Account set up")
        if patient.invitation_pending:
            return gettext("Invitation sent, not yet accepted")
        return gettext("No account yet") if patient.email else gettext("No email: paper-only")

    @admin.action(
        description=_("Assign a program to the selected patients"), permissions=["change"]
    )
    def assign_program(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:patients_patient_assign_many')}?ids={ids}")

    @admin.action(description=_("Deactivate the selected patients"), permissions=["change"])
    def deactivate(self, request, queryset):
        patients = list(queryset.filter(is_active=True))
        for patient in patients:
            services.patient_active_set(patient=patient, active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)s patient deactivated and signed out; their history is kept.",
                "%(count)s patients deactivated and signed out; their history is kept.",
                len(patients),
            )
            % {"count": len(patients)},
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The thread with the patient, below the form (its forms cannot nest in the page's).
        # Shown, not opened: the thread page marks the patient's messages seen.
        if obj is not None and obj.pk:
            context["messages_panel"] = thread_panel(request, obj, size=PANEL_SIZE)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request, object_id, extra_context=None):
        patient = self.get_visible_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "history": services.patient_history_counts(patient),
        }
        return super().delete_view(request, object_id, extra_context)

    # --- The clinician's own pages about a patient (patients/views/staff.py) ------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("assign/", view(staff.assign), name="patients_patient_assign_many"),
            path("messages/", view(staff_messages.inbox_view), name="patients_messages_inbox"),
            path("<path:object_id>/assign/", view(staff.assign), name="patients_patient_assign"),
            path("<path:object_id>/invite/", view(staff.invite), name="patients_patient_invite"),
            path(
                "<path:object_id>/prescribe/",
                view(prescribe.prescribe),
                name="patients_patient_prescribe",
            ),
            path(
                "<path:object_id>/prescribe/library/",
                view(prescribe.library),
                name="patients_patient_prescribe_library",
            ),
            path(
                "<path:object_id>/prescribe/favourite/",
                view(prescribe.favourite),
                name="patients_patient_prescribe_favourite",
            ),
            path("<path:object_id>/pause/", view(pauses.pause), name="patients_patient_pause"),
            path("<path:object_id>/resume/", view(pauses.resume), name="patients_patient_resume"),
            path(
                "<path:object_id>/prescribed/",
                view(prescribe.prescribed),
                name="patients_patient_prescribed",
            ),
            path(
                "<path:object_id>/invitation/",
                view(staff.invitation),
                name="patients_patient_invitation",
            ),
            path("<path:object_id>/print/", view(staff.handout), name="patients_patient_print"),
            path(
                "<path:object_id>/progress/",
                view(staff.progress_page),
                name="patients_patient_progress",
            ),
            path(
                "<path:object_id>/suggestion/",
                view(staff.suggestion_decision),
                name="patients_patient_suggestion",
            ),
            path(
                "<path:object_id>/suggestions/",
                view(staff.suggestions_all),
                name="patients_patient_suggestions_all",
            ),
            path("<path:object_id>/review/", view(staff.review), name="patients_patient_review"),
            path(
                "<path:object_id>/videos/<int:prescribed_id>/",
                view(videos.prescribed_video),
                name="patients_patient_video",
            ),
            path(
                "<path:object_id>/export/",
                view(staff.sessions_csv),
                name="patients_patient_export",
            ),
            path(
                "<path:object_id>/messages/",
                view(staff_messages.thread),
                name="patients_patient_messages",
            ),
            path(
                "<path:object_id>/messages/send/",
                view(staff_messages.send),
                name="patients_patient_message_send",
            ),
            path(
                "<path:object_id>/messages/handled/",
                view(staff_messages.mark_handled),
                name="patients_patient_messages_handled",
            ),
            path(
                "<path:object_id>/messages/hide/",
                view(staff_messages.hide),
                name="patients_patient_message_hide",
            ),
            *super().get_urls(),
        ]
