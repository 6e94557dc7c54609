from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from clinic import accounts
from clinic.models import User


class UserForm(UserChangeForm):
    def clean_email(self):
        # One account per address, patients included: an address shared by two accounts
        # signs neither in by email. A patient's address is theirs even before they accept
        # their invitation (the patients app registers that with clinic.accounts).
        email = self.cleaned_data.get("email", "").strip()
        if email and accounts.email_taken(email, except_user_id=self.instance.pk):
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"first_name", "last_name"} & set(form.changed_data):
            accounts.staff_renamed.send(sender=type(obj), user=obj)
