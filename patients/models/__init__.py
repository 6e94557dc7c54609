"""The patients app's models, one module per job; imported from here as before."""

from patients.models.checkins import FunctionActivity, FunctionCheckIn, FunctionScore
from patients.models.decisions import AttentionReview, ContraindicationOverride, Suggestion
from patients.models.logs import (
    CAMERA_LIMITS,
    CAMERA_WARNING_COUNT_MAX,
    ClientWrite,
    Effort,
    ExerciseCheck,
    ExerciseFeedback,
    SessionLog,
    SkipReason,
)
from patients.models.messages import (
    MESSAGE_MAX_LENGTH,
    Message,
    MessageDigestSent,
    MessageThread,
    QuickReply,
)
from patients.models.people import Patient, default_timezone, new_calendar_token, validate_timezone
from patients.models.plans import (
    PrescribedExercise,
    Prescription,
    PrescriptionEducation,
    PrescriptionPause,
)
from patients.models.reminders import ReminderSent, WeeklySummarySent
from patients.models.safety import SymptomReport

__all__ = [
    "CAMERA_LIMITS",
    "CAMERA_WARNING_COUNT_MAX",
    "MESSAGE_MAX_LENGTH",
    "AttentionReview",
    "ClientWrite",
    "ContraindicationOverride",
    "Effort",
    "ExerciseCheck",
    "ExerciseFeedback",
    "FunctionActivity",
    "FunctionCheckIn",
    "FunctionScore",
    "Message",
    "MessageDigestSent",
    "MessageThread",
    "Patient",
    "PrescribedExercise",
    "Prescription",
    "PrescriptionEducation",
    "PrescriptionPause",
    "QuickReply",
    "ReminderSent",
    "SessionLog",
    "SkipReason",
    "Suggestion",
    "SymptomReport",
    "WeeklySummarySent",
    "default_timezone",
    "new_calendar_token",
    "validate_timezone",
]
