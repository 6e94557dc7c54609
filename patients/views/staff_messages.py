"""The clinician's side of a patient's messages, in the admin's look (routed by
``PatientAdmin.get_urls``): the thread page, the reply box's endpoints (send, mark handled,
hide) and the Messages inbox.

Every patient's page goes through ``staff_patient_view`` (another clinician's patient is a
404) and every look at a thread or the inbox is recorded in the audit trail. Writes go
through the message services; nothing here writes a message another way.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.services import record_list, record_view
from patients import inbox, services
from patients.models import Message, QuickReply
from patients.views.staff import _admin_context, staff_patient_view
from patients.views.thread_panel import thread_panel, thread_url


def _back(request, patient) -> str:
    """Where a reply box's form goes back to: the page it was on (the thread, the patient's
    page, the progress page), never another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return thread_url(patient)


def _id(value: str) -> int | None:
    """A row id from a form or the query string, or None (never a number past the column)."""
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _before(request) -> int | None:
    return _id(request.GET.get("before", ""))


def _render_thread(request, patient, *, text="", status=200):
    if request.method == "POST":  # the box shown again (an error, a quick reply inserted)
        record_view(request, patient, "message thread")
    context = _admin_context(
        request,
        _("Messages: %(name)s") % {"name": patient.full_name},
        panel=thread_panel(
            request,
            patient,
            before=_before(request),
            text=text,
            hide=_id(request.GET.get("hide", "")),
            full=True,
        ),
    )
    return TemplateResponse(request, "admin/patients/messages/thread.html", context, status=status)


@require_safe
@staff_patient_view(audited="message thread")
def thread(request, *, patient):
    """The whole thread, a window at a time ("Earlier messages"). Opening it is reading it:
    the patient's messages are marked seen by the clinic (the panels on the patient's page
    and the progress page are not: a clinician may open those for something else)."""
    if _before(request) is None:
        services.thread_read(patient=patient, by_patient=False)
    return _render_thread(request, patient)


def _client_uuid(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        return None


@require_POST
@staff_patient_view(change=True)
def send(request, *, patient):
    """The reply box: send (once, however often it is tapped), or, without JavaScript,
    "Insert" a quick reply into the box."""
    text = request.POST.get("text", "")
    if "insert" in request.POST:
        pk = _id(request.POST.get("quick_reply", ""))
        quick = QuickReply.objects.filter(clinician=request.user, pk=pk).first() if pk else None
        if quick is not None:
            text = f"{text.rstrip()}\n\n{quick.text}" if text.strip() else quick.text
        return _render_thread(request, patient, text=text)
    try:
        _message, created = services.message_send(
            patient=patient,
            sender=request.user,
            text=text,
            from_patient=False,
            client_uuid=_client_uuid(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_thread(request, patient, text=text, status=400)
    if created:
        messages.success(request, _("Message sent to %(name)s.") % {"name": patient.first_name})
    return redirect(_back(request, patient))


@require_POST
@staff_patient_view(change=True)
def mark_handled(request, *, patient):
    """ "Mark handled": dealt with another way; the thread stops waiting, without a reply."""
    services.thread_mark_handled(patient=patient, by=request.user)
    messages.success(request, _("Marked as handled."))
    return redirect(_back(request, patient))


@require_POST
@staff_patient_view(change=True)
def hide(request, *, patient):
    """Hide a message sent by mistake (confirmed on the thread page first)."""
    pk = _id(request.POST.get("message", ""))
    if pk is None:
        raise Http404("No such message in this thread.")
    message = get_object_or_404(Message, pk=pk, patient=patient)
    services.message_hide(message=message, by=request.user)
    messages.success(request, _("The message is hidden. It is kept in the records."))
    return redirect(thread_url(patient))


@require_safe
def inbox_view(request):
    """The clinician's Messages inbox (a superuser's: every thread), recorded in the audit
    trail as one list of the patients shown."""
    if not request.user.has_perm("patients.view_patient"):
        raise PermissionDenied
    page = inbox.inbox_page(request.user, request.GET.get("page"))
    rows = list(page.object_list)
    record_list(request, (row.patient_id for row in rows), "messages inbox")
    template = reverse("admin:patients_patient_messages", args=[987654321])
    for row in rows:
        row.url = template.replace("987654321", str(row.patient_id))
    context = _admin_context(
        request,
        _("Messages"),
        page=page,
        rows=rows,
        waiting=sum(1 for row in rows if row.needs_answer),
    )
    return TemplateResponse(request, "admin/patients/messages/inbox.html", context)
