"""Writes to patients' data, one module per job; views, the admin and management commands
call these, and the business rules live here. Re-exported, so ``services.<name>`` works
wherever the module is imported whole."""

from patients.services.checkins import (
    MAX_ACTIVITIES,
    checkin_due,
    function_checkin_save,
)
from patients.services.decisions import (
    attention_review,
    suggestion_decide,
    suggestions_decide_all,
)
from patients.services.education import (
    education_mark_read,
    education_matches,
    education_sync,
)
from patients.services.feedback import exercise_feedback_give
from patients.services.invitations import (
    INVITATION_SALT,
    InvitationError,
    email_in_use,
    invitation_accept,
    invitation_token,
    invitation_url,
    patient_from_invitation,
    patient_invite,
)
from patients.services.messages import (
    MessageRateLimitedError,
    message_hide,
    message_send,
    message_text_clean,
    thread_mark_handled,
    thread_read,
)
from patients.services.offline_merge import (
    CLIENT_CLOCK_SKEW,
    OFFLINE_WRITE_MAX_AGE,
    client_write_claim,
    client_write_known,
    effective_today,
    notes_merge,
    session_result_apply,
)
from patients.services.pauses import (
    current_pause,
    prescription_pause,
    prescription_resume,
)
from patients.services.people import (
    check_owns_patient,
    patient_active_set,
    patient_history_counts,
    patient_update,
)
from patients.services.prescribing import (
    PlanRow,
    end_date_for,
    prescription_assign,
    prescription_create,
    prescription_update,
)
from patients.services.reminders import (
    calendar_link_renew,
    reminder_settings_save,
    reminders_stop,
)
from patients.services.safety import (
    safety_acknowledge,
    symptom_report_create,
)
from patients.services.session_logs import (
    check_day_editable,
    exercise_check_off,
    session_complete,
    session_log_update_share,
)
from patients.services.sign_in import (
    REMINDER_SIGN_IN_SALT,
    SIGN_IN_SALT,
    send_sign_in_link_task,
    sign_in_link_consume,
    sign_in_link_send,
    sign_in_path,
    user_from_sign_in_token,
)
from patients.services.videos import (
    prescribed_video_attach,
    prescribed_video_prepare,
    prescribed_video_remove,
)

__all__ = [
    "CLIENT_CLOCK_SKEW",
    "INVITATION_SALT",
    "MAX_ACTIVITIES",
    "OFFLINE_WRITE_MAX_AGE",
    "REMINDER_SIGN_IN_SALT",
    "SIGN_IN_SALT",
    "InvitationError",
    "MessageRateLimitedError",
    "PlanRow",
    "attention_review",
    "calendar_link_renew",
    "check_day_editable",
    "check_owns_patient",
    "checkin_due",
    "client_write_claim",
    "client_write_known",
    "current_pause",
    "education_mark_read",
    "education_matches",
    "education_sync",
    "effective_today",
    "email_in_use",
    "end_date_for",
    "exercise_check_off",
    "exercise_feedback_give",
    "function_checkin_save",
    "invitation_accept",
    "invitation_token",
    "invitation_url",
    "message_hide",
    "message_send",
    "message_text_clean",
    "notes_merge",
    "patient_active_set",
    "patient_from_invitation",
    "patient_history_counts",
    "patient_invite",
    "patient_update",
    "prescribed_video_attach",
    "prescribed_video_prepare",
    "prescribed_video_remove",
    "prescription_assign",
    "prescription_create",
    "prescription_pause",
    "prescription_resume",
    "prescription_update",
    "reminder_settings_save",
    "reminders_stop",
    "safety_acknowledge",
    "send_sign_in_link_task",
    "session_complete",
    "session_log_update_share",
    "session_result_apply",
    "sign_in_link_consume",
    "sign_in_link_send",
    "sign_in_path",
    "suggestion_decide",
    "suggestions_decide_all",
    "symptom_report_create",
    "thread_mark_handled",
    "thread_read",
    "user_from_sign_in_token",
]
