"""Template helpers for the patient's plan forms."""

import functools
from dataclasses import dataclass

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext

from patients.models import Effort, SkipReason

register = template.Library()


@dataclass(frozen=True)
class SessionDoneChoices:
    pain: list[tuple[int, str, bool]]  # (value, label, chosen), 0 to 10
    effort: list[tuple[str, str, bool]]
    note: str


@register.simple_tag
def session_done_choices(form, logged) -> SessionDoneChoices:
    """What the session-done form shows as chosen: what the patient just sent when the form
    comes back refused, otherwise what they logged before (``logged``, or None).

    Worked out here once per form rather than in the template's loop, where comparing each
    of the eleven pain scores with the form's value cost a tenth of Today's server time.
    """
    if form.is_bound:
        pain, effort, note = form["pain"].value(), form["effort"].value(), form["note"].value()
    elif logged is not None:
        pain, effort, note = logged.pain, logged.effort, logged.note
    else:
        pain, effort, note = None, None, ""
    # A bound form holds strings as sent ("4"), a log holds numbers: compare as text.
    pain = None if pain is None else str(pain)
    return SessionDoneChoices(
        pain=[(value, label, str(value) == pain) for value, label in form.fields["pain"].choices],
        effort=[(value, label, value == effort) for value, label in form.fields["effort"].choices],
        note=note or "",
    )


@register.simple_tag
def skip_reason_options() -> str:
    """The ``<option>``s of the skip-reason menu on every exercise card: the same for every
    card and every patient, so made once (per language) rather than looped over per card.
    None is chosen for the patient: a hurried skip must not report pain it never had."""
    return _skip_reason_options(gettext("Choose a reason"), get_language())


@functools.cache
def _skip_reason_options(prompt: str, language: str) -> str:
    # ``language`` is part of the cache key only: the reasons are shown in the active one.
    return format_html('<option value="" selected>{}</option>', prompt) + format_html_join(
        "", '<option value="{}">{}</option>', SkipReason.choices
    )


@register.simple_tag
def effort_choices() -> list[tuple[str, str]]:
    """Too easy, about right, too hard: the answers to "how did it feel?"."""
    return Effort.choices


@register.simple_tag
def error_links(form, ids: str, number="") -> list[tuple[str, str]]:
    """What the error summary lists for a refused ``form``: each field's errors with a link to
    the field, in the page's order (``ids``: "pain=pain-1-0 note=note-1", the element each
    field's link goes to, "{n}" standing for ``number``), then the form's own errors, which
    belong to no field."""
    if not form.is_bound or not form.errors:
        return []
    targets = dict(pair.replace("{n}", str(number)).split("=", 1) for pair in ids.split())
    links = []
    for name, target in targets.items():
        links += [(str(error), f"#{target}") for error in form.errors.get(name, [])]
    for name, errors in form.errors.items():
        if name not in targets:
            # Another field links to its own id; the form's own errors link nowhere.
            href = f"#{form[name].auto_id}" if name in form.fields else ""
            links += [(str(error), href) for error in errors]
    return links
