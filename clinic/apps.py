from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Accounts and roles"
    default = True


class HomeplanAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site class (see clinic/admin_site.py)."""

    default = False
    default_site = "clinic.admin_site.HomeplanAdminSite"
