"""Hostile picture (and video) uploads through the editor's exercise form.

Each file is either refused with a message the editor can read, and then nothing at all is
written under MEDIA_ROOT, or accepted only as a clean re-encoded picture: no appended HTML
or ZIP, no script in EXIF, comments or text chunks, file names of our own making. The basic
refusals (text renamed .png, SVG, GIF, truncated PNG, a 30000 × 30000 PNG, an oversize file)
are in tests/exercises/test_images.py; this file adds polyglots, metadata and bombs built
from real encoders, sent the way a browser sends them.
"""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, PngImagePlugin

from exercises.models import Exercise
from tests.admin_forms import exercise_form_data
from tests.exercises.images import picture_bytes, upload
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:exercises_exercise_add")
SCRIPT = b"<script>alert(document.cookie)</script>"
STORED_NAME = re.compile(r"^(start|end)-[0-9a-f]{12}(-thumb|-medium)?\.(jpg|png|webp)$")


def media_files(settings) -> dict[str, bytes]:
    root = settings.MEDIA_ROOT
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def post_picture(client, data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return client.post(ADD, exercise_form_data(start_image_upload=upload(data, name, content_type)))


def assert_refused(response, settings, before, message):
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    assert escape(message) in html or message in html, message
    assert not Exercise.objects.filter(slug="seated-hip-march").exists()
    assert media_files(settings) == before


def assert_clean_copies(settings, *forbidden: bytes):
    """Three files per picture, named by us, re-encoded, carrying none of ``forbidden``."""
    files = media_files(settings)
    assert len(files) == 3
    for path, content in files.items():
        assert STORED_NAME.match(path.rsplit("/", 1)[-1]), path
        for needle in forbidden:
            assert needle not in content, (path, needle)
        with Image.open(io.BytesIO(content)) as stored:
            assert not stored.getexif()
            assert not {"exif", "comment", "xmp", "icc_profile"} & set(stored.info)
            assert not getattr(stored, "text", {})
    return files


@pytest.fixture
def editor_client(client, editor, settings):
    client.force_login(editor)
    return client


# --- Polyglots: a real picture with something else inside -----------------------------------


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<html><script>alert(1)</script></html>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("image_format", "tail", "marker"),
    [
        ("PNG", b"<html><body>" + SCRIPT + b"</body></html>", SCRIPT),
        ("JPEG", b"<html><body>" + SCRIPT + b"</body></html>", SCRIPT),
        ("JPEG", _zip_bytes(), b"PK\x03\x04"),
        ("PNG", _zip_bytes(), b"PK\x03\x04"),
        ("WEBP", b"<?php system($_GET['c']); ?>", b"<?php"),
    ],
    ids=["png+html", "jpeg+html", "jpeg+zip", "png+zip", "webp+php"],
)
def test_a_picture_with_a_payload_appended_is_stored_only_as_a_clean_copy(
    editor_client, settings, image_format, tail, marker
):
    data = picture_bytes(size=(400, 300), image_format=image_format) + tail
    response = post_picture(editor_client, data, "holiday.jpg")
    assert response.status_code == 302
    assert_clean_copies(settings, marker, b"<script", b"<html")


def test_a_gif_with_a_script_after_its_header_is_refused(editor_client, settings):
    # The classic GIF/JavaScript polyglot: "GIF89a" is a valid start for both.
    data = picture_bytes(image_format="GIF")
    data = data[:6] + b"=1;" + SCRIPT + data[6:]
    response = post_picture(editor_client, data, "avatar.png", "image/png")
    # The script lands where the GIF keeps its size, so it reads as a huge GIF: refused
    # either way, as a GIF or as too many pixels.
    assert re.search(r"This is a GIF file|far too large in pixels", response.content.decode())
    assert_refused(response, settings, {}, "")


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html>" + SCRIPT + b"</html>" + picture_bytes(),
        b"\n\n  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"\x89PNG\r\n\x1a\n" + b"<html>" + SCRIPT + b"</html>",
        b"\xff\xd8\xff\xe0" + SCRIPT * 20,
    ],
    ids=["html-then-png", "svg", "png-signature-then-html", "jpeg-marker-then-script"],
)
def test_markup_dressed_as_a_picture_is_refused(editor_client, settings, data):
    response = post_picture(editor_client, data, "photo.png", "image/png")
    html = response.content.decode()
    assert "not accepted" in html or "not a picture we can read" in html
    assert_refused(response, settings, {}, "JPEG, PNG or WebP")


def test_the_bytes_decide_not_the_name_or_the_content_type(editor_client, settings):
    data = picture_bytes(size=(300, 200), image_format="PNG")
    response = post_picture(editor_client, data, "../../../evil<script>.html", "text/html")
    assert response.status_code == 302
    files = assert_clean_copies(settings)
    assert all(path.startswith("exercises/seated-hip-march/") for path in files)


# --- Metadata: scripts in EXIF, comments and text chunks --------------------------------------


def _exif_with_script() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    exif[0x010F] = '"><img src=x onerror=alert(1)>'  # Make
    exif[0x0131] = "<iframe src=javascript:alert(1)>"  # Software
    return exif.tobytes()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_script_in_exif_is_not_kept(editor_client, settings, image_format):
    image = Image.new("RGB", (500, 400), (200, 100, 50))
    buffer = io.BytesIO()
    options = {"exif": _exif_with_script()}
    if image_format == "JPEG":
        options["comment"] = SCRIPT
    if image_format == "WEBP":
        options["xmp"] = b"<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>"
    image.save(buffer, format=image_format, **options)
    data = buffer.getvalue()
    assert SCRIPT in data or b"onerror" in data  # the payload really is in the upload
    assert post_picture(editor_client, data).status_code == 302
    assert_clean_copies(settings, SCRIPT, b"onerror", b"<iframe", b"xmpmeta")


def test_a_photo_with_svg_markup_in_its_first_bytes_is_refused_not_stored(editor_client, settings):
    # The markup sniff looks for "<svg" in the first 512 bytes, EXIF included: a photo
    # carrying it is refused (with the SVG message) rather than stored. Safe, if blunt.
    exif = Image.Exif()
    exif[0x0131] = "<svg onload=alert(1)>"
    data = picture_bytes(size=(300, 200), image_format="JPEG", exif=exif.tobytes())
    response = post_picture(editor_client, data)
    assert_refused(response, settings, {}, "SVG and other drawing files are not accepted")


def test_an_icc_profile_carrying_a_script_is_not_kept(editor_client, settings):
    # Transparent pictures are stored as PNG, and Pillow copies a PNG's ICC profile over
    # unless told otherwise.
    buffer = io.BytesIO()
    image = Image.new("RGBA", (300, 300), (10, 20, 30, 128))
    image.save(buffer, format="PNG", icc_profile=b"<profile>" + SCRIPT)
    response = post_picture(editor_client, buffer.getvalue(), "clear.png", "image/png")
    assert response.status_code == 302
    files = assert_clean_copies(settings, SCRIPT)
    assert any(path.endswith(".png") for path in files)


def test_script_in_png_text_chunks_is_not_kept(editor_client, settings):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_text("Description", "<img src=x onerror=alert(1)>", zip=True)
    info.add_itxt("XML:com.adobe.xmp", SCRIPT.decode())
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)
    assert (
        post_picture(editor_client, buffer.getvalue(), "clear.png", "image/png").status_code == 302
    )
    assert_clean_copies(settings, SCRIPT, b"onerror", b"tEXt", b"zTXt", b"iTXt")


# --- Decompression bombs: small files that claim enormous sizes --------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A small real PNG whose header claims ``width`` × ``height`` (with a valid CRC)."""
    data = bytearray(picture_bytes(size=(64, 64), image_format="PNG"))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF)
    return bytes(data)


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims ``width`` × ``height``."""
    data = bytearray(picture_bytes(size=(64, 64), image_format="JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _webp_claiming(width: int, height: int) -> bytes:
    """A small real WebP (extended format) whose canvas claims ``width`` × ``height``."""
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # any metadata makes Pillow write the extended (VP8X) header
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(buffer, format="WEBP", exif=exif.tobytes())
    data = bytearray(buffer.getvalue())
    vp8x = data.index(b"VP8X")
    # Canvas width and height minus one, 24-bit little-endian, after 4 bytes of flags.
    data[vp8x + 12 : vp8x + 15] = (width - 1).to_bytes(3, "little")
    data[vp8x + 15 : vp8x + 18] = (height - 1).to_bytes(3, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_png_claiming(100_000, 100_000), "bomb.png"),
        (_png_claiming(9_000, 5_000), "45-megapixels.png"),
        (_jpeg_claiming(65_000, 65_000), "bomb.jpg"),
        (_jpeg_claiming(9_000, 5_000), "45-megapixels.jpg"),
        (_webp_claiming(16_000, 16_000), "bomb.webp"),
    ],
    ids=["png-10-gigapixels", "png-45-mp", "jpeg-4-gigapixels", "jpeg-45-mp", "webp-256-mp"],
)
def test_a_picture_claiming_enormous_dimensions_is_refused(editor_client, settings, data, name):
    assert len(data) < 10_000  # a small file: the danger is in decoding it
    response = post_picture(editor_client, data, name)
    html = response.content.decode()
    assert re.search(r"far too large in pixels|megapixels|not a picture we can read", html)
    assert_refused(response, settings, {}, "")


# --- Size ---------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(editor_client, settings):
    limit = 8 * 1024 * 1024
    settings.IMAGE_MAX_BYTES = limit
    # A real picture padded past the limit: bigger than FILE_UPLOAD_MAX_MEMORY_SIZE too, so
    # Django spools it to a temporary file, which must not be under MEDIA_ROOT.
    data = picture_bytes(size=(200, 200), image_format="JPEG")
    data += b"\x00" * (limit + 1 - len(data))
    response = post_picture(editor_client, data, "huge.jpg")
    assert_refused(response, settings, {}, "the largest picture accepted is 8.0 MB")


def test_a_refused_replacement_leaves_the_current_pictures_as_they_were(editor_client, settings):
    exercise = ExerciseFactory(slug="seated-hip-march", name="Seated hip march")
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    good = picture_bytes(size=(300, 200), image_format="PNG")
    assert (
        editor_client.post(
            url, exercise_form_data(start_image_upload=upload(good, "a.png"))
        ).status_code
        == 302
    )
    before = media_files(settings)
    bomb = _jpeg_claiming(65_000, 65_000)
    response = editor_client.post(url, exercise_form_data(start_image_upload=upload(bomb, "b.jpg")))
    assert response.status_code == 200
    assert "far too large in pixels" in response.content.decode()
    assert media_files(settings) == before
    exercise.refresh_from_db()
    assert exercise.image.name in before


# --- Videos: FFmpeg opens many formats, some of which read other files or the network --------

HLS_READING_A_LOCAL_FILE = (
    b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
)
CONCAT_LIST = b"ffconcat version 1.0\nfile /etc/passwd\n"
HTTP_PLAYLIST = b"#EXTM3U\n#EXTINF:10.0,\nhttp://169.254.169.254/latest/meta-data/\n"


@pytest.mark.parametrize(
    "data",
    [HLS_READING_A_LOCAL_FILE, CONCAT_LIST, HTTP_PLAYLIST, picture_bytes()],
    ids=["hls-local-file", "ffconcat", "hls-network", "png"],
)
def test_playlists_and_pictures_dressed_as_videos_are_refused(editor_client, settings, data):
    """Only the demuxers of camera files (MP4/MOV, Matroska/WebM) may open an upload:
    a playlist or concat list is never followed, a picture is not a video, and nothing is
    stored."""
    video = SimpleUploadedFile("clip.mp4", data, "video/mp4")
    response = editor_client.post(ADD, exercise_form_data(video_upload=video))
    assert response.status_code == 200
    assert "This file is not a video we can read" in response.content.decode()
    assert media_files(settings) == {}
    assert not settings.PRIVATE_MEDIA_ROOT.exists() or not any(
        settings.PRIVATE_MEDIA_ROOT.rglob("*.*")
    )
    assert not Exercise.objects.exists()
