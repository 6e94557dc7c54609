from pathlib import Path

from django.core.management.base import BaseCommand

from exercises import illustration
from exercises.library import load_shipped_library


class Command(BaseCommand):
    help = "Draw every shipped illustration onto one contact sheet (PNG) for review."

    def add_arguments(self, parser):
        parser.add_argument("--sheet", required=True, type=Path, help="PNG file to write")
        parser.add_argument(
            "--which", choices=("start", "end"), default="start", help="which pose to draw"
        )
        parser.add_argument("--columns", type=int, default=4)

    def handle(self, *args, sheet: Path, which: str, columns: int, **options):
        entries = load_shipped_library()
        drawings = [
            (entry["name"], illustration.render_pose_image(entry["illustration"], which=which))
            for entry in entries
        ]
        illustration.render_contact_sheet(drawings, columns=columns).save(sheet)
        self.stdout.write(f"Wrote {len(drawings)} {which} illustrations to {sheet}.")
