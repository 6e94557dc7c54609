from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

# An email address is the longest thing anyone signs in with (patients use theirs).
LOGIN_MAX_LENGTH = 254


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for patients who sign in with their email address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username or email"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        # AuthenticationForm sets max_length without its validator, so any length reached
        # authenticate() and django-axes' failed-attempt row (varchar 255): a 500 on PostgreSQL.
        self.fields["username"].max_length = LOGIN_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = LOGIN_MAX_LENGTH
        self.fields["username"].validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
