"""factory_boy factories: every test builds exactly the rows it needs."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic import roles
from patients.models import Patient

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
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..email"),
        email=factory.SelfAttribute("..email"),
    )
