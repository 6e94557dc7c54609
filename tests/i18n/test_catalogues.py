"""The checks that keep every shipped language complete (manage.py translations_check, which
CI runs in `make lint`): visible template text outside translation tags, and missing, fuzzy
or uncompiled messages."""

import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from clinic.translations import catalogue_problems, compile_catalogues, untranslated_text

SPANISH_CATALOGUE = settings.LOCALE_PATHS[0] / "es" / "LC_MESSAGES" / "django.po"


def found_in(tmp_path, source, suffix=".html"):
    template = tmp_path / f"page{suffix}"
    template.write_text(source, encoding="utf-8")
    return [found.text for found in untranslated_text(template, template.name)]


def test_visible_text_outside_a_translation_tag_is_found_with_its_line(tmp_path):
    template = tmp_path / "page.html"
    template.write_text('{% load i18n %}\n<h1>{% translate "Today" %}</h1>\n<p>Mark done</p>\n')

    (found,) = untranslated_text(template, "page.html")

    assert (found.line, found.text) == (3, "Mark done")


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Mark done" %}</p>',
        "{% load i18n %}<p>{% blocktranslate trimmed with n=count %}Set {{ n }} of 3"
        "{% endblocktranslate %}</p>",
        "{% comment %}Notes for developers, not shown.{% endcomment %}<p>{{ exercise.name }}</p>",
        "<script>const label = 'code, not words';</script><style>p::after{content:'x'}</style>",
        '<body class="{% block body_class %}plan-page{% endblock %}"><p>12 · 3/10 ✓</p></body>',
        '<{{ heading }} class="h5" id="{{ box_id }}-title">{{ title }}</{{ heading }}>',
        "<p>Homeplan</p>",
    ],
)
def test_translated_text_variables_code_and_symbols_pass(tmp_path, source):
    assert found_in(tmp_path, source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<img src="x.png" alt="A bridge">', ["A bridge"]),
        ('<input type="text" placeholder="Your email">', ["Your email"]),
        ('<button aria-label="Close">×</button>', ["Close"]),
        ('<input type="submit" value="Save">', ["Save"]),
        ('<a href="{{ url }}" title="Open the plan">{{ name }}</a>', ["Open the plan"]),
    ],
)
def test_text_in_visible_attributes_is_found(tmp_path, source, expected):
    assert found_in(tmp_path, source) == expected


def test_plain_text_emails_are_checked_line_by_line(tmp_path):
    source = '{% load i18n %}{% translate "Hello," %}\n\nYour plan is waiting.\n{{ url }}\n'
    assert found_in(tmp_path, source, suffix=".txt") == ["Your plan is waiting."]


def some_entry(catalogue):
    """A translated message of the catalogue, without plural forms."""
    return next(entry for entry in catalogue if entry.msgstr and not entry.msgid_plural)


@pytest.fixture
def locale_copy(tmp_path):
    copy = tmp_path / "locale"
    shutil.copytree(settings.LOCALE_PATHS[0], copy)
    return copy


def test_the_shipped_catalogues_are_complete_and_compiled():
    shipped = [code for code, _name in settings.LANGUAGES if code != settings.SOURCE_LANGUAGE_CODE]
    assert shipped, "at least one language besides the source"
    assert catalogue_problems(settings.LOCALE_PATHS[0], shipped) == []


def test_a_removed_translation_is_reported_until_it_is_translated_again(locale_copy):
    po_path = locale_copy / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    entry = some_entry(catalogue)
    kept = entry.msgstr
    entry.msgstr = ""
    catalogue.save()
    compile_catalogues(locale_copy)

    assert [(p.problem, p.message) for p in catalogue_problems(locale_copy, ["es"])] == [
        ("missing", entry.msgid)
    ]

    entry.msgstr = kept
    catalogue.save()
    compile_catalogues(locale_copy)
    assert catalogue_problems(locale_copy, ["es"]) == []


def test_a_fuzzy_translation_is_reported(locale_copy):
    po_path = locale_copy / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    entry = some_entry(catalogue)
    entry.flags.append("fuzzy")
    catalogue.save()
    compile_catalogues(locale_copy)

    assert [(p.problem, p.message) for p in catalogue_problems(locale_copy, ["es"])] == [
        ("fuzzy", entry.msgid)
    ]


def test_a_catalogue_changed_but_not_compiled_is_reported(locale_copy):
    po_path = locale_copy / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    some_entry(catalogue).msgstr = "Otra traducción"
    catalogue.save()

    problems = catalogue_problems(locale_copy, ["es"])

    assert [p.problem for p in problems] == ["not compiled"]


def test_the_command_fails_ci_on_an_incomplete_language(locale_copy, settings):
    po_path = locale_copy / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    some_entry(catalogue).msgstr = ""
    catalogue.save()
    settings.LOCALE_PATHS = [locale_copy]

    with pytest.raises(CommandError, match="translation problem"):
        call_command("translations_check", "--compile")


def test_the_project_passes_its_own_check():
    call_command("translations_check")
