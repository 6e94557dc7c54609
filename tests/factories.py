"""factory_boy factories: every test builds exactly the rows it needs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify

from clinic import roles
from exercises.choices import BodyRegion, Category, Position
from exercises.models import Exercise, Program, ProgramItem
from patients.models import Patient, PrescribedExercise, Prescription
from patients.weekdays import EVERY_DAY

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


def _join(user, create: bool, group_name: str) -> None:
    if create:
        user.groups.add(Group.objects.get(name=group_name))


class ClinicianFactory(UserFactory):
    username = factory.Sequence(lambda n: f"clinician{n}")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _join(self, create, roles.CLINICIANS)


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _join(self, create, roles.CONTENT_EDITORS)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class PatientFactory(factory.django.DjangoModelFactory):
    """A patient with a sign-in account (``user=None`` for one who has not accepted yet)."""

    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    clinician = factory.SubFactory(ClinicianFactory)
    # Most tests start after the first visit; the safety-advice tests set this to None.
    safety_acknowledged_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..email"),
        email=factory.SelfAttribute("..email"),
    )


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise

    name = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.LazyAttribute(lambda exercise: slugify(exercise.name))
    summary = "A gentle exercise for the hips."
    instructions = "Lie on your back.\nBend your knees.\nBreathe out and move slowly."
    cues = "Move slowly."
    precautions = "Stop if it hurts more."
    body_region = BodyRegion.HIP
    category = Category.MOBILITY
    position = Position.LYING_BACK
    default_sets = 2
    default_reps = 10
    status = Exercise.Status.PUBLISHED


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    description = "Hip mobility for low back pain."


class ProgramItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramItem

    program = factory.SubFactory(ProgramFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(int)
    sets = 2
    reps = 10


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    patient = factory.SubFactory(PatientFactory)
    name = "Hip mobility"
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 11, 2))
    weekdays = EVERY_DAY


class PrescribedExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrescribedExercise

    prescription = factory.SubFactory(PrescriptionFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    order = factory.Sequence(int)
    sets = 3
    reps = 10
