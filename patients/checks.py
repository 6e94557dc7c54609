"""System checks for a deployment (``manage.py check --deploy``)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from patients.demo import DEMO_ACCOUNTS


@register(Tags.security, deploy=True)
def demo_accounts_in_production(app_configs, **kwargs):
    """The demo accounts have a password printed in the README: on a real site (DEBUG off)
    anyone could sign in with them."""
    if settings.DEBUG:
        return []
    names = [account.username for account in DEMO_ACCOUNTS]
    try:
        found = sorted(
            get_user_model()
            .objects.filter(username__in=names, is_active=True)
            .values_list("username", flat=True)
        )
    except DatabaseError:
        return []  # no database yet (a check before the first migrate): nothing to find
    if not found:
        return []
    return [
        Warning(
            f"Demo accounts exist on this site: {', '.join(found)}. Their password is public "
            "(README.md).",
            hint="Delete them, or deactivate them, in the admin (Users) before going live.",
            id="homeplan.W001",
        )
    ]
