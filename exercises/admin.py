from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clinic import roles
from exercises import services, tracking, translation_views
from exercises.dosage import dose_mentioned
from exercises.forms import DosageItemForm, ExerciseAdminForm
from exercises.models import (
    EducationPage,
    EducationPageVersion,
    Exercise,
    PrecautionTag,
    Program,
    ProgramItem,
    SafetyAdvice,
)

# Autocomplete requests coming from these inlines only offer published exercises.
PRESCRIBING_MODELS = {"programitem", "prescribedexercise"}


def minutes_html(seconds: int):
    """ "about N minutes" (one minute at least), in a span that js/admin-items.js updates
    live (with the same words from the JavaScript catalogue)."""
    minutes = max(1, round(seconds / 60))
    return format_html(
        "<span data-total-minutes>{}</span>",
        ngettext("about %(count)s minute", "about %(count)s minutes", minutes) % {"count": minutes},
    )


def size_warning(request, items) -> None:
    """Gently warn (never block) when a session holds more exercises than patients keep up."""
    items = list(items)
    if len(items) > settings.PROGRAM_SIZE_WARNING:
        minutes = max(1, round(sum(item.estimated_seconds() for item in items) / 60))
        messages.warning(
            request,
            gettext(
                "This plan has %(count)s exercises a session (%(minutes)s). Patients given "
                "fewer exercises, around 2 to 4, tend to do them more faithfully; consider "
                "keeping the most important ones."
            )
            % {
                "count": len(items),
                "minutes": ngettext("about %(count)s minute", "about %(count)s minutes", minutes)
                % {"count": minutes},
            },
        )


def _picture(file, *, width: int, alt: str):
    if not file:
        return "—"
    return format_html(
        '<img src="{}" width="{}" alt="{}" class="exercise-picture" loading="lazy">',
        file.url,
        width,
        alt,
    )


class LabelledInlineFields:
    """Tabular inlines show each field's name once, as a column heading, so screen readers
    met unnamed inputs and selects (axe-core: 20 and 45 critical on the patient and
    prescription pages). Each field of each row gets an accessible name: "Sets, row 2"."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                for field in form.fields.values():
                    if field.label and not field.widget.is_hidden:
                        field.widget.attrs["aria-label"] = gettext("%(label)s, row %(row)s") % {
                            "label": field.label,
                            "row": i + 1,
                        }
                return form

            @property
            def empty_form(self):
                form = super().empty_form
                for field in form.fields.values():
                    if field.label and not field.widget.is_hidden:
                        field.widget.attrs["aria-label"] = str(field.label)
                return form

        return Labelled


class PrecautionTagFilter(admin.RelatedFieldListFilter):
    """The tags, with "no precaution tags" in words where Django shows a bare "-"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = gettext("No precaution tags")


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("homeplan", _("Shipped with Homeplan")), ("clinic", _("The clinic's own"))]

    def queryset(self, request, queryset):
        if self.value() == "homeplan":
            return queryset.shipped()
        if self.value() == "clinic":
            return queryset.filter(library_key=None)
        return queryset


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseAdminForm
    list_display = (
        "thumbnail",
        "name",
        "body_region",
        "category",
        "difficulty",
        "status",
        "origin",
    )
    # The name is the link; the picture beside it is decorative (alt=""), and a link
    # holding only it had no name (axe-core: 27 such links on the list).
    list_display_links = ("name",)
    list_filter = (
        "status",
        "body_region",
        "category",
        "difficulty",
        "equipment",
        "position",
        ("precaution_tags", PrecautionTagFilter),
        SourceFilter,
    )
    search_fields = ("name", "summary", "instructions")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("precaution_tags",)
    autocomplete_fields = ("easier", "harder")
    actions = ("publish", "archive")
    list_per_page = 50
    readonly_fields = (
        "start_preview",
        "end_preview",
        "video_preview",
        "animation_preview",
        "shipped_as",
        "edited_here",
        "created_at",
        "updated_at",
        "camera_cues",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "summary", "status")}),
        (
            _("Classification"),
            {"fields": (("body_region", "category"), ("difficulty", "equipment"), "position")},
        ),
        (_("How to do it"), {"fields": ("instructions", "cues", "precautions", "video_url")}),
        (
            _("Safety and variants"),
            {
                "description": _(
                    "Patients with a matching precaution tag get a warning when this exercise "
                    "is prescribed. Variants are offered by progression suggestions."
                ),
                "fields": ("precaution_tags", ("easier", "harder")),
            },
        ),
        (
            _("Default dosage"),
            {
                "description": _(
                    "Copied into programs and prescriptions, where it can be changed."
                ),
                "fields": (
                    ("default_sets", "default_reps", "default_hold_seconds"),
                    ("default_side", "default_rest_seconds"),
                ),
            },
        ),
        (
            _("Pictures"),
            {
                "fields": (
                    "start_preview",
                    "start_image_upload",
                    "remove_start_image",
                    "end_preview",
                    "end_image_upload",
                    "remove_end_image",
                    "animation_preview",
                )
            },
        ),
        (
            _("Video"),
            {
                "description": _(
                    "A short demonstration video, shown to every patient who has this exercise "
                    "(public, like the pictures). Phones download it only when it is played."
                ),
                "fields": ("video_preview", "video_upload", "remove_video"),
            },
        ),
        (
            _("Camera coach"),
            {
                "description": _(
                    "How the phone's camera counts repetitions and times holds in guided mode. "
                    "Leave it empty ({}) and the exercise offers no camera."
                ),
                "fields": ("tracking", "camera_cues"),
            },
        ),
        (
            _("Origin"),
            {
                "classes": ("collapse",),
                "fields": ("shipped_as", "edited_here", "created_at", "updated_at"),
            },
        ),
    )
    formfield_overrides = {
        models.TextField: {"widget": admin.widgets.AdminTextareaWidget(attrs={"rows": 6})},
        models.URLField: {"assume_scheme": "https"},
    }

    @admin.display(description=_("Picture"))
    def thumbnail(self, exercise):
        return _picture(exercise.image_thumbnail, width=80, alt="")

    @admin.display(description=_("Source"), ordering="library_key")
    def origin(self, exercise):
        if not exercise.is_shipped:
            return gettext("Clinic")
        return gettext("Homeplan (edited here)") if exercise.edited_locally else "Homeplan"

    @admin.display(description=_("Shipped with Homeplan as"))
    def shipped_as(self, exercise):
        return exercise.library_key or gettext("Not shipped: the clinic's own exercise")

    @admin.display(description=_("Cues a rule may use"))
    def camera_cues(self, exercise):
        """The cue names editors can put in a rule, each with what the patient hears."""
        return render_to_string(
            "admin/exercises/camera_cues.html", {"cues": tracking.CUES, "rule": exercise.tracking}
        )

    @admin.display(description=_("Changed here"))
    def edited_here(self, exercise):
        if not exercise.is_shipped:
            return "—"
        if exercise.edited_locally:
            return gettext("Yes: library updates leave this exercise as it is")
        return gettext("No: library updates keep it up to date")

    @admin.display(description=_("Start image"))
    def start_preview(self, exercise):
        alt = gettext("%(name)s: start position") % {"name": exercise.name}
        return _picture(exercise.image_medium, width=360, alt=alt)

    @admin.display(description=_("End image"))
    def end_preview(self, exercise):
        alt = gettext("%(name)s: end position") % {"name": exercise.name}
        return _picture(exercise.end_image_medium, width=360, alt=alt)

    @admin.display(description=_("Current video"))
    def video_preview(self, exercise):
        return render_to_string(
            "exercises/video_status.html",
            {
                "row": exercise,
                "src": exercise.video.url if exercise.video_ready else "",
                "poster": exercise.video_poster.url if exercise.video_ready else "",
                "name": exercise.name,
            },
        )

    @admin.display(description=_("Animation"))
    def animation_preview(self, exercise):
        if not exercise.animation:
            return gettext("None: the clinic's own exercises show their pictures only.")
        # As patients see it: still pictures for whoever asked their device for less motion.
        return format_html(
            '<picture><source media="(prefers-reduced-motion: no-preference)" srcset="{}">'
            '<img src="{}" width="360" alt="{}" class="exercise-picture" loading="lazy">'
            "</picture>",
            exercise.animation.url,
            exercise.image_medium.url if exercise.image_medium else exercise.animation.url,
            gettext("%(name)s: the movement") % {"name": exercise.name},
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") in PRESCRIBING_MODELS:
            queryset = queryset.published()
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.is_shipped:
            # The slug is the shipped exercise's stable address; renaming keeps it.
            return (*fields, "slug")
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.is_shipped:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        numbers = dose_mentioned(obj.instructions)
        if numbers:
            # A gentle warning, not a refusal: the editor may mean it.
            messages.warning(
                request,
                gettext(
                    "The steps mention %(numbers)s. Each patient's dose line already says how "
                    "many and how long, and a clinician may change it: steps that describe "
                    "the movement only never contradict it."
                )
                % {"numbers": ", ".join(f"“{number}”" for number in numbers)},
            )
        services.exercise_save(
            exercise=obj,
            start_image=data.get("start_image_upload"),
            end_image=data.get("end_image_upload"),
            remove_start_image=data.get("remove_start_image", False),
            remove_end_image=data.get("remove_end_image", False),
            video=data.get("video_upload"),
            remove_video=data.get("remove_video", False),
            edited_by_editor=change,
        )

    def delete_model(self, request, obj):
        services.exercise_delete(exercise=obj)

    def delete_queryset(self, request, queryset):
        for exercise in queryset:
            services.exercise_delete(exercise=exercise)

    @admin.action(description=_("Publish the selected exercises"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.exercise_set_status(exercises=queryset, status=Exercise.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("%(count)s exercise published.", "%(count)s exercises published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Archive the selected exercises"), permissions=["change"])
    def archive(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        count = services.exercise_set_status(exercises=queryset, status=Exercise.Status.ARCHIVED)
        self.message_user(
            request,
            ngettext(
                "%(count)s exercise archived: hidden from new programs, kept in existing plans.",
                "%(count)s exercises archived: hidden from new programs, kept in existing plans.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        _templates_using(request, ids)

    def get_urls(self):
        site = self.admin_site
        return [
            # Before the object URLs: "translations" would read as an exercise's id.
            path(
                "translations/",
                site.admin_view(lambda request: translation_views.overview(request, site)),
                name="exercises_translations",
            ),
            path(
                "translations/<slug:kind>/<int:item_id>/<str:language>/",
                site.admin_view(
                    lambda request, **kwargs: translation_views.edit(request, site, **kwargs)
                ),
                name="exercises_translation_edit",
            ),
            path(
                "<path:object_id>/archive/",
                self.admin_site.admin_view(self.archive_view),
                name="exercises_exercise_archive",
            ),
            *super().get_urls(),
        ]

    def archive_view(self, request, object_id):
        """The "archive instead" button of the delete page for an exercise in use."""
        # get_object answers None for an id that is not a number; a bare pk lookup raised.
        exercise = self.get_object(request, unquote(object_id))
        if exercise is None:
            raise Http404("No such exercise.")
        if request.method != "POST" or not self.has_change_permission(request, exercise):
            return redirect(reverse("admin:exercises_exercise_change", args=[exercise.pk]))
        services.exercise_set_status(
            exercises=Exercise.objects.filter(pk=exercise.pk), status=Exercise.Status.ARCHIVED
        )
        self.message_user(
            request,
            gettext("“%(name)s” is archived: hidden from new programs, kept in existing plans.")
            % {"name": exercise},
            messages.SUCCESS,
        )
        _templates_using(request, [exercise.pk])
        return redirect(reverse("admin:exercises_exercise_changelist"))


def _templates_using(request, exercise_ids) -> None:
    """Tell the editor which templates hold the exercises just archived, and what happens."""
    names = list(
        Program.objects.filter(items__exercise__in=exercise_ids)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )
    if names:
        messages.warning(
            request,
            gettext(
                "Templates that use it: %(names)s. Clinicians assigning them are offered its "
                "easier or harder variant instead, or to leave it out; link a variant on the "
                "exercise, or replace it in these templates."
            )
            % {"names": ", ".join(f"“{name}”" for name in names)},
        )


def may_edit_program(user, program) -> bool:
    """Editors and superusers edit every template; clinicians only their own."""
    if program is None or roles.is_content_editor(user):
        return True
    return program.owner_id == user.pk


class ProgramItemInline(LabelledInlineFields, admin.TabularInline):
    model = ProgramItem
    form = DosageItemForm
    fields = ("order", "exercise", "sets", "reps", "hold_seconds", "side", "rest_seconds", "notes")
    autocomplete_fields = ("exercise",)
    extra = 1
    classes = ("ordered-items",)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and may_edit_program(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit_program(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit_program(request.user, obj)


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("clinic", _("Clinic-wide")), ("mine", _("Mine"))]

    def queryset(self, request, queryset):
        if self.value() == "clinic":
            return queryset.filter(owner=None)
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        return queryset


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Program templates. Clinicians use clinic-wide templates and edit their own; only
    content editors and superusers edit clinic-wide ones."""

    list_display = ("name", "owner_name", "exercise_count", "session_time", "archived_note")
    list_filter = (OwnerFilter,)
    search_fields = ("name", "description")
    inlines = (ProgramItemInline,)
    actions = ("duplicate",)
    readonly_fields = ("archived_note", "session_time")
    fields = ("archived_note", "name", "description", "owner", "session_time")

    class Media:
        js = ("js/admin-items.js",)
        css = {"all": ("css/admin.css",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .usable_by(request.user)
            .select_related("owner")
            .prefetch_related("items__exercise")
        )

    def get_fields(self, request, obj=None):
        fields = self.fields if obj is not None else self.fields[1:]
        if roles.is_content_editor(request.user):
            return fields
        return [name for name in fields if name != "owner"]

    @admin.display(description=_("Archived exercises"))
    def archived_note(self, program):
        """Templates holding an exercise that left the library: assigning them asks for a
        stand-in (its variant) or to leave it out, so clinicians see it before they do."""
        names = [item.exercise.name for item in program.items.all() if item.is_archived]
        if not names:
            return gettext("None") if program.pk else "—"
        return format_html(
            '<span class="archived-flag">⚠ {}</span>',
            gettext("No longer in the library: %(names)s") % {"names": ", ".join(names)},
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, groups__name=roles.CLINICIANS
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit_program(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit_program(request.user, obj)

    def save_model(self, request, obj, form, change):
        if not change and not roles.is_content_editor(request.user):
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        size_warning(request, form.instance.items.all())

    @admin.display(description=_("Owner"), ordering="owner__username")
    def owner_name(self, program):
        return (
            program.owner.get_full_name() or program.owner.username
            if program.owner
            else gettext("Clinic-wide")
        )

    @admin.display(description=_("Exercises"))
    def exercise_count(self, program):
        return len(program.items.all())

    @admin.display(description=_("One session takes"))
    def session_time(self, program):
        return minutes_html(sum(item.estimated_seconds() for item in program.items.all()))

    @admin.action(description=_("Duplicate the selected templates"), permissions=["add"])
    def duplicate(self, request, queryset):
        owner = None if roles.is_content_editor(request.user) else request.user
        copies = [services.program_duplicate(program=p, owner=owner) for p in queryset]
        self.message_user(
            request,
            gettext("Created %(names)s.")
            % {"names": ", ".join(f"“{copy.name}”" for copy in copies)},
            messages.SUCCESS,
        )


class PrecautionTagForm(forms.ModelForm):
    class Meta:
        model = PrecautionTag
        fields = ("name", "slug", "description")
        labels = {"slug": _("Short code")}
        help_texts = {
            "slug": _("Lower-case letters, numbers and hyphens; used in the library file.")
        }


@admin.register(PrecautionTag)
class PrecautionTagAdmin(admin.ModelAdmin):
    form = PrecautionTagForm
    list_display = ("name", "short_code", "description")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description=_("Short code"), ordering="slug")
    def short_code(self, tag):
        return tag.slug


@admin.register(SafetyAdvice)
class SafetyAdviceAdmin(admin.ModelAdmin):
    """ "When to stop and get help". Append-only: a change is a new version, pre-filled from
    the newest, so patients always see one version and the history stays."""

    list_display = ("__str__", "changed_by", "changed_at")
    readonly_fields = ("changed_by", "changed_at")

    def get_changeform_initial_data(self, request):
        latest = SafetyAdvice.objects.first()
        if latest is None:
            return super().get_changeform_initial_data(request)
        return {
            "emergency_signs": latest.emergency_signs,
            "doctor_soon_signs": latest.doctor_soon_signs,
            "stop_rules": latest.stop_rules,
            "reassurance": latest.reassurance,
        }

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        # The translations come along: a text whose English changed is not shown in another
        # language until it is translated again (each keeps the checksum of its English).
        latest = SafetyAdvice.objects.first()
        if latest is not None and not obj.pk:
            obj.translations = latest.translations
        super().save_model(request, obj, form, change)


class EducationPageForm(forms.ModelForm):
    """A page's title and summary, and its text: a changed text is saved as a new version
    (``services.education_page_save``), so earlier versions stay as they were shown."""

    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90}),
        help_text=EducationPageVersion._meta.get_field("body").help_text,
    )
    published = forms.BooleanField(
        label=_("Publish this text"),
        required=False,
        initial=True,
        help_text=_("Patients see the newest published text. Untick to save a draft."),
    )

    class Meta:
        model = EducationPage
        fields = ("title", "slug", "summary", "order", "precaution_tags", "archived")
        labels = {"slug": _("Address")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        newest = self.instance.versions.first() if self.instance.pk else None
        if newest is not None and "body" in self.fields:
            self.fields["body"].initial = newest.body
            self.fields["published"].initial = newest.published
        if self.instance.pk and self.instance.library_key and "slug" in self.fields:
            # Prescriptions and saved copies on phones use the address: it stays.
            self.fields["slug"].disabled = True


class EducationPageVersionInline(admin.TabularInline):
    """Every version, newest first, read-only: the history of what patients were shown."""

    model = EducationPageVersion
    fields = ("changed_at", "changed_by", "published", "words")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Versions (newest first)")

    @admin.display(description=_("Words"))
    def words(self, version):
        return len(version.body.split())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EducationPage)
class EducationPageAdmin(admin.ModelAdmin):
    """Education pages, which clinicians attach to prescriptions. Versioned like the safety
    advice: saving a changed text adds a version, and no version is changed or deleted."""

    form = EducationPageForm
    list_display = ("title", "summary", "archived", "origin", "updated_at")
    list_filter = ("archived", SourceFilter)
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("precaution_tags",)
    inlines = (EducationPageVersionInline,)

    @admin.display(description=_("Source"))
    def origin(self, page):
        if page.library_key is None:
            return gettext("The clinic's own")
        return gettext("Homeplan, changed here") if page.edited_locally else gettext("Homeplan")

    def has_delete_permission(self, request, obj=None):
        # Prescriptions keep the pages they carry: archive a page instead.
        return False

    def save_model(self, request, obj, form, change):
        # The tags are set by the service, after the page has its id.
        form.save_m2m = lambda: None
        services.education_page_save(
            page=obj,
            body=form.cleaned_data["body"],
            published=form.cleaned_data["published"],
            changed_by=request.user,
            tags=form.cleaned_data["precaution_tags"],
        )
