from django.core.management.base import BaseCommand, CommandError

from patients import reminders


class Command(BaseCommand):
    help = (
        "Email each clinician their weekly summary (once a week; safe to run more often). "
        "One that fails is logged by user id, the others still go, and the command exits "
        "with status 1."
    )

    def handle(self, *args, **options):
        result = reminders.send_weekly_summaries()
        self.stdout.write(f"Sent {result.sent} weekly summar{'y' if result.sent == 1 else 'ies'}.")
        if result.failed:
            raise CommandError(
                f"{result.failed} weekly summar{'y' if result.failed == 1 else 'ies'} failed; "
                "the log names the users' ids."
            )
