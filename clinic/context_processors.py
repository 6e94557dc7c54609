import re

from django.conf import settings


def tel_href(number: str) -> str:
    """A phone number as a ``tel:`` link's target: a leading + and the digits, nothing else
    ("+44 (0)1632 960001" → "+4401632960001" is what dialers expect from a link)."""
    digits = re.sub(r"\D", "", number)
    if not digits:
        return ""
    return ("+" if number.strip().startswith("+") else "") + digits


def clinic(request):
    """The clinic's name and phone number, for page titles, footers and patient advice."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": tel_href(settings.CLINIC_PHONE),
        "login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
