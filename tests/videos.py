"""Real video files for the tests, made here with PyAV (its wheels carry FFmpeg): a test
pattern with a red band along the top of the stored picture (so a test can tell which way up
a video was turned), a tone, and whatever metadata a phone would write."""

import itertools

import av
import av.filter

# What a phone writes about where it was: ISO 6709, as iPhones and Android cameras do.
LOCATION = "+51.5074-000.1278+011.000/"


def _frames(spec: str, *, audio: bool):
    graph = av.filter.Graph()
    chain = [graph.add(*part) for part in spec]
    chain.append(graph.add("abuffersink" if audio else "buffersink"))
    for upstream, downstream in itertools.pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    while True:
        try:
            yield graph.pull()
        except (av.EOFError, av.BlockingIOError):
            return


def make_video(
    path,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 10,
    seconds: float = 3,
    rotation: int | None = None,
    location: str | None = None,
    audio: bool = True,
    faststart: bool = False,
) -> str:
    """Write an H.264 (+ AAC) MP4 test pattern to ``path`` and return it. ``rotation`` sets
    the display matrix (degrees counter-clockwise, as FFmpeg reads it: -90 is an upright
    phone's flag); ``location`` writes the GPS tags phones write, plus a title and a
    camera name."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as out:
        if location:
            out.metadata.update(
                {
                    "location": location,
                    "com.apple.quicktime.location.ISO6709": location,
                    "title": "Alice Ashby, knee, clinic room 2",
                    "comment": "Filmed at Riverside Physio",
                    "make": "Apple",
                    "model": "iPad (10th generation)",
                    "creation_time": "2026-11-29T10:00:00.000000Z",
                }
            )
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        video.metadata["handler_name"] = "Core Media Video"
        if rotation is not None:
            video.set_display_rotation(rotation)
        pattern = [
            ("testsrc", f"size={width}x{height}:rate={fps}:duration={seconds}"),
            ("drawbox", "x=0:y=0:w=iw:h=ih/4:color=red:t=fill"),
            ("format", "yuv420p"),
        ]
        if audio:
            sound = out.add_stream("aac", rate=44100)
            sound.layout = "mono"
            sound.metadata["handler_name"] = "Core Media Audio"
        for frame in _frames(pattern, audio=False):
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if audio:
            tone = [
                ("sine", f"frequency=440:sample_rate=44100:duration={seconds}"),
                ("aformat", "sample_fmts=fltp:channel_layouts=mono"),
            ]
            fifo = av.AudioFifo()
            for frame in _frames(tone, audio=True):
                frame.pts = None
                fifo.write(frame)
            while (frame := fifo.read(1024)) is not None:
                for packet in sound.encode(frame):
                    out.mux(packet)
            for packet in sound.encode():
                out.mux(packet)
    return str(path)
