"""The video pipeline on its own (exercises/videos.py): every way a camera can be held comes
out upright, and the sizes stay within 720p without being enlarged."""

import io

import pytest
from PIL import Image

from exercises import videos
from tests.videos import make_video


def red_side(poster: bytes) -> str:
    """Where the test pattern's red band (the stored picture's top) is on the poster."""
    image = Image.open(io.BytesIO(poster)).convert("RGB")
    width, height = image.size
    spots = {
        "top": (width // 2, 4),
        "bottom": (width // 2, height - 5),
        "left": (4, height // 2),
        "right": (width - 5, height // 2),
    }
    reds = [
        side
        for side, spot in spots.items()
        if (pixel := image.getpixel(spot))[0] > 200 and pixel[1] < 60 and pixel[2] < 60
    ]
    assert len(reds) == 1, reds
    return reds[0]


@pytest.mark.parametrize(
    ("rotation", "size", "red"),
    [
        (None, (320, 240), "top"),
        (-90, (240, 320), "right"),  # a phone held upright: turn clockwise
        (90, (240, 320), "left"),  # held the other way up: turn anticlockwise
        (180, (320, 240), "bottom"),  # upside down
    ],
)
def test_every_way_of_holding_the_camera_comes_out_upright(tmp_path, rotation, size, red):
    source = make_video(tmp_path / "in.mp4", rotation=rotation, seconds=1, audio=False)
    made = videos.transcode(source, tmp_path)
    assert (made.width, made.height) == size
    assert red_side(made.poster) == red


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((3840, 2160), (1280, 720)),
        ((2160, 3840), (720, 1280)),
        ((1920, 1440), (960, 720)),
        ((640, 360), (640, 360)),  # never enlarged
        ((335, 201), (334, 200)),
        ((333, 201), (332, 200)),  # even numbers (H.264), rounded down: never enlarged
    ],
)
def test_output_sizes_fit_720p(given, expected):
    assert videos.output_size(*given) == expected
