"""The patient's pages, one module per job; patients/urls.py and clinic/urls.py route to them
from here."""

from patients.views.accounts import (
    invitation_accept,
    sign_in_link_request,
    sign_in_link_use,
)
from patients.views.checkins import (
    function_checkin,
)
from patients.views.days import (
    day,
    exercise_detail,
    guided,
    handout,
    handout_context,
    history,
    today,
)
from patients.views.learn import (
    learn,
    learn_page,
    learn_read,
)
from patients.views.logs import (
    check_off,
    feedback,
    session_done,
)
from patients.views.messages import (
    message_thread,
)
from patients.views.offline import (
    offline_manifest,
    service_worker,
)
from patients.views.reminders import (
    calendar_feed,
    reminder_settings,
    unsubscribe,
)
from patients.views.safety import (
    safety,
    symptoms,
)
from patients.views.videos import (
    video_file,
)

__all__ = [
    "calendar_feed",
    "check_off",
    "day",
    "exercise_detail",
    "feedback",
    "function_checkin",
    "guided",
    "handout",
    "handout_context",
    "history",
    "invitation_accept",
    "learn",
    "learn_page",
    "learn_read",
    "message_thread",
    "offline_manifest",
    "reminder_settings",
    "safety",
    "service_worker",
    "session_done",
    "sign_in_link_request",
    "sign_in_link_use",
    "symptoms",
    "today",
    "unsubscribe",
    "video_file",
]
