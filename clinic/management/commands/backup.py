from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database and every media file. It holds "
        "health data: keep it encrypted. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="The archive's path, or a directory for the default name "
            "homeplan-backup-YYYYMMDD-HHMMSS.tar.gz (UTC). Default: the current directory.",
        )

    def handle(self, *args, output, **options):
        try:
            summary = backup.backup_create(output=output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup written to {summary.path}: {summary.rows} rows, "
            f"{summary.files} media files, {summary.bytes} bytes."
        )
