import pytest
from django.urls import reverse

from exercises.models import Exercise
from tests.admin_forms import exercise_form_data
from tests.exercises.images import picture_upload, upload
from tests.factories import ExerciseFactory, ProgramItemFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:exercises_exercise_changelist")
ADD = reverse("admin:exercises_exercise_add")


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def test_editor_creates_an_exercise_with_a_picture_and_sees_its_thumbnail(client, editor):
    client.force_login(editor)
    response = client.post(ADD, exercise_form_data(start_image_upload=picture_upload()))
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(slug="seated-hip-march")
    assert exercise.image_thumbnail
    listing = client.get(CHANGELIST)
    assert exercise.image_thumbnail.url.encode() in listing.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is text", "not a picture we can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG and other drawing files"),
    ],
)
def test_bad_upload_shows_the_message_and_saves_nothing(client, editor, settings, data, message):
    client.force_login(editor)
    response = client.post(ADD, exercise_form_data(start_image_upload=upload(data, "x.png")))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Exercise.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_missing_reps_and_hold_is_a_form_error_not_a_500(client, editor):
    client.force_login(editor)
    response = client.post(ADD, exercise_form_data(default_reps="", default_hold_seconds=""))
    assert response.status_code == 200
    assert "Give repetitions, a hold time, or both." in response.content.decode()


def test_clinician_can_view_but_not_change_the_library(client, clinician):
    exercise = ExerciseFactory()
    client.force_login(clinician)
    assert client.get(CHANGELIST).status_code == 200
    page = client.get(change_url(exercise))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change_url(exercise), exercise_form_data()).status_code == 403
    assert client.get(ADD).status_code == 403
    exercise.refresh_from_db()
    assert exercise.name != "Seated hip march"


def test_patients_and_anonymous_cannot_open_the_library_admin(client, patient):
    assert client.get(CHANGELIST).status_code == 302
    client.force_login(patient.user)
    assert client.get(CHANGELIST).status_code == 302


def test_exercise_in_use_cannot_be_deleted_and_archiving_is_offered(client, editor):
    item = ProgramItemFactory()
    exercise = item.exercise
    client.force_login(editor)
    delete_url = reverse("admin:exercises_exercise_delete", args=[exercise.pk])
    page = client.get(delete_url).content.decode()
    assert "is used in programs or patients' plans, so it cannot be deleted" in page
    assert "Archive “" in page
    client.post(delete_url, {"post": "yes"})
    assert Exercise.objects.filter(pk=exercise.pk).exists()
    archive_url = reverse("admin:exercises_exercise_archive", args=[exercise.pk])
    assert client.post(archive_url).status_code == 302
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.ARCHIVED
    assert item.program.items.get().exercise == exercise


def test_unused_exercise_can_be_deleted(client, editor):
    exercise = ExerciseFactory()
    client.force_login(editor)
    delete_url = reverse("admin:exercises_exercise_delete", args=[exercise.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Exercise.objects.filter(pk=exercise.pk).exists()


def test_clinician_cannot_archive(client, clinician):
    exercise = ExerciseFactory()
    client.force_login(clinician)
    client.post(reverse("admin:exercises_exercise_archive", args=[exercise.pk]))
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.PUBLISHED


def test_publish_and_archive_actions(client, editor):
    drafts = ExerciseFactory.create_batch(2, status=Exercise.Status.DRAFT)
    client.force_login(editor)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [e.pk for e in drafts]})
    assert set(Exercise.objects.values_list("status", flat=True)) == {"published"}
    client.post(CHANGELIST, {"action": "archive", "_selected_action": [drafts[0].pk]})
    assert Exercise.objects.get(pk=drafts[0].pk).status == "archived"


def test_editing_a_shipped_exercise_marks_it_as_edited_here(client, editor):
    exercise = ExerciseFactory(library_key="clamshell", slug="clamshell", name="Clamshell")
    client.force_login(editor)
    response = client.post(
        change_url(exercise),
        exercise_form_data(name="Clamshell", slug="clamshell", summary="Ours."),
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.edited_locally
    assert exercise.summary == "Ours."


def test_changelist_query_count_is_the_same_for_10_and_100_exercises(
    client, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    counts = []
    for total in (10, 100):
        ExerciseFactory.create_batch(total - Exercise.objects.count())
        with django_assert_max_num_queries(11) as queries:
            response = client.get(CHANGELIST, {"all": ""})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_search_and_filters(client, editor):
    ExerciseFactory(name="Clamshell", slug="clamshell", category="strengthening")
    ExerciseFactory(name="Child's pose", slug="childs-pose", category="stretch")
    client.force_login(editor)
    assert b"Clamshell" in client.get(CHANGELIST, {"q": "clam"}).content
    filtered = client.get(CHANGELIST, {"category__exact": "stretch"}).content
    assert b"Child" in filtered
    assert b"Clamshell" not in filtered


def test_steps_with_a_dose_in_them_save_with_a_gentle_warning(client, editor):
    client.force_login(editor)
    steps = "Sit tall.\nLift one knee and hold for 10 seconds.\nLower it slowly."
    response = client.post(ADD, exercise_form_data(instructions=steps), follow=True)
    assert Exercise.objects.filter(slug="seated-hip-march").exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "“10 seconds”" in warnings[0]
    assert "dose line" in warnings[0]


def test_steps_that_describe_the_movement_only_save_without_a_warning(client, editor):
    client.force_login(editor)
    response = client.post(ADD, exercise_form_data(), follow=True)
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
