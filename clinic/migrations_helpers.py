"""Helpers for the data migrations that maintain the role groups.

Lives outside ``migrations/`` so several migrations can share it; it only ever receives the
historical ``apps`` registry, never today's models, so old migrations keep working.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, group_name: str, permissions: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Give ``group_name`` the ``{app_label: {model: (action, ...)}}`` permissions, creating it."""
    for app_label in permissions:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=group_name)
    for app_label, models in permissions.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            if found.count() != len(codenames):
                raise RuntimeError(f"Missing permissions for {app_label}.{model}: {codenames}")
            group.permissions.add(*found)
