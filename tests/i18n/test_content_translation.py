"""The library's content in the patient's language: exercises, education pages, precaution
tags and the safety advice; a text a language lacks falls back to the English, for that
text only, marked, and the admin's translations page lists it."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises import services
from exercises.library import load_shipped_library
from exercises.library.translated import load_shipped_translations
from exercises.models import Exercise, SafetyAdvice
from patients import plan_cache
from tests.clock import TODAY
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

SPANISH_BRIDGE = {
    "name": "Puente de glúteos (extensión de cadera)",
    "summary": "Levante las caderas para fortalecer los glúteos.",
    "instructions": "Acuéstese boca arriba.\nDoble las rodillas.\nSuelte el aire y suba despacio.",
    "cues": "Muévase despacio.",
    "precautions": "Pare si le duele más.",
}


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def bridge():
    return ExerciseFactory(name="Glute bridge (hip extension)", library_key="glute-bridge")


@pytest.fixture
def spanish_patient(patient, bridge):
    patient.language = "es"
    patient.save(update_fields=["language"])
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=2)
    )
    prescribed = PrescribedExerciseFactory(prescription=prescription, exercise=bridge, order=1)
    patient.prescribed = prescribed
    return patient


def exercise_page(client, patient):
    client.force_login(patient.user)
    response = client.get(reverse("patients:exercise", args=[patient.prescribed.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_shipped_spanish_covers_the_whole_library():
    spanish = load_shipped_translations("es")

    assert len(spanish["exercises"]) == len(load_shipped_library()) == 43
    assert len(spanish["education"]) == 10
    assert len(spanish["precaution_tags"]) == 8
    assert set(spanish["safety_advice"]) == set(SafetyAdvice.TRANSLATED_FIELDS)


def test_a_translation_with_a_step_too_few_is_refused(tmp_path):
    shipped = load_shipped_library()[0]
    steps = ", ".join(f'"Paso {n}"' for n in range(len(shipped["steps"]) - 1))
    path = tmp_path / "es.toml"
    path.write_text(f"[exercises.{shipped['key']}]\nsteps = [{steps}]\n", encoding="utf-8")

    with pytest.raises(ValueError, match="steps"):
        load_shipped_translations("es", path)


def test_loading_the_shipped_translations_is_idempotent(bridge):
    shipped = {
        "exercises": {"glute-bridge": SPANISH_BRIDGE},
        "education": {},
        "precaution_tags": {},
        "safety_advice": {},
    }

    first = services.translations_load(language="es", shipped=shipped)
    second = services.translations_load(language="es", shipped=shipped)

    assert (first.updated, second.unchanged) == (["glute-bridge"], ["glute-bridge"])
    bridge.refresh_from_db()
    assert bridge.translated("name", "es") == SPANISH_BRIDGE["name"]


def test_a_spanish_speaking_patient_reads_the_exercise_in_spanish(client, spanish_patient, bridge):
    bridge.set_translation("es", SPANISH_BRIDGE, edited_here=False)
    bridge.save()

    page = exercise_page(client, spanish_patient)

    assert SPANISH_BRIDGE["name"] in page
    assert "Doble las rodillas." in page
    assert "Pare si le duele más." in page
    assert "Bend your knees." not in page
    assert ' lang="en-gb"' not in page.split("<main", 1)[1]


def test_a_missing_spanish_step_list_falls_back_to_english_marked_and_reported(
    client, spanish_patient, bridge, editor
):
    bridge.set_translation(
        "es", {k: v for k, v in SPANISH_BRIDGE.items() if k != "instructions"}, edited_here=False
    )
    bridge.save()

    page = exercise_page(client, spanish_patient)

    # The steps, and only they, show in English, marked so a screen reader reads English.
    assert SPANISH_BRIDGE["name"] in page
    assert "Bend your knees." in page
    assert '<ol class="steps" lang="en-gb">' in page
    # The editors' translations page says what Spanish lacks.
    client.force_login(editor)
    overview = client.get(reverse("admin:exercises_translations")).content.decode()
    edit_url = reverse("admin:exercises_translation_edit", args=["exercise", bridge.pk, "es"])
    assert f'<a href="{edit_url}">{bridge.name}</a>' in overview
    assert "steps" in overview.split(edit_url, 1)[1].split("</li>", 1)[0]


def test_an_english_text_changed_since_falls_back_until_translated_again(
    client, spanish_patient, bridge, editor
):
    bridge.set_translation("es", SPANISH_BRIDGE, edited_here=False)
    bridge.instructions = "Lie on your back.\nBend both knees.\nBreathe out and lift slowly."
    bridge.save()

    page = exercise_page(client, spanish_patient)

    assert "Bend both knees." in page
    assert SPANISH_BRIDGE["name"] in page
    assert bridge.outdated_translations("es") == ["instructions"]
    client.force_login(editor)
    assert (
        "English changed since"
        in client.get(reverse("admin:exercises_translations")).content.decode()
    )


def test_an_editor_translates_side_by_side_and_load_library_keeps_it(client, editor, bridge):
    client.force_login(editor)
    url = reverse("admin:exercises_translation_edit", args=["exercise", bridge.pk, "es"])
    page = client.get(url).content.decode()
    assert "Bend your knees." in page  # the English beside the box

    response = client.post(url, {**SPANISH_BRIDGE, "name": "Puente (extensión de cadera)"})

    assert response.status_code == 302
    bridge.refresh_from_db()
    assert bridge.translated("name", "es") == "Puente (extensión de cadera)"
    shipped = {
        "exercises": {"glute-bridge": SPANISH_BRIDGE},
        "education": {},
        "precaution_tags": {},
        "safety_advice": {},
    }
    report = services.translations_load(language="es", shipped=shipped)
    assert report.kept_local_edits == ["glute-bridge"]


def test_a_translation_of_the_safety_advice_is_a_new_version(editor):
    advice = SafetyAdvice.objects.first()
    texts = {"emergency_signs": "Adormecimiento en la zona de la silla de montar."}

    saved = services.content_translation_save(
        obj=advice, language="es", texts=texts, changed_by=editor
    )

    assert saved.pk != advice.pk
    assert SafetyAdvice.objects.first() == saved
    assert saved.translated("emergency_signs", "es") == texts["emergency_signs"]
    assert saved.translated("stop_rules", "es") == advice.stop_rules  # not translated: English
    assert saved.changed_by == editor


def test_a_clinician_may_not_open_the_translations(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("admin:exercises_translations")).status_code == 403


def test_a_spanish_page_costs_no_more_queries_than_an_english_one(client, spanish_patient, bridge):
    bridge.set_translation("es", SPANISH_BRIDGE, edited_here=False)
    bridge.save()
    client.force_login(spanish_patient.user)
    url = reverse("patients:exercise", args=[spanish_patient.prescribed.pk])
    client.get(url)  # warm (content types, sessions)
    with CaptureQueriesContext(connection) as spanish:
        client.get(url)
    Exercise.objects.filter(pk=bridge.pk).update(translations={})
    spanish_patient.language = "en-gb"
    spanish_patient.save(update_fields=["language"])
    with CaptureQueriesContext(connection) as english:
        client.get(url)

    assert len(spanish.captured_queries) == len(english.captured_queries)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("language", ["es", "ar"])
def test_today_and_the_prescribing_page_cost_the_same_in_every_language(
    client, spanish_patient, bridge, clinician, language
):
    bridge.set_translation("es", SPANISH_BRIDGE, edited_here=False)
    bridge.save()
    today = reverse("patients:today")
    prescribe = reverse("admin:patients_patient_prescribe", args=[spanish_patient.pk])
    counts = {}
    for shown_in in ("en-gb", language):
        spanish_patient.language = shown_in
        spanish_patient.save(update_fields=["language"])
        caches[plan_cache.CACHE_ALIAS].clear()  # the day page rendered afresh each time
        client.force_login(spanish_patient.user)
        client.get(today)  # warm: sessions, content types
        caches[plan_cache.CACHE_ALIAS].clear()
        patient_count = queries(client, today)
        client.force_login(clinician)
        client.get(prescribe)
        counts[shown_in] = (patient_count, queries(client, prescribe))

    assert counts[language] == counts["en-gb"]


def test_the_handout_of_a_spanish_patient_is_in_spanish(client, spanish_patient, bridge):
    bridge.set_translation("es", SPANISH_BRIDGE, edited_here=False)
    bridge.save()
    client.force_login(spanish_patient.user)

    handout = client.get(reverse("patients:print")).content.decode()

    assert '<html lang="es" dir="ltr">' in handout
    assert SPANISH_BRIDGE["name"] in handout
    assert "Doble las rodillas." in handout
    assert "Bend your knees." not in handout
