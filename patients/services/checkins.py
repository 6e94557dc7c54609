"""Function check-ins (Patient-Specific Functional Scale format)."""

import datetime
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patients import changes
from patients.models import (
    ClientWrite,
    FunctionActivity,
    FunctionCheckIn,
    FunctionScore,
    Patient,
    Prescription,
)
from patients.services.offline_merge import client_write_claim, effective_today

logger = logging.getLogger(__name__)


MAX_ACTIVITIES = 5


def checkin_due(patient: Patient, prescriptions, *, today: datetime.date) -> bool:
    """Ask for a check-in at the start of a plan and then every ``checkin_interval_days``."""
    if not any(p.status == Prescription.Status.ACTIVE for p in prescriptions):
        return False
    last = patient.checkins.order_by("-date").values_list("date", flat=True).first()
    return last is None or (today - last).days >= patient.checkin_interval_days


@transaction.atomic
def function_checkin_save(
    *,
    patient: Patient,
    scores: dict[int, int],
    new_activities: list[tuple[str, int]],
    entered_by,
    day: datetime.date | None = None,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> FunctionCheckIn:
    """Save the day's ratings (0-10) and any newly named activities, idempotently: a second
    check-in the same day updates the first.

    The day is the patient's today, or the day ``made_at`` fell on for a check-in made on the
    phone and sent later. With a ``client_uuid``, a replay of the same check-in changes
    nothing (it would otherwise name its new activities a second time).
    """
    day = day or effective_today(patient, made_at)
    if client_uuid is not None:
        write = client_write_claim(
            patient=patient,
            client_uuid=client_uuid,
            kind=ClientWrite.Kind.CHECKIN,
            day=day,
            made_at=made_at or timezone.now(),
            payload={"scores": scores, "new_activities": new_activities},
        )
        if write is None:
            return FunctionCheckIn.objects.get(patient=patient, date=day)
    activities = {a.pk: a for a in patient.activities.filter(is_active=True)}
    if set(scores) - set(activities):
        raise PermissionDenied("Not this patient's activity.")
    if len(activities) + len(new_activities) > MAX_ACTIVITIES:
        raise ValidationError(
            ngettext(
                "Name at most %(count)s activity.",
                "Name at most %(count)s activities.",
                MAX_ACTIVITIES,
            )
            % {"count": MAX_ACTIVITIES},
            code="too_many",
        )
    if any(not 0 <= score <= 10 for score in [*scores.values(), *(s for _, s in new_activities)]):
        raise ValidationError(_("Scores are whole numbers from 0 to 10."), code="score")
    next_order = max((a.order for a in activities.values()), default=0)
    for offset, (name, score) in enumerate(new_activities, start=1):
        activity = FunctionActivity.objects.create(
            patient=patient, name=name.strip()[:100], order=next_order + offset
        )
        scores[activity.pk] = score
    checkin, created = FunctionCheckIn.objects.update_or_create(
        patient=patient, date=day, defaults={"entered_by": entered_by}
    )
    for activity_id, score in scores.items():
        FunctionScore.objects.update_or_create(
            checkin=checkin, activity_id=activity_id, defaults={"score": score}
        )
    changes.record(
        patient.pk,
        [changes.created(checkin) if created else changes.changed(checkin, ["scores"])],
    )
    logger.info("function check-in saved: patient %s, %s", patient.pk, day)
    return checkin
