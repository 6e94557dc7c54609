"""Account emails sent by the task worker, not by the request.

Whether an address belongs to somebody must not show in the answer to "email me a link":
the page is the same either way, and so is its timing class, because the request only
queues a task (one insert) for a known address and sends nothing itself; the SMTP round
trip, which takes far longer than the lookup, happens in the worker.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from clinic import ratelimit
from clinic.languages import usable

logger = logging.getLogger(__name__)


@task()
def send_password_reset(
    user_id: int, domain: str, use_https: bool, language: str | None = None
) -> bool:
    """Email a password-reset link; the token is made here, so it never waits in the queue.

    Written in a patient's own language; for anyone else, in the language of the page they
    asked from (``language``), else the clinic's."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    patient = getattr(user, "patient", None)
    with translation.override(usable(patient.language if patient else language)):
        _password_reset_email(user, domain, use_https)
    logger.info("password reset sent to user %s", user.pk)
    return True


def _password_reset_email(user, domain: str, use_https: bool) -> None:
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued for the worker and requests rate-limited
    per address and per IP (the same limits as sign-in links)."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        email = data.get("email")
        if (
            email
            and self.request is not None
            and ratelimit.email_link_limited("password-reset", email, self.request)
        ):
            raise ratelimit.TooManyRequestsError()
        return data

    def save(self, *, request, use_https=False, domain_override=None, **kwargs):
        domain = domain_override or request.get_host()
        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset.enqueue(user.pk, domain, use_https, translation.get_language())


# An email still queued after this long means no worker is sending them.
WORKER_ALERT_MINUTES = 10


def emails_waiting_too_long() -> int:
    """How many queued emails have waited more than WORKER_ALERT_MINUTES to be sent (0 when
    tasks run at once, as in development)."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return 0
    from django_tasks_db.models import DBTaskResult  # only with the database backend

    cutoff = timezone.now() - datetime.timedelta(minutes=WORKER_ALERT_MINUTES)
    return DBTaskResult.objects.ready().filter(enqueued_at__lt=cutoff).count()
