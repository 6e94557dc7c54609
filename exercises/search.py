"""Finding exercises the way clinicians and patients say things.

Names alone miss what a clinician types between two appointments: "low back", "buttock",
"sciatica". ``SYNONYMS`` maps those plain words to the words the library itself uses (in
names and summaries) and to body regions; ``library_search`` expands a query with them and
filters by region, category, position and equipment, in one query whatever the library's
size.
"""

from django.db import models
from django.db.models import Q

from exercises.choices import BodyRegion, Category, Equipment, Position
from exercises.models import Exercise, FavouriteExercise

# Each group: the phrases that mean the same thing here, and the body regions they name.
# A query that contains any phrase of a group also finds every other phrase of it.
SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("low back", "lower back", "lumbar", "back pain", "spine", "lbp"), (BodyRegion.LUMBAR,)),
    (("buttock", "glute", "gluteal", "bottom", "bum", "piriformis"), ()),
    (("hip flexor", "front of the hip", "front of the back hip", "psoas", "iliopsoas"), ()),
    (("sciatica", "sciatic", "piriformis", "deep buttock", "buttock"), ()),
    (("groin", "inner thigh", "adductor"), ()),
    (("hamstring", "back of your thigh", "back of the thigh"), ()),
    (("outer hip", "abductor", "glute med", "gluteus medius"), ()),
    (("core", "abdominal", "abs", "tummy", "trunk"), (BodyRegion.CORE,)),
    (("pelvis", "pelvic", "tilt"), (BodyRegion.PELVIS,)),
    (("balance", "stability", "control"), ()),
)

FILTERS = {
    "region": ("body_region", BodyRegion),
    "category": ("category", Category),
    "position": ("position", Position),
    "equipment": ("equipment", Equipment),
}

RESULT_LIMIT = 30


def expand(query: str) -> tuple[set[str], set[str]]:
    """The phrases to look for and the body regions named, for one query."""
    query = " ".join(query.lower().split())
    phrases, regions = {query} if query else set(), set()
    for group, group_regions in SYNONYMS:
        if any(phrase in query for phrase in group):
            phrases.update(group)
            regions.update(group_regions)
    # A region, category or position typed by its label ("lumbar spine", "stretch").
    for field, vocabulary in (("body_region", BodyRegion), ("category", Category)):
        for value, label in vocabulary.choices:
            if len(query) >= 3 and query in label.lower():
                regions.add(f"{field}:{value}")
    return phrases, regions


def query_filter(query: str) -> Q:
    """The condition an exercise meets to be found by ``query`` (everything when empty)."""
    phrases, regions = expand(query)
    if not phrases:
        return Q()
    condition = Q()
    for phrase in phrases:
        condition |= Q(name__icontains=phrase) | Q(summary__icontains=phrase)
    # Every word somewhere in the name or summary: "hip stretch" finds "hip flexor stretch".
    words = query.lower().split()
    if len(words) > 1:
        every_word = Q()
        for word in words:
            every_word &= Q(name__icontains=word) | Q(summary__icontains=word)
        condition |= every_word
    for region in regions:
        field, _, value = region.rpartition(":")
        condition |= Q(**{field or "body_region": value})
    return condition


def library_search(*, user, query: str = "", filters: dict | None = None, limit=RESULT_LIMIT):
    """Published exercises found by ``query`` and the chosen filters, each annotated with
    ``is_favourite`` for ``user``, names that match first; precaution tags prefetched. Returns
    (a list of at most ``limit`` exercises, the number found)."""
    exercises = (
        Exercise.objects.published()
        .filter(query_filter(query))
        .filter(**clean_filters(filters or {}))
    )
    query = " ".join(query.lower().split())
    found = (
        exercises.annotate(
            is_favourite=favourite_exists(user),
            # Names that match first; with no words, every exercise alike.
            rank=models.Case(
                models.When(name__icontains=query, then=0),
                default=1,
                output_field=models.IntegerField(),
            )
            if query
            else models.Value(1),
            total=models.Window(models.Count("pk")),
        )
        .order_by("rank", "name")
        .prefetch_related("precaution_tags")[:limit]
    )
    found = list(found)
    return found, (found[0].total if found else 0)


def clean_filters(filters: dict) -> dict:
    """The known filters with a valid value, as field lookups; anything else is ignored."""
    lookups = {}
    for name, (field, vocabulary) in FILTERS.items():
        value = filters.get(name) or ""
        if value in vocabulary.values:
            lookups[field] = value
    return lookups


def favourite_exists(user) -> models.Exists:
    return models.Exists(
        FavouriteExercise.objects.filter(user=user.pk, exercise=models.OuterRef("pk"))
    )


def favourites(user, limit: int = 12) -> list[Exercise]:
    """The exercises ``user`` starred, newest star first (published ones only)."""
    return list(
        Exercise.objects.published()
        .filter(favourites__user=user.pk)
        .annotate(is_favourite=models.Value(True), starred_at=models.Max("favourites__created_at"))
        .order_by("-starred_at")
        .prefetch_related("precaution_tags")[:limit]
    )
