"""Invitations: a single-use emailed link with which a patient sets a password."""

import datetime
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from clinic.languages import usable
from patients.models import (
    Patient,
)
from patients.services.people import check_owns_patient, patient_update

logger = logging.getLogger(__name__)


INVITATION_SALT = "homeplan.patients.invitation"


class InvitationError(Exception):
    """Why an invitation link cannot be used, in words for the patient."""


def invitation_token(patient: Patient) -> str:
    return signing.dumps({"p": patient.pk, "n": patient.invitation_nonce}, salt=INVITATION_SALT)


def invitation_url(request, patient: Patient) -> str:
    return request.build_absolute_uri(
        reverse("invitation_accept", kwargs={"token": invitation_token(patient)})
    )


@transaction.atomic
def patient_invite(*, patient: Patient, invited_by, request) -> str:
    """Email the patient a single-use link to set a password; returns the link.

    A new invitation replaces any earlier one (the old link stops working).
    """
    check_owns_patient(invited_by, patient)
    if patient.user_id is not None:
        raise ValidationError(gettext("This patient already has an account."))
    if not patient.email:
        raise ValidationError(gettext("Add the patient's email address first."))
    patient.invitation_nonce = secrets.token_hex(16)
    patient.invited_at = timezone.now()
    patient_update(patient, ["invitation_nonce", "invited_at"])
    url = invitation_url(request, patient)
    context = {
        "patient": patient,
        "url": url,
        "clinic_name": settings.CLINIC_NAME,
        "days": settings.INVITATION_DAYS,
    }
    # In the patient's language, not the clinician's who sends it.
    with translation.override(usable(patient.language)):
        send_mail(
            subject=gettext("Your home exercise plan from %(clinic_name)s")
            % {"clinic_name": settings.CLINIC_NAME},
            message=render_to_string("patients/email/invitation.txt", context),
            from_email=None,
            recipient_list=[patient.email],
            html_message=render_to_string("patients/email/invitation.html", context),
        )
    logger.info("invitation sent to patient %s by user %s", patient.pk, invited_by.pk)
    return url


def patient_from_invitation(token: str) -> Patient:
    """The patient an invitation link is for, or InvitationError saying why it can't be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=settings.INVITATION_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise InvitationError("expired") from exc
    except signing.BadSignature as exc:
        raise InvitationError("invalid") from exc
    patient = Patient.objects.filter(pk=data.get("p"), is_active=True).first()
    if patient is None:
        raise InvitationError("invalid")
    if patient.user_id is not None:
        raise InvitationError("used")
    if not patient.invitation_nonce or data.get("n") != patient.invitation_nonce:
        raise InvitationError("replaced")
    return patient


def email_in_use(email: str, *, except_user_id: int | None = None) -> bool:
    """Does an account (staff or patient) other than ``except_user_id`` have this address?"""
    users = get_user_model().objects.filter(email__iexact=email.strip())
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return users.exists()


def _unique_username(email: str) -> str:
    """The email address as the username, cut to what the column holds (an address may
    have 254 characters, a username 150), with -2, -3... when it is taken."""
    user_model = get_user_model()
    limit = user_model._meta.get_field("username").max_length
    username, number = email[:limit], 2
    while user_model.objects.filter(username__iexact=username).exists():
        suffix = f"-{number}"
        username = email[: limit - len(suffix)] + suffix
        number += 1
    return username


@transaction.atomic
def invitation_accept(*, patient: Patient, password: str, language: str | None = None):
    """Create the patient's account with their chosen password; the link is then used up.

    ``patient`` is as ``patient_from_invitation`` found it, with the nonce of the link. The
    link is claimed by one conditional update, which only one request can win, however
    many arrive at once: the others (and a link replaced by a newer invitation meanwhile)
    find nothing to claim. A failure below undoes the claim with everything else.
    """
    if not patient.invitation_nonce:
        raise InvitationError("replaced")
    claimed = Patient.objects.filter(
        pk=patient.pk, user__isnull=True, invitation_nonce=patient.invitation_nonce
    ).update(invitation_nonce="")
    if not claimed:
        current = Patient.objects.filter(pk=patient.pk).values_list("user_id", flat=True).first()
        raise InvitationError("used" if current is not None else "replaced")
    patient.refresh_from_db()
    email = patient.email.lower()
    # The address may have been given to another account since the invitation went out.
    if email_in_use(email):
        raise InvitationError("email_in_use")
    user = get_user_model()(
        username=_unique_username(email),
        email=email,
        first_name=patient.first_name,
        last_name=patient.last_name,
    )
    user.set_password(password)
    user.save()
    patient.user = user
    fields = ["user"]
    if language and language != patient.language:
        patient.language = language  # the patient's own choice on the invitation page
        fields.append("language")
    patient_update(patient, fields)
    logger.info("invitation accepted by patient %s", patient.pk)
    return user
