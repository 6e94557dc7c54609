from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from patients import demo


class Command(BaseCommand):
    help = "Create the demo accounts and data (idempotent). Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password and refuses to run "
                "when DEBUG is off (DJANGO_DEBUG=0)."
            )
        usernames, library = demo.seed_demo()
        self.stdout.write(f"Exercise library: {library}.")
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Log in at /accounts/login/ with:")
        )
        for username in usernames:
            self.stdout.write(f"  {username:<18} password: {demo.DEMO_PASSWORD}")
