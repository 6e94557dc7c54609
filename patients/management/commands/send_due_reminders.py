import time

from django.core.management.base import BaseCommand, CommandError

from patients import reminders


class Command(BaseCommand):
    help = (
        "Send every reminder email due now (one pass, for cron), or queue them for the "
        "db_worker with --enqueue; --every N repeats the pass every N minutes. A reminder "
        "that fails is logged by patient id and the pass goes on; a single pass then exits "
        "with status 1."
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
            result = reminders.send_due_reminders(enqueue=enqueue)
            self.stdout.write(f"{'Queued' if enqueue else 'Sent'} {result.sent} reminder(s).")
            if result.failed:
                message = f"{result.failed} reminder(s) failed; the log names the patients' ids."
                if not every:
                    raise CommandError(message)
                # A long-running scheduler goes on: the next pass tries them again.
                self.stderr.write(message)
            if not every:
                return
            time.sleep(every * 60)
