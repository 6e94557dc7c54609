"""Adherence, defined once: sessions due against sessions done, in the database.

*Due* is the number of prescription-sessions scheduled in a window (a prescription with two
sessions a day counts twice). *Done* is the completed sessions plus, for sessions not marked
done, the share of their exercises checked off. Windows are whole days ending yesterday in
the clinic's time zone, so a day still under way never lowers anyone's figure.

``with_adherence(patients)`` adds these figures to every patient of a queryset as SQL
annotations, so a list of 500 patients is one query and can be sorted by adherence.
"""

import datetime

from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from patients import schedule
from patients.models import Prescription, PrescriptionPause, SessionLog

WINDOWS = (7, 28)


def session_credit() -> models.Expression:
    """What one SessionLog row counts for: 1 when done, else its share of exercises checked."""
    return Case(
        When(completed_at__isnull=False, then=Value(1.0)),
        default=F("done_share"),
        output_field=models.FloatField(),
    )


def window(days: int, *, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The ``days`` whole days ending yesterday."""
    last = today - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=days - 1), last


def due_sessions_expression(first: datetime.date, last: datetime.date) -> models.Expression:
    """SQL for "how many sessions of this prescription fall between first and last"."""
    terms = []
    for day in schedule.days_between(first, last):
        in_range = Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
        on_weekday = GreaterThan(F("weekdays").bitand(1 << day.weekday()), 0)
        terms.append(
            Case(
                When(in_range, then=Case(When(on_weekday, then=F("sessions_per_day")), default=0)),
                default=0,
            )
        )
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def paused_sessions_expression(first: datetime.date, last: datetime.date) -> models.Expression:
    """SQL over PrescriptionPause rows: the sessions its prescription would have had on the
    paused days between first and last. Pauses of one prescription never overlap (the pause
    service refuses it), so their sum is what the pauses take off the due count."""
    terms = []
    for day in schedule.days_between(first, last):
        paused = Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        in_range = Q(prescription__start_date__lte=day) & (
            Q(prescription__end_date__isnull=True) | Q(prescription__end_date__gte=day)
        )
        on_weekday = GreaterThan(F("prescription__weekdays").bitand(1 << day.weekday()), 0)
        terms.append(
            Case(
                When(paused & in_range & on_weekday, then=F("prescription__sessions_per_day")),
                default=0,
            )
        )
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _sum_per_patient(queryset, patient_field: str, expression) -> Subquery:
    """A correlated subquery summing ``expression`` over ``queryset`` for the outer patient."""
    return Subquery(
        queryset.filter(**{patient_field: OuterRef("pk")})
        .values(patient_field)
        .annotate(total=models.Sum(expression))
        .values("total")[:1]
    )


def adherence_annotations(*, today: datetime.date | None = None) -> dict[str, models.Expression]:
    """Annotations for a Patient queryset: due, done and percent for 7 and 28 days."""
    today = today or timezone.localdate()
    annotations = {}
    credit = session_credit()
    for days in WINDOWS:
        first, last = window(days, today=today)
        due = Coalesce(
            _sum_per_patient(
                Prescription.objects.exclude(status=Prescription.Status.PAUSED),
                "patient",
                due_sessions_expression(first, last),
            ),
            0,
        ) - Coalesce(
            _sum_per_patient(
                PrescriptionPause.objects.exclude(prescription__status=Prescription.Status.PAUSED),
                "prescription__patient",
                paused_sessions_expression(first, last),
            ),
            0,
        )
        done = Coalesce(
            _sum_per_patient(
                SessionLog.objects.filter(date__range=(first, last)),
                "prescription__patient",
                credit,
            ),
            0.0,
        )
        annotations[f"due_{days}"] = due
        annotations[f"done_{days}"] = done
        annotations[f"adherence_{days}"] = Cast(
            100.0 * F(f"done_{days}") / NullIf(F(f"due_{days}"), 0),
            models.FloatField(),
        )
    return annotations


def pain_annotations(*, today: datetime.date | None = None) -> dict[str, models.Expression]:
    """Latest pain, this week's and last week's average pain, last session and activity."""
    today = today or timezone.localdate()
    this_first, this_last = window(7, today=today)
    previous_first = this_first - datetime.timedelta(days=7)
    previous_last = this_first - datetime.timedelta(days=1)
    logs = SessionLog.objects.filter(prescription__patient=OuterRef("pk"))
    completed = logs.filter(completed_at__isnull=False)

    def average_pain(first, last):
        return Subquery(
            completed.filter(date__range=(first, last))
            .values("prescription__patient")
            .annotate(average=models.Avg("pain"))
            .values("average")[:1]
        )

    latest = completed.order_by("-date", "-session_number", "-pk")
    return {
        "latest_pain": Subquery(latest.values("pain")[:1]),
        "last_session": Subquery(latest.values("date")[:1]),
        "last_activity": Subquery(logs.order_by("-date").values("date")[:1]),
        "last_change_at": Subquery(logs.order_by("-updated_at").values("updated_at")[:1]),
        "latest_note_at": Subquery(
            logs.exclude(note="").order_by("-updated_at").values("updated_at")[:1]
        ),
        "latest_effort": Subquery(latest.values("effort")[:1]),
        "previous_effort": Subquery(latest.values("effort")[1:2]),
        "pain_this_week": average_pain(this_first, this_last),
        "pain_last_week": average_pain(previous_first, previous_last),
    }


def with_adherence(patients, *, today: datetime.date | None = None):
    """``patients`` (a Patient queryset) with adherence over the last 7 and 28 days, pain and
    activity as annotations."""
    return patients.annotate(**adherence_annotations(today=today), **pain_annotations(today=today))


def pain_direction(this_week: float | None, last_week: float | None) -> str:
    """'up', 'down' or 'steady' (within half a point); '' without two weeks of scores."""
    if this_week is None or last_week is None:
        return ""
    change = this_week - last_week
    if change >= 0.5:
        return "up"
    if change <= -0.5:
        return "down"
    return "steady"


def prescription_adherence(
    prescription: Prescription, first: datetime.date, last: datetime.date
) -> tuple[int, float]:
    """(due, done) sessions of one prescription between ``first`` and ``last``."""
    due = sum(
        prescription.sessions_per_day
        for day in schedule.days_between(first, last)
        if schedule.is_due_on(prescription, day)
    )
    done = (
        prescription.session_logs.filter(date__range=(first, last)).aggregate(
            done=models.Sum(session_credit())
        )["done"]
        or 0.0
    )
    return due, done
