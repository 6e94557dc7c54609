"""How each exercise felt: the patient's optional tap after an exercise (Today's card or the
end of the exercise in guided mode), one answer per prescribed exercise and day."""

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import changes
from patients.models import (
    ClientWrite,
    Effort,
    ExerciseFeedback,
    Patient,
    PrescribedExercise,
    SessionLog,
)
from patients.services.offline_merge import client_write_claim
from patients.services.session_logs import _session_log, check_exercise_loggable

logger = logging.getLogger(__name__)


@transaction.atomic
def exercise_feedback_give(
    *,
    patient: Patient,
    prescribed: PrescribedExercise,
    day: datetime.date,
    session_number: int,
    effort: str,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> ExerciseFeedback:
    """Store how ``prescribed`` felt on ``day``: too easy, about right or too hard.

    Idempotent: one answer per exercise and day (a database constraint); a replay of the same
    ``client_uuid`` (a double tap, the phone's offline queue sending again) changes nothing,
    and an answer made before the stored one (an old entry from another phone) does not
    replace it.
    """
    check_exercise_loggable(patient, prescribed, day, session_number, made_at=made_at)
    prescription = prescribed.prescription
    if effort not in Effort.values:
        raise ValidationError(_("Choose how it felt."), code="effort")
    given_at = made_at or timezone.now()
    write = client_write_claim(
        patient=patient,
        client_uuid=client_uuid or uuid.uuid4(),
        kind=ClientWrite.Kind.FEEDBACK,
        day=day,
        session_number=session_number,
        made_at=given_at,
        payload={"exercise": prescribed.pk, "effort": effort},
    )
    stored = (
        ExerciseFeedback.objects.select_for_update()
        .filter(prescribed_exercise=prescribed, date=day)
        .first()
    )
    if write is None:  # a replay: report what is stored, change nothing
        return stored
    if stored is not None and stored.given_at > given_at:
        write.outcome = ClientWrite.Outcome.SUPERSEDED
        write.save(update_fields=["outcome"])
        return stored
    now = timezone.now()
    if stored is not None:
        write.replaced = {"effort": stored.effort}
        write.save(update_fields=["replaced"])
    log, log_created = _session_log(prescription, day, session_number)
    feedback, created = ExerciseFeedback.objects.update_or_create(
        prescribed_exercise=prescribed,
        date=day,
        defaults={
            "session_log": log,
            "effort": effort,
            "given_at": given_at,
            "received_at": now,
        },
    )
    # An entry for this session reached us: the session's log says when (as a check-off does).
    SessionLog.objects.filter(pk=log.pk).update(received_at=now, updated_at=now)
    changes.record(
        patient.pk,
        [
            *([changes.created(log)] if log_created else []),
            changes.created(feedback) if created else changes.changed(feedback, ["effort"]),
        ],
    )
    logger.info("exercise feedback: patient %s, %s session %s", patient.pk, day, session_number)
    return feedback
