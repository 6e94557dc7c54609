"""Read model for the education pages on a patient's plan: what Today's "Read" items, the
Learn page and the handout show. One query each, whatever the number of prescriptions."""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from exercises.models import EducationPage, EducationPageVersion
from patients.models import Patient, Prescription, PrescriptionEducation


@dataclass
class Reading:
    """One page on the patient's plan, however many of their prescriptions carry it."""

    page: EducationPage
    # When it was marked read; None while any prescription carrying it has it unread (a
    # clinician who attaches it again to a new plan asks for it to be read again).
    read_at: datetime.datetime | None
    in_handout: bool

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def _gathered(rows) -> list[Reading]:
    by_page: dict[int, Reading] = {}
    for row in rows:
        found = by_page.get(row.page_id)
        if found is None:
            by_page[row.page_id] = Reading(
                page=row.page, read_at=row.read_at, in_handout=row.in_handout
            )
            continue
        found.in_handout = found.in_handout or row.in_handout
        if row.read_at is None or found.read_at is None:
            found.read_at = None
        else:
            found.read_at = max(found.read_at, row.read_at)
    return list(by_page.values())


def _rows(patient: Patient):
    return (
        PrescriptionEducation.objects.for_patient(patient)
        .select_related("page")
        .order_by("order", "page__order", "pk")
    )


def attached(patient: Patient) -> list[Reading]:
    """Every page on any of the patient's prescriptions (the Learn page), unread first."""
    readings = _gathered(_rows(patient))
    return sorted(readings, key=lambda reading: reading.is_read)


def for_today(patient: Patient, today: datetime.date) -> list[Reading]:
    """Today's "Read" items: the pages of the prescriptions that are running, unread, or
    read today (so the patient sees the tick), in the clinician's order."""
    running = (
        _rows(patient)
        .filter(prescription__start_date__lte=today)
        .exclude(prescription__status=Prescription.Status.COMPLETED)
        .exclude(prescription__end_date__lt=today)
    )
    zone = patient.zone
    return [
        reading
        for reading in _gathered(running)
        if reading.read_at is None or timezone.localdate(reading.read_at, zone) == today
    ]


def for_handout(prescriptions: list[Prescription]) -> list[tuple[EducationPage, object]]:
    """(page, newest published version) for the pages the clinician chose to print with
    these prescriptions, each once (two queries)."""
    rows = (
        PrescriptionEducation.objects.filter(prescription__in=prescriptions, in_handout=True)
        .select_related("page")
        .order_by("prescription__start_date", "order", "pk")
    )
    pages = {row.page_id: row.page for row in rows}
    versions = _newest_versions(pages)
    return [(page, versions[pk]) for pk, page in pages.items() if pk in versions]


def _newest_versions(pages: dict[int, EducationPage]) -> dict[int, EducationPageVersion]:
    newest: dict[int, EducationPageVersion] = {}
    for version in EducationPageVersion.objects.filter(page__in=pages, published=True).order_by(
        "-pk"
    ):
        newest.setdefault(version.page_id, version)
    return newest


def page_for(patient: Patient, slug: str) -> tuple[Reading, EducationPageVersion]:
    """One page of the patient's plan, with the text to show; 404 for a page none of their
    prescriptions carries (another patient's reading is none of theirs)."""
    readings = _gathered(_rows(patient).filter(page__slug=slug))
    if not readings:
        raise Http404("No such page in your plan.")
    version = _newest_versions({readings[0].page.pk: readings[0].page}).get(readings[0].page.pk)
    if version is None:
        raise Http404("This page has no published text.")
    return readings[0], version
