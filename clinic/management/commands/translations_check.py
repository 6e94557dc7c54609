"""`manage.py translations_check`: fail when a shipped language is incomplete (CI runs it).

It reports every template text outside a translation tag, and every message of a shipped
language that is missing, fuzzy or not compiled; it exits with an error when it finds any.
`--compile` first compiles the catalogues with polib (no GNU gettext needed).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic import translations


class Command(BaseCommand):
    help = "Fail on untranslated template text or an incomplete shipped language."

    def add_arguments(self, parser):
        parser.add_argument("--compile", action="store_true", help="Compile .po to .mo first.")
        parser.add_argument("--templates-only", action="store_true", help="Check templates only.")

    def handle(self, *args, **options):
        locale_dir = settings.LOCALE_PATHS[0]
        if options["compile"]:
            for path in translations.compile_catalogues(locale_dir):
                self.stdout.write(f"compiled {path}")
        base_dir = settings.BASE_DIR
        problems = [
            str(found)
            for _folder, path in translations.project_templates(base_dir)
            for found in translations.untranslated_text(path, str(path.relative_to(base_dir)))
        ]
        if not options["templates_only"]:
            shipped = [
                code for code, _name in settings.LANGUAGES if code != settings.SOURCE_LANGUAGE_CODE
            ]
            problems += map(str, translations.catalogue_problems(locale_dir, shipped))
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} translation problem(s); `make messages` updates the catalogues."
            )
        self.stdout.write("All template text is translatable; every shipped language is complete.")
