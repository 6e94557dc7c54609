from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and plans"

    def ready(self):
        # Connects the signals that tell the plan cache a patient's plan changed.
        from patients import plan_cache  # noqa: F401
