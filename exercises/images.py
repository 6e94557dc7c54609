"""The image pipeline: every picture of an exercise, uploaded or drawn, goes through here.

Uploads are checked before anything is stored: a real JPEG, PNG or WebP (the bytes decide,
not the file name), at most ``IMAGE_MAX_BYTES`` and ``IMAGE_MAX_PIXELS``. Accepted images are
rotated upright from their EXIF orientation, stripped of all metadata (EXIF, GPS, comments),
downscaled to ``MAX_EDGE`` px, and given two renditions once, at save: a thumbnail for lists
and a medium WebP for phones.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_EDGE = 1600
THUMBNAIL_BOX = (240, 240)
MEDIUM_WIDTH = 720
MEDIUM_QUALITY = 72
WHITE = (255, 255, 255)


def max_bytes() -> int:
    return getattr(settings, "IMAGE_MAX_BYTES", 8 * 1024 * 1024)


def max_pixels() -> int:
    return getattr(settings, "IMAGE_MAX_PIXELS", 40_000_000)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _looks_like_markup(head: bytes) -> bool:
    return head.lstrip()[:1] == b"<" or b"<svg" in head.lower()


def validate_image_upload(upload) -> None:
    """Raise ValidationError with a message a content editor understands, or return None."""
    if upload.size > max_bytes():
        raise ValidationError(
            _("This file is %(size)s; the largest picture accepted is %(limit)s."),
            code="file_too_large",
            params={"size": _megabytes(upload.size), "limit": _megabytes(max_bytes())},
        )
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if _looks_like_markup(head):
        raise ValidationError(
            _("SVG and other drawing files are not accepted: upload a JPEG, PNG or WebP picture."),
            code="svg",
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice its limit; we refuse outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("This is a %(format)s file; upload a JPEG, PNG or WebP picture."),
                        code="format",
                        params={"format": image_format or _("unknown")},
                    )
                if width * height > max_pixels():
                    raise _too_many_pixels(width, height)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _(
                "This picture is far too large in pixels to process safely; "
                "the limit is %(limit)s megapixels."
            ),
            code="decompression_bomb",
            params={"limit": max_pixels() // 1_000_000},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not a picture we can read. Upload a JPEG, PNG or WebP picture."),
            code="invalid_image",
        ) from exc
    finally:
        upload.seek(0)


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "This picture is %(width)s × %(height)s pixels (%(mp)s megapixels); "
            "the limit is %(limit)s megapixels. Resize it and try again."
        ),
        code="too_many_pixels",
        params={
            "width": width,
            "height": height,
            "mp": round(width * height / 1_000_000),
            "limit": max_pixels() // 1_000_000,
        },
    )


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted picture, ready to store: the cleaned original and its renditions."""

    original: ContentFile
    thumbnail: ContentFile
    medium: ContentFile


def _encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, for formats and renditions without transparency."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def process_image(source, *, stem: str) -> ProcessedImage:
    """Normalise a validated picture and make its renditions.

    ``stem`` names the files (e.g. ``"start"``); a short content hash is added so that a
    replaced picture gets a new URL and can be cached forever.
    """
    source.seek(0)
    with Image.open(source) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
    # Pillow writes some metadata from .info even when not asked to (a JPEG's comment, a
    # PNG's ICC profile): keep only the transparency, which the conversions below need.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    # Saving without passing exif/icc/comments writes no metadata at all.
    if has_alpha:
        original_bytes = _encode(image.convert("RGBA"), "PNG", optimize=True)
        extension = "png"
    else:
        original_bytes = _encode(_flatten(image), "JPEG", quality=85, optimize=True)
        extension = "jpg"
    digest = hashlib.sha256(original_bytes).hexdigest()[:12]

    flat = _flatten(image)
    thumbnail = flat.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    medium = flat.copy()
    if medium.width > MEDIUM_WIDTH:
        medium = medium.resize(
            (MEDIUM_WIDTH, round(medium.height * MEDIUM_WIDTH / medium.width)),
            Image.Resampling.LANCZOS,
        )
    return ProcessedImage(
        original=ContentFile(original_bytes, name=f"{stem}-{digest}.{extension}"),
        thumbnail=ContentFile(
            _encode(thumbnail, "WEBP", quality=70, method=6), name=f"{stem}-{digest}-thumb.webp"
        ),
        medium=ContentFile(
            _encode(medium, "WEBP", quality=MEDIUM_QUALITY, method=6),
            name=f"{stem}-{digest}-medium.webp",
        ),
    )
