import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from exercises.choices import Side
from exercises.dosage import describe_dosage, estimate_seconds
from exercises.models import Exercise, ProgramItem
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db


def test_exercise_needs_reps_or_hold():
    exercise = ExerciseFactory.build(default_reps=None, default_hold_seconds=None)
    with pytest.raises(ValidationError, match="Give repetitions, a hold time, or both"):
        exercise.full_clean()


def test_database_refuses_an_exercise_without_reps_or_hold():
    with pytest.raises(IntegrityError):
        ExerciseFactory(default_reps=None, default_hold_seconds=None)


def test_names_are_unique():
    ExerciseFactory(name="Clamshell", slug="clamshell")
    duplicate = ExerciseFactory.build(name="Clamshell", slug="clamshell-2")
    with pytest.raises(ValidationError, match="Name already exists"):
        duplicate.full_clean()


def test_video_link_must_be_https():
    exercise = ExerciseFactory.build(video_url="http://example.org/video")
    with pytest.raises(ValidationError, match="https"):
        exercise.full_clean()


def test_dosage_limits_are_validated():
    exercise = ExerciseFactory.build(default_sets=0, default_hold_seconds=900)
    with pytest.raises(ValidationError) as error:
        exercise.full_clean()
    assert {"default_sets", "default_hold_seconds"} <= set(error.value.message_dict)


def test_steps_cues_and_precautions_are_lines():
    exercise = ExerciseFactory.build(
        instructions="One.\n\n  Two.  \nThree.", cues="", precautions=""
    )
    assert exercise.steps == ["One.", "Two.", "Three."]
    assert exercise.cue_list == []


def test_published_queryset_and_ordering():
    ExerciseFactory(name="B", slug="b")
    ExerciseFactory(name="A", slug="a")
    ExerciseFactory(name="C", slug="c", status=Exercise.Status.ARCHIVED)
    assert [e.name for e in Exercise.objects.published()] == ["A", "B"]


@pytest.mark.parametrize(
    ("sets", "reps", "hold", "side", "words"),
    [
        (3, 10, None, Side.EACH, "3 sets of 10, each side"),
        (3, None, 30, Side.BOTH, "hold 30 seconds, 3 times"),
        (1, None, 30, Side.EACH, "hold 30 seconds, once, each side"),
        (2, 8, 5, Side.BOTH, "2 sets of 8, hold 5 seconds each"),
        (1, 12, None, Side.LEFT, "12 repetitions, left side"),
        # A timed activity (the walking program), not a position held.
        (1, None, 600, Side.BOTH, "10 minutes, once"),
        (2, None, 300, Side.BOTH, "5 minutes, twice"),
        (2, None, 120, Side.BOTH, "hold 2 minutes, twice"),
        (2, None, 90, Side.BOTH, "hold 90 seconds, twice"),
    ],
)
def test_dosage_in_plain_words(sets, reps, hold, side, words):
    assert describe_dosage(sets=sets, reps=reps, hold_seconds=hold, side=side) == words


def test_estimated_time():
    assert estimate_seconds(
        sets=3, reps=10, hold_seconds=None, side=Side.BOTH, rest_seconds=30
    ) == (3 * 30 + 2 * 30)
    assert estimate_seconds(sets=2, reps=None, hold_seconds=30, side=Side.EACH, rest_seconds=0) == (
        2 * 60
    )


def test_program_item_takes_the_exercise_defaults():
    exercise = ExerciseFactory(default_sets=3, default_reps=None, default_hold_seconds=30)
    item = ProgramItem(exercise=exercise)
    item.take_defaults_from(exercise)
    assert (item.sets, item.reps, item.hold_seconds) == (3, None, 30)
    assert item.dosage_text() == "hold 30 seconds, 3 times"
