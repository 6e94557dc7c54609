import logging

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

security_log = logging.getLogger("clinic.security")


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Accounts and roles"
    default = True

    def ready(self):
        from axes.signals import user_locked_out  # axes needs the app registry ready

        from clinic import log_redaction

        user_locked_out.connect(log_lockout, dispatch_uid="homeplan-lockout-log")
        # No sign-in, invitation, unsubscribe, calendar or reset token in any log.
        log_redaction.install()
        # After every migrate (and every test flush), the role groups match clinic/roles.py.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="homeplan-role-groups")


class HomeplanAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site class (see clinic/admin_site.py)."""

    default = False
    default_site = "clinic.admin_site.HomeplanAdminSite"


def log_lockout(sender, request, username, ip_address, **kwargs):
    """A lockout in the log by user id only: usernames of patients are email addresses.
    ``username`` is what clinic.lockout.account_key made of the name typed."""
    from clinic.lockout import user_id_from_key

    security_log.warning(
        "login lockout: user %s after repeated failures", user_id_from_key(username) or "unknown"
    )


def sync_role_groups(sender, using="default", plan=None, **kwargs):
    """Make the role groups match ``clinic.roles.ROLE_PERMISSIONS``.

    Skipped on a migrate backwards (``plan`` going down): the tables may be gone.
    """
    from clinic import roles

    if plan and all(backwards for _, backwards in plan):
        return
    roles.role_groups_sync(using=using)
