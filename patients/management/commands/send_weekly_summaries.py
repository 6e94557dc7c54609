from django.core.management.base import BaseCommand

from patients import reminders


class Command(BaseCommand):
    help = "Email each clinician their weekly summary (once a week; safe to run more often)."

    def handle(self, *args, **options):
        count = reminders.send_weekly_summaries()
        self.stdout.write(f"Sent {count} weekly summar{'y' if count == 1 else 'ies'}.")
