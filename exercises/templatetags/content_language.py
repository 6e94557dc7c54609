"""Which language the library's content is shown in, for templates.

``{% source_lang exercise "instructions" %}`` writes ` lang="en-gb"` on an element whose
text falls back to the English on a page in another language (screen readers then read it
as English; a right-to-left page also gets ` dir="ltr"` there);
``exercise|lacks_language:patient.language`` tells the clinician who prescribes that an
exercise is not yet translated into the patient's language.
"""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

from exercises.translatable import content_language

register = template.Library()


@register.simple_tag
def source_lang(content, field):
    if not content or field not in content.fallbacks():
        return ""
    # English reads left to right, also on a right-to-left page (its full stop stays last).
    if translation.get_language_bidi():
        return format_html(' lang="{}" dir="ltr"', settings.SOURCE_LANGUAGE_CODE)
    return format_html(' lang="{}"', settings.SOURCE_LANGUAGE_CODE)


@register.filter
def lacks_language(content, language):
    """Whether ``content`` has no complete translation into ``language`` (never for the
    English itself)."""
    language = content_language(language)
    return bool(language and content.missing_translations(language))
