from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Every person who signs in: staff (clinicians, content editors) and patients.

    A custom user model from day one, as Django recommends, so that adding a field later is
    a migration rather than a rewrite. Patients are linked from ``patients.Patient.user``.
    """

    weekly_summary = models.BooleanField(
        "weekly summary email",
        default=True,
        help_text="Clinicians: a Monday email listing the patients who need attention.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
