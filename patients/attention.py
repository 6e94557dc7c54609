"""The "needs attention" queue: which of a clinician's patients to look at before a visit,
and why. Rules and thresholds are in settings (``ATTENTION_*``).

Every symptom report the clinician has not yet reviewed is listed, with its time; a patient
with an unreviewed emergency sign is first, marked urgent, whatever they reported after it.
So is a patient whose waiting message named an emergency sign; a message unanswered for more
than ``ATTENTION_MESSAGE_WORKING_DAYS`` working days (Monday to Friday) is listed too. Both
are read from the message thread live, like the reports, and leave the queue only when the
clinic answers or marks the thread handled ("Mark reviewed" does not cover them).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q
from django.db.models.expressions import Window
from django.db.models.functions import DenseRank
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from audit.services import record_list
from patients import adherence, schedule, suggestions
from patients.models import (
    Effort,
    ExerciseCheck,
    FunctionScore,
    MessageThread,
    Patient,
    Prescription,
    SessionLog,
    SkipReason,
    SymptomReport,
)

INACTIVE = "inactive"
LOW_ADHERENCE = "low_adherence"
PAIN_RISING = "pain_rising"
PAIN_HIGH = "pain_high"
PAIN_NOT_BETTER = "pain_not_better"
FUNCTION_FALLING = "function_falling"
TOO_HARD = "too_hard"
PAINFUL_SKIP = "painful_skip"
NEW_NOTE = "new_note"
SUGGESTION = "suggestion"
SYMPTOMS = "symptoms"  # an unreviewed symptom report; before every other reason
URGENT = "urgent"  # an unreviewed report of a sign that may need emergency care
SYMPTOM_CODES = frozenset({SYMPTOMS, URGENT})
MESSAGE = "message"  # a patient message unanswered for too many working days
MESSAGE_URGENT = "message_urgent"  # a waiting message that named an emergency sign
URGENT_CODES = frozenset({URGENT, MESSAGE_URGENT})
MESSAGE_CODES = frozenset({MESSAGE, MESSAGE_URGENT})

# Each patient's summary, kept in this process's memory (queue_for); like the day page's plan,
# health data stays in the process that read it.
CACHE_ALIAS = "attention"


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    at: datetime.datetime | None = None  # when it happened (symptom reports)


@dataclass
class AttentionItem:
    patient: Patient
    reasons: list[Reason]
    # The newest thing the patient did that a review has not seen: a log written or changed,
    # a function check-in.
    changed_at: datetime.datetime | None = None
    # Links for the front page's row (index_panel).
    progress_url: str = ""
    review_url: str = ""

    @property
    def codes(self) -> set[str]:
        return {reason.code for reason in self.reasons}

    @property
    def is_urgent(self) -> bool:
        return bool(self.codes & URGENT_CODES)

    @property
    def has_messages(self) -> bool:
        return bool(self.codes & MESSAGE_CODES)

    @property
    def has_symptoms(self) -> bool:
        return bool(self.codes & SYMPTOM_CODES)

    @property
    def first_report_at(self) -> datetime.datetime | None:
        """The oldest unreviewed report of the item's most urgent kind: who waited longest."""
        codes = URGENT_CODES if self.is_urgent else {SYMPTOMS}
        times = [reason.at for reason in self.reasons if reason.code in codes and reason.at]
        return min(times, default=None)


@dataclass
class Signals:
    """What the rules read besides the ``with_adherence`` annotations, for one patient."""

    reports: list[SymptomReport] = field(default_factory=list)  # unreviewed, oldest first
    painful_skips: list[tuple[str, int]] = field(default_factory=list)  # (exercise, times)
    first_week_pain: float | None = None
    function_change: tuple[float, float] | None = None  # (previous mean, latest mean)
    checkin_at: datetime.datetime | None = None


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


def unreviewed_reports(patients):
    """The patients' symptom reports not yet covered by a review, oldest first."""
    return (
        SymptomReport.objects.filter(patient__in=patients).unreviewed().order_by("created_at", "pk")
    )


def signals_for(patients, *, today: datetime.date, reports=None) -> dict[int, Signals]:
    """The symptom reports, "too painful" skips, first week's pain and function check-ins of
    ``patients``, in four queries whatever their number (three when ``reports`` is given)."""
    ids = [patient.pk for patient in patients]
    signals = {pk: Signals() for pk in ids}
    for report in unreviewed_reports(ids) if reports is None else reports:
        signals[report.patient_id].reports.append(report)

    # By the session's date, which the logs are indexed by (the patient's days, ending today).
    since = today - datetime.timedelta(days=settings.ATTENTION_PAINFUL_SKIP_DAYS - 1)
    skips = (
        ExerciseCheck.objects.filter(
            session_log__prescription__patient__in=ids,
            session_log__date__gte=since,
            status=ExerciseCheck.Status.SKIPPED,
            skip_reason=SkipReason.TOO_PAINFUL,
        )
        .values("session_log__prescription__patient", "prescribed_exercise__exercise__name")
        .annotate(times=Count("pk"), last=Max("checked_at"))
        .order_by("-last")
    )
    for row in skips:
        signals[row["session_log__prescription__patient"]].painful_skips.append(
            (row["prescribed_exercise__exercise__name"], row["times"])
        )

    # The first week of scores: the first seven days on which the patient gave a pain score.
    first_days = (
        SessionLog.objects.filter(
            prescription__patient__in=ids, completed_at__isnull=False, pain__isnull=False
        )
        .annotate(
            day_number=Window(
                DenseRank(), partition_by=F("prescription__patient"), order_by=F("date").asc()
            )
        )
        .filter(day_number__lte=7)
        .values_list("prescription__patient", "pain")
    )
    first_pain = defaultdict(list)
    for patient_id, pain in first_days:
        first_pain[patient_id].append(pain)
    for patient_id, scores in first_pain.items():
        signals[patient_id].first_week_pain = sum(scores) / len(scores)

    # The two latest function check-ins, compared on the activities rated in both (a newly
    # named activity, rated low, must not look like a fall).
    latest_two = (
        FunctionScore.objects.filter(checkin__patient__in=ids)
        .annotate(
            recency=Window(
                DenseRank(), partition_by=F("checkin__patient"), order_by=F("checkin__date").desc()
            )
        )
        .filter(recency__lte=2)
        .values_list("checkin__patient", "recency", "activity", "score", "checkin__created_at")
    )
    scores = defaultdict(lambda: ({}, {}))
    for patient_id, recency, activity, score, created_at in latest_two:
        scores[patient_id][recency - 1][activity] = score
        if recency == 1:
            signals[patient_id].checkin_at = created_at
    for patient_id, (latest, previous) in scores.items():
        common = latest.keys() & previous.keys()
        if common:
            signals[patient_id].function_change = (
                sum(previous[a] for a in common) / len(common),
                sum(latest[a] for a in common) / len(common),
            )
    return signals


def reasons_for(patient: Patient, *, today: datetime.date, signals: Signals) -> list[Reason]:
    """Every rule that fires for a patient annotated by ``with_adherence``, except symptom
    reports and suggestions (``symptom_reasons``, ``suggestions.candidates_for``)."""
    reasons = []
    idle = due_days_without_activity(patient.prescriptions.all(), patient.last_activity, today)
    if idle >= settings.ATTENTION_INACTIVE_DUE_DAYS:
        reasons.append(
            Reason(
                INACTIVE,
                ngettext(
                    "No activity for %(days)d due day", "No activity for %(days)d due days", idle
                )
                % {"days": idle},
            )
        )
    if (
        patient.due_28 >= settings.ATTENTION_MIN_DUE_SESSIONS
        and patient.adherence_28 is not None
        and patient.adherence_28 < settings.ATTENTION_ADHERENCE_BELOW
    ):
        reasons.append(
            Reason(
                LOW_ADHERENCE,
                gettext("Adherence %(percent).0f%% over 28 days")
                % {"percent": patient.adherence_28},
            )
        )
    this_week, last_week = patient.pain_this_week, patient.pain_last_week
    if (
        this_week is not None
        and last_week is not None
        and this_week - last_week >= settings.ATTENTION_PAIN_RISE
    ):
        reasons.append(
            Reason(
                PAIN_RISING,
                gettext("Pain rising: %(last_week).1f → %(this_week).1f")
                % {"last_week": last_week, "this_week": this_week},
            )
        )
    if this_week is not None and this_week >= settings.ATTENTION_PAIN_HIGH:
        reasons.append(
            Reason(
                PAIN_HIGH,
                gettext("Pain %(pain).1f on average over the last 7 days") % {"pain": this_week},
            )
        )
    reasons += _pain_not_better(patient, today=today, signals=signals)
    if signals.function_change is not None:
        previous, latest = signals.function_change
        if previous - latest >= settings.ATTENTION_FUNCTION_DROP:
            reasons.append(
                Reason(
                    FUNCTION_FALLING,
                    gettext("Everyday activities rated lower: %(previous).1f → %(latest).1f")
                    % {"previous": previous, "latest": latest},
                )
            )
    if patient.latest_effort == patient.previous_effort == Effort.TOO_HARD:
        reasons.append(Reason(TOO_HARD, gettext("Rated “too hard” twice in a row")))
    for name, times in signals.painful_skips:
        reasons.append(
            Reason(
                PAINFUL_SKIP,
                ngettext(
                    "Skipped “%(name)s” as too painful",
                    "Skipped “%(name)s” as too painful %(times)d times",
                    times,
                )
                % {"name": name, "times": times},
            )
        )
    review = getattr(patient, "review", None)
    note_since = (
        review.reviewed_at
        if review
        else timezone.now() - datetime.timedelta(days=settings.ATTENTION_NOTE_DAYS)
    )
    if patient.latest_note_at and patient.latest_note_at > note_since:
        reasons.append(Reason(NEW_NOTE, gettext("New note from the patient")))
    return reasons


def _pain_not_better(patient: Patient, *, today: datetime.date, signals: Signals) -> list[Reason]:
    """After ``ATTENTION_PAIN_REVIEW_WEEKS`` on the program, this week's pain should be at
    least ``ATTENTION_PAIN_EXPECTED_DROP`` points below the first week's. (A first week below
    that drop has nothing to lose, so it never fires.)"""
    starts = [prescription.start_date for prescription in patient.prescriptions.all()]
    first, now = signals.first_week_pain, patient.pain_this_week
    weeks = settings.ATTENTION_PAIN_REVIEW_WEEKS
    drop = settings.ATTENTION_PAIN_EXPECTED_DROP
    if (
        not starts
        or (today - min(starts)).days < 7 * weeks
        or first is None
        or now is None
        or first < drop
        or first - now >= drop
    ):
        return []
    return [
        Reason(
            PAIN_NOT_BETTER,
            gettext(
                "Pain not better after %(weeks)d weeks: %(first).1f in the first week, "
                "%(now).1f in the last 7 days"
            )
            % {"weeks": weeks, "first": first, "now": now},
        )
    ]


def symptom_reasons(reports: list[SymptomReport]) -> list[Reason]:
    """One reason per unreviewed report, oldest first, with the time the patient made it."""
    reasons = []
    for report in reports:
        symptoms = "; ".join(report.symptom_labels).lower()
        if report.is_urgent:
            text = (
                gettext("URGENT — reported %(symptoms)s (told to get urgent help now)")
                if report.is_emergency
                else gettext("URGENT — reported %(symptoms)s")
            )
            code = URGENT
        elif report.level == SymptomReport.Level.DOCTOR_SOON:
            text = gettext(
                "Reported worse symptoms: %(symptoms)s (told to see a doctor today or tomorrow)"
            )
            code = SYMPTOMS
        else:
            text = gettext("Reported worse symptoms: %(symptoms)s")
            code = SYMPTOMS
        text %= {"symptoms": symptoms}
        if report.sent_later:
            text += " " + gettext("(made offline, sent at %(time)s)") % {
                "time": timezone.localtime(report.created_at).strftime("%H:%M")
            }
        reasons.append(Reason(code, text, at=report.reported_at))
    return reasons


def working_time_between(
    start: datetime.datetime, end: datetime.datetime, *, enough: datetime.timedelta
) -> datetime.timedelta:
    """The time from ``start`` to ``end`` that fell on Monday to Friday (in the clinic's time
    zone); counting stops once it passes ``enough``."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = datetime.timedelta(0)
    day = start.date()
    while day <= end.date() and total <= enough:
        if day.weekday() < 5:
            day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
            next_day = day + datetime.timedelta(days=1)
            day_end = timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))
            low, high = max(start, day_start), min(end, day_end)
            if high > low:
                total += high - low
        day += datetime.timedelta(days=1)
    return total


def message_reason(thread: MessageThread | None, *, now: datetime.datetime) -> Reason | None:
    """Why a patient's thread needs attention, if it does: a waiting message that named an
    emergency sign at once (URGENT); any other once it has waited more than
    ``ATTENTION_MESSAGE_WORKING_DAYS`` working days."""
    if thread is None or thread.waiting_since is None:
        return None
    since = thread.waiting_since
    if thread.urgent:
        return Reason(
            MESSAGE_URGENT,
            gettext(
                "URGENT — a message naming a sign that may need urgent care (told to get help "
                "now); not answered yet"
            ),
            at=since,
        )
    days = settings.ATTENTION_MESSAGE_WORKING_DAYS
    enough = datetime.timedelta(days=days)
    if working_time_between(since, now, enough=enough) <= enough:
        return None
    return Reason(
        MESSAGE,
        ngettext(
            "A message unanswered for more than %(days)d working day",
            "A message unanswered for more than %(days)d working days",
            days,
        )
        % {"days": days},
        at=since,
    )


def _changed_at(patient: Patient, signals: Signals) -> datetime.datetime | None:
    times = [t for t in (patient.last_change_at, signals.checkin_at) if t is not None]
    return max(times, default=None)


def _hidden_by_review(item: AttentionItem) -> bool:
    """Reviewed, with no report since, nothing new done, and no reason the review did not
    see. (A symptom report is never hidden: only those after the review are listed.)"""
    review = getattr(item.patient, "review", None)
    if review is None or item.has_symptoms or item.has_messages:
        return False
    nothing_new = item.changed_at is None or item.changed_at <= review.reviewed_at
    return nothing_new and item.codes <= review.reasons


@dataclass(frozen=True)
class Summary:
    """What the rules found for one patient, but for their symptom reports (read live)."""

    reasons: tuple[Reason, ...]
    changed_at: datetime.datetime | None


def _summary_key(patient: Patient, *, today: datetime.date, reporting: bool) -> str:
    """Everything a patient's summary depends on: the patient's ``plan_stamp`` (new with every
    change to their prescriptions, logs, check-offs, check-ins and the suggestions decided for
    them), their last review, whether a symptom report is open (no progression is suggested
    then), the day and the language (the reasons are worded in it)."""
    review = getattr(patient, "review", None)
    reviewed = review.reviewed_at.isoformat() if review else "-"
    language = get_language() or "-"
    return (
        f"attention:{patient.pk}:{patient.plan_stamp}:{reviewed}:{int(reporting)}:{today}:"
        f"{language}"
    )


def summaries_for(patient_ids, *, today: datetime.date, reporting: set[int]) -> dict[int, Summary]:
    """Evaluate every rule but the symptom reports for these patients: nine queries whatever
    their number, and work in Python that grows with them."""
    patients = list(
        adherence.with_adherence(Patient.objects.filter(pk__in=patient_ids), today=today)
        .select_related("review")
        .prefetch_related(Prefetch("prescriptions", queryset=Prescription.objects.all()))
    )
    signals = signals_for(patients, today=today, reports=[])
    suggested = suggestions.candidates_for(patients, today=today, reporting=reporting)
    result = {}
    for patient in patients:
        reasons = reasons_for(patient, today=today, signals=signals[patient.pk])
        reasons += [
            Reason(
                SUGGESTION,
                gettext("Suggested %(kind)s: %(exercise)s → %(change)s")
                % {
                    "kind": candidate.get_kind_label(),
                    "exercise": candidate.prescribed.exercise.name,
                    "change": candidate.change,
                },
            )
            for candidate in suggested.get(patient.pk, [])
        ]
        result[patient.pk] = Summary(tuple(reasons), _changed_at(patient, signals[patient.pk]))
    return result


def queue_for(
    user, *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> list[AttentionItem]:
    """The clinician's active patients that need attention: unreviewed emergency signs first
    (reported or written in a waiting message; who waited longest first), then other symptom
    reports, then the most reasons.

    A patient with an unreviewed report or a waiting message is listed even without an active
    plan. Each patient's summary is kept in this process's memory under a key that changes
    with everything it depends on (``_summary_key``), so a visit evaluates the rules only for
    patients whose data changed since; the symptom reports and waiting messages are read
    afresh every time. A constant number of
    queries whatever the number of patients or logs.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    own = Patient.objects.for_clinician(user).active()
    reports = list(unreviewed_reports(own))
    reports_of = defaultdict(list)
    for report in reports:
        reports_of[report.patient_id].append(report)
    has_active_plan = Exists(
        Prescription.objects.filter(patient=OuterRef("pk"), status=Prescription.Status.ACTIVE)
    )
    # Only what the queue shows and keys on: the page lists hundreds of patients.
    patients = list(
        own.filter(
            has_active_plan | Q(pk__in=reports_of) | Q(message_thread__waiting_since__isnull=False)
        )
        .select_related("review", "message_thread")
        .only(
            "first_name",
            "last_name",
            "plan_stamp",
            "clinician_id",
            "review__reviewed_at",
            "review__reason_codes",
            "review__patient_id",
            "message_thread__waiting_since",
            "message_thread__urgent",
            "message_thread__patient_id",
        )
    )
    keys = {
        patient.pk: _summary_key(patient, today=today, reporting=patient.pk in reports_of)
        for patient in patients
    }
    cache = caches[CACHE_ALIAS]
    kept = cache.get_many(keys.values())
    stale = [pk for pk, key in keys.items() if key not in kept]
    if stale:
        fresh = summaries_for(stale, today=today, reporting=set(reports_of))
        cache.set_many({keys[pk]: summary for pk, summary in fresh.items()})
        kept.update({keys[pk]: summary for pk, summary in fresh.items()})
    items = []
    for patient in patients:
        summary = kept[keys[patient.pk]]
        waiting = message_reason(getattr(patient, "message_thread", None), now=now)
        reasons = symptom_reasons(reports_of[patient.pk]) + list(summary.reasons)
        if waiting is not None:  # after the symptom reports, before the other rules
            reasons.insert(len(reports_of[patient.pk]), waiting)
        item = AttentionItem(patient, reasons, changed_at=summary.changed_at)
        if reasons and not _hidden_by_review(item):
            items.append(item)
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    items.sort(
        key=lambda item: (
            not item.is_urgent,
            not item.has_symptoms,
            item.first_report_at or far_future,
            -len(item.reasons),
            item.patient.last_name,
        )
    )
    return items


# A stand-in patient id: each row's links are made from one reversed URL, not a reverse per
# row (hundreds of reverses were most of the front page's rendering time).
_ANY_PATIENT = 987654321


def _per_patient(url_name: str):
    template = reverse(url_name, args=[_ANY_PATIENT])
    return lambda pk: template.replace(str(_ANY_PATIENT), str(pk))


def index_panel(request) -> dict:
    """The admin front page's "needs attention" queue (``HomeplanAdminSite.index_panels``),
    recorded in the audit trail as one list of the patients shown."""
    if not request.user.has_perm("patients.view_patient"):
        return {"attention": None}
    shown_at = timezone.now()  # "Mark reviewed" covers only what this page shows
    items = queue_for(request.user)
    record_list(request, (item.patient.pk for item in items), "needs-attention queue")
    progress_url = _per_patient("admin:patients_patient_progress")
    review_url = _per_patient("admin:patients_patient_review")
    for item in items:
        item.progress_url = progress_url(item.patient.pk)
        item.review_url = review_url(item.patient.pk)
    return {"attention": items, "attention_shown_at": shown_at}
