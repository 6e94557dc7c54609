"""The clinician's own pages about their patients, served in the admin's look and URL space
(``PatientAdmin.get_urls`` wraps each in ``admin_site.admin_view``): assign a program, send
and show the invitation, print the handout, the progress page, suggestion decisions, "Mark
reviewed" and the sessions CSV.

Every page finds its patients through ``staff_patient_view`` (one patient from the URL) or
``_patients_for_assign`` (several, from the query string): another clinician's patient is a
404, and a page that shows a patient's data is recorded in the audit trail.
"""

from functools import wraps

import segno
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record_view
from exercises.admin import size_warning
from exercises.models import Program
from patients import (
    adherence,
    contraindications,
    exports,
    progress,
    services,
    suggestions,
)
from patients.forms import AssignProgramForm
from patients.models import Patient, PrescribedExercise
from patients.views.days import handout_context
from patients.views.thread_panel import PANEL_SIZE, thread_panel


def _own_patient(request, object_id) -> Patient:
    """The patient of ``object_id`` if they are this clinician's (any, for a superuser)."""
    if not str(object_id).isdigit():
        raise Http404("No such patient among yours.")
    return get_object_or_404(Patient.objects.for_clinician(request.user), pk=object_id)


def staff_patient_view(*, change: bool = False, audited: str = "", action=None):
    """The ownership gate of every page here: the view receives ``patient`` instead of the
    URL's ``object_id``. ``change`` asks for the permission to change patients (else to view
    them); ``audited`` names the page in the audit trail when it shows the patient's data."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, object_id, *args, **kwargs):
            patient = _own_patient(request, object_id)  # first: others' patients are 404
            permission = "patients.change_patient" if change else "patients.view_patient"
            if not request.user.has_perm(permission):
                raise PermissionDenied
            if audited:
                record_view(request, patient, audited, **({"action": action} if action else {}))
            return view(request, *args, patient=patient, **kwargs)

        return wrapper

    return decorator


def _admin_context(request, title: str, **context) -> dict:
    """What every admin page's template needs (the site's header, the patients' model)."""
    return {**admin.site.each_context(request), "opts": Patient._meta, "title": title, **context}


def _patients_for_assign(request, object_id) -> list[Patient]:
    if object_id is not None:
        return [_own_patient(request, object_id)]
    try:
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk]
    except ValueError as exc:
        raise Http404("Bad patient list.") from exc
    patients = list(Patient.objects.for_clinician(request.user).filter(pk__in=ids))
    if not ids or len(patients) != len(set(ids)):
        raise Http404("No such patients among yours.")
    return patients


def _archived_items(programs, data) -> list:
    """The chosen template's items whose exercise left the library, each with the variants
    that can stand in for it (empty when no template is chosen or none is archived)."""
    pk = data.get("program", "")
    program = programs.filter(pk=pk).first() if str(pk).isdigit() else None
    if program is None:
        return []
    items = program.items.select_related("exercise", "exercise__easier", "exercise__harder")
    return [(item, item.stand_ins()) for item in items if item.is_archived]


def _stand_in_choices(data, archived) -> tuple[dict[int, int | None], bool]:
    """What the clinician chose for each archived item ("leave" or a variant's id), and
    whether any is still undecided."""
    choices, undecided = {}, False
    for item, options in archived:
        value = data.get(f"stand_in-{item.pk}", "")
        if value == "leave":
            choices[item.pk] = None
        elif value.isdigit() and int(value) in {option.pk for option in options}:
            choices[item.pk] = int(value)
        else:
            undecided = True
    return choices, undecided


def assign(request, object_id=None):
    """Assign a program to one patient (then adjust its doses) or to several at once."""
    if not request.user.has_perm("patients.change_patient"):
        raise PermissionDenied
    patients = _patients_for_assign(request, object_id)
    programs = Program.objects.usable_by(request.user).annotate(item_count=models.Count("items"))
    initial = {"start_date": patients[0].today(), "program": request.GET.get("program")}
    form = AssignProgramForm(
        request.POST if request.method == "POST" else None, programs=programs, initial=initial
    )
    archived = _archived_items(programs, request.POST or request.GET)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stand_ins, undecided = _stand_in_choices(request.POST, archived)
        if undecided:
            form.add_error(
                "program",
                _(
                    "This template holds exercises no longer in the library: for each, choose "
                    "a stand-in or to leave it out (below), then assign again."
                ),
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                prescriptions = [
                    services.prescription_assign(
                        patient=patient,
                        program=data["program"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        weekdays=data["weekdays"],
                        sessions_per_day=data["sessions_per_day"],
                        message=data["message"],
                        assigned_by=request.user,
                        override_reason=data["override_reason"],
                        stand_ins=stand_ins,
                    )
                    for patient in patients
                ]
        except contraindications.ContraindicationWarning as warning:
            form.add_error("override_reason", warning)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            size_warning(request, prescriptions[0].exercises.all())
            if len(prescriptions) == 1:
                messages.success(
                    request, _("Program assigned. Adjust any exercise's dose below, then save.")
                )
                return redirect("admin:patients_prescription_change", prescriptions[0].pk)
            messages.success(
                request,
                ngettext(
                    "Program assigned to %(count)s patient.",
                    "Program assigned to %(count)s patients.",
                    len(prescriptions),
                )
                % {"count": len(prescriptions)},
            )
            return redirect("admin:patients_patient_changelist")
    context = _admin_context(
        request,
        _("Assign a program"),
        patients=patients,
        form=form,
        media=form.media,
        archived=archived,
        chosen={key: value for key, value in request.POST.items() if key.startswith("stand_in-")},
    )
    return TemplateResponse(request, "admin/patients/patient/assign.html", context)


@require_POST
@staff_patient_view(change=True)
def invite(request, *, patient):
    try:
        services.patient_invite(patient=patient, invited_by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("admin:patients_patient_change", patient.pk)
    messages.success(request, _("Invitation emailed to %(email)s.") % {"email": patient.email})
    return redirect("admin:patients_patient_invitation", patient.pk)


@staff_patient_view()
def invitation(request, *, patient):
    """The pending invitation's link, to copy or to show as a QR code in the room."""
    if not patient.invitation_pending:
        messages.warning(request, _("There is no pending invitation."))
        return redirect("admin:patients_patient_change", patient.pk)
    record_view(request, patient, "invitation page")
    url = services.invitation_url(request, patient)
    context = _admin_context(
        request,
        _("Invitation for %(name)s") % {"name": patient.full_name},
        patient=patient,
        url=url,
        qr_svg=segno.make(url, error="m").svg_inline(scale=5, title=_("Invitation link")),
    )
    return TemplateResponse(request, "admin/patients/patient/invitation.html", context)


@staff_patient_view(audited="handout", action=AuditEvent.Action.PRINT)
def handout(request, *, patient):
    """The patient's printable handout, exactly as they see it at /plan/print/."""
    back = (
        reverse("admin:patients_patient_change", args=[patient.pk]),
        gettext("‹ Back to the patient"),
    )
    return TemplateResponse(request, "patients/handout.html", handout_context(patient, back=back))


def _pain_direction_words(direction: str) -> str:
    """The progress page's word for ``adherence.pain_direction`` ("" stays "")."""
    words = {
        "up": pgettext("pain direction", "up"),
        "down": pgettext("pain direction", "down"),
        "steady": pgettext("pain direction", "steady"),
    }
    return words.get(direction, direction)


@staff_patient_view(audited="progress page")
def progress_page(request, *, patient):
    """Adherence, pain and notes for one patient, in the admin's look; printable."""
    annotated = adherence.with_adherence(Patient.objects).get(pk=patient.pk)
    suggested = suggestions.candidates_for([annotated]).get(patient.pk, [])
    context = _admin_context(
        request,
        _("Progress: %(name)s") % {"name": patient.full_name},
        patient=patient,
        summary=annotated,
        pain_direction=_pain_direction_words(
            adherence.pain_direction(annotated.pain_this_week, annotated.pain_last_week)
        ),
        **progress.progress(patient, today=patient.today()),
        suggestions=suggested,
        decisions=progress.decisions(patient),
        overrides=progress.precaution_overrides(patient),
        messages_panel=thread_panel(request, patient, size=PANEL_SIZE),
    )
    return TemplateResponse(request, "admin/patients/patient/progress.html", context)


@require_POST
@staff_patient_view(change=True)
def suggestion_decision(request, *, patient):
    """Accept (changes this one prescribed exercise) or dismiss a suggestion."""
    prescribed_pk = request.POST.get("prescribed", "")
    if not prescribed_pk.isdigit():
        raise Http404("No such exercise in this patient's plan.")
    prescribed = get_object_or_404(
        PrescribedExercise, pk=prescribed_pk, prescription__patient=patient
    )
    accept = request.POST.get("decision") == "accept"
    try:
        decision = services.suggestion_decide(
            prescribed=prescribed,
            kind=request.POST.get("kind", ""),
            accept=accept,
            decided_by=request.user,
            override_reason=request.POST.get("override_reason", ""),
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        text = (
            _("Changed: %(exercise)s — %(change)s.")
            if accept
            else _("Dismissed: %(exercise)s — %(change)s.")
        )
        messages.success(
            request, text % {"exercise": prescribed.exercise.name, "change": decision.change}
        )
    return redirect("admin:patients_patient_progress", patient.pk)


@require_POST
@staff_patient_view(change=True)
def suggestions_all(request, *, patient):
    """ "Accept all" or "Dismiss all" on the progress page."""
    decision = request.POST.get("decision")
    if decision not in ("accept", "dismiss"):
        raise Http404("Accept or dismiss?")
    result = services.suggestions_decide_all(
        patient=patient, accept=decision == "accept", decided_by=request.user
    )
    if result["done"]:
        messages.success(
            request,
            (_("Accepted: %(changes)s.") if decision == "accept" else _("Dismissed: %(changes)s."))
            % {"changes": "; ".join(result["done"])},
        )
    if result["left"]:
        messages.warning(
            request,
            _("Left for you to decide (a precaution needs a reason): %(changes)s.")
            % {"changes": "; ".join(result["left"])},
        )
    return redirect("admin:patients_patient_progress", patient.pk)


@require_POST
@staff_patient_view()
def review(request, *, patient):
    """ "Mark reviewed" on the needs-attention queue."""
    # When the queue was shown: what arrived after it is not covered by this review.
    # (Missing or unreadable, e.g. a form from before this field: now.)
    try:
        seen_at = parse_datetime(request.POST.get("seen_at", ""))
    except ValueError:
        seen_at = None
    services.attention_review(
        patient=patient,
        reviewed_by=request.user,
        seen_at=seen_at if seen_at and is_aware(seen_at) else None,
    )
    messages.info(
        request,
        _("%(name)s marked as reviewed until something new happens.") % {"name": patient.full_name},
    )
    return redirect("admin:index")


@staff_patient_view(audited="sessions CSV", action=AuditEvent.Action.EXPORT)
def sessions_csv(request, *, patient):
    """The patient's sessions and check-offs as CSV, for the clinic's records."""
    return exports.patient_logs_csv(patient)
