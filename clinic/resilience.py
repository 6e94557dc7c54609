"""What a request answers when something fails under it.

- **The database is unavailable** (down, restarting, read-only after a failover, out of pool
  connections): 503 with ``Retry-After``, never Django's bare "Server Error (500)". The
  phone's offline queue keeps a write that gets a 5xx and sends it again (``static/sw.js``).
- **A write has committed**: the answer says so even if what follows fails (rebuilding the
  page on a connection that just dropped): the view names its acknowledgement with
  ``acknowledge()`` and ``CommittedWriteMiddleware`` answers with it instead of a 5xx. The
  page shows the rest on its next load.
- **Anything else**: our own plain 500 page.

The plain pages come from one standalone template rendered without the request: no template
inheritance, no user, session or context processor, nothing that needs the database.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# How long the phone (and any other client) should wait before trying again: about how long
# a PostgreSQL restart or a failover takes.
RETRY_AFTER_SECONDS = 5
# PostgreSQL's read_only_sql_transaction: a write on a connection that cannot write.
READ_ONLY_SQLSTATE = "25006"
ACKNOWLEDGEMENT = "_homeplan_acknowledgement"


def database_unavailable(error: BaseException | None) -> bool:
    """True for errors that say the database cannot serve this request now, rather than
    that the request or our code is wrong: worth a 503 and a retry."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    cause = getattr(error, "__cause__", None)
    return (
        isinstance(error, DatabaseError) and getattr(cause, "sqlstate", None) == READ_ONLY_SQLSTATE
    )


def wants_json(request) -> bool:
    """The phone's offline queue asks for JSON: it needs a plain yes or no, not a page."""
    return "application/json" in request.headers.get("Accept", "")


def plain_page(
    *, title: str, paragraphs: list[str], status: int = 200, link: tuple[str, str] | None = None
) -> HttpResponse:
    """A page that renders when nothing else works (see the module's docstring)."""
    try:
        stylesheet = static("vendor/bootstrap/bootstrap.min.css")
    except ValueError:  # a static manifest without the file: plain text styling then
        stylesheet = ""
    html = loader.get_template("plain_page.html").render(
        {"title": title, "paragraphs": paragraphs, "link": link, "stylesheet": stylesheet}
    )
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    # Its own headers: as an acknowledgement, it skips the middleware that would add them.
    response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    response["X-Frame-Options"] = "DENY"
    return response


def server_error(request) -> HttpResponse:
    """``handler500``: 503 with ``Retry-After`` when the database is unavailable, else 500;
    JSON for the phone's offline queue, a plain page for everyone else."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        status = 503
        title = _("Please try again in a moment")
        message = _(
            "Homeplan can't reach its records just now, so this could not be loaded or saved. "
            "It usually comes back within a minute: please try again then."
        )
    else:
        status = 500
        title = _("Something went wrong on our side")
        message = _(
            "This could not be loaded or saved because of a fault in Homeplan. It has been "
            "recorded. Please try again; if it keeps happening, call your clinic."
        )
    if wants_json(request):
        response = JsonResponse({"ok": False, "error": message}, status=status)
    else:
        # A form's address would answer 405 to a link: those go back to the start instead.
        link = (
            (_("Try again"), request.get_full_path())
            if request.method == "GET"
            else (_("Back to the start"), "/")
        )
        response = plain_page(title=title, paragraphs=[message], status=status, link=link)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def acknowledge(request, response: HttpResponse) -> None:
    """Call right after a write committed: ``response`` is what the client gets if anything
    after this point fails, because telling the patient their entry failed when it was
    stored would make them enter it again, or give up on it."""
    setattr(request, ACKNOWLEDGEMENT, response)


class CommittedWriteMiddleware:
    """Answers with the view's acknowledgement when a request that committed its write ends
    in a 5xx anyway (see ``acknowledge``). Near the top of the stack, so that the inner
    middleware's failures (saving a session on a dropped connection) are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        acknowledgement = getattr(request, ACKNOWLEDGEMENT, None)
        if acknowledgement is not None and response.status_code >= 500:
            logger.warning(
                "%s %s failed with %s after its write committed: acknowledged instead",
                request.method,
                request.path,
                response.status_code,
            )
            return acknowledgement
        return response
