"""Read model for the clinician's Messages inbox: their patients' threads, the ones waiting
for an answer first (urgent on top, then who has waited longest), then the others by their
last message. Sorted on the thread rows the message services keep, so a page costs the same
few queries for 5 threads or 5,000, and for 10 messages or 500 in each."""

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Substr

from patients.models import Message, MessageThread

PER_PAGE = 50
EXCERPT = 90  # characters of the last message shown in a row


def inbox_threads(user):
    """The user's patients' threads that have a visible message, in the inbox's order."""
    last_visible = Message.objects.visible().filter(patient=OuterRef("patient")).order_by("-pk")
    return (
        MessageThread.objects.for_clinician(user)
        .filter(last_message_at__isnull=False)
        .select_related("patient")
        .only(
            "patient__first_name",
            "patient__last_name",
            "patient__clinician_id",
            "waiting_since",
            "urgent",
            "last_message_at",
            "last_from_patient",
            "clinic_unread",
        )
        .annotate(
            needs_answer=Case(
                When(Q(waiting_since__isnull=False) | Q(clinic_unread__gt=0), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            excerpt=Substr(Subquery(last_visible.values("text")[:1]), 1, EXCERPT + 1),
        )
        .order_by(
            "-needs_answer",
            "-urgent",
            F("waiting_since").asc(nulls_last=True),
            F("last_message_at").desc(nulls_last=True),
            "pk",
        )
    )


def inbox_page(user, number):
    """One page of the inbox (``number`` as given in the query string; a bad one is the
    first or the last page)."""
    return Paginator(inbox_threads(user), PER_PAGE).get_page(number)


def index_panel(request) -> dict:
    """The admin front page's link to the inbox, with how many threads wait (a count: no
    names, nothing to audit)."""
    if not request.user.has_perm("patients.view_patient"):
        return {"messages_waiting": None}
    threads = MessageThread.objects.for_clinician(request.user).filter(
        Q(waiting_since__isnull=False) | Q(clinic_unread__gt=0)
    )
    return {"messages_waiting": threads.count()}
