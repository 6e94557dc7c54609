"""A signed-in patient's pages speak the patient's own language.

Django's LocaleMiddleware has already chosen a language from the visitor's cookie or
browser; for a patient, the language they (or their clinician) chose wins, on every device.
The Patient row comes with the signed-in user (clinic.backends), so this costs no query.
"""

from django.utils import translation

from clinic.languages import shipped


class PatientLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _patient_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _patient_language(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    patient = getattr(user, "patient", None)
    if patient is None or not shipped(patient.language):
        return None
    return patient.language
