from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from clinic.models import User


class UserForm(UserChangeForm):
    def clean_email(self):
        # One account per address, patients included: an address shared by two accounts
        # signs neither in by email. A patient's address is theirs even before they accept
        # their invitation.
        from patients.models import Patient  # wiring: patients' addresses count too

        email = self.cleaned_data.get("email", "").strip()
        if not email:
            return email
        users = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        invited = Patient.objects.filter(email__iexact=email, user__isnull=True)
        if users.exists() or invited.exists():
            raise forms.ValidationError(
                _(
                    "Another account already uses this email address. Each person needs "
                    "their own address."
                ),
                code="email_in_use",
            )
        return email


@admin.register(User)
class HomeplanUserAdmin(UserAdmin):
    form = UserForm
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (*UserAdmin.fieldsets, ("Email", {"fields": ("weekly_summary",)}))
