from django.conf import settings
from django.core.management.base import BaseCommand

from exercises import services
from exercises.library import load_shipped_library
from exercises.library.education import load_shipped_education
from exercises.library.translated import load_shipped_translations, shipped_languages


class Command(BaseCommand):
    help = (
        "Create or update the shipped hip-mobility library and education pages (idempotent). "
        "Never touches the clinic's own exercises and pages, or shipped ones edited here."
    )

    def handle(self, *args, **options):
        report = services.library_load(entries=load_shipped_library())
        self.stdout.write(self.style.SUCCESS(f"Exercise library: {report.summary()}."))
        pages = services.education_load(entries=load_shipped_education())
        self.stdout.write(self.style.SUCCESS(f"Education pages: {pages.summary()}."))
        # The shipped translations of every language this site offers.
        offered = {code for code, _name in settings.LANGUAGES}
        for language in shipped_languages():
            if language not in offered:
                continue
            translated = services.translations_load(
                language=language, shipped=load_shipped_translations(language)
            )
            self.stdout.write(
                self.style.SUCCESS(f"Translations ({language}): {translated.summary()}.")
            )
