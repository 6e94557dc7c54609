"""Every URL pattern of the project (from the resolver, the admin's included) and a concrete
path for each, filled with patient B's and clinician B's objects (the ``world`` fixture in
conftest.py): what the access matrix and the hostile-path walk request."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "patient_a", "patient_b", "clinician_a", "clinician_b", "editor", "admin")


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def all_urls():
    return sorted(set(walk(get_resolver().url_patterns)), key=lambda item: item[0] or "")


def fill(route: str, world) -> str:
    """A concrete path for the route, with patient B's and clinician B's objects."""
    objects = {
        "patients/patient": world["patient_b"].pk,
        "patients/prescription": world["prescribed"].prescription.pk,
        "patients/sessionlog": world["log"].pk,
        "patients/quickreply": world["quick_reply"].pk,
        "exercises/exercise": world["exercise"].pk,
        "exercises/program": world["program"].pk,
        "exercises/precautiontag": world["tag"].pk,
        "exercises/safetyadvice": world["advice"].pk,
        "exercises/educationpage": world["reading"].page_id,
        "clinic/user": world["clinician_b"].pk,
        "auth/group": 1,
    }
    path = route
    path = path.replace("^", "").replace("$", "")
    for model, pk in objects.items():
        if model in path:
            path = path.replace("<path:object_id>", str(pk))
    replacements = {
        "<path:object_id>": "999999",
        "<path:content_type_id>": "1",
        "<id>": str(world["clinician_b"].pk),
        "<str:token>": "not-a-real-token",
        "<int:pk>": str(world["prescribed"].pk),
        # The translation of an exercise into Spanish (admin:exercises_translation_edit).
        "<slug:kind>/<int:item_id>/<str:language>": f"exercise/{world['exercise'].pk}/es",
        "<slug:slug>": world["reading"].page.slug,
        "<int:prescribed_id>": str(world["prescribed"].pk),
        "<str:name>": world["prescribed"].video.name.rsplit("/", 1)[-1],
        "<uidb64>": "MQ",
        "<token>": "set-password",
        "(?P<value>\\d{4}-\\d{2}-\\d{2})": "2026-11-20",
        "(?P<number>[1-3])": "1",
        "(?P<url>.*)": "no-such-page/",
        "(?P<path>.*)": "no-such-file.png",
    }
    for placeholder, value in replacements.items():
        path = path.replace(placeholder, value)
    # The admin's app index lists every installed app with models; any of them will do.
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "patients", path)
    return "/" + path
