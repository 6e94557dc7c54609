from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and plans"

    def ready(self):
        # Connect the signals that tell the plan cache a patient's plan changed, and register
        # the deployment checks (manage.py check --deploy).
        from patients import checks, plan_cache  # noqa: F401
