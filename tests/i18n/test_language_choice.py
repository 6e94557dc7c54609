"""Which language a page speaks: the patient's own choice when signed in, else the visitor's
choice or browser; and the day page keeps one rendering per language."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from patients import plan_cache
from patients.models import SessionLog
from tests.clock import TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

TODAY_URL = reverse("patients:today")


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescribed(patient):
    start = TODAY - datetime.timedelta(days=3)
    prescription = PrescriptionFactory(patient=patient, start_date=start)
    PrescribedExerciseFactory(prescription=prescription, order=1, exercise__name="Bridge")
    return prescription


def test_a_patient_is_registered_in_the_clinic_language(patient, settings):
    assert patient.language == settings.LANGUAGE_CODE == "en-gb"


def test_the_patients_own_language_wins_over_their_browser(client, patient, prescribed):
    patient.language = "es"
    patient.save(update_fields=["language"])
    client.force_login(patient.user)

    response = client.get(TODAY_URL, headers={"accept-language": "en-GB,en;q=0.9"})

    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert '<html lang="es" dir="ltr">' in response.content.decode()


def test_an_english_speaking_patient_stays_in_english_whatever_the_browser(
    client, patient, prescribed
):
    client.force_login(patient.user)

    response = client.get(TODAY_URL, headers={"accept-language": "es-ES,es;q=0.9"})

    assert response["Content-Language"] == "en-gb"
    assert '<html lang="en-gb" dir="ltr">' in response.content.decode()


def test_a_language_no_longer_shipped_falls_back_to_the_clinic_language(
    client, patient, prescribed
):
    # A clinic that removed a language from LANGUAGES: its patients still get their pages.
    patient.language = "xx"
    patient.save(update_fields=["language"])
    client.force_login(patient.user)

    response = client.get(TODAY_URL)

    assert response.status_code == 200
    assert response["Content-Language"] == "en-gb"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("es-ES,es;q=0.9,en;q=0.5", "es"), ("en-GB,en;q=0.9", "en-gb"), ("de-DE,de;q=0.9", "en-gb")],
)
def test_anonymous_pages_follow_the_browser(client, accept_language, expected):
    response = client.get(reverse("login"), headers={"accept-language": accept_language})

    assert response.status_code == 200
    assert response["Content-Language"] == expected
    assert f'<html lang="{expected}"' in response.content.decode()


def test_the_day_page_keeps_one_rendering_per_language(client, patient, prescribed):
    cache = caches[plan_cache.CACHE_ALIAS]
    cache.clear()
    client.force_login(patient.user)
    client.get(TODAY_URL)
    english_keys = set(cache._cache)

    patient.language = "es"
    patient.save(update_fields=["language"])
    client.get(TODAY_URL)

    keys = set(cache._cache)
    assert len(english_keys) == 1
    assert len(keys) == 2
    assert any(":es:" in key for key in keys - english_keys)


def test_a_visitor_chooses_a_language_that_sticks(client):
    login = reverse("login")

    response = client.post(reverse("set_language"), {"language": "es", "next": login})

    assert response.status_code == 302
    assert response["Location"] == login
    page = client.get(login, headers={"accept-language": "en-GB"})
    assert page["Content-Language"] == "es"


def test_staff_choose_their_own_admin_language(client, clinician):
    client.force_login(clinician)
    client.post(reverse("set_language"), {"language": "es", "next": "/admin/"})

    response = client.get(reverse("admin:index"))

    assert response["Content-Language"] == "es"
    # Django's admin comes translated: its own "Log out" button.
    assert "Cerrar sesión" in response.content.decode()


def test_dates_and_weekdays_read_as_spanish_writes_them(client, patient, prescribed, frozen_clock):
    patient.language = "es"
    patient.save(update_fields=["language"])
    client.force_login(patient.user)

    today = client.get(TODAY_URL).content.decode()
    settings_page = client.get(reverse("patients:settings")).content.decode()

    # The day's heading: weekday, "de" before the month and the year, lower-case names.
    weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    assert f"{weekday[TODAY.weekday()]} {TODAY.day} de " in today
    assert f" de {TODAY.year}</p>" in today
    # The reminder days, Monday first, by their Spanish short names.
    labels = [f">{day}</label>" for day in ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")]
    positions = [settings_page.index(label) for label in labels]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_chart_coordinates_are_never_written_with_a_decimal_comma(
    client, patient, prescribed, clinician, language
):
    # Spanish and Arabic write 12.5 as "12,5": an SVG attribute so written breaks the chart.
    for days_ago, pain in ((3, 5), (2, 4), (1, 3)):
        SessionLog.objects.create(
            prescription=prescribed,
            date=TODAY - datetime.timedelta(days=days_ago),
            session_number=1,
            pain=pain,
            completed_at=timezone.now(),
        )
    patient.language = language
    patient.save(update_fields=["language"])
    client.force_login(patient.user)
    history = client.get(reverse("patients:history")).content.decode()
    client.force_login(clinician)
    client.post(reverse("set_language"), {"language": language, "next": "/admin/"})
    progress = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))

    for page in (history, progress.content.decode()):
        assert "<polyline" in page
        assert not re.search(r'(?:x|y|x1|x2|y1|y2|cx|cy|width|height)="-?\d+,\d+"', page)


def test_the_web_app_manifest_speaks_the_patients_language(client, patient):
    patient.language = "ar"
    patient.save(update_fields=["language"])
    client.force_login(patient.user)

    manifest = client.get(reverse("manifest")).json()

    assert (manifest["lang"], manifest["dir"]) == ("ar", "rtl")
    assert manifest["description"] == "خطة تمارينك المنزلية من عيادتك، مع تذكيرات."
