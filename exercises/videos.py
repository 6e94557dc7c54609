"""The video pipeline: every clinic video, for the library or for one patient, goes through here.

An upload is checked before anything is stored: at most ``VIDEO_MAX_BYTES``, a real video
(PyAV opens it with the demuxers of phone and tablet cameras only — MP4/MOV and
Matroska/WebM — whatever the file is called, and decodes its first picture), at most
``VIDEO_MAX_SECONDS`` long. The accepted original waits in private storage while the worker
(``transcode``) makes what phones play: H.264/AAC MP4, at most 1280 × 720 (720 × 1280
upright), turned the way the camera was held (the rotation flag is applied to the pictures,
then dropped), with its index at the front so that playback starts before the download ends,
and a JPEG poster. Nothing of the original's metadata is copied: no location, no camera or
phone name, no dates, no titles, no data or subtitle tracks — only the pictures and the sound
are decoded and encoded again, and the muxer's own tags are left out (``bitexact``).

Pure media work: no models, no storage; callers pass files and get files back.
"""

import dataclasses
import io
import itertools
import math
from fractions import Fraction

import av
import av.filter
from av.codec.context import Flags
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The demuxers a camera's file needs; anything else (HLS playlists, concat lists, image
# sequences, AVI with its history of tricks) is refused before FFmpeg looks inside it.
ALLOWED_DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
OPEN_OPTIONS = {"format_whitelist": ALLOWED_DEMUXERS, "protocol_whitelist": "file"}
MAX_LONG_EDGE = 1280
MAX_SHORT_EDGE = 720
VIDEO_CRF = "23"
AUDIO_BITRATE = 96_000
AUDIO_RATE = 48_000
POSTER_QUALITY = 80
# A file that decodes this much shorter than it says is cut off (a copy that did not finish).
INCOMPLETE_SHARE = 0.9


class VideoError(Exception):
    """A video that could not be made; the message is for the person who uploaded it."""


@dataclasses.dataclass(frozen=True)
class Probe:
    seconds: float
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class Transcoded:
    """What the worker made: the MP4 (a file in the caller's work directory), its poster
    (JPEG bytes), and what the page needs."""

    video_path: str
    poster: bytes
    width: int
    height: int
    seconds: float


def max_bytes() -> int:
    return settings.VIDEO_MAX_BYTES


def max_seconds() -> int:
    return settings.VIDEO_MAX_SECONDS


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"


def minutes_text(seconds: float) -> str:
    """0:42, 3:00 — as a video player shows a length."""
    seconds = math.ceil(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


NOT_A_VIDEO = gettext_lazy(
    "This file is not a video we can read, or it is incomplete. Film the exercise with the "
    "camera, or choose an MP4, MOV or WebM video."
)


def _open(source):
    return av.open(source, "r", options=OPEN_OPTIONS, metadata_errors="ignore")


def _seconds(container, stream) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _last_timestamp(container) -> float:
    """How long a file without a stated length runs (a recording from a browser): the last
    packet's time, read without decoding anything."""
    latest = 0.0
    for packet in container.demux():
        if packet.pts is not None and packet.time_base is not None:
            latest = max(latest, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return latest


def _source_for_pyav(upload):
    """A file path when Django kept the upload on disk (PyAV reads it directly), else the
    file object."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return path()
    upload.seek(0)
    return upload


def validate_video_upload(upload) -> Probe:
    """Raise ValidationError with a message the uploader understands, or return the probe."""
    if upload.size > max_bytes():
        raise ValidationError(
            _("This video is %(size)s; the largest accepted is %(limit)s. Film a shorter clip."),
            code="video_too_large",
            params={"size": _megabytes(upload.size), "limit": _megabytes(max_bytes())},
        )
    try:
        probe = probe_video(_source_for_pyav(upload))
    finally:
        upload.seek(0)
    if probe.seconds > max_seconds() + 0.5:
        raise ValidationError(
            _(
                "This video lasts %(length)s; the longest accepted is %(limit)s. "
                "Film a shorter clip."
            ),
            code="video_too_long",
            params={"length": minutes_text(probe.seconds), "limit": minutes_text(max_seconds())},
        )
    return probe


def probe_video(source) -> Probe:
    """Open ``source`` with PyAV and decode its first picture (ValidationError if it is not
    a video we can read)."""
    try:
        with _open(source) as container:
            if not container.streams.video:
                raise ValidationError(NOT_A_VIDEO, code="not_a_video")
            stream = container.streams.video[0]
            seconds = _seconds(container, stream)
            first = next(container.decode(stream), None)
            if first is None:
                raise ValidationError(NOT_A_VIDEO, code="not_a_video")
            if seconds is None:
                container.seek(0)
                seconds = _last_timestamp(container)
    except ValidationError:
        raise
    except (av.FFmpegError, OSError, ValueError, StopIteration) as exc:
        raise ValidationError(NOT_A_VIDEO, code="not_a_video") from exc
    if not seconds or seconds <= 0:
        raise ValidationError(NOT_A_VIDEO, code="not_a_video")
    return Probe(seconds=seconds, width=first.width, height=first.height)


def output_size(width: int, height: int) -> tuple[int, int]:
    """Fit within 1280 × 720 (or 720 × 1280 upright), keeping the shape; even numbers, as
    H.264's colour format needs. Never upscaled."""
    long_edge, short_edge = max(width, height), min(width, height)
    scale = min(1.0, MAX_LONG_EDGE / long_edge, MAX_SHORT_EDGE / short_edge)
    return max(2, round(width * scale) // 2 * 2), max(2, round(height * scale) // 2 * 2)


def _upright_filters(rotation: float) -> list[tuple[str, str]]:
    """The filters that apply the camera's display matrix: ``rotation`` is the angle, counter-
    clockwise, by which the stored picture must be turned to be seen the right way up."""
    turn = round(rotation / 90) % 4
    return {
        0: [],
        1: [("transpose", "cclock")],
        2: [("hflip", ""), ("vflip", "")],
        3: [("transpose", "clock")],
    }[turn]


def _video_graph(stream, first_frame, size: tuple[int, int]):
    graph = av.filter.Graph()
    source = graph.add_buffer(template=stream)
    chain = [source]
    for name, args in _upright_filters(first_frame.rotation or 0):
        chain.append(graph.add(name, args))
    chain.append(graph.add("scale", f"{size[0]}:{size[1]}:flags=bicubic"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("buffersink"))
    for upstream, downstream in itertools.pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    return graph


def _pull_all(graph):
    frames = []
    while True:
        try:
            frames.append(graph.pull())
        except (av.BlockingIOError, av.EOFError):
            return frames


def _display_size(frame) -> tuple[int, int]:
    width, height = frame.width, frame.height
    aspect = frame.sample_aspect_ratio if hasattr(frame, "sample_aspect_ratio") else None
    if aspect and aspect > 0 and aspect != 1:
        width = round(width * aspect)
    if round((frame.rotation or 0) / 90) % 2:
        width, height = height, width
    return width, height


def _poster(frame) -> bytes:
    buffer = io.BytesIO()
    # Pillow writes no EXIF or comment unless given one.
    frame.to_image().convert("RGB").save(buffer, "JPEG", quality=POSTER_QUALITY, optimize=True)
    return buffer.getvalue()


def transcode(source, workdir) -> Transcoded:
    """Make the phone's MP4 and poster from ``source`` (a path or file object). Raises
    VideoError with a reason for the uploader. ``workdir`` is a directory for the output."""
    output_path = f"{workdir}/video.mp4"
    try:
        return _transcode(source, output_path)
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise VideoError(
            _(
                "The video file is damaged or incomplete, so it could not be prepared. "
                "Film it again."
            )
        ) from exc


def _transcode(source, output_path: str) -> Transcoded:
    with _open(source) as inp:
        if not inp.streams.video:
            raise VideoError(str(NOT_A_VIDEO))
        in_video = inp.streams.video[0]
        in_video.thread_type = "AUTO"
        in_audio = inp.streams.audio[0] if inp.streams.audio else None
        stated = _seconds(inp, in_video)
        limit = max_seconds() + 0.5
        # The first picture tells the size and which way up (the encoder needs the size
        # before anything is written); then back to the start.
        first = next(inp.decode(in_video), None)
        if first is None:
            raise VideoError(str(NOT_A_VIDEO))
        size = output_size(*_display_size(first))
        inp.seek(0)
        graph = _video_graph(in_video, first, size)
        poster_at = min(1.0, stated / 2) if stated else 0.0

        out = av.open(
            output_path,
            "w",
            format="mp4",
            # faststart: the index first, so a phone starts playing (and seeks) at once;
            # bitexact: no "encoder" tag of the muxer's own.
            options={"movflags": "+faststart", "fflags": "+bitexact"},
        )
        with out:
            rate = in_video.average_rate or in_video.guessed_rate or Fraction(30)
            rate = min(Fraction(rate), Fraction(60))
            out_video = out.add_stream("libx264", rate=rate)
            out_video.pix_fmt = "yuv420p"
            out_video.width, out_video.height = size
            out_video.codec_context.gop_size = max(1, round(float(rate) * 2))
            out_video.options = {"crf": VIDEO_CRF, "preset": "veryfast", "profile": "main"}
            out_video.codec_context.flags |= Flags.bitexact
            units = av.BitStreamFilterContext("filter_units=remove_types=6", out_video)
            out_audio = resampler = None
            if in_audio is not None:
                out_audio = out.add_stream("aac", rate=AUDIO_RATE)
                out_audio.bit_rate = AUDIO_BITRATE
                channels = min(2, in_audio.codec_context.channels or 1)
                out_audio.layout = "stereo" if channels == 2 else "mono"
                out_audio.codec_context.flags |= Flags.bitexact
                resampler = av.AudioResampler(
                    format="fltp", layout=out_audio.layout.name, rate=AUDIO_RATE, frame_size=1024
                )
            # Nothing of the source's tags, language or handler names is copied.
            for stream in out.streams:
                stream.metadata.clear()

            poster = None
            last_time = 0.0
            streams = [in_video] + ([in_audio] if in_audio is not None else [])
            for packet in inp.demux(*streams):
                for frame in packet.decode():
                    if frame.time is not None:
                        last_time = max(last_time, frame.time)
                        if frame.time > limit:
                            raise VideoError(
                                _("This video is longer than %(limit)s; film a shorter clip.")
                                % {"limit": minutes_text(max_seconds())}
                            )
                    if packet.stream is in_audio:
                        for resampled in resampler.resample(frame):
                            _mux(out, out_audio, resampled)
                        continue
                    graph.push(frame)
                    for upright in _pull_all(graph):
                        if poster is None and (upright.time or 0) >= poster_at:
                            poster = _poster(upright)
                        _mux(out, out_video, upright, units)
            graph.push(None)
            for upright in _pull_all(graph):
                poster = poster or _poster(upright)
                _mux(out, out_video, upright, units)
            _mux(out, out_video, None, units)
            if resampler is not None:
                for resampled in resampler.resample(None):
                    _mux(out, out_audio, resampled)
                _mux(out, out_audio, None)
    if stated and last_time < stated * INCOMPLETE_SHARE - 0.5:
        raise VideoError(
            _(
                "The video file is incomplete: it stops at %(stop)s of %(length)s. "
                "Film it again, or send the whole file."
            )
            % {"stop": minutes_text(last_time), "length": minutes_text(stated)}
        )
    return Transcoded(
        video_path=output_path,
        poster=poster,
        width=size[0],
        height=size[1],
        seconds=stated or last_time,
    )


def _mux(container, stream, frame, units=None) -> None:
    packets = stream.encode(frame)
    if units is not None:
        # x264 writes its name, version and every setting into the pictures (an SEI
        # message); the filter drops those messages, so the file says nothing about its
        # making either.
        packets = [out for packet in packets for out in units.filter(packet)]
        if frame is None:
            packets += units.filter(None)
    for packet in packets:
        packet.stream = stream
        container.mux(packet)
