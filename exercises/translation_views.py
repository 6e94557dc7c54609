"""The admin's translations pages, for content editors: what each language lacks, and one
item translated side by side with its English.

``/admin/exercises/exercise/translations/`` lists, per shipped language, the exercises,
education pages, precaution tags and the safety advice with what they lack (a text never
translated, or translated from an older English); each links to
``.../translations/<kind>/<id>/<language>/``, the English on the left and the translation on
the right. Served inside the admin (``ExerciseAdmin.get_urls``), for whoever may change the
library.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exercises import services
from exercises.forms import TranslationForm, field_label
from exercises.models import (
    EducationPage,
    EducationPageVersion,
    Exercise,
    PrecautionTag,
    SafetyAdvice,
)

KINDS = {
    "exercise": (Exercise, gettext_lazy("Exercises")),
    "page": (EducationPage, gettext_lazy("Education pages: titles and summaries")),
    "text": (EducationPageVersion, gettext_lazy("Education pages: texts")),
    "tag": (PrecautionTag, gettext_lazy("Precaution tags")),
    "safety": (SafetyAdvice, gettext_lazy("Safety advice")),
}


def translated_languages() -> list[dict]:
    """The shipped languages besides the English, with their names."""
    return [
        {"code": code, **get_language_info(code)}
        for code, _name in settings.LANGUAGES
        if code != settings.SOURCE_LANGUAGE_CODE
    ]


def _items(kind: str) -> list:
    """What there is to translate of one kind: the library in use, the newest text of each
    education page, and the safety advice patients see now."""
    if kind == "exercise":
        return list(Exercise.objects.exclude(status=Exercise.Status.ARCHIVED).order_by("name"))
    if kind == "page":
        return list(EducationPage.objects.filter(archived=False))
    if kind == "text":
        newest = {}
        versions = EducationPageVersion.objects.select_related("page").filter(page__archived=False)
        for version in versions.order_by("page_id", "-pk"):
            newest.setdefault(version.page_id, version)
        return sorted(newest.values(), key=lambda version: (version.page.order, version.page.title))
    if kind == "tag":
        return list(PrecautionTag.objects.all())
    advice = SafetyAdvice.objects.first()
    return [advice] if advice else []


@dataclass
class Missing:
    kind: str
    item: object
    fields: list[str]
    outdated: list[str]

    @property
    def label(self) -> str:
        if self.kind == "text":
            return str(self.item.page)
        if self.kind == "safety":
            return _("When to stop and get help")
        return str(self.item)

    @property
    def field_labels(self) -> list[tuple[str, bool]]:
        """(the field's name as editors know it, whether its English changed since)."""
        model = type(self.item)
        return [(field_label(model, field), field in self.outdated) for field in self.fields]


def _require_editor(request):
    if not request.user.has_perm("exercises.change_exercise"):
        raise PermissionDenied


@require_GET
def overview(request, admin_site):
    """`.../translations/`: per language, how much is translated and what is missing."""
    _require_editor(request)
    items = {kind: _items(kind) for kind in KINDS}
    languages = []
    for language in translated_languages():
        code = language["code"]
        rows, missing = [], []
        for kind, (_model, title) in KINDS.items():
            complete = 0
            for item in items[kind]:
                lacks = item.missing_translations(code)
                if lacks:
                    missing.append(Missing(kind, item, lacks, item.outdated_translations(code)))
                else:
                    complete += 1
            rows.append({"title": title, "complete": complete, "total": len(items[kind])})
        languages.append({**language, "rows": rows, "missing": missing})
    context = {
        **admin_site.each_context(request),
        "title": _("Translations"),
        "languages": languages,
    }
    return render(request, "admin/exercises/translations.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, admin_site, kind, item_id, language):
    """`.../translations/<kind>/<id>/<language>/`: one item, its English beside each box."""
    _require_editor(request)
    if kind not in KINDS or language not in {item["code"] for item in translated_languages()}:
        raise Http404("No such translation.")
    model, title = KINDS[kind]
    item = model.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    form = TranslationForm(
        request.POST if request.method == "POST" else None, item=item, language=language
    )
    if request.method == "POST" and form.is_valid():
        services.content_translation_save(
            obj=item, language=language, texts=form.cleaned_data, changed_by=request.user
        )
        messages.success(request, _("The translation is saved."))
        return redirect(reverse("admin:exercises_translations") + f"#language-{language}")
    context = {
        **admin_site.each_context(request),
        "title": _("Translate: %(item)s") % {"item": item.page if kind == "text" else item},
        "kind_title": title,
        "item": item,
        "form": form,
        "language": get_language_info(language),
        "source": get_language_info(settings.SOURCE_LANGUAGE_CODE),
    }
    return render(
        request, "admin/exercises/translate.html", context, status=400 if form.errors else 200
    )
