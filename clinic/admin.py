from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from clinic import accounts
from clinic.forms import UserForm
from clinic.models import User


@admin.register(User)
class HomeplanUserAdmin(UserAdmin):
    form = UserForm
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Email"), {"fields": ("weekly_summary", "notification_emails")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"first_name", "last_name"} & set(form.changed_data):
            accounts.staff_renamed.send(sender=type(obj), user=obj)
