import pytest
from django.urls import reverse

from exercises.models import Exercise, Program
from tests.factories import ExerciseFactory, ProgramFactory, ProgramItemFactory

pytestmark = pytest.mark.django_db


def change_url(program):
    return reverse("admin:exercises_program_change", args=[program.pk])


def program_data(name="My template", items=()):
    data = {
        "name": name,
        "description": "",
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": 0,
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{index}-{key}"] = value
    return data


def test_clinician_creates_own_template_with_defaults_from_the_exercise(client, clinician):
    exercise = ExerciseFactory(default_sets=3, default_reps=12, default_side="each")
    client.force_login(clinician)
    response = client.post(
        reverse("admin:exercises_program_add"),
        program_data(items=[{"exercise": exercise.pk, "order": 1}]),
    )
    assert response.status_code == 302, response.context["errors"]
    program = Program.objects.get(name="My template")
    assert program.owner == clinician
    item = program.items.get()
    assert (item.sets, item.reps, item.side) == (3, 12, "each")


def test_archived_exercise_cannot_be_added_to_a_template(client, clinician):
    archived = ExerciseFactory(status=Exercise.Status.ARCHIVED)
    client.force_login(clinician)
    response = client.post(
        reverse("admin:exercises_program_add"),
        program_data(items=[{"exercise": archived.pk, "order": 1}]),
    )
    assert response.status_code == 200
    assert "is archived: choose a published exercise" in response.content.decode()


def test_clinician_cannot_change_clinic_wide_or_others_templates(
    client, clinician, other_clinician
):
    clinic_wide = ProgramFactory(owner=None)
    theirs = ProgramFactory(owner=other_clinician)
    client.force_login(clinician)
    page = client.get(change_url(clinic_wide))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change_url(clinic_wide), program_data("Hijack")).status_code == 403
    assert client.get(change_url(theirs)).status_code == 302  # not in their list at all
    listing = client.get(reverse("admin:exercises_program_changelist")).content.decode()
    assert clinic_wide.name in listing
    assert theirs.name not in listing


def test_editor_changes_clinic_wide_templates(client, editor):
    clinic_wide = ProgramFactory(owner=None)
    client.force_login(editor)
    response = client.post(change_url(clinic_wide), program_data("Renamed"))
    assert response.status_code == 302
    clinic_wide.refresh_from_db()
    assert clinic_wide.name == "Renamed"
    assert clinic_wide.owner is None


def test_duplicate_action_copies_items_for_the_clinician(client, clinician):
    template = ProgramFactory(owner=None, name="Beginner")
    ProgramItemFactory.create_batch(3, program=template)
    client.force_login(clinician)
    client.post(
        reverse("admin:exercises_program_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
    )
    copy = Program.objects.get(name="Beginner (copy)")
    assert copy.owner == clinician
    assert copy.items.count() == 3


def test_exercise_autocomplete_for_templates_offers_published_only(client, clinician):
    published = ExerciseFactory(name="Bridge published", slug="bridge-p")
    ExerciseFactory(name="Bridge archived", slug="bridge-a", status=Exercise.Status.ARCHIVED)
    client.force_login(clinician)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "exercises",
            "model_name": "programitem",
            "field_name": "exercise",
            "term": "Bridge",
        },
    )
    assert [int(r["id"]) for r in response.json()["results"]] == [published.pk]


def test_template_page_shows_the_session_time(client, clinician):
    template = ProgramFactory(owner=clinician)
    ProgramItemFactory(program=template, sets=3, reps=10, rest_seconds=30)
    client.force_login(clinician)
    assert "about 2 minutes" in client.get(change_url(template)).content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_template_list_query_count_is_constant(
    client, editor, count, django_assert_max_num_queries
):
    for program in ProgramFactory.create_batch(count):
        ProgramItemFactory.create_batch(2, program=program)
    client.force_login(editor)
    # 12: the items' exercises are read too, to flag templates holding an archived one.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:exercises_program_changelist")).status_code == 200


def test_an_unused_extra_row_is_ignored(client, clinician):
    exercise = ExerciseFactory()
    client.force_login(clinician)
    extra_row_as_rendered = {"side": "both", "order": 0}
    data = program_data(items=[{"exercise": exercise.pk, "order": 1}, extra_row_as_rendered])
    response = client.post(reverse("admin:exercises_program_add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert Program.objects.get(name="My template").items.count() == 1
