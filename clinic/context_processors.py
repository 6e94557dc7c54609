from django.conf import settings


def clinic(request):
    """The clinic's name and phone number, for page titles, footers and patient advice."""
    return {"clinic_name": settings.CLINIC_NAME, "clinic_phone": settings.CLINIC_PHONE}
