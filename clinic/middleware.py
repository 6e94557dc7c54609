from django.conf import settings


class StaffIdleTimeoutMiddleware:
    """End staff sessions after ``STAFF_SESSION_IDLE_MINUTES`` without a request.

    Setting a relative expiry on every staff request slides the window forward; patients
    keep the long ``SESSION_COOKIE_AGE`` on their own phone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)
