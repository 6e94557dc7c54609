from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or, as patients usually do, with the email address.

    Email matching ignores case; an address shared by several accounts never signs anyone in.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if "@" not in username:
            return super().authenticate(request, username=username, password=password, **kwargs)
        users = list(get_user_model()._default_manager.filter(email__iexact=username.strip())[:2])
        if len(users) != 1:
            # Run the hasher anyway so that response time does not reveal whether the address
            # exists (the same defence ModelBackend uses for unknown usernames).
            get_user_model()().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Every request loads its user; a patient's page needs their Patient row (and its
        # clinician's name) right after, so fetch them in the same query.
        user = (
            get_user_model()
            ._default_manager.select_related("patient__clinician")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
