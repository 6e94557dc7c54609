"""Read model for a patient's message thread: what the patient's Messages page and the
clinician's thread panels show. A window of the newest messages (older ones a page at a
time), so a page costs the same few queries for 10 messages or 5,000."""

from dataclasses import dataclass

from patients.models import Message, MessageThread, Patient

# Messages shown at once; "Earlier messages" shows the window before them.
WINDOW = 30


@dataclass
class ThreadWindow:
    thread: MessageThread | None
    # Oldest first, as a thread reads (newest at the bottom).
    messages: list[Message]
    # The id to ask for the window before this one (``?before=``), or None at the start.
    earlier_before: int | None

    @property
    def last_from_patient(self) -> Message | None:
        """The patient's newest message in the window: "Seen by your clinic" goes under it."""
        for message in reversed(self.messages):
            if message.from_patient:
                return message
        return None


def thread_window(
    patient: Patient,
    *,
    before: int | None = None,
    size: int = WINDOW,
    include_hidden: bool = False,
) -> ThreadWindow:
    """The ``size`` newest messages of ``patient``'s thread (older than message ``before``
    when given): two queries. Hidden messages only for the clinic's view (``include_hidden``),
    which shows them greyed with who hid them."""
    rows = Message.objects.filter(patient=patient).select_related(
        "sender", "prescribed_exercise", "hidden_by"
    )
    if not include_hidden:
        rows = rows.filter(hidden_at__isnull=True)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    newest = list(rows.order_by("-pk")[: size + 1])
    has_earlier = len(newest) > size
    messages = list(reversed(newest[:size]))
    thread = MessageThread.objects.filter(patient=patient).first()
    return ThreadWindow(
        thread=thread,
        messages=messages,
        earlier_before=messages[0].pk if has_earlier and messages else None,
    )
