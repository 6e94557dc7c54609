import time

from django.core.management.base import BaseCommand

from patients import reminders


class Command(BaseCommand):
    help = (
        "Send every reminder email due now (one pass, for cron), or queue them for the "
        "db_worker with --enqueue; --every N repeats the pass every N minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the emails as tasks for `manage.py db_worker` instead of sending here",
        )
        parser.add_argument(
            "--every", type=int, default=0, help="repeat every N minutes (a long-running process)"
        )

    def handle(self, *args, enqueue: bool, every: int, **options):
        while True:
            count = reminders.send_due_reminders(enqueue=enqueue)
            self.stdout.write(f"{'Queued' if enqueue else 'Sent'} {count} reminder(s).")
            if not every:
                return
            time.sleep(every * 60)
