"""Checks that keep every shipped language complete (run by `manage.py translations_check`).

Two questions, each answered without GNU gettext so they run on any machine:

* Which templates show text that no translation tag wraps? The template is read with
  Django's own lexer; translation tags and template variables are taken out, the rest is
  read as HTML, and any visible text or visible attribute (title, alt, placeholder,
  aria-label, a button's value) that still holds a letter is reported with its line.
* Which messages of a shipped language's catalogue are missing, fuzzy or not compiled?
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.template.base import DebugLexer, TokenType

# Attributes that a person sees or hears (a screen reader reads aria-label and alt).
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
# Words that are the same in every language: the product's name and units of code.
UNTRANSLATED_WORDS = {"Homeplan", "Homeplan:", "SMS", "PDF", "CSV", "ICS", "iCal", "URL", "OK", "×"}
# A template variable or tag stands for text that is translated where it is made; a space
# keeps the HTML around it readable (`<tr{% if urgent %} class="urgent"{% endif %}>`).
_PLACEHOLDER = " "
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Blocks whose text is not shown as it stands: translated as a whole, or a comment.
_SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
# A class name or an identifier placed by a block (`{% block body_class %}plan-page{% endblock %}`).
_IDENTIFIER = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
# Inside these elements the text is code, not words for people (an <svg> title or a
# <template> a script copies into the page is read, so both are checked).
_CODE_ELEMENTS = {"script", "style", "code", "pre"}


@dataclass(frozen=True)
class UntranslatedText:
    template: str
    line: int
    text: str

    def __str__(self):
        return f"{self.template}:{self.line}: {self.text!r}"


def _blank(raw):
    """A placeholder with the same line breaks as what it replaces."""
    return _PLACEHOLDER + "\n" * raw.count("\n")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._code_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _CODE_ELEMENTS:
            self._code_depth += 1
        is_button = tag == "input" and dict(attrs).get("type") in {"submit", "button", "reset"}
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES or (name == "value" and is_button):
                self._note(value or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _CODE_ELEMENTS:
            self._code_depth -= 1

    def handle_endtag(self, tag):
        if tag in _CODE_ELEMENTS and self._code_depth:
            self._code_depth -= 1

    def handle_data(self, data):
        if not self._code_depth:
            self._note(data)

    def _note(self, text):
        words = _words(text)
        if words:
            self.found.append((self.getpos()[0], " ".join(words)))


def _words(text):
    """The words of a text that a translator would have to translate."""
    words = [
        word
        for word in text.split()
        if word not in UNTRANSLATED_WORDS and not _IDENTIFIER.match(word)
    ]
    return words if any(_LETTER.search(word) for word in words) else []


def untranslated_text(template_path, name=None):
    """The visible text in one template that no translation tag wraps."""
    source = Path(template_path).read_text(encoding="utf-8")
    stripped = _without_translated_parts(source)
    name = name or str(template_path)
    if Path(template_path).suffix == ".txt":
        return [
            UntranslatedText(name, number, " ".join(_words(line)))
            for number, line in enumerate(stripped.splitlines(), start=1)
            if _words(line)
        ]
    parser = _VisibleText()
    parser.feed(stripped)
    parser.close()
    return [UntranslatedText(name, line, text) for line, text in parser.found]


def _without_translated_parts(source):
    """The template with every tag, variable, comment and translated block made a placeholder.

    Django's lexer gives each token its position in the source; the raw text is sliced from
    there, so line breaks are kept and the lines of what remains are the template's lines.
    """
    parts = []
    inside_block = None
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            if inside_block:
                if name == inside_block:
                    inside_block = None
            elif name in _SKIPPED_BLOCKS:
                inside_block = _SKIPPED_BLOCKS[name]
            parts.append(_blank(raw))
        elif token.token_type == TokenType.TEXT and not inside_block:
            parts.append(raw)
        elif parts and parts[-1].endswith(("<", "</")):
            # A tag whose name is a variable (`<{{ heading }} class="h5">`) stays a tag.
            parts.append("x" + _blank(raw)[1:])
        else:
            parts.append(_blank(raw))
    return "".join(parts)


def project_templates(base_dir):
    """Every template of ours: the project's templates folder and each app's."""
    base_dir = Path(base_dir)
    folders = [base_dir / "templates", *sorted(base_dir.glob("*/templates"))]
    for folder in folders:
        if ".venv" in folder.parts:
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".html", ".txt"} and path.is_file():
                yield folder, path


@dataclass(frozen=True)
class CatalogueProblem:
    language: str
    problem: str
    message: str

    def __str__(self):
        return f"{self.language}: {self.problem}: {self.message!r}"


def catalogue_problems(locale_dir, languages, domains=("django", "djangojs")):
    """Missing, fuzzy or uncompiled messages in each language's catalogues."""
    problems = []
    for language in languages:
        folder = Path(locale_dir) / language.replace("-", "_") / "LC_MESSAGES"
        for domain in domains:
            po_path, mo_path = folder / f"{domain}.po", folder / f"{domain}.mo"
            if not po_path.exists():
                problems.append(CatalogueProblem(language, "no catalogue", str(po_path)))
                continue
            catalogue = polib.pofile(str(po_path))
            for entry in catalogue:
                if entry.obsolete:
                    continue
                if entry.fuzzy:
                    problems.append(CatalogueProblem(language, "fuzzy", entry.msgid))
                elif not entry.translated():
                    problems.append(CatalogueProblem(language, "missing", entry.msgid))
            compiled = polib.mofile(str(mo_path)) if mo_path.exists() else None
            if compiled is None or _compiled(catalogue) != _compiled(compiled):
                problems.append(CatalogueProblem(language, "not compiled", str(mo_path)))
    return problems


def _compiled(catalogue):
    """What a catalogue gives at run time: its translated, non-fuzzy messages (a .mo holds
    only those, plus the header, which has an empty msgid)."""
    if isinstance(catalogue, polib.POFile):
        entries = [entry for entry in catalogue.translated_entries() if not entry.obsolete]
    else:
        entries = [entry for entry in catalogue if entry.msgid]
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            entry.msgstr,
            tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items())),
        )
        for entry in entries
    }


def compile_catalogues(locale_dir):
    """Compile every .po under locale_dir to its .mo with polib (no GNU gettext needed)."""
    compiled = []
    for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled.append(mo_path)
    return compiled
