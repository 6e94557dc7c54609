from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and plans"

    def ready(self):
        # Connect the signals that tell the plan cache a patient's plan changed, and register
        # the deployment checks (manage.py check --deploy).
        from django.contrib import admin

        from clinic import accounts
        from patients import attention, checks, plan_cache  # noqa: F401

        # An invited patient's address is taken before their account exists.
        accounts.address_holder_register(invited_patient_holds)
        # The clinician's "needs attention" queue on the admin's front page.
        if attention.index_panel not in admin.site.index_panels:
            admin.site.index_panels.append(attention.index_panel)


def invited_patient_holds(email: str) -> bool:
    """An invited patient (no account yet) holds this address."""
    from patients.models import Patient

    return Patient.objects.filter(email__iexact=email, user__isnull=True).exists()
