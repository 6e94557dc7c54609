"""A patient's own clinic videos: the clinician's page to film or upload one, and the one
view that sends the files.

The files are health data and have no public address. ``video_file`` sends one to the
patient it belongs to or to their clinician (a superuser: anyone's); everyone else signed in
gets a 404, as for any other patient's object, and anonymous visitors go to the login page.
The file's name is part of the URL, so a replaced video gets a new address and an old
address stops working. It answers HTTP range requests (phones ask for pieces to start
playing and to seek), or, with ``PRIVATE_MEDIA_ACCEL_REDIRECT`` set, hands the sending to
nginx's internal location (docs/deploy.md), which does the ranges itself.
"""

import os
import re
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from audit.services import record_view
from clinic import roles
from exercises.forms import VideoField, video_help_text
from patients import services
from patients.models import Patient, PrescribedExercise
from patients.videos import video_urls
from patients.views.staff import _admin_context, staff_patient_view

CONTENT_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg"}
CHUNK = 64 * 1024
# At most 18 digits: more than any file, and never a number Python refuses to read.
RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")


# --- Sending the files ------------------------------------------------------------------------


def _allowed(user, patient: Patient) -> bool:
    own = roles.patient_for(user)
    if own is not None:
        return own.pk == patient.pk
    return (
        user.is_staff
        and user.has_perm("patients.view_patient")
        and Patient.objects.for_clinician(user).filter(pk=patient.pk).exists()
    )


def _byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) for a satisfiable single range; None to send the whole file (no header,
    several ranges, or one that does not parse: RFC 9110 lets the server ignore those);
    False when the range is past the end (416)."""
    match = RANGE.fullmatch(header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            return False
        return max(0, size - length), size - 1
    first = int(first)
    if last and int(last) < first:
        return None
    if first >= size:
        return False
    return first, min(int(last), size - 1) if last else size - 1


def _stream(field, first: int, length: int):
    with field.storage.open(field.name, "rb") as handle:
        handle.seek(first)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@require_http_methods(["GET", "HEAD"])
def video_file(request, pk, name):
    """`/plan/videos/<id>/<file>`: a patient's clinic video or its poster."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    prescribed = get_object_or_404(
        PrescribedExercise.objects.select_related("prescription__patient"), pk=pk
    )
    patient = prescribed.prescription.patient
    if not _allowed(request.user, patient) or not prescribed.video_ready:
        raise Http404("No such video.")
    field = next(
        (
            f
            for f in (prescribed.video, prescribed.video_poster)
            if os.path.basename(f.name) == name
        ),
        None,
    )
    if field is None:
        raise Http404("No such video.")
    size = field.storage.size(field.name)
    byte_range = _byte_range(request.headers.get("Range", ""), size)
    if request.user.is_staff and (not byte_range or byte_range[0] == 0):
        # Once per viewing, not once per piece the player asks for.
        record_view(request, patient, "clinic video")
    content_type = CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
    if byte_range is False:
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
    elif settings.PRIVATE_MEDIA_ACCEL_REDIRECT:
        # nginx sends the file from its internal location, with ranges, and keeps our
        # headers (Cache-Control, Content-Type).
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.PRIVATE_MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(field.name)
        )
    else:
        first, last = byte_range or (0, size - 1)
        length = last - first + 1 if size else 0
        body = () if request.method == "HEAD" else _stream(field, first, length)
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Length"] = str(length)
        if byte_range:
            response.status_code = 206
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The clinician's page ---------------------------------------------------------------------


class ClinicVideoForm(forms.Form):
    video = VideoField(label=gettext_lazy("Film or choose a video"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].help_text = video_help_text()
        self.fields["video"].widget.attrs["class"] = "clinic-video-input"


@require_http_methods(["GET", "POST"])
@staff_patient_view(change=True, audited="clinic video page")
def prescribed_video(request, prescribed_id, *, patient):
    """The clinician's page for the video of this patient doing one prescribed exercise:
    film it on the tablet (the file input offers the camera) or choose a file, see whether it
    is ready, or remove it."""
    prescribed = get_object_or_404(
        PrescribedExercise.objects.select_related("exercise", "prescription"),
        pk=prescribed_id,
        prescription__patient=patient,
    )
    here = reverse("admin:patients_patient_video", args=[patient.pk, prescribed.pk])
    form = ClinicVideoForm()
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.prescribed_video_remove(prescribed=prescribed)
        messages.success(request, _("The video is removed."))
        return redirect(here)
    if request.method == "POST":
        form = ClinicVideoForm(request.POST, request.FILES)
        if form.is_valid():
            services.prescribed_video_attach(
                prescribed=prescribed, upload=form.cleaned_data["video"]
            )
            messages.success(
                request,
                _(
                    "Video received. It is being prepared for the patient's phone; this page "
                    "shows when it is ready."
                ),
            )
            return redirect(here)
    prescribed.refresh_from_db()
    src, poster = video_urls(prescribed)
    context = _admin_context(
        request,
        _("Clinic video: %(exercise)s") % {"exercise": prescribed.exercise.name},
        patient=patient,
        prescribed=prescribed,
        form=form,
        src=src,
        poster=poster,
        back=reverse("admin:patients_prescription_change", args=[prescribed.prescription_id]),
    )
    return TemplateResponse(
        request,
        "admin/patients/patient/clinic_video.html",
        context,
        status=400 if form.errors else 200,
    )
