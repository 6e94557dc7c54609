from django.conf import settings


def clinic(request):
    """The clinic's name and phone number, for page titles, footers and patient advice."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
