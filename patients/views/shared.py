"""What several patient pages share: reading a day from the URL, the owner header for the
phone's offline copy, and the checks every write's id and time go through."""

import datetime
from functools import wraps

from django.shortcuts import render

from patients import offline
from patients.forms import (
    ClientWriteForm,
)

# The days a plan page can show. Python's calendar runs from year 1 to 9999, and the pages
# step a day, a week or a month either side of the one asked for: at the very edges that
# was an OverflowError (a 500). No plan starts before 1900 or ends after 2999.
FIRST_DAY = datetime.date(1900, 1, 1)


LAST_DAY = datetime.date(2999, 12, 31)


def parse_day(value: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def bad_date(request, value):
    return render(
        request,
        "patients/bad_date.html",
        {"value": value, "first_year": FIRST_DAY.year, "last_year": LAST_DAY.year},
        status=400,
    )


def offline_owner(view):
    """Name the patient whose page this is, for the service worker: it saves a page only
    under its owner and never shows one patient's saved pages to another."""

    @wraps(view)
    def wrapper(request, *args, patient, **kwargs):
        response = view(request, *args, patient=patient, **kwargs)
        response[offline.OWNER_HEADER] = offline.owner_key(patient)
        return response

    return wrapper


def client_write_valid(client: ClientWriteForm, form) -> bool:
    """Whether the entry's UUID and time are valid; if not, say so on ``form``."""
    if client.is_valid():
        return True
    for messages_ in client.errors.values():
        form.add_error(None, messages_)
    return False


def errors_text(form) -> str:
    return " ".join(message for messages_ in form.errors.values() for message in messages_)
