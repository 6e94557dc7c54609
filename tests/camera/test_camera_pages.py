"""The camera coach on the server's side: only guided pages with a tracked exercise offer it,
and only they allow the camera and WebAssembly; the model is not part of any other page or of
the offline copy; editors see and change the rules in the admin, and a bad rule is refused
with a message."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from exercises.models import Exercise
from exercises.tracking import CUES
from tests.admin_forms import exercise_form_data
from tests.camera.landmarks import shipped_rules
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

GLUTE_BRIDGE = shipped_rules()["glute-bridge"]["tracking"]


@pytest.fixture
def session(patient):
    """Today's session: one tracked exercise, one without a rule."""
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=2)
    )
    tracked = PrescribedExerciseFactory(
        prescription=prescription, exercise=ExerciseFactory(tracking=GLUTE_BRIDGE)
    )
    plain = PrescribedExerciseFactory(prescription=prescription)
    return tracked, plain


def guided(client, patient):
    client.force_login(patient.user)
    return client.get(reverse("patients:guided", args=[patient.today().isoformat(), 1]))


def policy(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def script_src(response) -> list[str]:
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        if name == "script-src":
            return values
    raise AssertionError("no script-src")


def test_a_guided_page_with_a_tracked_exercise_allows_the_camera_and_webassembly_only(
    client, patient, session
):
    tracked, _plain = session
    response = guided(client, patient)
    assert response.status_code == 200
    assert policy(response)["camera"] == "(self)"
    sources = script_src(response)
    assert "'wasm-unsafe-eval'" in sources
    # Only WebAssembly: no JavaScript eval, no inline script without the nonce.
    assert "'unsafe-eval'" not in sources
    assert "'unsafe-inline'" not in sources
    page = response.content.decode()
    # The camera button only where the exercise has a rule.
    assert page.count('data-action="camera"') == 1
    assert f'data-exercise="{tracked.pk}"' in page
    assert "js/camera/coach.js" in page
    # The model is not loaded by the page: only its addresses are given, for when asked.
    assert '<script src="/static/vendor/mediapipe-pose/' not in page
    assert "pose_landmark_lite.tflite" in page


def test_every_other_page_keeps_the_camera_and_webassembly_off(client, patient):
    prescription = PrescriptionFactory(patient=patient, start_date=patient.today())
    PrescribedExerciseFactory(prescription=prescription)  # no rule
    response = guided(client, patient)
    assert policy(response)["camera"] == "()"
    assert "'wasm-unsafe-eval'" not in script_src(response)
    assert "js/camera/" not in response.content.decode()
    for url in ("/plan/", "/plan/history/", "/plan/settings/"):
        other = client.get(url)
        assert policy(other)["camera"] == "()", url
        assert "'wasm-unsafe-eval'" not in script_src(other), url


def test_today_and_the_offline_copy_carry_nothing_of_the_camera(client, patient, session):
    client.force_login(patient.user)
    today = client.get("/plan/").content.decode()
    assert "mediapipe" not in today
    assert "camera" not in today.lower()
    worker = client.get(reverse("patients:service_worker")).content.decode()
    # The worker's saved app shell lists no model file; it serves them only from the cache
    # the patient fills by choosing "Keep the camera ready for offline use".
    shell = worker.split("self.HOMEPLAN", 1)[1].split("\n", 1)[0]
    assert "mediapipe" not in shell
    offline = client.get(reverse("patients:offline_manifest")).content.decode()
    assert "mediapipe" not in offline


def test_the_page_gives_the_cues_in_the_patients_language(client, patient, session):
    patient.language = "es"
    patient.save()
    page = guided(client, patient).content.decode()
    assert "Usar la cámara para contar" in page
    texts = json.loads(re.search(r'id="camera-texts"[^>]*>(.*?)</script>', page).group(1))
    assert texts["cues"]["hips_higher"] == "Levanta un poco más las caderas."
    assert texts["lost"].startswith("No te veo bien.")


def test_an_editor_sees_and_changes_a_rule_and_a_bad_rule_is_refused(client, editor):
    exercise = ExerciseFactory(tracking=GLUTE_BRIDGE)
    client.force_login(editor)
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    page = client.get(url).content.decode()
    assert "Camera coach" in page
    assert "hips_higher" in page
    assert str(CUES["hips_higher"]) in page

    data = exercise_form_data(name=exercise.name, slug=exercise.slug)
    bad = dict(GLUTE_BRIDGE, started=170)  # past "completed": no movement could count
    data["tracking"] = json.dumps(bad)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This tracking rule is not valid: started must lie between rest and completed" in (
        response.content.decode()
    )
    exercise.refresh_from_db()
    assert exercise.tracking == GLUTE_BRIDGE

    better = dict(GLUTE_BRIDGE, completed=165)
    data["tracking"] = json.dumps(better)
    response = client.post(url, data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.tracking["completed"] == 165


def test_an_exercise_without_a_rule_offers_no_camera(db):
    assert Exercise().tracking == {}
