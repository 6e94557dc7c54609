from django.core.management.base import BaseCommand

from exercises import services
from exercises.library import load_shipped_library


class Command(BaseCommand):
    help = (
        "Create or update the shipped hip-mobility library (idempotent). Never touches the "
        "clinic's own exercises or shipped exercises edited here."
    )

    def handle(self, *args, **options):
        report = services.library_load(entries=load_shipped_library())
        self.stdout.write(self.style.SUCCESS(f"Exercise library: {report.summary()}."))
