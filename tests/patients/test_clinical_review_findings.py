"""The clinical review's findings, round 2: one test per finding, named after it, each of which
failed before its fix. The behaviour behind each is tested in more detail beside its code
(test_attention, test_suggestions, test_safety, test_offline_sync, tests/exercises)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from exercises.library import load_shipped_library
from exercises.models import SafetyAdvice
from patients import adherence, attention, demo, offline, services, suggestions
from patients.models import ExerciseCheck, FunctionActivity, Patient, SessionLog, SymptomReport
from tests.clock import NOW, TODAY
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def plan(patient):
    """Five exercises, done every day for four weeks with low pain and fine ratings."""
    prescription = PrescriptionFactory(patient=patient, start_date=days_ago(28))
    for n in range(5):
        PrescribedExerciseFactory(
            prescription=prescription, sets=2, reps=10, exercise__name=f"Exercise {n}"
        )
    return prescription


def history(prescription, *, days=14, pain=2, effort="about_right", efforts=None):
    for n in range(1, days + 1):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=days_ago(n),
            completed_at=NOW,
            pain=pain(n) if callable(pain) else pain,
            effort=(efforts or {}).get(n, effort),
            done_share=1.0,
        )
        ExerciseCheck.objects.bulk_create(
            ExerciseCheck(session_log=log, prescribed_exercise=item)
            for item in prescription.exercises.all()
        )


def candidates(patient):
    annotated = adherence.with_adherence(Patient.objects, today=TODAY).get(pk=patient.pk)
    return suggestions.candidates_for([annotated], today=TODAY).get(patient.pk, [])


def report(patient, *codes):
    return services.symptom_report_create(
        patient=patient, symptoms=list(codes), note="", progress_url="https://example.org/"
    )


def test_finding_01_a_later_mild_report_does_not_hide_an_earlier_emergency(
    clinician, patient, plan, frozen_clock
):
    first = report(patient, "saddle_numbness")
    frozen_clock.shift(datetime.timedelta(minutes=1))
    second = report(patient, "other")
    item = attention.queue_for(clinician, today=TODAY)[0]
    assert item.patient == patient
    assert item.is_urgent
    texts = [reason.text for reason in item.reasons]
    assert any("numbness around my genitals or buttocks" in text for text in texts), texts
    listed = [(r.at, r.text) for r in item.reasons if r.code in attention.SYMPTOM_CODES]
    assert [at for at, _ in listed] == [first.created_at, second.created_at]
    assert "numbness around my genitals or buttocks" in listed[0][1]
    assert listed[0][1].startswith("URGENT")
    assert "something else" in listed[1][1]


def test_finding_02_a_leg_getting_weaker_is_an_emergency(client, patient):
    client.force_login(patient.user)
    form = client.get(reverse("patients:symptoms")).content.decode()
    assert "One leg is getting weaker, or my foot drags or gives way" in form
    response = client.post(reverse("patients:symptoms"), {"symptoms": ["leg_weaker"]})
    assert response.status_code == 200
    assert "Get urgent help now" in response.content.decode()
    assert SymptomReport.objects.get().is_emergency


def test_finding_03_not_being_able_to_pass_urine_is_an_emergency_choice(client, patient):
    client.force_login(patient.user)
    form = client.get(reverse("patients:symptoms")).content.decode()
    assert "I can’t pass urine, or I can’t feel when my bladder is full" in form
    response = client.post(reverse("patients:symptoms"), {"symptoms": ["urine_retention"]})
    assert "Get urgent help now" in response.content.decode()
    assert SymptomReport.objects.get().is_emergency


def test_finding_04_emergency_advice_is_kept_for_offline_use(patient, plan):
    pages = offline.precache_manifest(patient)["pages"]
    assert reverse("patients:symptoms") in pages
    assert reverse("patients:safety") in pages
    script = offline.service_worker_script()
    advice = SafetyAdvice.objects.first()
    for sign in advice.emergency_list:
        assert sign.replace("’", "\\u2019") in script or sign in script, sign
    assert 'href=\\"tel:999\\"' in script


def test_finding_05_the_handout_has_emergency_signs_the_clinic_phone_and_end_pictures(
    client, patient, settings, tmp_path
):
    from exercises.services import exercise_image_set
    from tests.exercises.images import picture_upload

    settings.CLINIC_PHONE = "01632 960 001"
    prescription = PrescriptionFactory(patient=patient, start_date=TODAY)
    prescribed = PrescribedExerciseFactory(
        prescription=prescription,
        exercise__precautions="If you are more than about 16 weeks pregnant, sit instead.\n"
        "Stop if you feel pain in your knee.",
    )
    exercise_image_set(exercise=prescribed.exercise, slot="start", source=picture_upload())
    exercise_image_set(exercise=prescribed.exercise, slot="end", source=picture_upload())
    client.force_login(patient.user)
    html = client.get(reverse("patients:print")).content.decode()
    box = html.index("When to stop and get help")
    assert box < html.index(prescribed.exercise.name)  # on the first page, before exercises
    for sign in SafetyAdvice.objects.first().emergency_list:
        assert sign in html
    assert 'href="tel:01632960001"' in html
    assert prescribed.exercise.image_medium.url in html
    assert prescribed.exercise.end_image_medium.url in html
    assert "Stop if:" not in html
    assert "<li>If you are more than about 16 weeks pregnant, sit instead.</li>" in html


@pytest.mark.parametrize("entry", load_shipped_library(), ids=lambda entry: entry["key"])
def test_finding_06_every_exercise_carries_the_tags_its_precautions_text_warns_about(entry):
    from exercises.library import missing_precaution_tags

    assert missing_precaution_tags(entry) == set()


def test_finding_06_the_named_exercises_carry_their_tags():
    tags = {entry["key"]: set(entry["precaution_tags"]) for entry in load_shipped_library()}
    assert "after_hip_replacement" in tags["clamshell"]
    assert "after_hip_replacement" in tags["side-lying-hip-abduction"]
    assert "after_hip_replacement" in tags["seated-hip-march"]
    assert "after_hip_replacement" in tags["hamstring-stretch-strap"]
    assert "osteoporosis" in tags["cat-cow"]
    for key in ("standing-hip-flexor-stretch", "half-kneeling-hip-flexor-stretch"):
        assert "anterior_hip_replacement" in tags[key]
    assert "anterior_hip_replacement" in tags["figure-four-stretch"]
    for key in ("glute-bridge", "clamshell", "cat-cow", "childs-pose", "bird-dog"):
        assert "floor_unsafe" in tags[key]


def test_finding_07_session_ratings_draw_no_conclusion_about_any_one_exercise(
    clinician, patient, plan
):
    history(plan, efforts={1: "too_hard", 2: "too_hard"})
    assert candidates(patient) == []
    codes = attention.queue_for(clinician, today=TODAY)[0].codes
    assert attention.TOO_HARD in codes  # the session's answer still reaches the clinician
    assert attention.SUGGESTION not in codes


def test_finding_08_progression_never_switches_to_a_different_stretch(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=days_ago(28))
    PrescribedExerciseFactory(
        prescription=prescription,
        sets=2,
        reps=None,
        hold_seconds=60,  # at the hold cap
        exercise__name="Half-kneeling hip flexor stretch",
        exercise__category="stretch",
        exercise__difficulty="intermediate",
    )
    ExerciseFactory(
        name="Modified pigeon stretch", category="stretch", difficulty="advanced"
    )  # same region and category, one level up, but another movement
    history(prescription)
    assert [c.change for c in candidates(patient)] == []


def test_finding_09_no_progression_is_offered_while_a_symptom_report_is_open(
    clinician, patient, plan
):
    history(plan)
    assert {c.kind for c in candidates(patient)} == {"progress"}
    report(patient, "saddle_numbness")
    assert candidates(patient) == []
    item = attention.queue_for(clinician, today=TODAY)[0]
    assert not [r for r in item.reasons if r.code == attention.SUGGESTION]


def test_finding_10_a_too_painful_skip_needs_attention_naming_the_exercise(
    clinician, patient, plan
):
    history(plan)
    clam = plan.exercises.first()
    ExerciseCheck.objects.filter(session_log__date=days_ago(1), prescribed_exercise=clam).update(
        status="skipped", skip_reason="too_painful"
    )
    item = attention.queue_for(clinician, today=TODAY)[0]
    skipped = [r.text for r in item.reasons if r.code == attention.PAINFUL_SKIP]
    assert skipped == [f"Skipped “{clam.exercise.name}” as too painful"]


def test_finding_10_pain_of_7_or_more_for_a_week_needs_attention(clinician, patient, plan):
    history(plan, days=7, pain=7)
    assert attention.PAIN_HIGH in attention.queue_for(clinician, today=TODAY)[0].codes


def test_finding_10_pain_no_better_after_4_weeks_needs_attention(clinician, patient, plan):
    history(plan, days=28, pain=lambda n: 5 if n > 21 else 4)
    assert attention.PAIN_NOT_BETTER in attention.queue_for(clinician, today=TODAY)[0].codes


def test_finding_10_a_falling_function_check_in_needs_attention(clinician, patient, plan):
    history(plan)
    socks = FunctionActivity.objects.create(patient=patient, name="Putting on socks")
    car = FunctionActivity.objects.create(patient=patient, name="Getting out of the car")
    services.function_checkin_save(
        patient=patient,
        day=days_ago(14),
        scores={socks.pk: 6, car.pk: 6},
        new_activities=[],
        entered_by=None,
    )
    services.function_checkin_save(
        patient=patient,
        day=days_ago(0),
        scores={socks.pk: 4, car.pk: 4},
        new_activities=[],
        entered_by=None,
    )
    assert attention.FUNCTION_FALLING in attention.queue_for(clinician, today=TODAY)[0].codes


def test_finding_11_the_not_urgent_answer_says_when_to_see_a_doctor_with_tappable_numbers(
    client, patient, settings
):
    settings.CLINIC_PHONE = "+44 1632 960001"
    client.force_login(patient.user)
    html = client.post(reverse("patients:symptoms"), {"symptoms": ["numbness"]}).content.decode()
    assert "today or tomorrow" in html
    for sign in SafetyAdvice.objects.first().doctor_soon_list:
        assert sign in html
    assert 'href="tel:+441632960001"' in html
    assert 'href="tel:999"' in html


def test_finding_12_demo_templates_have_3_and_4_exercises_each_with_a_core_exercise():
    core = {
        "standing-hip-flexor-stretch",
        "half-kneeling-hip-flexor-stretch",
        "clamshell",
        "glute-bridge",
    }
    sizes = []
    for _description, items in demo.DEMO_PROGRAMS.values():
        keys = [key for key, _ in items]
        sizes.append(len(keys))
        assert core & set(keys), keys
    assert sorted(sizes) == [3, 4]
    assert max(sizes) <= settings.PROGRAM_SIZE_WARNING
