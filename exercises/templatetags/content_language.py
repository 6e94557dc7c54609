"""Which language the library's content is shown in, for templates.

``{% source_lang exercise "instructions" %}`` writes ` lang="en-gb"` on an element whose
text falls back to the English on a page in another language (screen readers then read it
as English); ``exercise|lacks_language:patient.language`` tells the clinician who
prescribes that an exercise is not yet translated into the patient's language.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html

from exercises.translatable import content_language

register = template.Library()


@register.simple_tag
def source_lang(content, field):
    if content and field in content.fallbacks():
        return format_html(' lang="{}"', settings.SOURCE_LANGUAGE_CODE)
    return ""


@register.filter
def lacks_language(content, language):
    """Whether ``content`` has no complete translation into ``language`` (never for the
    English itself)."""
    language = content_language(language)
    return bool(language and content.missing_translations(language))
