from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises import animation, illustration
from exercises.library import load_shipped_library

# PNGs of flat drawings need few colours; a palette keeps the sheets kept in the repo small.
SHEET_COLOURS = 96


def _save(image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(SHEET_COLOURS).save(path, optimize=True)


class Command(BaseCommand):
    help = (
        "Draw every shipped exercise onto contact sheets for review: the still pictures "
        "(--sheet) and a strip of frames from each animation (--frames). The sheets kept in "
        "docs/library/ are made with: render_library --which both "
        "--sheet docs/library/contact-sheet-stills.png --frames docs/library/animation-frames.png"
    )

    def add_arguments(self, parser):
        parser.add_argument("--sheet", type=Path, help="PNG file for the still pictures")
        parser.add_argument(
            "--which",
            choices=("start", "end", "both"),
            default="start",
            help="which still to draw: the start, the end, or both side by side",
        )
        parser.add_argument("--columns", type=int, default=4)
        parser.add_argument("--frames", type=Path, help="PNG file for the animation frames")

    def handle(self, *args, sheet: Path, which: str, columns: int, frames: Path, **options):
        if sheet is None and frames is None:
            raise CommandError("Give --sheet, --frames or both.")
        entries = load_shipped_library()
        if sheet is not None:
            drawings = []
            for entry in entries:
                start, end = illustration.render_stills(entry["illustration"], size=(600, 400))
                if which in ("start", "both"):
                    drawings.append((entry["name"], start))
                if which in ("end", "both"):
                    drawings.append((f"{entry['name']}: end", end))
            _save(illustration.render_contact_sheet(drawings, columns=columns), sheet)
            self.stdout.write(f"Wrote {len(drawings)} {which} illustrations to {sheet}.")
        if frames is not None:
            strips = [
                (
                    entry["name"],
                    animation.render_frame_strip(
                        entry["illustration"], holds=bool(entry.get("hold_seconds"))
                    ),
                )
                for entry in entries
            ]
            _save(animation.frame_strip_sheet(strips), frames)
            self.stdout.write(f"Wrote {len(strips)} animation frame strips to {frames}.")
