"""The patient's account: setting a password from an invitation, asking for a sign-in link."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _


class SetPasswordForm(forms.Form):
    """A new patient chooses their language and password (Django's validators apply)."""

    # Each language in its own name; the clinician's choice comes first as the initial one.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("Your plan, your emails and the spoken cues in guided mode use this language."),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["language"].initial = patient.language

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            # Validate against the patient's own details, as for an existing user.
            candidate = get_user_model()(
                username=self.patient.email,
                email=self.patient.email,
                first_name=self.patient.first_name,
                last_name=self.patient.last_name,
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
