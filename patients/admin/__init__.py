"""The clinician's workspace in the admin: patients, their prescriptions and what they logged,
one module per model admin, and the clinician's quick replies (registration happens on import)."""

from patients.admin.base import ClinicianScopedAdmin
from patients.admin.messages import QuickReplyAdmin
from patients.admin.patients import PatientAdmin
from patients.admin.prescriptions import PrescriptionAdmin
from patients.admin.session_logs import SessionLogAdmin

__all__ = [
    "ClinicianScopedAdmin",
    "PatientAdmin",
    "PrescriptionAdmin",
    "QuickReplyAdmin",
    "SessionLogAdmin",
]
