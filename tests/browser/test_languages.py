"""A patient in their own language, on a phone (390 x 844): a Spanish-speaking patient accepts
their invitation, reads the safety advice, follows Today and guided mode (spoken cues in
Spanish), marks the session done and gets their reminder, all in Spanish. The expected words
are the catalogue's own (gettext with Spanish active), so the test reads what a translator
wrote, and checks that it is not the English."""

import datetime
import re
import zoneinfo

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.utils import translation
from playwright.sync_api import expect

from exercises import services as exercise_services
from exercises.library.translated import load_shipped_translations
from exercises.models import Exercise
from patients import demo, reminders, services, weekdays
from patients.models import Patient, SessionLog
from tests.browser.helpers import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPTS_CATALOGUE = settings.LOCALE_PATHS[0] / "es" / "LC_MESSAGES" / "djangojs.po"

# Spoken cues recorded with their language, instead of spoken (the browser's own API).
SPEECH = """
window.__spoken = [];
window.speechSynthesis.speak = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
"""


def in_spanish_js(singular: str, plural: str, n: int) -> str:
    """A plural message of the scripts' catalogue (djangojs) in Spanish, filled in."""
    entry = next(
        e
        for e in polib.pofile(str(SCRIPTS_CATALOGUE))
        if (e.msgid, e.msgid_plural) == (singular, plural)
    )
    # Spanish's plural rule: n == 1 is form 0, a million's multiples form 1, the rest form 2.
    form = 0 if n == 1 else 1 if n % 1_000_000 == 0 else 2
    return entry.msgstr_plural[form] % {"n": n}


def in_spanish(text: str, **values) -> str:
    with translation.override("es"):
        spanish = translation.gettext(text)
    assert spanish != text, f"no Spanish for {text!r}"
    return spanish % values if values else spanish


def a_spanish_patient() -> Patient:
    """A new patient of demo-clinician, registered in Spanish, with the beginner program and
    the library's shipped Spanish loaded."""
    seed_demo_world(with_history=False)
    exercise_services.translations_load(language="es", shipped=load_shipped_translations("es"))
    clinician = Patient.objects.get(user__username="demo-patient").clinician
    patient = Patient.objects.create(
        first_name="Lucía",
        last_name="Ortega",
        email="lucia.ortega@example.org",
        clinician=clinician,
        language="es",
        cue_voice=True,
    )
    today = patient.today()
    services.prescription_assign(
        patient=patient,
        program=demo.Program.objects.get(name=demo.BEGINNER_PROGRAM),
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(weeks=4),
        weekdays=weekdays.EVERY_DAY,
        sessions_per_day=1,
        message="Poco a poco y cada día.",
        assigned_by=clinician,
    )
    return patient


def test_a_spanish_speaking_patient_does_everything_in_spanish(phone_page, live_server, artifacts):
    page = phone_page
    patient = a_spanish_patient()
    request = RequestFactory().get("/", HTTP_HOST=live_server.url.split("://", 1)[1])
    services.patient_invite(patient=patient, invited_by=patient.clinician, request=request)

    # The invitation email is in Spanish, subject and all.
    invitation = mail.outbox[-1]
    assert invitation.to == ["lucia.ortega@example.org"]
    assert "Homeplan" in invitation.subject
    assert in_spanish("If you did not expect this email, you can ignore it.") in invitation.body
    link = re.search(r"http://\S+/accounts/invite/\S+/", invitation.body).group(0)

    # The invitation page: Spanish, with Spanish already chosen.
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_label(in_spanish("Language"))).to_have_value("es")
    page.get_by_label(in_spanish("Choose a password")).fill("lucia-caderas-2026!")
    page.get_by_label(in_spanish("Type it again")).fill("lucia-caderas-2026!")
    page.screenshot(path=artifacts / "es-invitation.png", full_page=True)
    page.get_by_role("button", name=in_spanish("Save my password and open my plan")).click()

    # First visit: "When to stop and get help", in Spanish, the advice's own words included.
    page.wait_for_url("**/plan/safety/**")
    expect(page.get_by_text(in_spanish("Get urgent help now if you have:")).first).to_be_visible()
    spanish_advice = load_shipped_translations("es")["safety_advice"]["emergency_signs"]
    expect(page.get_by_text(spanish_advice.splitlines()[0]).first).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "es-safety.png", full_page=True)
    page.get_by_role("button", name=in_spanish("I have read this — show my plan")).click()

    # Today: the exercises by their Spanish names, the dose line in Spanish.
    page.wait_for_url(re.compile(r".*/plan/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name=in_spanish("Today"), level=1)).to_be_visible()
    bridge = patient.prescriptions.get().exercises.get(exercise__library_key="glute-bridge")
    spanish_name = bridge.exercise.translated("name", "es")
    assert spanish_name != bridge.exercise.name
    expect(page.get_by_role("link", name=spanish_name)).to_be_visible()
    with translation.override("es"):
        spanish_dose = bridge.dosage_text()
    expect(page.get_by_text(spanish_dose).first).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "es-today.png", full_page=True)

    # The reminder email, in Spanish (sent before the session is done).
    mail.outbox.clear()
    patient.refresh_from_db()
    at_reminder_time = datetime.datetime.combine(
        patient.today(), patient.reminder_time, tzinfo=zoneinfo.ZoneInfo(patient.timezone)
    )
    reminders.send_due_reminders(now=at_reminder_time)
    (reminder,) = [email for email in mail.outbox if email.to == [patient.email]]
    assert spanish_name in reminder.body
    assert in_spanish("Open today's plan (this link signs you in once):") in reminder.body

    # Guided mode, at the stretch (the others done): Spanish words, and a Spanish voice.
    prescription = patient.prescriptions.get()
    stretch = prescription.exercises.get(exercise__library_key="standing-hip-flexor-stretch")
    stretch.hold_seconds = 5
    stretch.save()
    for prescribed in prescription.exercises.exclude(pk=stretch.pk):
        services.exercise_check_off(
            patient=patient,
            prescribed=prescribed,
            day=patient.today(),
            session_number=1,
            status="done",
        )
    page.add_init_script(SPEECH)
    page.goto(f"{live_server.url}/plan/")
    page.get_by_role("link", name=in_spanish("▶ Start guided session")).click()
    page.wait_for_url("**/guided/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text(
        stretch.exercise.translated("name", "es")
    )
    hold = in_spanish_js("Start %(n)s-second hold", "Start %(n)s-second hold", 5)
    step.get_by_role("button", name=hold).click()
    page.wait_for_function("() => window.__spoken.length >= 1")
    spoken = page.evaluate("window.__spoken")[0]
    assert spoken == {
        "text": in_spanish_js("Hold… %(n)s second", "Hold… %(n)s seconds", 5),
        "lang": "es",
    }
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "es-guided.png", full_page=True)
    services.exercise_check_off(
        patient=patient, prescribed=stretch, day=patient.today(), session_number=1, status="done"
    )

    # Session done, with a pain score, in Spanish.
    page.goto(f"{live_server.url}/plan/")
    page.get_by_text(in_spanish("Mark session done")).click()
    page.locator("label[for='pain-1-2']").click()
    page.get_by_role("button", name=in_spanish("Save"), exact=True).click()
    # Her first session: the Spanish of "Well done, Lucía! Session saved. Every session counts."
    saved = in_spanish("Well done, %(name)s! Session saved. Every session counts.", name="Lucía")
    expect(page.get_by_text(saved)).to_be_visible()
    assert SessionLog.objects.get(prescription__patient=patient).pain == 2
    page.screenshot(path=artifacts / "es-today-done.png", full_page=True)
    assert page.console_errors == []


def box(locator) -> dict:
    return locator.bounding_box()


def test_an_arabic_speaking_patient_reads_right_to_left(phone_page, live_server, artifacts):
    page = phone_page
    seed_demo_world(with_history=True)
    exercise_services.translations_load(language="ar", shipped=load_shipped_translations("ar"))
    patient = Patient.objects.get(user__username="demo-patient")
    patient.language = "ar"
    patient.save(update_fields=["language"])
    log_in(page, "demo-patient", demo.DEMO_PASSWORD)
    page.wait_for_url(re.compile(r".*/plan/$"))

    # Today: right to left, Bootstrap's RTL build, the Arabic words.
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.locator("link[href*='bootstrap.rtl']").count() == 1
    with translation.override("ar"):
        today_word = translation.gettext("Today")
    expect(page.get_by_role("heading", name=today_word, level=1)).to_be_visible()
    # "Previous day" starts the line, which is on the right in Arabic.
    with translation.override("ar"):
        previous = page.get_by_role("link", name=translation.gettext("Previous day"))
        following = page.get_by_role("link", name=translation.gettext("Next day"))
    assert box(previous)["x"] > box(following)["x"]
    # Exercises not yet in Arabic keep their English names, marked as English.
    english_title = page.locator(".exercise-card h3[lang='en-gb']").first
    expect(english_title).to_be_visible()
    # The exercise drawings are never mirrored: left and right sides stay true.
    assert page.locator(".exercise-image").first.evaluate(
        "(image) => getComputedStyle(image).transform"
    ) in ("none", "matrix(1, 0, 0, 1, 0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "ar-today.png", full_page=True)

    # Guided mode: right to left, the timer's figures read left to right.
    with translation.override("ar"):
        page.get_by_role("link", name=translation.gettext("▶ Start guided session")).click()
    page.wait_for_url("**/guided/")
    expect(html).to_have_attribute("dir", "rtl")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "ar-guided.png", full_page=True)

    # History: the calendar and the pain chart.
    page.goto(f"{live_server.url}/plan/history/")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "ar-history.png", full_page=True)
    assert page.console_errors == []


def test_an_editor_sees_what_spanish_lacks_and_translates_it_side_by_side(page, artifacts):
    seed_demo_world(with_history=False)
    exercise_services.translations_load(language="es", shipped=load_shipped_translations("es"))
    clamshell = Exercise.objects.get(library_key="clamshell")
    spanish = dict(clamshell.translations["es"])
    steps = spanish.pop("instructions")
    clamshell.set_translation("es", spanish, edited_here=False)
    clamshell.save()
    log_in(page, "demo-editor", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1024, "height": 768})

    page.goto("/admin/exercises/exercise/")
    page.get_by_role("link", name="Translations").click()
    spanish_section = page.locator("#language-es")
    expect(spanish_section.get_by_role("link", name=clamshell.name)).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "translations-overview-1024.png", full_page=True)

    spanish_section.get_by_role("link", name=clamshell.name).click()
    # The English beside the box it is translated into.
    expect(
        page.locator("td.english").filter(has_text=clamshell.instructions.splitlines()[0])
    ).to_be_visible()
    page.locator("#id_instructions").fill(steps)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "translate-side-by-side-1024.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The translation is saved.")).to_be_visible()
    expect(page.locator("#language-es").get_by_role("link", name=clamshell.name)).to_have_count(0)
    clamshell.refresh_from_db()
    assert clamshell.missing_translations("es") == []
    assert clamshell.translation_edited_here("es")
    assert page.console_errors == []


def test_the_prescribing_page_says_the_patients_language_at_820_px(page, artifacts):
    seed_demo_world(with_history=False)
    exercise_services.translations_load(language="es", shipped=load_shipped_translations("es"))
    Exercise.objects.filter(library_key="clamshell").update(translations={})
    patient = Patient.objects.get(user__username="demo-patient")
    patient.language = "es"
    patient.save(update_fields=["language"])
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 820, "height": 1180})

    page.goto(f"/admin/patients/patient/{patient.pk}/prescribe/")
    expect(page.locator(".patient-language")).to_contain_text("español")
    clamshell = page.locator(".library-item").filter(has_text="clamshell")
    expect(clamshell.locator(".language-flag").first).to_be_visible()
    # Only the exercise without Spanish is flagged (it may show in two lists).
    assert page.locator(".language-flag").count() == clamshell.count()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "prescribe-spanish-patient-820.png", full_page=True)
    assert page.console_errors == []
