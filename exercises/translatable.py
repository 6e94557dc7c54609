"""Content in the reader's language: exercises, education pages, precaution tags and the
safety advice keep their translations on their own row.

``translations`` is one JSON object per language code, each holding the translated text of
some of the model's ``TRANSLATED_FIELDS`` (``{"es": {"name": "...", "instructions": "..."}}``)
and, per field, the checksum of the English it was made from (``"source"``): when an editor
changes the English, that field falls back to the new English until it is translated
again, so a patient never reads an older step or precaution in their language. One row,
so a page that shows an exercise in Spanish costs not one query more than in English, and
a new language needs no migration. (Why not django-modeltranslation or django-parler:
docs/languages.md.)

A text a language lacks falls back to the English, for that text only; ``fallbacks``
tells a page which texts did, so it can mark them ``lang="en"``, and the admin's
translations page lists what each language lacks.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SOURCE_KEY = "source"
# Set when an editor wrote or corrected the translation here: load_library keeps it then.
EDITED_HERE_KEY = "edited_here"


def content_language(language: str | None = None) -> str | None:
    """The language code whose translations a page shows, or None for the English itself."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    source = settings.SOURCE_LANGUAGE_CODE.lower()
    if language == source or language.split("-")[0] == source.split("-")[0]:
        return None
    return language


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class TranslatedContent(models.Model):
    TRANSLATED_FIELDS: tuple[str, ...] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The translated texts, by language (edited on the translations page)."),
    )

    class Meta:
        abstract = True

    def translated(self, field: str, language: str | None = None) -> str:
        """The text of ``field`` in ``language`` (the active one by default), or the English
        when the language lacks it or its translation was made from an older English."""
        language = content_language(language)
        english = getattr(self, field)
        if language is None:
            return english
        texts = self.translations.get(language) or {}
        text = texts.get(field)
        if text and (texts.get(SOURCE_KEY) or {}).get(field) == _checksum(english):
            return text
        return english

    def fallbacks(self, language: str | None = None) -> set[str]:
        """The fields shown in English on a page in ``language`` (none on an English page)."""
        language = content_language(language)
        if language is None:
            return set()
        return set(self.missing_translations(language))

    def missing_translations(self, language: str) -> list[str]:
        """The fields with English text that ``language`` lacks, or has only for an older
        English (those are ``outdated_translations`` too). A translation that reads like the
        English ("Osteoporosis" in Spanish) is a translation."""
        texts = self.translations.get(language) or {}
        sources = texts.get(SOURCE_KEY) or {}
        return [
            field
            for field in self.TRANSLATED_FIELDS
            if getattr(self, field)
            and not (texts.get(field) and sources.get(field) == _checksum(getattr(self, field)))
        ]

    def outdated_translations(self, language: str) -> list[str]:
        """The fields translated from an English that has changed since."""
        texts = self.translations.get(language) or {}
        sources = texts.get(SOURCE_KEY) or {}
        return [
            field
            for field in self.TRANSLATED_FIELDS
            if texts.get(field) and sources.get(field) != _checksum(getattr(self, field))
        ]

    def translation_edited_here(self, language: str) -> bool:
        return bool((self.translations.get(language) or {}).get(EDITED_HERE_KEY))

    def set_translation(self, language: str, texts: dict[str, str], *, edited_here: bool) -> bool:
        """Keep ``texts`` (empty ones dropped) as the translation into ``language``, made
        from the English as it is now. Returns whether anything changed; the caller saves."""
        kept: dict = {
            field: texts[field].strip()
            for field in self.TRANSLATED_FIELDS
            if (texts.get(field) or "").strip()
        }
        if kept:
            kept[SOURCE_KEY] = {
                field: _checksum(getattr(self, field))
                for field in self.TRANSLATED_FIELDS
                if field in kept
            }
            if edited_here:
                kept[EDITED_HERE_KEY] = True
        current = self.translations.get(language) or {}
        if kept == current:
            return False
        translations = dict(self.translations)
        if kept:
            translations[language] = kept
        else:
            translations.pop(language, None)
        self.translations = translations
        return True
