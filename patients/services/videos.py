"""A clinician's video of one patient doing a prescribed exercise (filmed in clinic).

Kept, prepared and removed by the same steps as the library's videos
(``exercises.video_services``), with two differences: every file stays in private storage
(health data; ``patients.views.videos`` serves it to the patient and their clinician only),
and every change of the row, the worker's included, goes through the write path: the audit
trail records it and the patient's pages are rebuilt.
"""

from django.db import transaction
from django_tasks import task

from exercises.video_services import video_clear, video_keep_original, video_prepare
from patients import changes
from patients.models import PrescribedExercise


def _prescribed_save(prescribed: PrescribedExercise, fields: list[str]) -> None:
    prescribed.save(update_fields=fields)
    changes.record(prescribed.prescription.patient_id, [changes.changed(prescribed, fields)])


@task()
def prescribed_video_prepare(prescribed_id: int, original: str) -> str:
    return video_prepare(PrescribedExercise, prescribed_id, original, save=_prescribed_save)


def prescribed_video_attach(*, prescribed: PrescribedExercise, upload) -> None:
    """Keep the clinician's upload (already checked) and queue it for the worker."""
    with transaction.atomic():
        fields = video_keep_original(prescribed, upload)
        _prescribed_save(prescribed, fields)
        prescribed_video_prepare.enqueue(prescribed.pk, prescribed.video_original.name)


def prescribed_video_remove(*, prescribed: PrescribedExercise) -> None:
    with transaction.atomic():
        _prescribed_save(prescribed, video_clear(prescribed))
