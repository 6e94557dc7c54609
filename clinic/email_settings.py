"""A member of staff's own email settings: the Monday summary and the symptom-report emails
on or off, on one small page in the admin's look (linked from the admin's user tools).

Who may change what: each person only their own two settings, so the page needs nothing
but a staff login (an admin still changes anyone's in the user admin). An emergency symptom
report is emailed whatever the setting (patients/services/safety.py); the page says so.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)

FIELDS = ("weekly_summary", "notification_emails")


class EmailSettingsForm(forms.Form):
    label_suffix = ""  # the label follows its box: "Weekly summary", not "Weekly summary:"

    weekly_summary = forms.BooleanField(
        label=_("Weekly summary"),
        required=False,
        help_text=_("On Monday morning: how many of your patients need your attention."),
    )
    notification_emails = forms.BooleanField(
        label=_("Symptom reports"),
        required=False,
        help_text=_(
            "When one of your patients reports worse symptoms. An emergency (signs that need "
            "urgent care) is always emailed to you, even with this turned off."
        ),
    )


def email_settings_set(*, user, weekly_summary: bool, notification_emails: bool) -> list[str]:
    """Store the two settings; return the names of those that changed (none for the same
    form sent twice: a double tap saves nothing the second time)."""
    wanted = {"weekly_summary": weekly_summary, "notification_emails": notification_emails}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, wanted[name])
        user.save(update_fields=changed)
        logger.info("email settings of user %s changed: %s", user.pk, ",".join(changed))
    return changed


@require_http_methods(["GET", "POST"])
def email_settings_view(request):
    """Wrapped by ``admin_site.admin_view`` (staff login, CSRF, never cached)."""
    user = request.user
    if request.method == "POST":
        form = EmailSettingsForm(request.POST)
        if form.is_valid():
            email_settings_set(user=user, **{name: form.cleaned_data[name] for name in FIELDS})
            messages.success(request, gettext("Your email settings are saved."))
            return redirect("admin:email_settings")
    else:
        form = EmailSettingsForm(initial={name: getattr(user, name) for name in FIELDS})
    context = {
        **admin.site.each_context(request),
        "title": gettext("My email settings"),
        "form": form,
        "address": user.email,
    }
    return TemplateResponse(request, "admin/email_settings.html", context)
