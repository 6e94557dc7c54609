from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from audit import services


class Command(BaseCommand):
    help = (
        "Delete audit events older than the retention period (HOMEPLAN_AUDIT_RETENTION_YEARS, "
        "6 by default), in batches, and record the deletion as one event. Run it on a "
        "schedule (daily or monthly); docs/deploy.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="events deleted per transaction"
        )

    def handle(self, *args, batch_size: int, **options):
        years = settings.AUDIT_RETENTION_YEARS
        cutoff = services.retention_cutoff(timezone.now(), years)
        deleted = services.events_prune(older_than=cutoff, batch_size=max(1, batch_size))
        self.stdout.write(
            f"Deleted {deleted} audit event(s) from before {cutoff:%Y-%m-%d} "
            f"(kept for {years} years)."
        )
