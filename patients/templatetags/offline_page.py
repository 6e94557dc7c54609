"""The words ``static/js/offline.js`` shows, translated here: the script has no catalogue of
its own, so the page carries them as JSON (``{% offline_words %}``)."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def offline_words():
    return json_script(
        {
            # An entry kept on the phone, because there was no connection or the server failed.
            "notSent": gettext("Not sent yet — it will be sent automatically."),
            "serverTrouble": gettext("Your clinic's server isn't answering just now."),
            "willSend": gettext("What you saved on this phone will be sent automatically."),
            "savedCopyServer": gettext(
                "The server isn't answering — showing your saved plan from {when}."
            ),
            # A coming day's saved copy, opened offline: what is planned, nothing to log yet.
            "comingDay": gettext(
                "Offline — this day is still to come. Here is what's planned (saved {when})."
            ),
            # A check-off the server stored but could not show (clinic/resilience.py).
            "savedDone": gettext("✓ Done"),
            "savedSkipped": gettext("Skipped"),
            # "Mark as read" kept on the phone until it can be sent.
            "readSaved": gettext("✓ Read (saved on this phone)"),
            # No service worker to keep it (a private window): the patient must try again.
            "notSentTryAgain": gettext(
                "Not sent: the server isn't answering. Please try again in a moment."
            ),
        },
        "offline-words",
    )
