"""A clinician's saved quick replies: each sees, adds and changes only their own (a
superuser too: they are a person's words, not the clinic's). Rights follow the right to see
patients, so no new permission is needed."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patients.models import QuickReply


@admin.register(QuickReply)
class QuickReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "text_start")
    fields = ("title", "text")
    search_fields = ("title", "text")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(clinician=request.user)

    def _allowed(self, request, obj=None) -> bool:
        if not request.user.has_perm("patients.view_patient"):
            return False
        return obj is None or obj.clinician_id == request.user.pk

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.clinician = request.user
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # The title is unique per clinician: checked here, as the clinician is not a field.
        clinician = request.user

        class OwnTitleForm(form):
            def clean_title(self):
                title = self.cleaned_data["title"]
                taken = QuickReply.objects.filter(clinician=clinician, title=title)
                if self.instance.pk:
                    taken = taken.exclude(pk=self.instance.pk)
                if taken.exists():
                    raise ValidationError(_("You already have a quick reply with this title."))
                return title

        return OwnTitleForm

    @admin.display(description=_("Text"))
    def text_start(self, quick_reply):
        text = quick_reply.text
        return text if len(text) <= 80 else text[:79] + "…"
