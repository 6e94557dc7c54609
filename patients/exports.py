"""CSV exports for the clinic's records, streamed so a long history never sits in memory."""

import csv
import datetime
import heapq

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from patients import schedule
from patients.models import ExerciseCheck, Message, Patient, SessionLog


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value):
        return value


# Spreadsheet apps run a cell that starts with one of these as a formula (CSV injection,
# OWASP), some also in their full-width forms: a leading apostrophe makes the cell plain
# text. Text the patient typed (notes), names and exercise names can start with anything.
FORMULA_STARTS = (
    *("=", "+", "-", "@", "\t", "\r", "\n", "\x00"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),  # full-width = + - @
)
# Without a byte-order mark, spreadsheet programs read UTF-8 as their local code page and
# accents and dashes come out garbled.
BOM = "\ufeff"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _stream(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    # Every field quoted: nothing is left for a spreadsheet to guess the type of.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    # The rows are made while the response streams, after the view returned: in the
    # request's language still.
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield BOM + writer.writerow([str(name) for name in header])
            for row in rows:
                yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _missed_sessions(patient: Patient, prescriptions, logged: set, today) -> list[list]:
    """A row for each session that was due up to yesterday and has no log at all: the
    clinic's record shows the gaps, not only what was done."""
    rows = []
    missed = pgettext("session status", "missed")
    for prescription in prescriptions:
        last = min(today - datetime.timedelta(days=1), prescription.end_date or today)
        for day in schedule.days_between(prescription.start_date, last):
            if not schedule.is_due_on(prescription, day):
                continue
            for number in range(1, prescription.sessions_per_day + 1):
                if (prescription.pk, day, number) not in logged:
                    rows.append([day, number, prescription.name, missed, "", "", "", "", "", ""])
    return rows


def _done_text(check: ExerciseCheck) -> str:
    """A done exercise's name, with the sets guided mode's camera counted of it, if any."""
    name = check.prescribed_exercise.exercise.name
    if not check.counted_by_camera:
        return name
    sets = check.prescribed_exercise.sets
    return ngettext(
        "%(exercise)s (camera: %(counted)d of %(sets)d set)",
        "%(exercise)s (camera: %(counted)d of %(sets)d sets)",
        sets,
    ) % {"exercise": name, "counted": check.camera_sets, "sets": sets}


def patient_logs_csv(patient: Patient) -> StreamingHttpResponse:
    """Every session of one patient, oldest first: each logged one with its check-offs, and
    each due one that was missed; the patient's name and id on every row."""
    logs = (
        SessionLog.objects.for_patient(patient)
        .select_related("prescription")
        .prefetch_related(
            # In the plan's order: a check-off has no order of its own, and a database may
            # return them in any.
            Prefetch(
                "checks",
                queryset=ExerciseCheck.objects.select_related(
                    "prescribed_exercise__exercise"
                ).order_by("prescribed_exercise__order", "prescribed_exercise_id"),
            ),
            "feedback__prescribed_exercise__exercise",
        )
        .order_by("date", "session_number", "prescription_id")
    )
    prescriptions = list(patient.prescriptions.all())
    logged = set(logs.values_list("prescription_id", "date", "session_number"))
    missed = _missed_sessions(patient, prescriptions, logged, patient.today())
    who = [patient.full_name, patient.pk]

    def logged_rows():
        for log in logs.iterator(chunk_size=500):
            checks = log.checks.all()
            yield [
                log.date,
                log.session_number,
                log.prescription.name,
                pgettext("session status", "done")
                if log.is_done
                else pgettext("session status", "not marked done"),
                "" if log.pain is None else log.pain,
                log.get_effort_display() if log.effort else "",
                log.note,
                "; ".join(_done_text(c) for c in checks if c.status == ExerciseCheck.Status.DONE),
                "; ".join(
                    f"{c.prescribed_exercise.exercise.name} ({c.get_skip_reason_display()})"
                    for c in checks
                    if c.status == ExerciseCheck.Status.SKIPPED
                ),
                # The patient's answer after each exercise, not the session's answer above.
                "; ".join(
                    f"{f.prescribed_exercise.exercise.name} ({f.get_effort_display().lower()})"
                    for f in log.feedback.all()
                ),
            ]

    def rows():
        by_day = heapq.merge(
            logged_rows(), sorted(missed, key=lambda row: row[:2]), key=lambda row: row[:2]
        )
        sessions = ([*row, *[""] * len(MESSAGE_COLUMNS)] for row in by_day)
        # A day's sessions first, then its messages (merge keeps the first input first).
        for row in heapq.merge(sessions, _message_rows(patient), key=lambda row: row[0]):
            yield [*who, row[0].isoformat(), *row[1:]]

    header = [
        gettext("patient"),
        gettext("patient id"),
        gettext("date"),
        gettext("session"),
        gettext("program"),
        gettext("status"),
        gettext("pain (0-10)"),
        gettext("how it felt"),
        gettext("note"),
        gettext("exercises done"),
        gettext("exercises skipped"),
        gettext("how each exercise felt"),
        *MESSAGE_COLUMNS,
    ]
    return _stream(f"homeplan-patient-{patient.pk}-{timezone.localdate()}.csv", header, rows())


MESSAGE_COLUMNS = [
    _("message time"),
    _("message from"),
    pgettext_lazy("column", "message"),
    _("about exercise"),
    _("read at"),
]
SESSION_COLUMNS = 10  # date to "how each exercise felt": empty on a message's row


def _message_rows(patient: Patient):
    """A row for each message in the patient's thread, oldest first, on the day (the
    patient's) it arrived, status "message", times in the patient's time zone.

    Hidden messages are left out: a clinician hides a message sent to the wrong patient, so
    its text is most likely about somebody else, and this file is the patient's record (it
    may be handed to them or to another clinic). The hidden row stays in the database and
    its hiding in the audit trail."""
    zone = patient.zone

    def local(moment):
        return "" if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")

    messages = (
        Message.objects.visible()
        .filter(patient=patient)
        .order_by("created_at", "pk")
        .only("created_at", "from_patient", "text", "exercise_name", "read_at")
    )
    for message in messages.iterator(chunk_size=500):
        yield [
            message.created_at.astimezone(zone).date(),
            *[""] * 2,
            pgettext("session status", "message"),
            *[""] * (SESSION_COLUMNS - 4),
            local(message.created_at),
            pgettext("message from", "patient")
            if message.from_patient
            else pgettext("message from", "clinic"),
            message.text,
            message.exercise_name,
            local(message.read_at),
        ]


def adherence_csv(patients) -> StreamingHttpResponse:
    """The adherence list for patients annotated by ``with_adherence``."""

    def percent(value):
        return "" if value is None else round(value)

    def rows():
        for patient in patients:
            yield [
                patient.pk,
                patient.full_name,
                patient.due_7,
                round(patient.done_7, 2),
                percent(patient.adherence_7),
                patient.due_28,
                round(patient.done_28, 2),
                percent(patient.adherence_28),
                patient.last_session or "",
                "" if patient.latest_pain is None else patient.latest_pain,
            ]

    header = [
        gettext("patient id"),
        gettext("name"),
        gettext("due (7 days)"),
        gettext("done (7 days)"),
        gettext("adherence % (7 days)"),
        gettext("due (28 days)"),
        gettext("done (28 days)"),
        gettext("adherence % (28 days)"),
        gettext("last session"),
        gettext("latest pain"),
    ]
    return _stream(f"homeplan-adherence-{timezone.localdate()}.csv", header, rows())
