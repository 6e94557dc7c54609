"""Every URL pattern with hostile path and query values, as every role: never a 5xx.

Security review round 2, finding 5: 500s from a NUL in the calendar token and in the admin
autocomplete's search term (PostgreSQL), from the first and last representable dates in the
plan's URLs, and from a 256-character admin username. This walk puts each hostile value into
every path parameter that can hold it (a date into date parameters, digits into numeric
ones, anything into text) and into the query parameters the views read, for every pattern
the resolver knows (the access matrix's list), as each of the matrix's seven roles. It runs
on SQLite and, in CI, on PostgreSQL, whose text cannot hold NUL.
"""

import re
import time
from urllib.parse import quote, urlencode

from django.test import Client

from tests.security.urls import ROLES, all_urls, fill

# Each value, and the kinds of path parameter it is aimed at: text and ids for NUL, length
# and non-numbers, dates for the calendar's edges. (Query parameters get every value.)
TEXT, NUMBER, DATE = "text", "number", "date"
HOSTILE = {
    "NUL": ("a\x00b", {TEXT}),
    "10,000 characters": ("7" * 10_000, {TEXT, NUMBER}),
    "first day of the calendar": ("0001-01-01", {DATE}),
    "last day of the calendar": ("9999-12-31", {DATE}),
    "not a number": ("-1x", {TEXT}),
}

CONVERTERS = {
    "int": r"[0-9]+",
    "str": r"[^/]+",
    "path": r".+",
    "slug": r"[-a-zA-Z0-9_]+",
    None: r"[^/]+",
}
PLACEHOLDER = re.compile(
    r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>(?P<regex>[^()]*)\)"
)


def kind_of(match) -> str | None:
    if match["group"]:
        if match["regex"] == ".*":
            return TEXT
        return DATE if r"\d{4}" in match["regex"] else None  # [1-3] and app names: fixed
    return NUMBER if match["converter"] == "int" else TEXT


# The query parameters views read, by URL name; admin lists take search, page and order.
V = object()
QUERY = {
    "admin:autocomplete": {
        "app_label": "patients",
        "model_name": "prescription",
        "field_name": "patient",
        "term": V,
    },
    "admin:audit_auditevent_changelist": {"patient": V, "actor": V, "target": V, "q": V},
    "admin:patients_patient_assign_many": {"ids": V},
    # ?month=YYYY-MM: the date values' first seven characters are a month.
    "patients:history": {"month": lambda value: value[:7] if value[:4].isdigit() else value},
    "patients:day": {"offline-copy": V},
    "patients:safety": {"next": V},
    "login": {"next": V},
    "admin:login": {"next": V},
}
ADMIN_LIST = {"q": V, "p": V, "o": V}


def accepts(match, label: str) -> bool:
    value, kinds = HOSTILE[label]
    pattern = match["regex"] if match["group"] else CONVERTERS[match["converter"]]
    return kind_of(match) in kinds and re.fullmatch(pattern, value) is not None


def hostile_path(route: str, label: str, world) -> str:
    def substitute(match):
        # A parameter the value is not aimed at keeps the matrix's real object.
        return quote(HOSTILE[label][0], safe="") if accepts(match, label) else match[0]

    return fill(PLACEHOLDER.sub(substitute, route), world)


def query_params(name: str | None) -> dict | None:
    if name in QUERY:
        return QUERY[name]
    if name and name.endswith("_changelist"):
        return ADMIN_LIST
    return None


def hostile_query(params: dict, value: str) -> str:
    return urlencode(
        {
            key: value if given is V else given(value) if callable(given) else given
            for key, given in params.items()
        }
    )


def hostile_urls(route: str, name: str | None, world) -> list[tuple[str, str]]:
    """(what, URL) for each hostile value that lands in a parameter of this URL or of its
    view's query; every value rides in the query string of the others. A URL that reads
    none of them gets one request with every value in its query string: sending the same
    page again for each unread value would only cost time (the walk must stay quick)."""
    params = query_params(name)
    placeholders = list(PLACEHOLDER.finditer(route))
    every_value = urlencode({f"v{n}": value for n, (value, _) in enumerate(HOSTILE.values())})
    landing = [
        label
        for label in HOSTILE
        if params is not None or any(accepts(match, label) for match in placeholders)
    ]
    if not landing:
        return [("every value in the query", f"{fill(route, world)}?{every_value}")]
    return [
        (
            label,
            f"{hostile_path(route, label, world)}?"
            # Values not aimed at the path ride along in the query, unless the view reads
            # its query (an admin list answers unknown parameters with an error redirect).
            + (every_value if params is None else hostile_query(params, HOSTILE[label][0])),
        )
        for label in landing
    ]


def logged_in(role: str, world) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world[role].user if role.startswith("patient") else world[role])
    return client


def test_finding_5_no_url_answers_hostile_values_with_a_5xx(world, capsys):
    urls = all_urls()
    clients = {role: logged_in(role, world) for role in ROLES}
    failures, requests = [], 0
    started = time.monotonic()
    for route, name in urls:
        for label, url in hostile_urls(route, name, world):
            for role, client in clients.items():
                requests += 1
                try:
                    status = client.get(url).status_code
                except Exception as error:  # every crash is a finding to list
                    failures.append(f"{role} {label} {url[:120]}: {error!r}"[:400])
                    continue
                if status >= 500:
                    failures.append(f"{role} {label} {url[:120]}: {status}")
    with capsys.disabled():
        print(
            f"\nhostile paths: {len(urls)} URL patterns × {len(HOSTILE)} values × "
            f"{len(ROLES)} roles = {len(urls) * len(HOSTILE) * len(ROLES)} cases, sent as "
            f"{requests} requests: {len(failures)} answered 5xx, "
            f"{time.monotonic() - started:.1f} s"
        )
    assert failures == [], "\n".join(failures[:40])
