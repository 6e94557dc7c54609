from django.conf import settings

from clinic import roles


def clinic(request):
    """Clinic name and the signed-in user's role, for the base template's header."""
    user = getattr(request, "user", None)
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "viewer_is_patient": bool(user and roles.is_patient(user)),
    }
