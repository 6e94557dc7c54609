"""The access matrix: every URL pattern of the project, as every role, GET and POST.

URLs are enumerated from the resolver (the admin's and our custom admin views included), so
a new URL is covered automatically, and one missing from RULES fails ``test_every_url_has_a
_rule``. Path parameters are filled with objects that belong to patient B and clinician B;
the outsiders (patient A, clinician A, the editor) must never see patient B's name.
"""

import re

import pytest
from django.urls import clear_url_caches, get_resolver
from django.urls import path as path_

from tests.security.urls import ROLES, all_urls, fill

SECRET_NAME = "Zebulon Quixotic"  # patient B: must never show to an outsider

# Expected status codes per role, declared once. Letters: what each role gets.
L = {302}  # sent to a login page
OK = {200}
HIDE = {404}
DENY = {403}
GONE = {302}  # sent elsewhere (admin home, patient home)
BAD = {400, 404}  # a bogus token or id: a clear page, never a 500
NA = {405}  # method not allowed


def everyone(codes):
    return dict.fromkeys(ROLES, codes)


def rule(anonymous, patient_a, patient_b, clinician_a, clinician_b, editor, admin):
    return dict(
        zip(
            ROLES,
            (anonymous, patient_a, patient_b, clinician_a, clinician_b, editor, admin),
            strict=True,
        )
    )


PATIENT_PAGE = rule(L, OK, OK, GONE, GONE, GONE, GONE)  # the patient's own page
PATIENT_B_OBJECT = rule(L, HIDE, OK, GONE, GONE, GONE, GONE)  # patient B's object
STAFF_ONLY = rule(L, L, L, OK, OK, OK, OK)
# An object of patient B in the admin. The editor has no rights on patients at all: 403 or
# 404, never the page.
NO_PATIENTS = {403, 404}
PATIENT_DATA = rule(L, L, L, HIDE, OK, NO_PATIENTS, OK)
PATIENT_LIST = rule(L, L, L, OK, OK, DENY, OK)
LIBRARY_READ = rule(L, L, L, OK, OK, OK, OK)
LIBRARY_WRITE = rule(L, L, L, DENY, DENY, OK, OK)
ADMIN_ONLY = rule(L, L, L, DENY, DENY, DENY, OK)
# Non-patient admin pages for an id that does not exist (or Django's read-only admins):
# Django answers "not found" with a redirect to the index, or 403 where nobody may change.
ADMIN_ONLY_OBJECT = rule(L, L, L, {302, 403}, {302, 403}, {302, 403}, {302, 403})
REDIRECT = everyone({302})  # /admin/<model>/<id>/ redirects to .../change/ (or to login)

# URL name (or, for unnamed patterns, the route) -> expected codes for GET and for POST.
RULES: dict[str, tuple[dict, dict]] = {
    "home": (everyone(GONE), everyone(NA)),
    "healthz": (everyone(OK), everyone(NA)),
    "favicon.ico": (everyone({301}), everyone(NA)),
    "manifest": (everyone(OK), everyone(NA)),
    # Django's set_language: back to the start page (a POST with a language sets the cookie).
    "set_language": (everyone(GONE), everyone(GONE)),
    # The scripts' words (Django's JavaScript catalogue), in the request's language: public.
    "javascript-catalog": (everyone(OK), everyone(NA)),
    "no_role": (
        rule(L, DENY, DENY, DENY, DENY, DENY, DENY),
        rule(L, DENY, DENY, DENY, DENY, DENY, DENY),
    ),
    "login": (everyone(OK), everyone(OK)),
    "logout": (everyone(NA), everyone(GONE)),
    "password_change": (rule(L, OK, OK, OK, OK, OK, OK), rule(L, OK, OK, OK, OK, OK, OK)),
    "password_change_done": (rule(L, OK, OK, OK, OK, OK, OK), rule(L, NA, NA, NA, NA, NA, NA)),
    "password_reset": (everyone(OK), everyone(OK)),
    "password_reset_done": (everyone(OK), everyone(NA)),
    "password_reset_confirm": (everyone(OK), everyone(OK)),
    "password_reset_complete": (everyone(OK), everyone(NA)),
    "invitation_accept": (everyone({400}), everyone({400})),
    "sign_in_link": (everyone(OK), everyone(OK)),
    "sign_in_link_use": (everyone({400}), everyone({400})),
    "patients:today": (PATIENT_PAGE, everyone(NA)),
    # The service worker holds nobody's data; the browser re-checks it even when signed out.
    "patients:service_worker": (everyone(OK), everyone(NA)),
    "patients:offline_manifest": (PATIENT_PAGE, everyone(NA)),
    "patients:history": (PATIENT_PAGE, everyone(NA)),
    "patients:print": (PATIENT_PAGE, everyone(NA)),
    "patients:checkin": (PATIENT_PAGE, rule(L, {400}, {400}, GONE, GONE, GONE, GONE)),
    "patients:safety": (PATIENT_PAGE, rule(L, GONE, GONE, GONE, GONE, GONE, GONE)),
    "patients:symptoms": (PATIENT_PAGE, rule(L, {400}, {400}, GONE, GONE, GONE, GONE)),
    "patients:settings": (PATIENT_PAGE, rule(L, {400}, {400}, GONE, GONE, GONE, GONE)),
    "patients:unsubscribe": (everyone(HIDE), everyone(HIDE)),
    "patients:calendar": (everyone(HIDE), everyone(NA)),
    "patients:exercise": (PATIENT_B_OBJECT, everyone(NA)),
    # Patient B's clinic video: B and B's clinician (and a superuser) only; everyone else
    # signed in gets a 404, the editor included (no right to patients' records).
    "patients:video": (rule(L, HIDE, OK, HIDE, OK, HIDE, OK), everyone(NA)),
    "patients:day": (PATIENT_PAGE, everyone(NA)),
    "patients:check_off": (everyone(NA), rule(L, GONE, GONE, GONE, GONE, GONE, GONE)),
    # How an exercise felt: an empty post is refused and sent back to the day (another
    # patient's exercise is a 404: tests/patients/test_exercise_feedback.py).
    "patients:feedback": (everyone(NA), rule(L, GONE, GONE, GONE, GONE, GONE, GONE)),
    "patients:session_done": (PATIENT_PAGE, rule(L, {400}, {400}, GONE, GONE, GONE, GONE)),
    # Education pages: patient B's plan carries the page, patient A's does not (404).
    "patients:messages": (PATIENT_PAGE, rule(L, {400}, {400}, GONE, GONE, GONE, GONE)),
    "patients:learn": (PATIENT_PAGE, everyone(NA)),
    "patients:learn_page": (PATIENT_B_OBJECT, everyone(NA)),
    # "Mark as read": back to the page (patient B); a page not on your plan is a 404.
    "patients:learn_read": (everyone(NA), rule(L, HIDE, GONE, GONE, GONE, GONE, GONE)),
    # Patient A has no plan, so no session 1 to guide: "no such session" is a 404.
    "patients:guided": (rule(L, HIDE, OK, GONE, GONE, GONE, GONE), everyone(NA)),
    "admin:index": (STAFF_ONLY, STAFF_ONLY),
    # The library's translations: for whoever may change the library (an empty form for one
    # exercise changes nothing and goes back to the list).
    "admin:exercises_translations": (LIBRARY_WRITE, rule(L, L, L, NA, NA, NA, NA)),
    "admin:exercises_translation_edit": (LIBRARY_WRITE, rule(L, L, L, DENY, DENY, GONE, GONE)),
    # The clinician's Messages inbox: their own patients' threads (GET only).
    "admin:patients_messages_inbox": (PATIENT_LIST, rule(L, L, L, NA, NA, NA, NA)),
    # One login page: the admin's GET goes to the app's; a form posted to it still works.
    "admin:login": (everyone(GONE), everyone(OK)),
    "admin:logout": (rule(L, L, L, NA, NA, NA, NA), everyone({302})),
    "admin:password_change": (STAFF_ONLY, STAFF_ONLY),
    # Staff's own email settings: an empty form is "both off" for the one who sends it.
    "admin:email_settings": (STAFF_ONLY, rule(L, L, L, GONE, GONE, GONE, GONE)),
    "admin:password_change_done": (STAFF_ONLY, rule(L, L, L, NA, NA, NA, NA)),
    "admin:autocomplete": (rule(L, L, L, DENY, DENY, DENY, DENY), rule(L, L, L, NA, NA, NA, NA)),
    "admin:jsi18n": (STAFF_ONLY, rule(L, L, L, NA, NA, NA, NA)),
    "admin:view_on_site": (
        rule(L, L, L, HIDE, HIDE, HIDE, HIDE),
        rule(L, L, L, HIDE, HIDE, HIDE, HIDE),
    ),
    "admin:app_list": (rule(L, L, L, OK, OK, HIDE, OK), rule(L, L, L, OK, OK, HIDE, OK)),
    "admin/(?P<url>.*)$": (
        rule(L, L, L, HIDE, HIDE, HIDE, HIDE),
        rule(L, L, L, HIDE, HIDE, HIDE, HIDE),
    ),
    "^media/(?P<path>.*)$": (everyone(HIDE), everyone(HIDE)),
}

# The admin's standard views per model: (changelist, add, object pages) by access kind.
MODEL_ACCESS = {
    "patients_patient": "patient",
    "patients_prescription": "patient",
    "patients_sessionlog": "patient_readonly",
    "exercises_exercise": "library",
    "exercises_program": "program",
    "exercises_precautiontag": "library",
    "exercises_safetyadvice": "advice",
    "exercises_educationpage": "education",
    "clinic_user": "admin",
    "auth_group": "admin",
    "auth_user_password": "admin",
    "django_tasks_database_dbtaskresult": "admin",
    "axes_accessattempt": "admin",
    "axes_accesslog": "admin",
    "axes_accessfailurelog": "admin",
    "audit_auditevent": "admin",
    "patients_quickreply": "own",
}


def model_rule(key: str, action: str) -> tuple[dict, dict]:
    kind = MODEL_ACCESS[key]
    if action == "object":
        return REDIRECT, REDIRECT
    if kind in ("patient", "patient_readonly"):
        if action == "changelist":
            return PATIENT_LIST, PATIENT_LIST
        if action == "add":
            add = PATIENT_LIST if kind == "patient" else rule(L, L, L, DENY, DENY, DENY, DENY)
            return add, add
        if action in ("invite", "review", "suggestion"):  # POST only
            return (
                rule(L, L, L, NA, NA, NA, NA),
                # B already has an account (invite: message and back), nothing chosen
                # (suggestion: no such exercise), or done (review).
                rule(L, L, L, HIDE, {302, 404}, NO_PATIENTS, {302, 404}),
            )
        if action == "suggestions_all":  # POST only; neither accept nor dismiss: 404
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, HIDE, NO_PATIENTS, HIDE)
        if action == "pause":  # without ?prescription= there is nothing to pause: 404
            hidden = rule(L, L, L, HIDE, HIDE, NO_PATIENTS, HIDE)
            return hidden, hidden
        if action == "resume":  # POST only; no prescription named: 404
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, HIDE, NO_PATIENTS, HIDE)
        if action == "video":  # an empty upload is refused with the form (400)
            return PATIENT_DATA, rule(L, L, L, HIDE, {400}, NO_PATIENTS, {400})
        if action == "prescribe_library":  # search as you type: GET only
            return PATIENT_DATA, rule(L, L, L, NA, NA, NA, NA)
        if action == "prescribe_favourite":  # POST only; nothing named to star: 404
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, HIDE, NO_PATIENTS, HIDE)
        if action == "messages":  # the thread page: GET only
            return PATIENT_DATA, rule(L, L, L, NA, NA, NA, NA)
        if action == "message_send":  # POST only; an empty reply is refused with the page
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, {400}, NO_PATIENTS, {400})
        if action == "messages_handled":  # POST only: done, and back to the thread
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, GONE, NO_PATIENTS, GONE)
        if action == "message_hide":  # POST only; no message named: 404
            return rule(L, L, L, NA, NA, NA, NA), rule(L, L, L, HIDE, HIDE, NO_PATIENTS, HIDE)
        if action == "invitation":  # no invitation pending: a message and back
            return rule(L, L, L, HIDE, GONE, NO_PATIENTS, GONE), rule(
                L, L, L, HIDE, GONE, NO_PATIENTS, GONE
            )
        if kind == "patient_readonly" and action in ("change", "delete"):
            read_only = rule(L, L, L, HIDE, DENY, NO_PATIENTS, DENY)
            return (PATIENT_DATA if action == "change" else read_only), read_only
        return PATIENT_DATA, PATIENT_DATA
    if kind == "own":
        # Clinician B's quick reply: each clinician's own (a superuser's too); another's is
        # Django's "not found" redirect; the editor has no right to patients, so none to these.
        if action in ("changelist", "add"):
            return PATIENT_LIST, PATIENT_LIST
        own_get = rule(L, L, L, GONE, OK, DENY, GONE)
        if action == "history":
            own_get = rule(L, L, L, GONE, OK, GONE, GONE)
            return own_get, own_get
        return own_get, own_get  # an empty POST to "delete" asks again (Django's confirm page)
    if kind == "library":
        if action in ("changelist", "change", "history", "object"):
            return LIBRARY_READ, LIBRARY_WRITE if action == "change" else LIBRARY_READ
        return LIBRARY_WRITE, LIBRARY_WRITE
    if kind == "program":
        # Clinician B's own template: invisible to clinician A and the editor (Django's
        # "not found" redirect), which see clinic-wide templates only.
        if action in ("changelist", "add"):
            return LIBRARY_READ, LIBRARY_READ
        private = rule(L, L, L, GONE, OK, GONE, OK)
        return private, private
    if kind == "advice":  # append-only: new versions, never changed or deleted
        if action == "add":
            return LIBRARY_WRITE, LIBRARY_WRITE
        if action == "delete":
            return rule(L, L, L, DENY, DENY, DENY, DENY), rule(L, L, L, DENY, DENY, DENY, DENY)
        if action == "change":
            return LIBRARY_READ, rule(L, L, L, DENY, DENY, DENY, DENY)
        return LIBRARY_READ, LIBRARY_READ
    if kind == "education":  # editors write pages (a change adds a version); never deleted
        if action == "delete":
            return rule(L, L, L, DENY, DENY, DENY, DENY), rule(L, L, L, DENY, DENY, DENY, DENY)
        if action in ("changelist", "change", "history"):
            return LIBRARY_READ, LIBRARY_WRITE if action == "change" else LIBRARY_READ
        return LIBRARY_WRITE, LIBRARY_WRITE
    if action == "changelist" or key in ("clinic_user", "auth_group"):
        return ADMIN_ONLY, ADMIN_ONLY
    return ADMIN_ONLY_OBJECT, ADMIN_ONLY_OBJECT


ADMIN_MODEL = re.compile(
    r"^admin:(?P<key>.+?)_(?P<action>changelist|add|history|delete|change|archive|assign_many|assign|invite|invitation|print|progress|suggestion|review|export|prescribe|prescribe_library|prescribe_favourite|prescribed|pause|resume|suggestions_all|video|messages|message_send|messages_handled|message_hide)$"
)


def expected_for(route: str, name: str | None) -> tuple[dict, dict] | None:
    key = name or route
    if key in RULES:
        return RULES[key]
    if name == "admin:auth_user_password_change":
        return ADMIN_ONLY, ADMIN_ONLY
    if name is None and route.endswith("<path:object_id>/"):
        model = route.split("/")[1] + "_" + route.split("/")[2]
        return model_rule(model, "object")
    match = ADMIN_MODEL.match(name or "")
    if match and match["key"] in MODEL_ACCESS:
        action = match["action"]
        if action == "archive":  # POST archives; anything else goes back to the change page
            return rule(L, L, L, GONE, GONE, GONE, GONE), rule(L, L, L, GONE, GONE, GONE, GONE)
        if action == "assign_many":  # without ?ids= there is nobody to assign to
            no_ids = rule(L, L, L, HIDE, HIDE, DENY, HIDE)
            return no_ids, no_ids
        return model_rule(match["key"], action)
    return None


def test_every_url_has_a_rule():
    missing = [(route, name) for route, name in all_urls() if expected_for(route, name) is None]
    assert missing == [], f"URLs without an access rule: {missing}"


CASES = [(route, name, method) for route, name in all_urls() for method in ("GET", "POST")]


def test_matrix_size(capsys):
    size = len(all_urls()) * len(ROLES) * 2
    with capsys.disabled():
        print(f"\naccess matrix: {len(all_urls())} URL patterns × {len(ROLES)} roles × 2 = {size}")
    assert len(all_urls()) > 100


# Every answer is private and never stored by a cache (security review round 2, finding 2),
# except the service worker's script, the library's pictures and the scripts' words (the
# JavaScript catalogue, kept by the browser alone and asked again on each use), which hold
# nobody's data.
KEEP_OWN_CACHING = ("/plan/sw.js", "/media/", "/jsi18n/")


def check(client, world, path: str, method: str, expected: dict) -> list[str]:
    """Request ``path`` as every role; return what went against ``expected``."""
    failures = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            user = world[role].user if role.startswith("patient") else world[role]
            client.force_login(user)
        response = client.get(path) if method == "GET" else client.post(path, {})
        body = getattr(response, "content", b"").decode(errors="ignore")
        if response.status_code not in expected[role]:
            failures.append(f"{role}: {response.status_code} (expected {sorted(expected[role])})")
        elif role in ("patient_a", "clinician_a", "editor") and SECRET_NAME.split()[1] in body:
            failures.append(f"{role}: sees patient B's name")
        elif not path.startswith(KEEP_OWN_CACHING) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            failures.append(f"{role}: cacheable ({response.get('Cache-Control')})")
    return failures


@pytest.mark.parametrize(("route", "name", "method"), CASES, ids=[f"{m} {r}" for r, n, m in CASES])
def test_access(client, world, route, name, method):
    expected_get, expected_post = expected_for(route, name)
    path = fill(route, world)
    failures = check(
        client, world, path, method, expected_get if method == "GET" else expected_post
    )
    assert failures == [], f"{method} {path}: " + "; ".join(failures)


def leaky_view(request, pk):
    """A deliberately unprotected view: anyone may read any patient's name."""
    from django.http import HttpResponse

    from patients.models import Patient

    return HttpResponse(Patient.objects.get(pk=pk).full_name)


urlpatterns = [
    *get_resolver("clinic.urls").url_patterns,
    path_("leaky/<int:pk>/", leaky_view, name="leaky"),
]


def test_the_matrix_catches_a_deliberately_unprotected_view(client, world, settings):
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    try:
        urls = {name: route for route, name in all_urls()}
        assert "leaky" in urls
        # Unlisted: the "every URL has a rule" test fails for it...
        assert expected_for(urls["leaky"], "leaky") is None
        # ...and held to the rule for a patient's object, it fails for every outsider.
        failures = check(client, world, f"/leaky/{world['patient_b'].pk}/", "GET", PATIENT_B_OBJECT)
        assert any(failure.startswith("anonymous: 200") for failure in failures)
        assert any(failure.startswith("patient_a: 200") for failure in failures)
    finally:
        clear_url_caches()
