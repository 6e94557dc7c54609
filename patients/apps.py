from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and plans"

    def ready(self):
        from django.contrib import admin

        from clinic import accounts
        from exercises.signals import education_changed, library_changed
        from patients import attention, checks, inbox, plan_cache  # noqa: F401

        audit_register()
        # The day page's cache hears of the changes that other apps make (they may not
        # import this one): an editor's library or education page change, a clinician's
        # new name.
        library_changed.connect(plan_cache.library_changed, dispatch_uid="plan-cache-library")
        education_changed.connect(plan_cache.education_changed, dispatch_uid="plan-cache-education")
        accounts.staff_renamed.connect(plan_cache.clinician_renamed, dispatch_uid="plan-cache-name")
        # A patient's clinic video goes with the exercise row, however it is deleted (one
        # row, a prescription, the patient): files only, after the commit.
        post_delete.connect(
            prescribed_video_files_delete,
            sender="patients.PrescribedExercise",
            dispatch_uid="prescribed-video-files",
        )
        # An invited patient's address is taken before their account exists.
        accounts.address_holder_register(invited_patient_holds)
        # The clinician's "needs attention" queue on the admin's front page.
        if attention.index_panel not in admin.site.index_panels:
            admin.site.index_panels.append(attention.index_panel)
        # ...and the link to the Messages inbox, with how many threads wait.
        if inbox.index_panel not in admin.site.index_panels:
            admin.site.index_panels.append(inbox.index_panel)


def audit_register() -> None:
    """The patients' records the audit trail keeps every change of, and whose they are.
    The writes themselves go through ``patients.changes.record``."""
    from audit import registry
    from patients.models import (
        ExerciseCheck,
        ExerciseFeedback,
        FunctionCheckIn,
        Message,
        MessageThread,
        Patient,
        PrescribedExercise,
        Prescription,
        PrescriptionEducation,
        SessionLog,
    )

    registry.register(Patient, patient_of=lambda patient: patient.pk)
    registry.register(Prescription, patient_of=lambda prescription: prescription.patient_id)
    registry.register(PrescribedExercise, patient_of=lambda item: item.prescription.patient_id)
    registry.register(
        PrescriptionEducation, patient_of=lambda reading: reading.prescription.patient_id
    )
    registry.register(SessionLog, patient_of=lambda log: log.prescription.patient_id)
    registry.register(
        ExerciseCheck, patient_of=lambda check: check.session_log.prescription.patient_id
    )
    registry.register(FunctionCheckIn, patient_of=lambda checkin: checkin.patient_id)
    registry.register(Message, patient_of=lambda message: message.patient_id)
    registry.register(MessageThread, patient_of=lambda thread: thread.patient_id)
    registry.register(
        ExerciseFeedback, patient_of=lambda feedback: feedback.session_log.prescription.patient_id
    )


def prescribed_video_files_delete(sender, instance, **kwargs) -> None:
    """Health data is not left on disk: the deleted row's video, poster and any upload
    waiting, once the deletion is committed (a rollback keeps them)."""
    files = [
        field
        for field in (instance.video, instance.video_poster, instance.video_original)
        if field.name
    ]
    if files:
        transaction.on_commit(lambda: [field.storage.delete(field.name) for field in files])


def invited_patient_holds(email: str) -> bool:
    """An invited patient (no account yet) holds this address."""
    from patients.models import Patient

    return Patient.objects.filter(email__iexact=email, user__isnull=True).exists()
