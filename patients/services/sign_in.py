"""Sign-in links: a single-use emailed link that signs a patient in (also in reminders)."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from clinic.languages import usable

logger = logging.getLogger(__name__)


SIGN_IN_SALT = "homeplan.patients.sign-in-link"
REMINDER_SIGN_IN_SALT = "homeplan.patients.reminder-sign-in-link"


def _last_login_stamp(user) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def sign_in_path(user, *, for_reminder: bool = False) -> str:
    """A path that signs ``user`` in once, until they next log in: within
    SIGN_IN_LINK_MINUTES, or REMINDER_LINK_HOURS for the link in a reminder email."""
    salt = REMINDER_SIGN_IN_SALT if for_reminder else SIGN_IN_SALT
    token = signing.dumps({"u": user.pk, "l": _last_login_stamp(user)}, salt=salt)
    return reverse("sign_in_link_use", kwargs={"token": token})


def sign_in_link_send(*, email: str, request) -> None:
    """Queue a 15-minute, single-use sign-in link for the patient with this address.

    Does nothing visible when no active patient has the address: the caller shows the
    same answer either way, so the form reveals nobody's email. The email itself goes from
    the task worker, so a known address costs the request one insert, not an SMTP round
    trip, and the answer's timing does not tell the two apart either.
    """
    user_model = get_user_model()
    users = list(
        user_model.objects.filter(
            email__iexact=email.strip(), is_active=True, is_staff=False, patient__is_active=True
        )[:2]
    )
    if len(users) != 1:
        return
    send_sign_in_link_task.enqueue(users[0].pk, request.build_absolute_uri("/"))


@task()
def send_sign_in_link_task(user_id: int, site_url: str) -> bool:
    """Email the link; it is signed here, so no usable link ever waits in the queue."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, is_staff=False, patient__is_active=True)
        .select_related("patient")
        .first()
    )
    if user is None:
        return False
    context = {
        "url": site_url.rstrip("/") + sign_in_path(user),
        "clinic_name": settings.CLINIC_NAME,
        "minutes": settings.SIGN_IN_LINK_MINUTES,
    }
    # In the patient's language: the worker sends it, outside their request.
    with translation.override(usable(user.patient.language)):
        send_mail(
            subject=gettext("Your sign-in link for %(clinic_name)s")
            % {"clinic_name": settings.CLINIC_NAME},
            message=render_to_string("patients/email/sign_in_link.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    logger.info("sign-in link sent to user %s", user.pk)
    return True


def user_from_sign_in_token(token: str):
    """The patient's user for a valid, unused, unexpired sign-in link, else None.

    The token is bound to ``last_login``, which signing in changes: see
    ``sign_in_link_consume`` for using it up.
    """
    lifetimes = (
        (SIGN_IN_SALT, datetime.timedelta(minutes=settings.SIGN_IN_LINK_MINUTES)),
        (REMINDER_SIGN_IN_SALT, datetime.timedelta(hours=settings.REMINDER_LINK_HOURS)),
    )
    data = None
    for salt, max_age in lifetimes:
        try:
            data = signing.loads(token, salt=salt, max_age=max_age)
            break
        except signing.BadSignature:
            continue
    if data is None:
        return None
    user = (
        get_user_model()
        .objects.filter(pk=data.get("u"), is_active=True, is_staff=False, patient__is_active=True)
        .first()
    )
    if user is None or data.get("l") != _last_login_stamp(user):
        return None
    return user


@transaction.atomic
def sign_in_link_consume(token: str):
    """Use up a sign-in link: the patient's user, or None when the link is not valid, expired
    or already used. One conditional update moves ``last_login`` on from the value the link
    was made for, and only one request can win it, however many arrive at once (checking
    first and signing in after left room for all of them). The caller then signs the user
    in."""
    user = user_from_sign_in_token(token)
    if user is None:
        return None
    claimed = (
        get_user_model()
        .objects.filter(pk=user.pk, last_login=user.last_login)
        .update(last_login=timezone.now())
    )
    return user if claimed else None
