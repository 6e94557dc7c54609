from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from clinic import accounts

# An email address is the longest thing anyone signs in with (patients use theirs).
LOGIN_MAX_LENGTH = 254


def limit_login_name(form) -> None:
    """AuthenticationForm sets max_length without its validator, so any length reached
    authenticate() and the lockout's bookkeeping: a 500 on PostgreSQL. Longer than any
    email address, a name is refused as a form error before anything is looked up."""
    field = form.fields["username"]
    field.max_length = LOGIN_MAX_LENGTH
    field.widget.attrs["maxlength"] = LOGIN_MAX_LENGTH
    field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for patients who sign in with their email address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        limit_login_name(self)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, with the same limit on the name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")
        limit_login_name(self)


class UserForm(UserChangeForm):
    def clean_email(self):
        # One account per address, patients included: an address shared by two accounts
        # signs neither in by email. A patient's address is theirs even before they accept
        # their invitation (the patients app registers that with clinic.accounts).
        email = self.cleaned_data.get("email", "").strip()
        if email and accounts.email_taken(email, except_user_id=self.instance.pk):
            raise forms.ValidationError(
                _(
                    "Another account already uses this email address. Each person needs "
                    "their own address."
                ),
                code="email_in_use",
            )
        return email
