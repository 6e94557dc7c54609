from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line


class User(AbstractUser):
    """Every person who signs in: staff (clinicians, content editors) and patients.

    A custom user model from day one, as Django recommends, so that adding a field later is
    a migration rather than a rewrite. Patients are linked from ``patients.Patient.user``.
    """

    # Django's own fields, with one rule added: names are one line (they go into emails).
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[one_line]
    )
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[one_line])
    weekly_summary = models.BooleanField(
        _("weekly summary email"),
        default=True,
        help_text=_("Clinicians: a Monday email listing the patients who need attention."),
    )
    # The email sent when one of the clinician's patients reports worse symptoms. An
    # emergency report is emailed whatever this says (patients/services/safety.py).
    notification_emails = models.BooleanField(
        _("symptom report emails"),
        default=True,
        help_text=_(
            "Clinicians: an email when a patient reports worse symptoms. Emergencies are "
            "always emailed."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
