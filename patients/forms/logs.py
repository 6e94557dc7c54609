"""What the patient logs on their plan: check-offs, skips, "session done", and the id and time
that each write carries (for the phone's offline queue)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exercises.tracking import CUES
from patients.models import CAMERA_LIMITS, CAMERA_WARNING_COUNT_MAX, Effort, SkipReason

PAIN_CHOICES = [(score, str(score)) for score in range(11)]
UNTICKED_CHOICES = [
    ("done", _("Mark them done")),
    ("skip", _("Skip them")),
    ("leave", _("Save as it is")),
]


class ClientWriteForm(forms.Form):
    """What the page or the phone's offline queue adds to a check-off or "session done": the
    write's own UUID, when the patient made it, and the result version the form showed."""

    client_uuid = forms.UUIDField(
        required=False,
        error_messages={"invalid": _("This entry's id is not valid: it must be a UUID.")},
    )
    made_at = forms.DateTimeField(
        required=False,
        error_messages={"invalid": _("This entry's time is not valid: it must be ISO 8601.")},
    )
    seen = forms.CharField(required=False, max_length=36, strip=True)

    def clean_seen(self):
        # Absent means "no idea what was shown" (a plain form); "" means "nothing was logged".
        return self.cleaned_data["seen"] if "seen" in self.data else None

    def write_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"client_uuid": data["client_uuid"], "made_at": data["made_at"]}


class SessionDoneForm(forms.Form):
    """Pain now (0-10 numeric rating scale), how it felt, and a note for the clinician."""

    pain = forms.TypedChoiceField(
        label=_("How much pain do you have now?"),
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 = no pain, 10 = the worst pain you can imagine."),
        error_messages={
            "required": _("Choose a number from 0 to 10 for your pain."),
            "invalid_choice": _("Pain is a number from 0 to 10."),
        },
    )
    effort = forms.ChoiceField(
        label=_("How did the exercises feel?"),
        choices=Effort.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("A note for your clinician (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Asked once when the form is shown with exercises neither done nor skipped. A form that
    # did not ask (an entry queued before this question existed, a session all ticked) is
    # saved as it is.
    unticked_asked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    unticked = forms.ChoiceField(
        label=_("Some exercises aren't ticked as done or skipped. What should we do with them?"),
        choices=UNTICKED_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    unticked_reason = forms.ChoiceField(
        label=_("Why are you skipping them?"),
        choices=[("", _("Choose a reason")), *SkipReason.choices],
        required=False,
    )

    def __init__(self, *args, ask_unticked: bool = True, **kwargs):
        # False for an entry sent later from the phone's queue: the patient is no longer there
        # to answer, and refusing it would lose their pain score and note. It is saved as it is.
        self.ask_unticked = ask_unticked
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.ask_unticked and data.get("unticked_asked") and not data.get("unticked"):
            self.add_error(
                "unticked", _("Choose what to do with the exercises that aren't ticked.")
            )
        if data.get("unticked") == "skip" and not data.get("unticked_reason"):
            self.add_error("unticked_reason", _("Choose why you are skipping them."))
        return data


class FeedbackForm(forms.Form):
    """How one exercise felt: one tap after it, on Today's card or in guided mode."""

    exercise = forms.IntegerField(min_value=1)
    session = forms.IntegerField(min_value=1, max_value=3)
    effort = forms.ChoiceField(
        choices=Effort.choices,
        error_messages={
            "required": _("Choose how it felt."),
            "invalid_choice": _("Choose how it felt."),
        },
    )


def _camera_number(maximum: int, message) -> forms.IntegerField:
    messages = {"invalid": message, "min_value": message, "max_value": message}
    return forms.IntegerField(
        required=False, min_value=0, max_value=maximum, error_messages=messages
    )


def parse_form_warnings(text: str) -> dict[str, int]:
    """``"hips_higher:2,hold_longer:1"`` as ``{"hips_higher": 2, "hold_longer": 1}``; an empty
    text is no warnings. Every key must be a cue the coach knows (``exercises.tracking.CUES``),
    each once, counted 1 to 999 times; otherwise ``ValidationError``."""
    warnings: dict[str, int] = {}
    text = text.strip()
    if not text:
        return warnings
    for part in text.split(","):
        key, sep, count = (piece.strip() for piece in part.partition(":"))
        if not sep or key not in CUES or key in warnings:
            raise ValidationError(
                _("The camera's form cues are not valid: each must be a known cue, once."),
                code="camera_warnings",
            )
        if not count.isdigit() or not 1 <= int(count) <= CAMERA_WARNING_COUNT_MAX:
            raise ValidationError(
                _("The camera's form cues are not valid: each is counted from 1 to 999 times."),
                code="camera_warnings",
            )
        warnings[key] = int(count)
    return warnings


class CheckOffForm(forms.Form):
    """Check an exercise off, skip it with a reason, or undo: one small POST.

    Guided mode's camera coach adds what it counted (all optional, absent when ticked by
    hand): sets counted to the end, repetitions and seconds held (all sets together), and the
    form cues it said with how many times (``hips_higher:2,hold_longer:1``). The most sets it
    may claim is the exercise's prescribed sets, which the service checks.
    """

    ACTIONS = (("done", "Done"), ("skip", "Skip"), ("undo", "Undo"))

    exercise = forms.IntegerField(min_value=1)
    session = forms.IntegerField(min_value=1, max_value=3)
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.ChoiceField(choices=[("", "—"), *SkipReason.choices], required=False)
    # Sent by guided mode's automatic check-off: keep whatever is logged already (a skip made
    # on another page or phone after guided mode was opened) instead of overwriting it.
    if_open = forms.BooleanField(required=False)
    camera_sets = _camera_number(
        CAMERA_LIMITS["camera_sets"],
        _("The camera's count of sets is not valid: it must be a whole number from 0 to 50."),
    )
    camera_reps = _camera_number(
        CAMERA_LIMITS["camera_reps"],
        _(
            "The camera's count of repetitions is not valid: it must be a whole number from "
            "0 to 2000."
        ),
    )
    camera_seconds = _camera_number(
        CAMERA_LIMITS["camera_seconds"],
        _(
            "The camera's time held is not valid: it must be a whole number of seconds from "
            "0 to 36000."
        ),
    )
    camera_warnings = forms.CharField(required=False, max_length=400, strip=True)

    def clean_camera_warnings(self) -> dict[str, int]:
        return parse_form_warnings(self.cleaned_data["camera_warnings"])

    def clean(self):
        data = super().clean()
        if data.get("action") == "skip" and not data.get("reason"):
            self.add_error("reason", _("Choose why you skipped it."))
        if data.get("action") in ("skip", "undo") and any(self.camera_kwargs().values()):
            self.add_error(
                None, _("What the camera counted can only come with an exercise marked done.")
            )
        return data

    def camera_kwargs(self) -> dict:
        """What the camera counted, for ``exercise_check_off`` (zeros when ticked by hand)."""
        data = self.cleaned_data
        return {
            "camera_sets": data.get("camera_sets") or 0,
            "camera_reps": data.get("camera_reps") or 0,
            "camera_seconds": data.get("camera_seconds") or 0,
            "form_warnings": data.get("camera_warnings") or {},
        }
