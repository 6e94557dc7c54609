"""Real picture files made with Pillow, for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture_bytes(
    size=(800, 600), image_format="PNG", colour=(40, 120, 160), exif=None, mode="RGB"
) -> bytes:
    image = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "picture.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def picture_upload(name="picture.png", **kwargs):
    return upload(picture_bytes(**kwargs), name=name)
