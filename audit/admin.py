from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit import registry
from audit.models import AuditEvent

# Pages whose views the admin and patients/views/staff.py record (record_view), then the
# audited models.
VIEWED_PAGES = (
    "patient list",
    "prescription list",
    "sessionlog list",
    "needs-attention queue",
    "patient autocomplete",
    "patient page",
    "patient history",
    "progress page",
    "handout",
    "sessions CSV",
    "adherence CSV",
    "invitation page",
    "prescription page",
    "prescription history",
    "sessionlog page",
    "sessionlog history",
)


def known_targets() -> tuple[str, ...]:
    """What the trail's "what" filter offers. Read when asked: the apps register their
    models (``audit.registry``) after this module is imported."""
    return (*VIEWED_PAGES, *(model._meta.label_lower for model in registry.audited_models()))


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


def as_id(value: str) -> int | None:
    """A database id from a filter's query value; None for anything else (a 10,000-digit
    number too: Python refuses to convert it, and no id is that long)."""
    return int(value) if value.isdigit() and len(value) <= 18 else None


class PatientIdFilter(admin.SimpleListFilter):
    """Filter by patient id: a list of thousands of names would not fit in the sidebar, so
    the patient's change page links here with ``?patient=<id>``."""

    title = _("patient")
    parameter_name = "patient"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, gettext("Patient #%(id)s") % {"id": value})] if value else []

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        patient_id = as_id(value)
        return queryset.none() if patient_id is None else queryset.filter(patient_id=patient_id)


class ListedPatientFilter(admin.SimpleListFilter):
    """Lists that showed a patient (the patient list, the queue, autocomplete...), from the
    ids each list event keeps. Its own filter, not part of the patient filter above: it
    reads every list event's ids, where that one follows an index (1M events on SQLite:
    bench/README.md), so the trail's usual pages stay quick."""

    title = _("shown in a list")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, gettext("Patient #%(id)s") % {"id": value})] if value else []

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        patient_id = as_id(value)
        if patient_id is None:
            return queryset.none()
        return queryset.filter(patient_ids__contains=f",{patient_id},")


class StaffFilter(admin.SimpleListFilter):
    """Filter by member of staff. Django's related-only filter would first scan the whole
    trail for its distinct actors, and the trail is the fastest-growing table there is."""

    title = _("user")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(user.pk), user.get_username()) for user in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        actor_id = as_id(value)
        return queryset.none() if actor_id is None else queryset.filter(actor_id=actor_id)


class TargetFilter(admin.SimpleListFilter):
    """What was seen or changed, from a fixed list rather than a scan of every event."""

    title = _("what")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [(target, target) for target in known_targets()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(target=value)


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
    # No filter here scans the trail for its choices, and no date hierarchy (it would read
    # every event's date): the page stays quick with millions of events.
    list_filter = (PatientIdFilter, ListedPatientFilter, StaffFilter, "action", TargetFilter, "at")
    search_fields = ("actor_username", "path")
    list_per_page = 100
    # Counting every event for the paginator gets slow as the trail grows; estimate instead.
    show_full_result_count = False

    @admin.display(description=_("who"), ordering="actor_username")
    def who(self, event):
        if event.actor_username:
            return event.actor_username
        if event.actor_id:
            return gettext("patient user #%(id)s") % {"id": event.actor_id}
        return gettext("system")

    @admin.display(description=_("patient"))
    def patient_link(self, event):
        changelist = reverse("admin:audit_auditevent_changelist")
        if event.patient_ids:
            shown = event.shown_ids
            links = format_html_join(
                ", ", '<a href="{}?listed={}">#{}</a>', ((changelist, pk, pk) for pk in shown[:10])
            )
            more = (
                gettext(", … (%(count)s in all)") % {"count": len(shown)} if len(shown) > 10 else ""
            )
            return format_html("{}{}", links, more)
        if event.patient_id is None:
            return "—"
        url = changelist + f"?patient={event.patient_id}"
        return format_html('<a href="{}">#{}</a>', url, event.patient_id)
