"""The clinician's decisions on what the rules proposed: accepting or dismissing a
progression or regression suggestion, and marking a patient's needs-attention item
reviewed. Writes only; the rules themselves are read models (``patients.suggestions``,
``patients.attention``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import adherence, changes, contraindications
from patients.attention import reasons_for, signals_for
from patients.models import AttentionReview, Patient, PrescribedExercise, Suggestion
from patients.suggestions import candidates_for


@transaction.atomic
def suggestion_decide(
    *,
    prescribed: PrescribedExercise,
    kind: str,
    accept: bool,
    decided_by,
    today=None,
    override_reason: str = "",
) -> Suggestion:
    """Accept (apply the change to this one prescribed exercise) or dismiss a suggestion.

    The candidate is recomputed here, so only a suggestion the rules still make can be
    accepted; the decision is recorded with who made it.
    """
    patient = adherence.with_adherence(Patient.objects, today=today).get(
        pk=prescribed.prescription.patient_id
    )
    candidates = candidates_for([patient], today=today).get(patient.pk, [])
    candidate = next(
        (c for c in candidates if c.prescribed.pk == prescribed.pk and c.kind == kind), None
    )
    if candidate is None:
        raise ValidationError(_("This suggestion no longer applies."), code="stale")
    if accept:
        new_exercise = candidate.proposal.exercise
        found = []
        if new_exercise.pk != prescribed.exercise_id:
            found = contraindications.precautions_check(patient, [new_exercise], override_reason)
        target = PrescribedExercise.objects.select_for_update().get(pk=prescribed.pk)
        target.exercise = candidate.proposal.exercise
        target.sets = candidate.proposal.sets
        target.reps = candidate.proposal.reps
        target.hold_seconds = candidate.proposal.hold_seconds
        target.save(update_fields=["exercise", "sets", "reps", "hold_seconds"])
        prescribed.prescription.version_bump()
        contraindications.record(
            prescribed=[target], found=found, reason=override_reason, decided_by=decided_by
        )
    decision = Suggestion.objects.create(
        prescribed=prescribed,
        kind=kind,
        status=Suggestion.Status.ACCEPTED if accept else Suggestion.Status.DISMISSED,
        reason=candidate.reason[:300],
        change=candidate.change[:300],
        decided_by=decided_by,
    )
    # A decision changes what the clinician's queue shows for this patient (patients.attention
    # keeps each patient's summary until their stamp changes), even when nothing else did.
    changes.record(
        patient.pk,
        [changes.changed(target, ["exercise", "sets", "reps", "hold_seconds"])] if accept else [],
    )
    return decision


@transaction.atomic
def attention_review(
    *,
    patient: Patient,
    reviewed_by,
    seen_at: datetime.datetime | None = None,
    today: datetime.date | None = None,
):
    """Hide the patient's current item until something new happens.

    ``seen_at`` is when the clinician's page showed the item: a report, log or check-in that
    arrived after it is not covered by the review, even if the button was pressed later.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    seen_at = min(seen_at, now) if seen_at else now
    annotated = (
        adherence.with_adherence(Patient.objects, today=today)
        .select_related("review")
        .prefetch_related("prescriptions")
        .get(pk=patient.pk)
    )
    signals = signals_for([annotated], today=today)[annotated.pk]
    codes = sorted({reason.code for reason in reasons_for(annotated, today=today, signals=signals)})
    # Symptom reports need no code: only those that arrive after the review are listed.
    AttentionReview.objects.update_or_create(
        patient=patient,
        defaults={
            "reviewed_by": reviewed_by,
            "reviewed_at": seen_at,
            "reason_codes": ",".join(codes),
        },
    )


def suggestions_decide_all(*, patient: Patient, accept: bool, decided_by, today=None) -> dict:
    """Accept or dismiss every suggestion for one patient, each through
    ``suggestion_decide`` (recomputed, recorded with who). A switch to an exercise that
    matches the patient's precautions needs its own reason, so "accept all" leaves it for
    the clinician to decide one by one. Returns {"done": [...], "left": [...]} (changes)."""
    annotated = adherence.with_adherence(Patient.objects, today=today).get(pk=patient.pk)
    done, left = [], []
    for candidate in candidates_for([annotated], today=today).get(patient.pk, []):
        try:
            decision = suggestion_decide(
                prescribed=candidate.prescribed,
                kind=candidate.kind,
                accept=accept,
                decided_by=decided_by,
                today=today,
            )
        except ValidationError:
            left.append(f"{candidate.prescribed.exercise.name}: {candidate.change}")
        else:
            done.append(f"{candidate.prescribed.exercise.name}: {decision.change}")
    return {"done": done, "left": left}
