"""Days of the week as a 7-bit mask (Monday = bit 0, as ``date.weekday()`` counts).

One small integer column is easy to filter in SQL (``weekdays & (1 << n)``) and the form
field below shows it as a row of checkboxes, never as a raw number or string.
"""

from django import forms
from django.db import models
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext, gettext_lazy

# Django's own names of the days, translated into the active language when shown.
DAY_NAMES = tuple(WEEKDAYS[day] for day in range(7))
DAY_ABBREVIATIONS = tuple(WEEKDAYS_ABBR[day] for day in range(7))
EVERY_DAY = 0b1111111


def mask_from_days(days) -> int:
    mask = 0
    for day in days:
        mask |= 1 << int(day)
    return mask


def days_from_mask(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def describe_days(mask: int) -> str:
    if mask == EVERY_DAY:
        return gettext("every day")
    if mask == 0b0011111:
        return gettext("Monday to Friday")
    return ", ".join(str(DAY_ABBREVIATIONS[day]) for day in days_from_mask(mask))


class WeekdaysFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        for unused in ("max_length", "min_value", "max_value", "empty_value"):
            kwargs.pop(unused, None)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "required", gettext_lazy("Choose at least one day of the week.")
        )
        super().__init__(
            choices=list(enumerate(DAY_ABBREVIATIONS)), coerce=int, empty_value=0, **kwargs
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            return days_from_mask(value)
        return value

    def has_changed(self, initial, data):
        return mask_from_days(self.prepare_value(initial) or []) != mask_from_days(data or [])

    def clean(self, value):
        return mask_from_days(super().clean(value) or [])


class WeekdaysField(models.PositiveSmallIntegerField):
    """A bit mask of weekdays, edited as checkboxes."""

    def formfield(self, **kwargs):
        # Always checkboxes: the admin would otherwise hand us its number input widget.
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield(**{**kwargs, "form_class": WeekdaysFormField})
