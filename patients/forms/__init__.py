"""The patients app's forms, one module per job; imported from here as before."""

from patients.forms.accounts import (
    SetPasswordForm,
    SignInLinkForm,
)
from patients.forms.checkins import (
    FunctionCheckInForm,
)
from patients.forms.logs import (
    PAIN_CHOICES,
    CheckOffForm,
    ClientWriteForm,
    FeedbackForm,
    SessionDoneForm,
)
from patients.forms.messages import (
    MessageForm,
)
from patients.forms.safety import (
    SymptomReportForm,
)
from patients.forms.settings import (
    ReminderSettingsForm,
    timezone_choices,
)
from patients.forms.staff import (
    ISO_DATE,
    AssignProgramForm,
    PatientForm,
    PrescribedExerciseForm,
    PrescriptionForm,
)

__all__ = [
    "ISO_DATE",
    "PAIN_CHOICES",
    "AssignProgramForm",
    "CheckOffForm",
    "ClientWriteForm",
    "FeedbackForm",
    "FunctionCheckInForm",
    "MessageForm",
    "PatientForm",
    "PrescribedExerciseForm",
    "PrescriptionForm",
    "ReminderSettingsForm",
    "SessionDoneForm",
    "SetPasswordForm",
    "SignInLinkForm",
    "SymptomReportForm",
    "timezone_choices",
]
