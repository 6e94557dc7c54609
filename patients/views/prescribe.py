"""The prescribing page: build a patient's plan from the library in one page and "Save and
send" it (``/admin/patients/patient/<id>/prescribe/``).

The plan lives in the page's form until that submit: adding, removing, moving and loading a
template post the form back and the page is drawn again with the change (htmx swaps just
the plan panel; without JavaScript the whole page comes back). Nothing is stored before
"Save and send", which calls ``services.prescription_create`` and, for a patient without an
account, ``services.patient_invite``. Every view here is behind ``staff_patient_view``:
another clinician's patient is a 404.
"""

import uuid

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from audit.services import record_view
from exercises import services as exercise_services
from exercises.choices import BodyRegion, Category, Equipment, Position
from exercises.models import Exercise, Program, ProgramItem
from exercises.search import FILTERS
from patients import contraindications, prescribing, services
from patients.forms.prescribe import (
    MAX_ROWS,
    ROW_PREFIX,
    PlanRowFormSet,
    PrescribeForm,
    formset_data,
    row_from_exercise,
    rows_from_post,
)
from patients.views.staff import _admin_context, staff_patient_view

OPS = {"add", "remove", "up", "down", "move", "template", "star", "unstar", "search", "save"}


def _filters(data) -> dict:
    return {name: data.get(name, "") for name in FILTERS}


def _published(pk: str) -> Exercise:
    if not pk.isdigit():
        raise Http404("No such exercise.")
    return get_object_or_404(Exercise.objects.published(), pk=pk)


def _load_template(request, data, rows: list[dict], pk: str) -> None:
    """Append a template's items (with its doses) to the plan; its name names the plan."""
    program = (
        Program.objects.usable_by(request.user).filter(pk=pk).first() if pk.isdigit() else None
    )
    if program is None:
        messages.warning(request, _("Choose a template first."))
        return
    items = program.items.select_related("exercise", "exercise__easier", "exercise__harder")
    for item in items:
        if any(str(row["exercise"]) == str(item.exercise_id) for row in rows):
            continue  # already in the plan
        if not item.is_archived:
            rows.append(row_from_exercise(item.exercise, **item.dose()))
            continue
        # An exercise archived since the template was made: its variant stands in, with
        # its own default dose, in plain sight on the plan (remove it to leave it out).
        stand_ins = item.stand_ins()
        if stand_ins and not any(str(row["exercise"]) == str(stand_ins[0].pk) for row in rows):
            rows.append(row_from_exercise(stand_ins[0], notes=item.notes))
            messages.warning(
                request,
                _("%(old)s is no longer in the library: %(new)s stands in for it.")
                % {"old": item.exercise.name, "new": stand_ins[0].name},
            )
        else:
            messages.warning(
                request,
                _("%(old)s is no longer in the library and was left out.")
                % {"old": item.exercise.name},
            )
    if not data.get("program"):
        data["program"] = str(program.pk)
        data["name"] = program.name


def _apply(request, op: str, arg: str, data, rows: list[dict]) -> None:
    """Change the plan held in the form (nothing is stored, except a favourite's star)."""
    if op == "add":
        exercise = _published(arg)
        if any(str(row["exercise"]) == str(exercise.pk) for row in rows):
            messages.info(request, _("%(name)s is already in the plan.") % {"name": exercise.name})
        elif len(rows) >= MAX_ROWS:
            messages.warning(
                request, _("A plan holds at most %(max)s exercises.") % {"max": MAX_ROWS}
            )
        else:
            rows.append(row_from_exercise(exercise))
    elif op in ("remove", "up", "down") and arg.isdigit() and int(arg) < len(rows):
        index = int(arg)
        if op == "remove":
            rows.pop(index)
        elif op == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif op == "down" and index < len(rows) - 1:
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
    elif op == "move":  # dragged: "move:<from>:<to>"
        start, _sep, end = arg.partition(":")
        if start.isdigit() and end.isdigit() and max(int(start), int(end)) < len(rows):
            rows.insert(int(end), rows.pop(int(start)))
    elif op == "template":
        _load_template(request, data, rows, data.get("template", ""))
    elif op in ("star", "unstar"):
        exercise_services.favourite_set(
            user=request.user, exercise=_published(arg), starred=op == "star"
        )


@staff_patient_view(change=True)
def prescribe(request, *, patient):
    """The page itself: GET draws an empty plan; POST changes it or saves it."""
    prefetch_related_objects([patient], "precaution_tags")
    show_errors = False
    if request.method == "POST":
        data = request.POST.copy()
        rows = rows_from_post(data)
        op, _sep, arg = data.get("op", "").partition(":")
        if op not in OPS:
            op = "search"
        _apply(request, op, arg, data, rows)
        data.update(formset_data(rows))
        form = PrescribeForm(data)
        formset = PlanRowFormSet(data, prefix=ROW_PREFIX)
        if op == "save":
            response = _save(request, patient, form, formset, rows)
            if response is not None:
                return response
            show_errors = True
    else:
        # Named with the trail's existing targets (audit.admin.VIEWED_PAGES), so the trail's
        # "what" filter finds it: this page is about the patient's prescription.
        record_view(request, patient, "prescription page")
        data = request.GET
        form = PrescribeForm(initial={"start_date": patient.today(), "client_uuid": uuid.uuid4()})
        formset = PlanRowFormSet(formset_data([]), prefix=ROW_PREFIX)
        rows = []
        if data.get("prescription", "").isdigit():
            return _edit(request, patient, data["prescription"])
        if data.get("template", "").isdigit():
            post = {"program": ""}
            _load_template(request, post, rows, data["template"])
            formset = PlanRowFormSet(formset_data(rows), prefix=ROW_PREFIX)
            form = PrescribeForm(
                initial={
                    "start_date": patient.today(),
                    "client_uuid": uuid.uuid4(),
                    "name": post.get("name") or _("Home exercise plan"),
                    "program": post.get("program"),
                }
            )
    return _render(request, patient, form, formset, rows, data, show_errors=show_errors)


def _editing(patient, data):
    """The prescription being changed (one of this patient's), or None for a new plan."""
    pk = str(data.get("editing") or data.get("prescription") or "")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404("No such prescription for this patient.")
    return get_object_or_404(patient.prescriptions, pk=pk)


def _edit(request, patient, pk):
    """The page for changing an existing prescription: its rows and schedule loaded."""
    prescription = _editing(patient, {"editing": pk})
    reading_rows = list(prescription.education.all())
    rows = [
        row_from_exercise(item.exercise, **item.dose())
        for item in prescription.exercises.select_related("exercise")
    ]
    form = PrescribeForm(
        initial={
            "name": prescription.name,
            "program": prescription.program_id,
            "start_date": prescription.start_date,
            "weeks": None,
            "end_date": prescription.end_date,
            "weekdays": prescription.weekdays,
            "sessions_per_day": prescription.sessions_per_day,
            "message": prescription.message,
            "client_uuid": uuid.uuid4(),
            "editing": prescription.pk,
            "loaded_version": prescription.version,
            "education": [row.page_id for row in reading_rows],
            "education_in_handout": any(row.in_handout for row in reading_rows) or not reading_rows,
        }
    )
    formset = PlanRowFormSet(formset_data(rows), prefix=ROW_PREFIX)
    return _render(request, patient, form, formset, rows, request.GET)


def _render(request, patient, form, formset, rows, data, *, show_errors=False):
    query = data.get("q", "").strip()[:100]
    exercises = prescribing.exercises_for(row["exercise"] for row in rows)
    plan = prescribing.plan_rows(patient, formset, exercises)
    errors = _error_summary(form, plan) if show_errors else []
    editing = _editing(patient, data)
    title = (
        _("Change %(plan)s for %(name)s") % {"plan": editing.name, "name": patient.full_name}
        if editing
        else _("Prescribe for %(name)s") % {"name": patient.full_name}
    )
    context = _admin_context(
        request,
        title,
        editing=editing,
        existing_ids=_existing_ids(editing),
        patient=patient,
        form=form,
        formset=formset,
        plan=plan,
        plan_ids={row.exercise.pk for row in plan},
        minutes=prescribing.session_minutes(rows),
        too_many=prescribing.too_many(plan),
        size_limit=prescribing.settings.PROGRAM_SIZE_WARNING,
        library=prescribing.library_panel(
            user=request.user, patient=patient, query=query, filters=_filters(data), full=True
        ),
        filters=_filter_choices(data),
        templates=Program.objects.usable_by(request.user).order_by("name"),
        show_errors=show_errors,
        errors=errors,
        sends_invitation=_sends_invitation(patient) and editing is None,
        education=_education_choices(patient, form),
    )
    return TemplateResponse(request, "admin/patients/patient/prescribe.html", context)


def _education_choices(patient, form) -> list[dict]:
    """The education pages as checkboxes, those suggested by the patient's precautions
    (a hip replacement: "After a hip replacement") first and marked."""
    tags = {tag.pk for tag in patient.precaution_tags.all()}
    field = form["education"]
    chosen = {str(value) for value in (field.value() or [])}
    pages = field.field.queryset.prefetch_related("precaution_tags")
    choices = [
        {
            "page": page,
            "id": f"{field.auto_id}_{page.pk}",
            "checked": str(page.pk) in chosen,
            "suggested": any(tag.pk in tags for tag in page.precaution_tags.all()),
        }
        for page in pages
    ]
    return sorted(choices, key=lambda choice: not choice["suggested"])


def _existing_ids(prescription) -> set[int]:
    """The exercises already in the prescription being changed: their precaution reasons
    were given when they were added."""
    if prescription is None:
        return set()
    return set(prescription.exercises.values_list("exercise_id", flat=True))


def _filter_choices(data) -> list[dict]:
    labels = {
        "region": (_("Body region"), BodyRegion),
        "category": (_("Kind"), Category),
        "position": (_("Position"), Position),
        "equipment": (_("Equipment"), Equipment),
    }
    return [
        {
            "name": name,
            "label": label,
            "choices": vocabulary.choices,
            "value": data.get(name, ""),
        }
        for name, (label, vocabulary) in labels.items()
    ]


def _sends_invitation(patient) -> bool:
    return patient.user_id is None and bool(patient.email) and patient.is_active


def _error_summary(form, plan) -> list[tuple[str, str]]:
    """(anchor, message) for every error on the page, for the summary at its top."""
    summary = [("", error) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            field = form[name]
            summary += [(field.auto_id, f"{field.label}: {error}") for error in errors]
    for number, row in enumerate(plan, start=1):
        for name, errors in row.form.errors.items():
            if name != "__all__":
                field = row.form[name]
                summary += [
                    (field.auto_id, f"{number}. {row.exercise.name} — {field.label}: {error}")
                    for error in errors
                ]
    return summary


def _save(request, patient, form, formset, rows):
    """Validate everything, create the prescription, send the invitation, go to the
    confirmation; ``None`` (with the errors on the forms) when something needs fixing."""
    form_ok, rows_ok = form.is_valid(), formset.is_valid()
    editing = _editing(patient, request.POST)
    existing = _existing_ids(editing)
    exercises = prescribing.exercises_for(row["exercise"] for row in rows)
    if not rows:
        form.add_error(None, _("Add at least one exercise to the plan."))
        return None
    plan_rows = []
    if rows_ok:
        for row_form in formset.forms:
            row = row_form.cleaned_data
            exercise = exercises.get(row["exercise"])
            if exercise is None or (
                exercise.status != Exercise.Status.PUBLISHED and exercise.pk not in existing
            ):
                row_form.add_error("exercise", _("This exercise is no longer in the library."))
                rows_ok = False
                continue
            found = contraindications.matching(patient, [exercise])
            if found and exercise.pk not in existing and not row["override_reason"].strip():
                row_form.add_error(
                    "override_reason",
                    _(
                        "Matches this patient's precautions (%(tags)s): "
                        "give a reason to prescribe it anyway."
                    )
                    % {"tags": ", ".join(found[0][1])},
                )
                rows_ok = False
            plan_rows.append(
                services.PlanRow(
                    exercise=exercise, **{k: v for k, v in row.items() if k != "exercise"}
                )
            )
    if not (form_ok and rows_ok):
        return None
    data = form.cleaned_data
    if editing is not None:
        return _save_changes(request, patient, editing, form, plan_rows)
    program = None
    if data.get("program"):
        program = Program.objects.usable_by(request.user).filter(pk=data["program"]).first()
    try:
        _prescription, created = services.prescription_create(
            patient=patient,
            rows=plan_rows,
            name=data["name"],
            program=program,
            start_date=data["start_date"],
            end_date=data["end_date"],
            weekdays=data["weekdays"],
            sessions_per_day=data["sessions_per_day"],
            message=data["message"],
            created_by=request.user,
            client_uuid=data["client_uuid"],
            education=data["education"],
            education_in_handout=data["education_in_handout"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if created and data.get("save_as_template"):
        try:
            exercise_services.program_create_from_items(
                name=data["name"],
                owner=request.user,
                items=[
                    ProgramItem(
                        exercise=row.exercise,
                        sets=row.sets,
                        reps=row.reps,
                        hold_seconds=row.hold_seconds,
                        side=row.side,
                        rest_seconds=row.rest_seconds,
                        notes=row.notes,
                    )
                    for row in plan_rows
                ],
            )
        except ValidationError:
            messages.warning(
                request,
                _("The plan was saved, but not as a template: a template of that name exists."),
            )
        else:
            messages.success(
                request, _("Kept as your template “%(name)s”.") % {"name": data["name"]}
            )
    if created and _sends_invitation(patient):
        try:
            services.patient_invite(patient=patient, invited_by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("admin:patients_patient_prescribed", patient.pk)


def _save_changes(request, patient, prescription, form, plan_rows):
    data = form.cleaned_data
    try:
        services.prescription_update(
            prescription=prescription,
            rows=plan_rows,
            loaded_version=data.get("loaded_version"),
            updated_by=request.user,
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            weekdays=data["weekdays"],
            sessions_per_day=data["sessions_per_day"],
            message=data["message"],
            education=data["education"],
            education_in_handout=data["education_in_handout"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("Changes to %(name)s saved.") % {"name": data["name"]})
    return redirect("admin:patients_patient_change", patient.pk)


@require_GET
@staff_patient_view(change=True)
def library(request, *, patient):
    """The library panel's results alone, for search as you type (htmx)."""
    prefetch_related_objects([patient], "precaution_tags")
    query = request.GET.get("q", "").strip()[:100]
    panel = prescribing.library_panel(
        user=request.user, patient=patient, query=query, filters=_filters(request.GET), full=False
    )
    ids = {pk for pk in request.GET.getlist("in_plan") if pk.isdigit()}
    context = {"library": panel, "patient": patient, "plan_ids": {int(pk) for pk in ids}}
    return TemplateResponse(request, "admin/patients/patient/prescribe_results.html", context)


@require_POST
@staff_patient_view(change=True)
def favourite(request, *, patient):
    """Star or unstar an exercise (htmx; the page's own form does it without JavaScript)."""
    op, _sep, arg = request.POST.get("op", "").partition(":")
    if op not in ("star", "unstar"):
        raise Http404("Nothing to star.")
    exercise = _published(arg)
    starred = exercise_services.favourite_set(
        user=request.user, exercise=exercise, starred=op == "star"
    )
    exercise.is_favourite = starred
    context = {"exercise": exercise, "patient": patient}
    return TemplateResponse(request, "admin/patients/patient/prescribe_star.html", context)


@staff_patient_view()
def prescribed(request, *, patient):
    """After "Save and send": what was saved, and the invitation to scan or copy."""
    record_view(
        request, patient, "invitation page" if patient.invitation_pending else "prescription page"
    )
    prescription = (
        patient.prescriptions.order_by("-created_at", "-pk")
        .prefetch_related("exercises__exercise", "exercises__overrides")
        .first()
    )
    if prescription is None:
        return redirect("admin:patients_patient_prescribe", patient.pk)
    url = qr_svg = None
    if patient.invitation_pending:
        url = services.invitation_url(request, patient)
        qr_svg = segno.make(url, error="m").svg_inline(scale=5, title=_("Invitation link"))
    count = prescription.exercises.count()
    context = _admin_context(
        request,
        _("Plan saved for %(name)s") % {"name": patient.full_name},
        patient=patient,
        prescription=prescription,
        summary=ngettext("%(count)s exercise", "%(count)s exercises", count) % {"count": count},
        url=url,
        qr_svg=qr_svg,
    )
    return TemplateResponse(request, "admin/patients/patient/prescribed.html", context)
