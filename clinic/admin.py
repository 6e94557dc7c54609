from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.models import User


@admin.register(User)
class HomeplanUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (*UserAdmin.fieldsets, ("Email", {"fields": ("weekly_summary",)}))
