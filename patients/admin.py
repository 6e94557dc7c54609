"""The clinician's workspace: patients, their prescriptions, assigning and inviting.

Row-level access: ``ClinicianScopedAdmin`` limits every list, form, autocomplete and action
to the clinician's own patients; another clinician's objects are 404 (superusers see all).
"""

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import is_aware
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record_list, record_view, record_views
from clinic.validators import one_line
from exercises.admin import size_warning
from exercises.forms import DosageItemForm
from exercises.models import Program
from patients import (
    adherence,
    attention,
    contraindications,
    exports,
    progress,
    services,
    suggestions,
    weekdays,
)
from patients.forms import AssignProgramForm, timezone_choices
from patients.models import (
    ExerciseCheck,
    FunctionActivity,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
)
from patients.views import handout_context


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
        # Saves are audited as changes (audit.signals); opening the page is a view.
        if request.method == "GET":
            record_view(request, self.patient_of(obj), f"{self.opts.model_name} page")
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_visible_object(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_visible_object(request, object_id)
        record_view(request, self.patient_of(obj), f"{self.opts.model_name} history")
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Patient:
            kwargs["queryset"] = Patient.objects.for_clinician(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HasActivePrescriptionFilter(admin.SimpleListFilter):
    title = "active plan"
    parameter_name = "active_plan"

    def lookups(self, request, model_admin):
        return [("yes", "Has an active plan"), ("no", "No active plan")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_active_prescription=self.value() == "yes")
        return queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            ids = [item.patient.pk for item in attention.queue_for(request.user)]
            return queryset.filter(pk__in=ids)
        return queryset


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


class FunctionActivityInline(admin.TabularInline):
    """Everyday activities the patient rates 0-10 (Patient-Specific Functional Scale format)."""

    model = FunctionActivity
    fields = ("name", "order", "is_active")
    extra = 0
    max_num = 5
    verbose_name_plural = "Function check-in activities (up to 5)"


class PrescriptionInline(admin.TabularInline):
    """The patient's prescriptions, read-only here; open one to change it."""

    model = Prescription
    fields = ("name", "status", "date_range_text", "days_text", "sessions_per_day")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Prescriptions"


class PatientForm(forms.ModelForm):
    def clean_email(self):
        # Stored lower-cased; some letters grow when lower-cased ("İ" becomes two
        # characters), so the length is checked after, not before.
        email = (self.cleaned_data.get("email") or "").strip().lower()
        limit = Patient._meta.get_field("email").max_length
        if len(email) > limit:
            raise ValidationError(
                "This email address is too long (at most %(limit)s characters).",
                code="max_length",
                params={"limit": limit},
            )
        # An address belongs to one account at most, staff included: shared, it would sign
        # nobody in by email (clinic.backends), a member of staff included.
        if email and services.email_in_use(email, except_user_id=self.instance.user_id):
            raise ValidationError(
                _(
                    "Another account already uses this email address. Each person needs "
                    "their own address."
                ),
                code="email_in_use",
            )
        return email


@admin.register(Patient)
class PatientAdmin(ClinicianScopedAdmin):
    form = PatientForm
    list_display = (
        "full_name",
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
            "Care",
            {
                "fields": (
                    "clinician",
                    "timezone",
                    "notes",
                    "precaution_tags",
                    "checkin_interval_days",
                    "is_active",
                )
            },
        ),
        ("Account", {"fields": ("account", "reminders")}),
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

    @admin.display(description="7 days", ordering="adherence_7")
    def week_adherence(self, patient):
        return adherence_bar(patient.adherence_7)

    @admin.display(description="28 days", ordering="adherence_28")
    def month_adherence(self, patient):
        return adherence_bar(patient.adherence_28)

    @admin.display(description="Last session", ordering="last_session")
    def last_session_day(self, patient):
        return patient.last_session or "—"

    @admin.display(description="Latest pain", ordering="latest_pain")
    def pain(self, patient):
        if patient.latest_pain is None:
            return "—"
        direction = adherence.pain_direction(patient.pain_this_week, patient.pain_last_week)
        arrow = {"up": "↑ rising", "down": "↓ easing", "steady": "→ steady"}.get(direction, "")
        return format_html(
            '{}/10 <span class="pain-{}">{}</span>', patient.latest_pain, direction, arrow
        )

    @admin.action(
        description="Export adherence of the selected patients (CSV)", permissions=["view"]
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

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, patient):
        return patient.full_name

    @admin.display(description="Active plan", boolean=True, ordering="has_active_prescription")
    def active_plan(self, patient):
        return patient.has_active_prescription

    @admin.display(description="Reminder emails")
    def reminders(self, patient):
        """Patients choose this themselves; staff see it, and cannot change it."""
        if not patient.reminders_enabled:
            return "Off (the patient turned them off)"
        days = (
            weekdays.describe_days(patient.reminder_weekdays)
            if patient.reminder_weekdays
            else ("the days exercises are due")
        )
        return f"On, at {patient.reminder_time:%H:%M} ({patient.timezone}), {days}"

    @admin.display(description="Sign-in account")
    def account(self, patient):
        if patient.user_id:
            return "Account set up"
        if patient.invitation_pending:
            return "Invitation sent, not yet accepted"
        return "No account yet" if patient.email else "No email: paper-only"

    @admin.action(description="Assign a program to the selected patients", permissions=["change"])
    def assign_program(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:patients_patient_assign_many')}?ids={ids}")

    @admin.action(description="Deactivate the selected patients", permissions=["change"])
    def deactivate(self, request, queryset):
        patients = list(queryset.filter(is_active=True))
        for patient in patients:
            services.patient_active_set(patient=patient, active=False)
        self.message_user(
            request,
            f"{len(patients)} patient(s) deactivated and signed out; their history is kept.",
        )

    def delete_view(self, request, object_id, extra_context=None):
        patient = self.get_visible_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "history": services.patient_history_counts(patient),
        }
        return super().delete_view(request, object_id, extra_context)

    # --- Custom pages: assign a program, invite -------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("assign/", view(self.assign_view), name="patients_patient_assign_many"),
            path(
                "<path:object_id>/assign/", view(self.assign_view), name="patients_patient_assign"
            ),
            path(
                "<path:object_id>/invite/",
                view(require_POST(self.invite_view)),
                name="patients_patient_invite",
            ),
            path(
                "<path:object_id>/invitation/",
                view(self.invitation_view),
                name="patients_patient_invitation",
            ),
            path(
                "<path:object_id>/print/",
                view(self.print_view),
                name="patients_patient_print",
            ),
            path(
                "<path:object_id>/progress/",
                view(self.progress_view),
                name="patients_patient_progress",
            ),
            path(
                "<path:object_id>/suggestion/",
                view(require_POST(self.suggestion_view)),
                name="patients_patient_suggestion",
            ),
            path(
                "<path:object_id>/review/",
                view(require_POST(self.review_view)),
                name="patients_patient_review",
            ),
            path(
                "<path:object_id>/export/",
                view(self.export_view),
                name="patients_patient_export",
            ),
            *super().get_urls(),
        ]

    def _patients_for_assign(self, request, object_id):
        if object_id is not None:
            return [self.get_visible_object(request, object_id)]
        try:
            ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk]
        except ValueError as exc:
            raise Http404("Bad patient list.") from exc
        patients = list(self.get_queryset(request).filter(pk__in=ids))
        if not ids or len(patients) != len(set(ids)):
            raise Http404("No such patients among yours.")
        return patients

    def assign_view(self, request, object_id=None):
        if not self.has_change_permission(request):
            raise PermissionDenied
        patients = self._patients_for_assign(request, object_id)
        programs = Program.objects.usable_by(request.user).annotate(
            item_count=models.Count("items")
        )
        initial = {"start_date": patients[0].today(), "program": request.GET.get("program")}
        form = AssignProgramForm(
            request.POST if request.method == "POST" else None, programs=programs, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    prescriptions = [
                        services.prescription_assign(
                            patient=patient,
                            program=data["program"],
                            start_date=data["start_date"],
                            end_date=data["end_date"],
                            weekdays=data["weekdays"],
                            sessions_per_day=data["sessions_per_day"],
                            message=data["message"],
                            assigned_by=request.user,
                            override_reason=data["override_reason"],
                        )
                        for patient in patients
                    ]
            except contraindications.ContraindicationWarning as warning:
                form.add_error("override_reason", warning)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                size_warning(request, prescriptions[0].exercises.all())
                if len(prescriptions) == 1:
                    self.message_user(
                        request,
                        "Program assigned. Adjust any exercise's dose below, then save.",
                        messages.SUCCESS,
                    )
                    return redirect("admin:patients_prescription_change", prescriptions[0].pk)
                self.message_user(
                    request, f"Program assigned to {len(prescriptions)} patients.", messages.SUCCESS
                )
                return redirect("admin:patients_patient_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Assign a program",
            "patients": patients,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/patients/patient/assign.html", context)

    def invite_view(self, request, object_id):
        patient = self.get_visible_object(request, object_id)
        if not self.has_change_permission(request, patient):
            raise PermissionDenied
        try:
            services.patient_invite(patient=patient, invited_by=request.user, request=request)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:patients_patient_change", patient.pk)
        self.message_user(request, f"Invitation emailed to {patient.email}.", messages.SUCCESS)
        return redirect("admin:patients_patient_invitation", patient.pk)

    def print_view(self, request, object_id):
        """The patient's printable handout, exactly as they see it at /plan/print/."""
        patient = self.get_visible_object(request, object_id)
        record_view(request, patient, "handout", action=AuditEvent.Action.PRINT)
        return TemplateResponse(request, "patients/handout.html", handout_context(patient))

    def progress_view(self, request, object_id):
        """Adherence, pain and notes for one patient, in the admin's look; printable."""
        patient = self.get_visible_object(request, object_id)
        record_view(request, patient, "progress page")
        annotated = adherence.with_adherence(Patient.objects).get(pk=patient.pk)
        suggested = suggestions.candidates_for([annotated]).get(patient.pk, [])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Progress: {patient.full_name}",
            "patient": patient,
            "summary": annotated,
            "pain_direction": adherence.pain_direction(
                annotated.pain_this_week, annotated.pain_last_week
            ),
            **progress.progress(patient, today=patient.today()),
            "suggestions": suggested,
            "decisions": progress.decisions(patient),
        }
        return TemplateResponse(request, "admin/patients/patient/progress.html", context)

    def suggestion_view(self, request, object_id):
        """Accept (changes this one prescribed exercise) or dismiss a suggestion."""
        patient = self.get_visible_object(request, object_id)
        if not self.has_change_permission(request, patient):
            raise PermissionDenied
        prescribed_pk = request.POST.get("prescribed", "")
        if not prescribed_pk.isdigit():
            raise Http404("No such exercise in this patient's plan.")
        prescribed = get_object_or_404(
            PrescribedExercise, pk=prescribed_pk, prescription__patient=patient
        )
        accept = request.POST.get("decision") == "accept"
        try:
            decision = suggestions.suggestion_decide(
                prescribed=prescribed,
                kind=request.POST.get("kind", ""),
                accept=accept,
                decided_by=request.user,
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.WARNING)
        else:
            self.message_user(
                request,
                f"{'Changed' if accept else 'Dismissed'}: {prescribed.exercise.name} — "
                f"{decision.change}.",
                messages.SUCCESS,
            )
        return redirect("admin:patients_patient_progress", patient.pk)

    def review_view(self, request, object_id):
        patient = self.get_visible_object(request, object_id)
        # When the queue was shown: what arrived after it is not covered by this review.
        # (Missing or unreadable, e.g. a form from before this field: now.)
        try:
            seen_at = parse_datetime(request.POST.get("seen_at", ""))
        except ValueError:
            seen_at = None
        attention.attention_review(
            patient=patient,
            reviewed_by=request.user,
            seen_at=seen_at if seen_at and is_aware(seen_at) else None,
        )
        self.message_user(
            request, f"{patient.full_name} marked as reviewed until something new happens."
        )
        return redirect("admin:index")

    def export_view(self, request, object_id):
        """The patient's sessions and check-offs as CSV, for the clinic's records."""
        patient = self.get_visible_object(request, object_id)
        record_view(request, patient, "sessions CSV", action=AuditEvent.Action.EXPORT)
        return exports.patient_logs_csv(patient)

    def invitation_view(self, request, object_id):
        """The pending invitation's link, to copy or to show as a QR code in the room."""
        patient = self.get_visible_object(request, object_id)
        if not patient.invitation_pending:
            self.message_user(request, "There is no pending invitation.", messages.WARNING)
            return redirect("admin:patients_patient_change", patient.pk)
        record_view(request, patient, "invitation page")
        url = services.invitation_url(request, patient)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Invitation for {patient.full_name}",
            "patient": patient,
            "url": url,
            "qr_svg": segno.make(url, error="m").svg_inline(scale=5, title="Invitation link"),
        }
        return TemplateResponse(request, "admin/patients/patient/invitation.html", context)


class PrescribedExerciseForm(DosageItemForm):
    """A patient's exercise. One that matches the patient's precaution tags needs a reason."""

    override_reason = forms.CharField(
        label="Prescribe anyway — reason",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"size": 18}),
        validators=[one_line],
    )

    def clean(self):
        data = super().clean()
        exercise = data.get("exercise")
        prescription = getattr(self.instance, "prescription", None)
        if exercise is None or prescription is None or "exercise" not in self.changed_data:
            return data
        self.contraindications = contraindications.matching(prescription.patient, [exercise])
        if self.contraindications and not data.get("override_reason", "").strip():
            self.add_error(
                "override_reason", contraindications.ContraindicationWarning(self.contraindications)
            )
        return data


class PrescribedExerciseInline(admin.TabularInline):
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
    )
    autocomplete_fields = ("exercise",)
    extra = 0
    classes = ("ordered-items",)


class PrescriptionForm(forms.ModelForm):
    """The prescription's change form, refused when someone saved the prescription since it
    was opened (the version it was loaded at travels in a hidden field)."""

    CONFLICT = (
        "Someone else changed this prescription after you opened it, so your changes were "
        "not saved. Open it again to see their changes, then make yours."
    )

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data
        # The admin's change view runs in one transaction, so the lock taken here holds
        # until this save commits: a second save of the same version waits, then fails.
        current = self.instance.current_version_locked()
        if data.get("loaded_version") != current:
            raise ValidationError(self.CONFLICT, code="conflict")
        self.instance.version = current
        return data


@admin.register(Prescription)
class PrescriptionAdmin(ClinicianScopedAdmin):
    clinician_lookup = "patient__clinician"
    list_display = ("name", "patient", "status", "date_range_text", "days_text", "sessions_per_day")

    def patient_of(self, prescription):
        return prescription.patient

    list_filter = ("status",)
    search_fields = ("name", "patient__first_name", "patient__last_name")
    list_select_related = ("patient",)
    autocomplete_fields = ("patient",)
    inlines = (PrescribedExerciseInline,)
    form = PrescriptionForm
    readonly_fields = ("program", "estimated_session")
    fieldsets = (
        (None, {"fields": ("patient", "name", "program", "status", "loaded_version")}),
        (
            "Schedule",
            {"fields": (("start_date", "end_date"), "weekdays", "sessions_per_day")},
        ),
        ("For the patient", {"fields": ("message", "estimated_session")}),
    )

    class Media:
        js = ("js/admin-items.js",)
        css = {"all": ("css/admin.css",)}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (*self.readonly_fields, "patient")
        return self.readonly_fields

    @admin.display(description="One session takes")
    def estimated_session(self, prescription):
        seconds = sum(item.estimated_seconds() for item in prescription.exercises.all())
        return format_html(
            "<span data-total-minutes>about {} minutes</span>", max(1, round(seconds / 60))
        )

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

    @admin.display(description="Patient", ordering="prescription__patient__last_name")
    def patient(self, log):
        return log.prescription.patient

    @admin.display(description="Done", boolean=True, ordering="completed_at")
    def done(self, log):
        return log.is_done

    @admin.display(description="Skipped", ordering="skipped_count")
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
