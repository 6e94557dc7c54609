"""The shipped languages: what a patient may choose and which way each one reads.

Settings name them (``LANGUAGES``); the catalogues under ``locale/`` translate them. A model
field takes its choices and default from here by reference, so adding a language changes
no migration.
"""

from django.conf import settings


def language_choices():
    return settings.LANGUAGES


def default_language():
    return settings.LANGUAGE_CODE


def shipped(code):
    """Whether ``code`` is one of the shipped languages (an old choice may have been removed)."""
    return code in dict(settings.LANGUAGES)


def usable(code):
    """``code`` if it is a shipped language, else the default: what an email or a feed made
    outside the person's own request is written in (an old choice may have been removed)."""
    return code if shipped(code) else default_language()
