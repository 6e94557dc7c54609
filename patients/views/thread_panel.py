"""The thread panel the clinician sees on the thread page, the patient's page and the
progress page (templates/admin/patients/messages/thread_panel.html): its context."""

import uuid

from django.urls import reverse

from patients import threads
from patients.models import QuickReply

PANEL_SIZE = 5  # messages shown in the panel on the patient's page and the progress page


def thread_url(patient) -> str:
    return reverse("admin:patients_patient_messages", args=[patient.pk])


def thread_panel(
    request,
    patient,
    *,
    size: int = threads.WINDOW,
    before: int | None = None,
    text: str = "",
    hide: int | None = None,
    full: bool = False,
) -> dict:
    """What the thread panel (templates/admin/patients/messages/thread_panel.html) shows: the
    newest window, hidden messages included (greyed), the patient's read state, the
    clinician's quick replies and a fresh id for the reply (a double tap sends once)."""
    window = threads.thread_window(patient, before=before, size=size, include_hidden=True)
    visible = [message for message in window.messages if message.hidden_at is None]
    last_clinic = next((m for m in reversed(visible) if not m.from_patient), None)
    # "Hide" asks first (the thread page with ?hide=): only the clinic's own messages, sent
    # by mistake, and only one still shown.
    confirm_hide = (
        next((m for m in visible if m.pk == hide and not m.from_patient), None) if hide else None
    )
    return {
        "patient": patient,
        "window": window,
        "last_clinic": last_clinic,
        "quick_replies": list(QuickReply.objects.filter(clinician=request.user)),
        "client_uuid": uuid.uuid4(),
        "reply_text": text,
        "confirm_hide": confirm_hide,
        "thread_url": thread_url(patient),
        "here": request.get_full_path(),
        "full": full,
        "before": before,
    }
