import json

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exercises import images, videos
from exercises.models import Exercise


class PictureField(forms.FileField):
    """A picture upload checked by the image pipeline before anything is stored."""

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def validate(self, value):
        super().validate(value)
        if value:
            images.validate_image_upload(value)


class VideoField(forms.FileField):
    """A short video, filmed there and then or chosen from the device, checked by the video
    pipeline (PyAV) before anything is stored. On a tablet or phone the file input offers the
    camera (the back one, ``capture="environment"``) as well as the files."""

    widget = forms.ClearableFileInput(attrs={"accept": "video/*", "capture": "environment"})

    def validate(self, value):
        super().validate(value)
        if value:
            videos.validate_video_upload(value)


def video_help_text() -> str:
    return _(
        "Up to %(minutes)s minutes and %(megabytes)s MB. It is prepared for phones in the "
        "background (a few minutes); where it was filmed and any other details the camera "
        "stored are removed."
    ) % {
        "minutes": videos.max_seconds() // 60,
        "megabytes": videos.max_bytes() // (1024 * 1024),
    }


def https_urls(field: models.Field, **kwargs) -> forms.Field | None:
    """Form fields for the model, with links assumed to be https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class RuleField(forms.JSONField):
    """A tracking rule as indented JSON, one field a line, so an editor can read and change it."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class ExerciseAdminForm(forms.ModelForm):
    """The editor's form. Pictures are separate fields, stored by the service, not the form."""

    start_image_upload = PictureField(
        label=_("New start image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 8 MB. Replaces the current start image."),
    )
    remove_start_image = forms.BooleanField(label=_("Remove the start image"), required=False)
    end_image_upload = PictureField(
        label=_("New end image"),
        required=False,
        help_text=_("Optional second picture: the end of the movement."),
    )
    remove_end_image = forms.BooleanField(label=_("Remove the end image"), required=False)
    video_upload = VideoField(label=_("New video"), required=False)
    remove_video = forms.BooleanField(label=_("Remove the video"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video_upload"].help_text = video_help_text()
        if "tracking" in self.fields:  # not on a clinician's read-only view
            self.fields["tracking"].widget.attrs.update(rows=12, cols=80, spellcheck="false")

    def clean_tracking(self):
        # An emptied box means "no camera" ({}), not a missing value.
        return self.cleaned_data.get("tracking") or {}

    class Meta:
        model = Exercise
        # The image fields themselves are written only by exercises.services.
        fields = [
            "name",
            "slug",
            "summary",
            "status",
            "body_region",
            "category",
            "difficulty",
            "equipment",
            "position",
            "instructions",
            "cues",
            "precautions",
            "video_url",
            "precaution_tags",
            "easier",
            "harder",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_side",
            "default_rest_seconds",
            "tracking",
        ]
        formfield_callback = https_urls
        field_classes = {"tracking": RuleField}
        labels = {"slug": _("Web address")}
        help_texts = {"slug": _("The exercise's name in web addresses; made from its name.")}


class DosageItemForm(forms.ModelForm):
    """An exercise in a template or a patient's plan, with its dose.

    Left empty, the dose is taken from the exercise's defaults. Only published exercises
    can be added; one archived later stays where it is.
    """

    dosage_fields = ("sets", "reps", "hold_seconds", "side", "rest_seconds")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.dosage_fields:
            if name in self.fields:
                self.fields[name].required = False
                if self.instance.pk is None and name != "side":
                    # Blank, not the model's default, so "leave empty" means "the exercise's".
                    # (The side select always submits a value, so it keeps its default and an
                    # unused extra row still counts as unchanged.)
                    self.initial[name] = None

    def clean(self):
        data = super().clean()
        exercise = data.get("exercise")
        if exercise is None:
            return data
        if "exercise" in self.changed_data and exercise.status != Exercise.Status.PUBLISHED:
            self.add_error(
                "exercise",
                gettext("“%(name)s” is %(status)s: choose a published exercise.")
                % {"name": exercise, "status": exercise.get_status_display().lower()},
            )
        if all(data.get(name) in (None, "") for name in ("sets", "reps", "hold_seconds")):
            data.update(
                sets=exercise.default_sets,
                reps=exercise.default_reps,
                hold_seconds=exercise.default_hold_seconds,
                side=exercise.default_side,
                rest_seconds=exercise.default_rest_seconds,
            )
        for name, fallback in (("sets", 1), ("side", "both"), ("rest_seconds", 30)):
            if data.get(name) in (None, ""):
                data[name] = fallback
        return data


# --- Translations (exercises/translation_views.py) --------------------------------------------

# Long texts get a tall box; the others one or two lines.
LONG_FIELDS = {"instructions", "cues", "precautions", "body", "emergency_signs"}
LONG_FIELDS |= {"doctor_soon_signs", "stop_rules", "reassurance"}


def field_label(model, field: str) -> str:
    """A translated field's name as editors know it ("Steps" for ``instructions``)."""
    return str(model._meta.get_field(field).verbose_name).capitalize()


class TranslationForm(forms.Form):
    """One box per translated text, the English beside it (``rows``: field, English,
    whether the English changed since). The boxes take the language's own direction."""

    def __init__(self, *args, item, language, **kwargs):
        super().__init__(*args, **kwargs)
        current = item.translations.get(language) or {}
        outdated = set(item.outdated_translations(language))
        self.rows = []
        for field in item.TRANSLATED_FIELDS:
            english = getattr(item, field) or ""
            attrs = {"lang": language, "dir": "auto"}
            widget = (
                forms.Textarea(attrs={**attrs, "rows": max(4, english.count("\n") + 3)})
                if field in LONG_FIELDS
                else forms.TextInput(attrs={**attrs, "size": 60})
            )
            self.fields[field] = forms.CharField(
                label=field_label(type(item), field),
                required=False,
                initial=current.get(field, ""),
                widget=widget,
                max_length=getattr(type(item)._meta.get_field(field), "max_length", None),
            )
            self.rows.append(
                {"field": self[field], "english": english, "outdated": field in outdated}
            )
