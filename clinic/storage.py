"""Private files: patients' own clinic videos and every video waiting to be prepared.

They live under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, so no web server location
ever serves them as /media/; they have no URL of their own. ``patients.views.videos`` sends
them to the people allowed to see them (docs/deploy.md: nginx's internal location).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateMediaStorage(FileSystemStorage):
    """The file system under ``PRIVATE_MEDIA_ROOT``, read when used (tests change it)."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL: serve them through a checking view.")


_storage = PrivateMediaStorage()


def private_storage() -> PrivateMediaStorage:
    """For ``FileField(storage=private_storage)``: a callable keeps migrations free of paths."""
    return _storage
