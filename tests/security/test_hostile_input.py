"""Hostile input on every form and POST endpoint.

Hypothesis throws random and adversarial strings — control characters and NUL, RTL
overrides, emoji, combining marks, 1k-100k characters, HTML and script, template and SQL
syntax — at each field, POSTed through the test client as the user who may post there.
Whatever comes in: never a 5xx; a bad value is a form error the user can read (or a plain
redirect/404 for endpoints without a form); a good value is stored exactly as Django's form
cleaning leaves it (stripped), never silently changed. NUL gets its own rule, since
PostgreSQL text cannot hold it: it must be refused before it reaches the database (CI runs
this file on SQLite and on PostgreSQL).

Each example runs inside a savepoint that is rolled back, so examples do not see each
other's rows while the pytest-django fixtures (actors, logged-in client) are built once.
"""

import contextlib
import datetime
import operator
import sys
import unicodedata
from urllib.parse import quote, urlsplit

import hypothesis.strategies as st
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings

from exercises.models import Exercise, Program
from patients import services
from patients.forms import AssignProgramForm, FunctionCheckInForm, PrescribedExerciseForm
from patients.models import (
    Effort,
    FunctionActivity,
    Patient,
    Prescription,
    SessionLog,
    SkipReason,
    SymptomReport,
)
from tests.admin_forms import exercise_form_data
from tests.factories import (
    PASSWORD,
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    ProgramFactory,
    ProgramItemFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 25
hostile_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The actors and the logged-in client are built once per test; every example runs in
    # its own rolled-back savepoint (see ``rolled_back``), so sharing them is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example","x")',
    "'; DROP TABLE patients_patient; --",
    "{{ request.user.password }}{% debug %}",
    "\x00",
    "a\x00b",
    "\r\n\r\nSet-Cookie: pwned=1",
    "\u202egnp.exe",  # right-to-left override
    "\u200b\ufeff\u2028\u2029",  # zero-width space, BOM, line/paragraph separators
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",  # stacked combining marks
    "💥👩🏽‍⚕️🏳️‍🌈",
    "İstanbul ﷽ 𝕳𝖔𝖒𝖊",  # grows when lower-cased; wide; astral plane
    "../../../../etc/passwd%00",
    "\x1b[31mred\x1b[0m\x07\x08\x7f",
]

# Every character UTF-8 can carry: control characters and NUL included; lone surrogates
# excluded, because no browser can send them (they are not encodable).
any_text = st.text(st.characters(codec="utf-8"), max_size=300)
payload_mix = st.lists(st.one_of(st.sampled_from(PAYLOADS), any_text), max_size=4).map("".join)
# Long strings are built by repetition: Hypothesis cannot draw 100k characters one by one.
very_long = st.builds(
    operator.mul,
    st.sampled_from(["a", "é", "💥", "\u202e", "<script>", "\x00", " ", "\n"]),
    st.integers(1_000, 100_000),
)
hostile = st.one_of(any_text, payload_mix, very_long, st.sampled_from(PAYLOADS))


PAIN = {str(score) for score in range(11)}


def hostile_or(*good):
    """A known good value, or something hostile in its place."""
    return st.one_of(st.sampled_from(good), hostile)


# Text fields (instructions, notes, messages) have no length limit: even the longest drawn
# value (800,000 characters) must be stored, not refused.
NO_LIMIT = sys.maxsize


# Names and other one-line fields refuse these (clinic.validators.one_line).
CONTROL = {"Cc", "Zl", "Zp"}


def cleaned(
    value: str, max_length: int, *, required: bool = False, one_line: bool = False
) -> str | None:
    """What a Django CharField keeps of ``value``, or None when it must be refused."""
    value = value.strip()
    if "\x00" in value or len(value) > max_length or (required and not value):
        return None
    if one_line and any(unicodedata.category(char) in CONTROL for char in value):
        return None
    return value


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_form_error_shown(response, form_key="form"):
    """A refused value comes back as a form whose error messages are on the page."""
    assert response.status_code in (200, 400), response.status_code
    form = response.context[form_key]
    assert form.errors, "refused without saying why"
    html = response.content.decode()
    messages = [str(message) for errors in form.errors.values() for message in errors]
    assert any(escape(message) in html for message in messages), messages


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; leave none behind for other tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=7)
    )
    PrescribedExerciseFactory(prescription=prescription, exercise__name="Bridge")
    PrescribedExerciseFactory(prescription=prescription, exercise__name="Clamshell")
    return prescription


@pytest.fixture
def patient_client(client, patient, plan):
    client.force_login(patient.user)
    return client


# --- The patient's pages -----------------------------------------------------------------


@hostile_settings
@given(
    note=hostile,
    pain=hostile_or(*(str(n) for n in range(11))),
    effort=hostile_or("", *Effort.values),
)
def test_session_note_is_stored_as_given_or_refused_with_a_message(
    patient_client, patient, note, pain, effort
):
    today = patient.today().isoformat()
    url = reverse("patients:session_done", args=[today, 1])
    expected = cleaned(note, 2000)
    valid = expected is not None and pain in PAIN and effort in ("", *Effort.values)
    with rolled_back():
        response = patient_client.post(url, {"pain": pain, "effort": effort, "note": note})
        if valid:
            assert response.status_code == 302
            assert SessionLog.objects.get(prescription__patient=patient).note == expected
        else:
            assert response.status_code == 400
            assert_form_error_shown(response, "done_form")
            assert not SessionLog.objects.exists()


@hostile_settings
@given(
    exercise=hostile_or("1", "2", "999999999999999999999"),
    session=hostile_or("1", "2", "0", "4"),
    action=hostile_or("done", "skip", "undo"),
    reason=hostile_or("", *SkipReason.values),
    htmx=st.booleans(),
)
def test_check_off_with_any_fields_never_crashes(
    patient_client, patient, plan, exercise, session, action, reason, htmx
):
    # Point "1" and "2" at the patient's real exercises, so valid posts really happen.
    ids = list(plan.exercises.values_list("pk", flat=True))
    exercise = {"1": str(ids[0]), "2": str(ids[1])}.get(exercise, exercise)
    url = reverse("patients:check_off", args=[patient.today().isoformat()])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    data = {"exercise": exercise, "session": session, "action": action, "reason": reason}
    with rolled_back():
        response = patient_client.post(url, data, **headers)
    if htmx:
        assert response.status_code in (200, 400, 404)
    else:
        assert response.status_code in (302, 404)


@pytest.mark.parametrize(
    "client_fields",
    [{"client_uuid": "not-a-uuid"}, {"made_at": "yesterday"}, {"client_uuid": "1", "made_at": "x"}],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_finding_5_a_check_off_with_a_malformed_id_or_time_is_refused_with_a_message(
    patient_client, patient, plan, client_fields, htmx
):
    """Security review round 2: without a JSON Accept header this was a 500 ('CheckOffForm'
    object has no attribute 'cleaned_data')."""
    exercise = plan.exercises.first()
    url = reverse("patients:check_off", args=[patient.today().isoformat()])
    data = {"exercise": exercise.pk, "session": 1, "action": "done", **client_fields}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = patient_client.post(url, data, follow=not htmx, **headers)
    assert response.status_code == (400 if htmx else 200)
    assert "is not valid" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_finding_5_a_nul_in_the_calendar_token_or_the_autocomplete_term_is_a_400(
    client, clinician, patient
):
    """Security review round 2: both were 500s on PostgreSQL, whose text cannot hold NUL."""
    assert client.get("/plan/calendar/abc%00def.ics").status_code == 400
    client.force_login(clinician)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "patients", "model_name": "prescription", "field_name": "patient"}
        | {"term": "Al\x00ice"},
    )
    assert response.status_code == 400


@hostile_settings
@given(name=hostile, score=hostile_or("", *(str(n) for n in range(11))))
def test_function_checkin_activity_name_is_stored_as_given_or_refused(
    patient_client, patient, name, score
):
    expected = cleaned(name, 100, required=True, one_line=True)
    valid = expected is not None and score in PAIN
    with rolled_back():
        response = patient_client.post(
            reverse("patients:checkin"), {"new_name_1": name, "new_score_1": score}
        )
        if valid:
            assert response.status_code == 302
            assert FunctionActivity.objects.get(patient=patient).name == expected
        else:
            assert response.status_code == 400
            assert_form_error_shown(response)
            assert not FunctionActivity.objects.exists()


@hostile_settings
@given(
    symptoms=st.lists(hostile_or(*SymptomReport.Symptom.values), max_size=3),
    note=hostile,
)
def test_symptom_report_note_is_stored_as_given_or_refused(patient_client, patient, symptoms, note):
    expected = cleaned(note, 2000)
    valid = bool(symptoms) and set(symptoms) <= set(SymptomReport.Symptom.values)
    valid = valid and expected is not None
    with rolled_back():
        response = patient_client.post(
            reverse("patients:symptoms"), {"symptoms": symptoms, "note": note}
        )
        if valid:
            assert response.status_code == 200
            assert SymptomReport.objects.get(patient=patient).note == expected
        else:
            assert response.status_code == 400
            assert_form_error_shown(response)
            assert not SymptomReport.objects.exists()


@hostile_settings
@given(
    time=hostile_or("18:00", "07:30", ""),
    timezone=hostile_or("Europe/London", "UTC", "Mars/Olympus_Mons"),
    weekdays=st.lists(hostile_or("0", "3", "6"), max_size=3),
    enabled=hostile_or("on", ""),
    action=hostile_or("", "new_calendar_link"),
)
def test_reminder_settings_refuse_nonsense_and_the_plan_still_opens(
    patient_client, patient, time, timezone, weekdays, enabled, action
):
    data = {
        "reminders_enabled": enabled,
        "reminder_time": time,
        "reminder_weekdays": weekdays,
        "timezone": timezone,
        "action": action,
    }
    with rolled_back():
        response = patient_client.post(reverse("patients:settings"), data)
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert_form_error_shown(response)
        patient.refresh_from_db()
        # Whatever was accepted, every page that reads the zone still works.
        assert patient.zone
        assert patient_client.get(reverse("patients:today")).status_code == 200


@hostile_settings
@given(target=hostile_or("/plan/history/", "//evil.example/", "https://evil.example/"))
def test_safety_acknowledgement_only_ever_redirects_inside_the_site(
    patient_client, patient, target
):
    Patient.objects.filter(pk=patient.pk).update(safety_acknowledged_at=None)
    with rolled_back():
        response = patient_client.post(reverse("patients:safety"), {"next": target})
    assert response.status_code == 302
    # A relative "0/" is harmless (it stays on the site); a host, a scheme or a header
    # break is not. Browsers read a backslash as a slash.
    location = response["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("", "")
    assert not location.replace("\\", "/").startswith("//")
    assert not any(char in location for char in "\r\n\x00")


@hostile_settings
@given(month=hostile)
def test_history_month_parameter_never_crashes(patient_client, month):
    response = patient_client.get(reverse("patients:history"), {"month": month})
    # A NUL anywhere in a URL is refused before any view (clinic.middleware.RefuseNul...).
    assert response.status_code == (400 if "\x00" in month else 200)


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("patients:session_done", {"pain": "3", "note": "Fine\x00"}),
        ("patients:session_done", {"pain": "3", "note": "Line\r\n" * 400}),
        ("patients:session_done", {"pain": "3", "effort": "<b>hard</b>"}),
        ("patients:symptoms", {"symptoms": ["other"], "note": "Worse\x00"}),
        ("patients:symptoms", {"symptoms": ["other"], "note": "Line\r\n" * 400}),
    ],
    ids=["session-nul", "session-long", "session-effort", "symptoms-nul", "symptoms-long"],
)
def test_a_refused_note_says_why_on_the_page(patient_client, patient, url_name, data):
    # A browser's maxlength counts a line break once but sends it as \r\n, so a note that
    # fits the box can still be refused: the patient must be told why.
    args = [patient.today().isoformat(), 1] if url_name.endswith("done") else []
    response = patient_client.post(reverse(url_name, args=args), data)
    assert response.status_code == 400
    form = response.context["done_form" if args else "form"]
    field = "effort" if "effort" in data else "note"
    assert escape(form.errors[field][0]) in response.content.decode()


@pytest.mark.parametrize("target", ["0", "plan", "admin:index", "patients:today"])
def test_safety_next_that_looks_like_a_url_name_is_not_a_500(patient_client, patient, target):
    Patient.objects.filter(pk=patient.pk).update(safety_acknowledged_at=None)
    response = patient_client.post(reverse("patients:safety"), {"next": target})
    assert response.status_code == 302
    assert not urlsplit(response["Location"]).netloc


def test_a_body_over_the_upload_limit_is_a_400_not_a_500(patient_client, patient):
    url = reverse("patients:session_done", args=[patient.today().isoformat(), 1])
    response = patient_client.post(url, {"pain": "3", "note": "x" * 3_000_000})
    assert response.status_code == 400
    assert not SessionLog.objects.exists()


# --- Signing in -----------------------------------------------------------------------------


@hostile_settings
@given(username=hostile, password=hostile)
def test_login_with_anything_is_a_form_error_or_a_lockout(client, username, password):
    with rolled_back():
        response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 429)
    if response.status_code == 200:
        assert_form_error_shown(response)


def test_a_very_long_username_is_a_form_error_not_a_500(client):
    # Found on PostgreSQL: a failed login is written to axes' table, username varchar(255).
    response = client.post(reverse("login"), {"username": "a" * 1000, "password": "x"})
    assert_form_error_shown(response)


@pytest.mark.parametrize("length", [255, 256, 10_000])
def test_finding_5_a_long_username_on_the_admin_login_is_a_form_error_not_a_500(client, length):
    # Security review round 2: 256 characters on the admin's login page, a 500 on PostgreSQL.
    response = client.post(reverse("admin:login"), {"username": "a" * length, "password": "x"})
    assert_form_error_shown(response)


def test_a_patient_still_signs_in_with_a_long_email_address(client, clinician):
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    assert len(email) == 254
    PatientFactory(clinician=clinician, email=email, user__username="long-email")
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_patient_with_a_long_email_address_can_accept_the_invitation(client, clinician):
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    invitee = PatientFactory(clinician=clinician, user=None, email=email)
    client.force_login(clinician)
    client.post(reverse("admin:patients_patient_invite", args=[invitee.pk]))
    client.logout()
    invitee.refresh_from_db()
    path = reverse("invitation_accept", args=[services.invitation_token(invitee)])
    response = client.post(
        path, {"password1": "a-sturdy-hip-2026", "password2": "a-sturdy-hip-2026"}
    )
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert len(invitee.user.username) <= 150


@hostile_settings
@given(email=st.one_of(hostile, st.emails()))
def test_sign_in_link_request_with_anything_never_crashes(client, settings, email):
    settings.SIGN_IN_LINK_LIMIT_PER_IP = 10_000
    with rolled_back():
        response = client.post(reverse("sign_in_link"), {"email": email})
    assert response.status_code in (200, 429)
    if "form" in response.context and response.context["form"].errors:
        assert_form_error_shown(response)


@hostile_settings
@given(email=st.one_of(hostile, st.emails()))
def test_password_reset_with_anything_never_crashes(client, email):
    with rolled_back():
        response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code in (200, 302, 429)
    if response.status_code == 200:
        assert_form_error_shown(response)


@pytest.fixture
def invitation_path(client, clinician):
    invitee = PatientFactory(clinician=clinician, user=None, email="iris@example.org")
    client.force_login(clinician)
    client.post(reverse("admin:patients_patient_invite", args=[invitee.pk]))
    client.logout()
    invitee.refresh_from_db()
    return reverse("invitation_accept", args=[services.invitation_token(invitee)])


@hostile_settings
@given(password=hostile, again=st.one_of(hostile, st.just(None)))
def test_invitation_password_with_anything_never_crashes(client, invitation_path, password, again):
    data = {"password1": password, "password2": password if again is None else again}
    with rolled_back():
        response = client.post(invitation_path, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert_form_error_shown(response)


# --- The staff's admin ------------------------------------------------------------------------


def admin_form_data(response) -> dict:
    """The POST a browser would send for an admin add/change page as it stands.

    Read from the page's forms rather than written out, so fields other work adds to these
    pages (hidden version numbers and the like) come along.
    """
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(k): v for k, v in management.initial.items()}
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif value is True:
                data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = str(value)
    return data


def assert_admin_refused(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html or "errorlist" in html


EXERCISE = exercise_form_data(instructions="Sit tall.\nLift one knee.", cues="", precautions="")


@hostile_settings
@given(
    name=hostile,
    summary=hostile,
    instructions=hostile,
    cues=hostile,
    precautions=st.one_of(st.just(""), hostile),
)
def test_exercise_text_is_stored_as_given_or_refused(
    client, editor, name, summary, instructions, cues, precautions
):
    client.force_login(editor)
    fields = {
        "name": (name, 120, True, True),
        "summary": (summary, 200, True, True),
        "instructions": (instructions, NO_LIMIT, True, False),
        "cues": (cues, NO_LIMIT, False, False),
        "precautions": (precautions, NO_LIMIT, False, False),
    }
    expected = {
        key: cleaned(v, size, required=req, one_line=line)
        for key, (v, size, req, line) in fields.items()
    }
    data = EXERCISE | {key: value for key, (value, _, _, _) in fields.items()}
    with rolled_back():
        response = client.post(reverse("admin:exercises_exercise_add"), data)
        if None in expected.values():
            assert_admin_refused(response)
            assert not Exercise.objects.filter(slug="seated-hip-march").exists()
        else:
            assert response.status_code == 302
            stored = Exercise.objects.get(slug="seated-hip-march")
            assert {key: getattr(stored, key) for key in expected} == expected


@hostile_settings
@given(name=hostile, description=hostile, notes=hostile)
def test_program_template_text_is_stored_as_given_or_refused(
    client, clinician, name, description, notes
):
    exercise = ExerciseFactory()
    client.force_login(clinician)
    data = {
        "name": name,
        "description": description,
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-0-exercise": exercise.pk,
        "items-0-order": 1,
        "items-0-notes": notes,
    }
    expected = (
        cleaned(name, 150, required=True, one_line=True),
        cleaned(description, NO_LIMIT),
        cleaned(notes, 300, one_line=True),
    )
    with rolled_back():
        response = client.post(reverse("admin:exercises_program_add"), data)
        if None in expected:
            assert_admin_refused(response)
            assert not Program.objects.exists()
        else:
            assert response.status_code == 302
            program = Program.objects.get()
            assert (program.name, program.description, program.items.get().notes) == expected


@hostile_settings
@given(
    first_name=hostile,
    notes=hostile,
    phone=hostile_or("", "+44 20 7946 0000"),
    activity=hostile,
    timezone=hostile_or("Europe/London"),
    email=hostile_or("", "new.patient@example.org"),
)
def test_patient_text_is_stored_as_given_or_refused(
    client, clinician, first_name, notes, phone, activity, timezone, email
):
    client.force_login(clinician)
    data = {
        "first_name": first_name,
        "last_name": "Ashby",
        "email": email,
        "phone": phone,
        "date_of_birth": "",
        "timezone": timezone,
        "notes": notes,
        "checkin_interval_days": 14,
        "is_active": "on",
        "prescriptions-TOTAL_FORMS": 0,
        "prescriptions-INITIAL_FORMS": 0,
        "activities-TOTAL_FORMS": 1,
        "activities-INITIAL_FORMS": 0,
        "activities-0-name": activity,
        "activities-0-order": 1,
        "activities-0-is_active": "on",
    }
    expected = {
        "first_name": cleaned(first_name, 100, required=True, one_line=True),
        "notes": cleaned(notes, NO_LIMIT),
        "phone": cleaned(phone, 30, one_line=True),
    }
    others_valid = (
        timezone == "Europe/London"
        and cleaned(email, 254) in ("", "new.patient@example.org")
        and cleaned(activity, 100, required=True, one_line=True) is not None
    )
    with rolled_back():
        response = client.post(reverse("admin:patients_patient_add"), data)
        if None in expected.values() or not others_valid:
            assert_admin_refused(response)
            assert not Patient.objects.exists()
        else:
            assert response.status_code == 302
            stored = Patient.objects.get()
            assert {key: getattr(stored, key) for key in expected} == expected
            assert stored.activities.get().name == cleaned(activity, 100)


# --- One-line fields (security review round 2, finding 3) ----------------------------------

# CharFields that no form lets anyone type into: written by code, from fixed vocabularies or
# generated tokens. Every other CharField of ours is one line and refuses control characters.
WRITTEN_BY_CODE = {
    ("clinic.User", "password"),
    ("exercises.Exercise", "library_checksum"),
    ("exercises.Exercise", "video_error"),
    ("exercises.EducationPageVersion", "library_checksum"),
    ("patients.PrescribedExercise", "video_error"),
    ("patients.Patient", "calendar_token"),
    ("patients.Patient", "invitation_nonce"),
    ("patients.AttentionReview", "reason_codes"),
    ("patients.Suggestion", "reason"),
    ("patients.Suggestion", "change"),
    ("patients.SymptomReport", "symptoms"),
    # Copied from the exercise's own (validated) name when the message is sent.
    ("patients.Message", "exercise_name"),
    ("patients.ContraindicationOverride", "tags"),
    ("patients.Message", "exercise_name"),  # copied from the exercise, whose name is one line
    ("audit.AuditEvent", "actor_username"),
    ("audit.AuditEvent", "target"),
    ("audit.AuditEvent", "target_id"),
    ("audit.AuditEvent", "fields"),
    ("audit.AuditEvent", "path"),
}
LINE_BREAKS = ["Ann\nMarie", "Ann\rMarie", "Ann\tMarie", "Ann\x1bMarie", "Ann\u2028Marie"]


def test_finding_3_every_one_line_model_field_refuses_control_characters():
    accepting = set()
    for app in ("clinic", "exercises", "patients", "audit"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField) or field.choices:
                    continue
                for value in LINE_BREAKS:
                    try:
                        field.run_validators(value)
                    except ValidationError:
                        continue
                    accepting.add((model._meta.label, field.name))
    assert accepting == WRITTEN_BY_CODE


def test_finding_3_the_plain_forms_one_line_fields_refuse_control_characters(clinician):
    fields = [
        AssignProgramForm(programs=Program.objects.none()).fields["override_reason"],
        FunctionCheckInForm(activities=[], max_activities=5).fields["new_name_1"],
        PrescribedExerciseForm.base_fields["override_reason"],
    ]
    for field in fields:
        for value in LINE_BREAKS:
            with pytest.raises(ValidationError, match="no line breaks, tabs"):
                field.clean(value)
        assert field.clean("Ann-Marie O’Neill, 2nd visit") == "Ann-Marie O’Neill, 2nd visit"


@pytest.mark.parametrize("name", ["Ann\nMarie", "Ann\r\nBcc: x@example.org", "Ann\u2028Marie"])
def test_finding_3_a_name_with_a_line_break_is_refused_in_the_patient_and_user_forms(
    client, clinician, superuser, name
):
    client.force_login(clinician)
    data = {
        "first_name": name,
        "last_name": "Ashby",
        "email": "",
        "phone": "",
        "date_of_birth": "",
        "timezone": "Europe/London",
        "notes": "Line one.\nLine two is fine in notes.",
        "checkin_interval_days": 14,
        "is_active": "on",
        "prescriptions-TOTAL_FORMS": 0,
        "prescriptions-INITIAL_FORMS": 0,
        "activities-TOTAL_FORMS": 0,
        "activities-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:patients_patient_add"), data)
    assert response.status_code == 200
    assert "no line breaks, tabs or other control characters" in response.content.decode()
    assert not Patient.objects.exists()

    client.force_login(superuser)
    url = reverse("admin:clinic_user_change", args=[clinician.pk])
    response = client.post(url, admin_form_data(client.get(url)) | {"last_name": name})
    assert response.status_code == 200
    assert "no line breaks, tabs or other control characters" in response.content.decode()
    clinician.refresh_from_db()
    assert "\n" not in clinician.last_name


@pytest.fixture
def template(clinician):
    program = ProgramFactory(owner=clinician)
    ProgramItemFactory(program=program)
    return program


@hostile_settings
@given(
    message=hostile,
    override=hostile,
    start=hostile_or("2026-11-02"),
    weeks=hostile_or("4", ""),
)
def test_assign_message_is_stored_as_given_or_refused(
    client, clinician, patient, template, message, override, start, weeks
):
    client.force_login(clinician)
    data = {
        "program": template.pk,
        "start_date": start,
        "weeks": weeks,
        "end_date": "" if weeks else "2026-12-02",
        "weekdays": ["0", "2", "4"],
        "sessions_per_day": 1,
        "message": message,
        "override_reason": override,
    }
    expected = cleaned(message, 2000)
    valid = (
        expected is not None
        and cleaned(override, 300, one_line=True) is not None
        and start == "2026-11-02"
        and weeks in ("4", "")
    )
    url = reverse("admin:patients_patient_assign", args=[patient.pk])
    with rolled_back():
        response = client.post(url, data)
        if valid:
            assert response.status_code == 302
            assert Prescription.objects.get(patient=patient).message == expected
        else:
            assert_form_error_shown(response)
            assert not Prescription.objects.filter(patient=patient).exists()


@hostile_settings
@given(message=hostile, notes=hostile)
def test_prescription_message_and_exercise_notes_are_stored_as_given_or_refused(
    client, clinician, plan, message, notes
):
    client.force_login(clinician)
    url = reverse("admin:patients_prescription_change", args=[plan.pk])
    data = admin_form_data(client.get(url))
    data["message"] = message
    data["exercises-0-notes"] = notes
    expected = (cleaned(message, NO_LIMIT), cleaned(notes, 300, one_line=True))
    with rolled_back():
        response = client.post(url, data)
        if None in expected:
            assert_admin_refused(response)
        else:
            assert response.status_code == 302, response.context["errors"]
            plan.refresh_from_db()
            first = plan.exercises.order_by("order", "pk").first()
            assert (plan.message, first.notes) == expected


@hostile_settings
@given(
    kind=hostile_or("progress", "regress"),
    decision=hostile_or("accept", "dismiss"),
    override=hostile,
)
def test_suggestion_decision_with_any_fields_never_crashes(
    client, clinician, patient, plan, kind, decision, override
):
    client.force_login(clinician)
    data = {
        "prescribed": plan.exercises.first().pk,
        "kind": kind,
        "decision": decision,
        "override_reason": override,
    }
    with rolled_back():
        response = client.post(
            reverse("admin:patients_patient_suggestion", args=[patient.pk]), data
        )
    assert response.status_code == 302


@pytest.mark.parametrize("prescribed", ["", "abc", "1\x00", "<script>"])
def test_suggestion_decision_with_a_non_numeric_exercise_is_a_404(
    client, clinician, patient, plan, prescribed
):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_suggestion", args=[patient.pk]),
        {"prescribed": prescribed, "kind": "progress", "decision": "accept"},
    )
    assert response.status_code == 404


def test_an_email_that_grows_when_lower_cased_is_refused_or_fits(client, clinician):
    email = "İ" * 60 + "@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 61 + ".org"
    assert len(email) == 254
    client.force_login(clinician)
    data = {
        "first_name": "Ida",
        "last_name": "Ince",
        "email": email,
        "timezone": "Europe/London",
        "checkin_interval_days": 14,
        "is_active": "on",
        "prescriptions-TOTAL_FORMS": 0,
        "prescriptions-INITIAL_FORMS": 0,
        "activities-TOTAL_FORMS": 0,
        "activities-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:patients_patient_add"), data)
    if response.status_code == 200:
        assert_admin_refused(response)
    else:
        assert len(Patient.objects.get().email) <= 254


# A custom admin page's object id comes straight from the URL; anything there is a 404.
ADMIN_PAGES = [
    ("admin:patients_patient_change", "get"),
    ("admin:patients_patient_progress", "get"),
    ("admin:patients_patient_print", "get"),
    ("admin:patients_patient_export", "get"),
    ("admin:patients_patient_invitation", "get"),
    ("admin:patients_patient_assign", "get"),
    ("admin:patients_patient_invite", "post"),
    ("admin:patients_patient_review", "post"),
    ("admin:patients_patient_suggestion", "post"),
    ("admin:patients_prescription_change", "get"),
    ("admin:exercises_exercise_archive", "post"),
]


@hostile_settings
@given(object_id=hostile.filter(lambda value: value.strip("/")), page=st.sampled_from(ADMIN_PAGES))
def test_admin_pages_with_any_object_id_answer_404(client, superuser, object_id, page):
    client.force_login(superuser)
    name, method = page
    url = reverse(name, args=["0"]).replace("/0/", f"/{quote(object_id, safe='')}/", 1)
    with rolled_back():
        response = getattr(client, method)(url)
    # 302: Django's admin sends an unknown id of its own change page back to the list; 400:
    # a NUL in the URL is refused before any view.
    assert response.status_code in ((400,) if "\x00" in object_id else (302, 404))


@pytest.mark.parametrize("page", ADMIN_PAGES, ids=[name for name, _ in ADMIN_PAGES])
@pytest.mark.parametrize("object_id", ["abc", "%00", "%3Cscript%3E", "9" * 30, "-1"])
def test_admin_pages_with_typical_bad_object_ids_answer_404(client, superuser, page, object_id):
    client.force_login(superuser)
    name, method = page
    url = reverse(name, args=["0"]).replace("/0/", f"/{object_id}/", 1)
    expected = (400,) if object_id == "%00" else (302, 404)
    assert getattr(client, method)(url).status_code in expected
