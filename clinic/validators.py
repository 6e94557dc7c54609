"""Validators shared by the apps' models and forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Control characters (tabs, line breaks, NUL, escape...) and the Unicode line and paragraph
# separators. A name or another one-line value goes into email headers (a reminder's
# subject), file names, CSV cells and calendar lines, where a line break breaks the
# message or starts a new header: a patient's name with one stopped every reminder.
FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp"}


@deconstructible
class OneLineValidator:
    message = _("Use one line of text: no line breaks, tabs or other control characters.")
    code = "control_characters"

    def __call__(self, value) -> None:
        if any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, OneLineValidator)

    def __hash__(self) -> int:
        return hash(self.code)


one_line = OneLineValidator()
