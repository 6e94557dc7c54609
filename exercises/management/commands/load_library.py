from django.core.management.base import BaseCommand

from exercises import services
from exercises.library import load_shipped_library
from exercises.library.education import load_shipped_education


class Command(BaseCommand):
    help = (
        "Create or update the shipped hip-mobility library, education pages and their "
        "translations (idempotent). "
        "Never touches the clinic's own exercises and pages, or shipped ones edited here."
    )

    def handle(self, *args, **options):
        report = services.library_load(entries=load_shipped_library())
        self.stdout.write(self.style.SUCCESS(f"Exercise library: {report.summary()}."))
        pages = services.education_load(entries=load_shipped_education())
        self.stdout.write(self.style.SUCCESS(f"Education pages: {pages.summary()}."))
        for language, translated in services.shipped_translations_load().items():
            self.stdout.write(
                self.style.SUCCESS(f"Translations ({language}): {translated.summary()}.")
            )
