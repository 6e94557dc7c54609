"""The security tests' shared world: two clinicians, each with a patient, and objects of
every kind that belong to patient B and clinician B."""

import datetime

import pytest
from django.core.files.base import ContentFile

from exercises import services as exercise_services
from exercises.models import EducationPage, PrecautionTag, SafetyAdvice
from patients.models import PrescriptionEducation, QuickReply, SessionLog
from patients.services import message_send
from tests.factories import (
    EditorFactory,
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    ProgramFactory,
    SuperuserFactory,
)


@pytest.fixture
def world(db, clinician, other_clinician):
    """Patient A of clinician A; patient B (the secret name) of clinician B, with data."""
    patient_a = PatientFactory(clinician=clinician, first_name="Alice", last_name="Ashby")
    patient_b = PatientFactory(
        clinician=other_clinician, first_name="Zebulon", last_name="Quixotic"
    )
    patient_b.precaution_tags.add(PrecautionTag.objects.first())
    prescribed = PrescribedExerciseFactory(
        prescription__patient=patient_b, prescription__start_date=datetime.date(2026, 1, 1)
    )
    # A clinic video of patient B (stand-in bytes: the matrix asks who may fetch it; the
    # pipeline itself is tested in tests/patients/test_clinic_videos.py).
    prescribed.video.save("video-0123456789ab.mp4", ContentFile(b"\x00" * 2048), save=False)
    prescribed.video_poster.save("poster-0123456789ab.jpg", ContentFile(b"jpeg"), save=False)
    prescribed.video_status = prescribed.VideoStatus.READY
    prescribed.save()
    log = SessionLog.objects.create(
        prescription=prescribed.prescription,
        date=datetime.date(2026, 11, 1),
        pain=4,
        note="secret note",
    )
    # An education page on patient B's plan (the Learn page's address names it).
    page = exercise_services.education_load(
        entries=[
            {
                "key": "matrix-reading",
                "title": "Matrix reading",
                "summary": "A page for the access matrix.",
                "body": "Keep moving.",
                "precaution_tags": [],
                "order": 10,
            }
        ]
    )
    reading = PrescriptionEducation.objects.create(
        prescription=prescribed.prescription,
        page=EducationPage.objects.get(library_key="matrix-reading"),
    )
    assert page.created == ["matrix-reading"]
    # A message from patient B about the exercise, waiting for clinician B, who keeps a quick
    # reply (the clinician's side: the thread, the inbox, quick replies).
    message_send(
        patient=patient_b,
        sender=patient_b.user,
        text="Does the exercise pinch?",
        from_patient=True,
        prescribed=prescribed,
    )
    quick_reply = QuickReply.objects.create(
        clinician=other_clinician, title="Normal", text="That is normal at first."
    )
    return {
        "patient_a": patient_a,
        "patient_b": patient_b,
        "clinician_a": clinician,
        "clinician_b": other_clinician,
        "editor": EditorFactory(username="matrix-editor"),
        "admin": SuperuserFactory(username="matrix-admin"),
        "prescribed": prescribed,
        "log": log,
        "exercise": ExerciseFactory(),
        "program": ProgramFactory(owner=other_clinician),
        "tag": PrecautionTag.objects.first(),
        "advice": SafetyAdvice.objects.first(),
        "reading": reading,
        "quick_reply": quick_reply,
    }
