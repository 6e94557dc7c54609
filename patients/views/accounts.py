"""Patient accounts: accepting an invitation, sign-in links."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic import ratelimit
from clinic.languages import usable
from patients import services
from patients.forms import (
    SetPasswordForm,
    SignInLinkForm,
)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """`/accounts/invite/<token>/`: the invited patient sets a password and is signed in."""
    try:
        patient = services.patient_from_invitation(token)
    except services.InvitationError as error:
        return render(
            request, "patients/invitation_invalid.html", {"reason": str(error)}, status=400
        )
    # The page speaks the language the clinician registered the patient in.
    translation.activate(usable(patient.language))
    form = SetPasswordForm(request.POST if request.method == "POST" else None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                patient=patient,
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"] or patient.language,
            )
        except services.InvitationError as error:
            return render(
                request, "patients/invitation_invalid.html", {"reason": str(error)}, status=400
            )
        login(request, user, backend="clinic.backends.UsernameOrEmailBackend")
        translation.activate(usable(patient.language))
        messages.success(
            request,
            _("Welcome, %(name)s! Next time, log in with %(email)s and your password.")
            % {"name": patient.first_name, "email": user.email},
        )
        return redirect("patients:today")
    return render(
        request,
        "patients/invitation_accept.html",
        {"form": form, "patient": patient, "language_chosen_on_page": True},
    )


@require_http_methods(["GET", "POST"])
def sign_in_link_request(request):
    """`/accounts/sign-in-link/`: email me a link. The same answer whether or not we know you."""
    form = SignInLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if ratelimit.email_link_limited("sign-in-link", email, request):
            return render(
                request,
                "patients/sign_in_link_request.html",
                {"form": SignInLinkForm(), "limited": True},
                status=429,
            )
        services.sign_in_link_send(email=email, request=request)
        return render(request, "patients/sign_in_link_sent.html")
    return render(request, "patients/sign_in_link_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link_use(request, token):
    """`/accounts/sign-in/<token>/`: a button, so that mail scanners opening the link don't
    use it up; the POST signs the patient in."""
    if request.method == "POST":
        user = services.sign_in_link_consume(token)
    else:
        user = services.user_from_sign_in_token(token)
    if user is None:
        return render(request, "patients/sign_in_link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="clinic.backends.UsernameOrEmailBackend")
        return redirect("patients:today")
    return render(request, "patients/sign_in_link_use.html")
