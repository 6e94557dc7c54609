"""The "needs attention" queue: which of a clinician's patients to look at before a visit,
and why. Rules and thresholds are in settings (``ATTENTION_*``)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from patients import schedule, suggestions
from patients.models import AttentionReview, Effort, Patient, Prescription, SymptomReport

INACTIVE = "inactive"
LOW_ADHERENCE = "low_adherence"
PAIN_RISING = "pain_rising"
TOO_HARD = "too_hard"
NEW_NOTE = "new_note"
SUGGESTION = "suggestion"
SYMPTOMS = "symptoms"  # reported worse symptoms; always first in the queue
URGENT = "urgent"  # reported a sign that may need emergency care


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass
class AttentionItem:
    patient: Patient
    reasons: list[Reason]

    @property
    def codes(self) -> set[str]:
        return {reason.code for reason in self.reasons}

    @property
    def is_urgent(self) -> bool:
        return bool(self.codes & {SYMPTOMS, URGENT})


def due_days_without_activity(
    prescriptions, last_activity: datetime.date | None, today: datetime.date
) -> int:
    """Due days from the day after the last activity (or the first start) to yesterday."""
    active = [p for p in prescriptions if p.status == Prescription.Status.ACTIVE]
    if not active:
        return 0
    first = (
        last_activity + datetime.timedelta(days=1)
        if last_activity
        else min(p.start_date for p in active)
    )
    yesterday = today - datetime.timedelta(days=1)
    if first > yesterday:
        return 0
    return sum(1 for day in schedule.days_between(first, yesterday) if schedule.due_on(active, day))


def reasons_for(patient: Patient, *, today: datetime.date) -> list[Reason]:
    """Every rule that fires for a patient annotated by ``with_adherence``."""
    reasons = []
    idle = due_days_without_activity(patient.prescriptions.all(), patient.last_activity, today)
    if idle >= settings.ATTENTION_INACTIVE_DUE_DAYS:
        reasons.append(Reason(INACTIVE, f"No activity for {idle} due days"))
    if (
        patient.due_28 >= settings.ATTENTION_MIN_DUE_SESSIONS
        and patient.adherence_28 is not None
        and patient.adherence_28 < settings.ATTENTION_ADHERENCE_BELOW
    ):
        reasons.append(Reason(LOW_ADHERENCE, f"Adherence {patient.adherence_28:.0f}% over 28 days"))
    if (
        patient.pain_this_week is not None
        and patient.pain_last_week is not None
        and patient.pain_this_week - patient.pain_last_week >= settings.ATTENTION_PAIN_RISE
    ):
        reasons.append(
            Reason(
                PAIN_RISING,
                f"Pain rising: {patient.pain_last_week:.1f} → {patient.pain_this_week:.1f}",
            )
        )
    if patient.latest_effort == patient.previous_effort == Effort.TOO_HARD:
        reasons.append(Reason(TOO_HARD, "Rated “too hard” twice in a row"))
    review = getattr(patient, "review", None)
    note_since = (
        review.reviewed_at
        if review
        else timezone.now() - datetime.timedelta(days=settings.ATTENTION_NOTE_DAYS)
    )
    if patient.latest_note_at and patient.latest_note_at > note_since:
        reasons.append(Reason(NEW_NOTE, "New note from the patient"))
    return reasons


def _hidden_by_review(item: AttentionItem) -> bool:
    review = getattr(item.patient, "review", None)
    if review is None:
        return False
    nothing_new = item.patient.last_change_at is None or (
        item.patient.last_change_at <= review.reviewed_at
    )
    return nothing_new and item.codes <= review.reasons


def queue_for(user, *, today: datetime.date | None = None) -> list[AttentionItem]:
    """The clinician's active patients that need attention, most reasons first.

    A constant number of queries (nine) whatever the number of patients or logs.
    """
    today = today or timezone.localdate()
    patients = (
        Patient.objects.for_clinician(user)
        .active()
        .filter(prescriptions__status=Prescription.Status.ACTIVE)
        .distinct()
        .with_adherence(today=today)
        .select_related("review")
        .prefetch_related(Prefetch("prescriptions", queryset=Prescription.objects.all()))
    )
    patients = list(patients)
    suggested = suggestions.candidates_for(patients, today=today)
    latest_reports = {}
    for report in SymptomReport.objects.filter(
        patient__in=patients,
        created_at__gte=timezone.now() - datetime.timedelta(days=settings.ATTENTION_NOTE_DAYS),
    ).order_by("created_at"):
        latest_reports[report.patient_id] = report
    items = []
    for patient in patients:
        reasons = symptom_reasons(patient, latest_reports.get(patient.pk))
        reasons += reasons_for(patient, today=today)
        reasons += [
            Reason(
                SUGGESTION,
                f"Suggested {candidate.get_kind_label()}: {candidate.prescribed.exercise.name} "
                f"→ {candidate.change}",
            )
            for candidate in suggested.get(patient.pk, [])
        ]
        item = AttentionItem(patient, reasons)
        if reasons and not _hidden_by_review(item):
            items.append(item)
    items.sort(key=lambda item: (not item.is_urgent, -len(item.reasons), item.patient.last_name))
    return items


def symptom_reasons(patient: Patient, report: SymptomReport | None) -> list[Reason]:
    """The patient's latest symptom report, unless reviewed since."""
    review = getattr(patient, "review", None)
    if report is None or (review and report.created_at <= review.reviewed_at):
        return []
    text = "Reported worse symptoms: " + "; ".join(report.symptom_labels).lower()
    if report.is_emergency:
        return [Reason(URGENT, "URGENT — " + text + " (told to seek urgent care)")]
    return [Reason(SYMPTOMS, text)]


@transaction.atomic
def attention_review(*, patient: Patient, reviewed_by, today: datetime.date | None = None):
    """Hide the patient's current item until something new happens."""
    today = today or timezone.localdate()
    annotated = (
        Patient.objects.with_adherence(today=today)
        .select_related("review")
        .prefetch_related("prescriptions")
        .get(pk=patient.pk)
    )
    codes = sorted(reason.code for reason in reasons_for(annotated, today=today))
    # Symptom reasons need no code: they show only for reports newer than the review.
    AttentionReview.objects.update_or_create(
        patient=patient,
        defaults={
            "reviewed_by": reviewed_by,
            "reviewed_at": timezone.now(),
            "reason_codes": ",".join(codes),
        },
    )
