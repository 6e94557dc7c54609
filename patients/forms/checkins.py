"""The function check-in: everyday activities rated 0-10."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from clinic.validators import one_line
from patients.forms.logs import PAIN_CHOICES


class FunctionCheckInForm(forms.Form):
    """Rate each activity 0-10; name new ones (up to five in all) if there is room."""

    SCALE_HELP = gettext_lazy(
        "0 = unable to do it, 10 = able to do it as well as before the problem."
    )

    def __init__(self, *args, activities, max_activities: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"score_{activity.pk}"] = forms.TypedChoiceField(
                label=activity.name,
                choices=PAIN_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext("Choose a number from 0 to 10.")},
            )
        self.new_slots = range(1, max_activities - len(self.activities) + 1)
        for slot in self.new_slots:
            self.fields[f"new_name_{slot}"] = forms.CharField(
                label=gettext("Another activity you find hard (%(number)s)") % {"number": slot},
                required=False,
                max_length=100,
                validators=[one_line],
            )
            self.fields[f"new_score_{slot}"] = forms.TypedChoiceField(
                label=gettext("How well can you do it now?"),
                choices=[("", "—"), *PAIN_CHOICES],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for slot in self.new_slots:
            name, score = data.get(f"new_name_{slot}"), data.get(f"new_score_{slot}")
            if name and score is None:
                self.add_error(f"new_score_{slot}", gettext("Rate this activity from 0 to 10."))
            if score is not None and not name:
                self.add_error(f"new_name_{slot}", gettext("Name the activity you rated."))
        if not self.activities and not any(data.get(f"new_name_{s}") for s in self.new_slots):
            raise forms.ValidationError(
                gettext("Name at least one everyday activity you find hard.")
            )
        return data

    def scores(self) -> dict[int, int]:
        return {a.pk: self.cleaned_data[f"score_{a.pk}"] for a in self.activities}

    def new_activities(self) -> list[tuple[str, int]]:
        return [
            (self.cleaned_data[f"new_name_{slot}"], self.cleaned_data[f"new_score_{slot}"])
            for slot in self.new_slots
            if self.cleaned_data.get(f"new_name_{slot}")
        ]
