import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backup


class Command(BaseCommand):
    help = (
        "Replace every row and media file with the contents of a backup archive made by "
        "`backup`. Run `migrate` first (same Homeplan version). See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the data without asking (needed when not run from a terminal).",
        )

    def handle(self, *args, archive, yes, **options):
        interactive = bool(getattr(sys.stdin, "isatty", lambda: False)())
        if not yes and not interactive:
            raise CommandError(
                "restore replaces all data in this database and media storage; "
                "pass --yes to confirm. Nothing was changed."
            )
        try:
            manifest = backup.backup_verify(archive)
            backup.migrations_check(manifest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        files = len(manifest["media"]["files"])
        if not yes:
            answer = input(
                f"This replaces ALL data here with the backup made {manifest['created_at']} "
                f"({rows} rows, {files} media files). Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled. Nothing was changed.")
        try:
            summary = backup.backup_restore(path=archive, manifest=manifest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {summary.rows} rows and {summary.files} media files "
            f"({summary.bytes} bytes) from the backup made {manifest['created_at']}. "
            "Everyone must sign in again."
        )
