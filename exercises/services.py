"""Writes to the library: saving exercises with their pictures, status changes, deletion,
loading the shipped hip-mobility library, and education pages (versions, the shipped ones)."""

import functools
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import PIL
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from exercises import animation, illustration, images, video_services
from exercises.library.translated import load_shipped_translations, shipped_languages
from exercises.models import (
    EducationPage,
    EducationPageVersion,
    Exercise,
    FavouriteExercise,
    PrecautionTag,
    Program,
    ProgramItem,
    SafetyAdvice,
)
from exercises.signals import education_changed_send, library_changed_send

IMAGE_SLOTS = {
    # slot: (original field, thumbnail field, medium field, file stem)
    "start": ("image", "image_thumbnail", "image_medium", "start"),
    "end": ("end_image", "end_image_thumbnail", "end_image_medium", "end"),
}


def _delete_files_after_commit(storage, names: list[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def exercise_image_set(
    *, exercise: Exercise, slot: str, source, processed=None, announce: bool = True
) -> None:
    """Store ``source`` (a validated picture, or None to remove) as the start or end image.

    Writes the cleaned original and both renditions; the files it replaces are deleted once
    the transaction commits, so a failed save never leaves an exercise without its files.
    ``processed``: renditions this process already made from the same picture (the shipped
    drawings, see ``_library_drawings``) instead of ``source``. ``announce=False`` leaves
    ``library_changed`` to a caller that changes many exercises and sends it once.
    """
    original_field, thumbnail_field, medium_field, stem = IMAGE_SLOTS[slot]
    storage = getattr(exercise, original_field).storage
    old_names = [getattr(exercise, name).name for name in IMAGE_SLOTS[slot][:3]]
    if source is None and processed is None:
        for name in IMAGE_SLOTS[slot][:3]:
            setattr(exercise, name, "")
    else:
        if processed is None:
            # Drawn illustrations pass the same checks as uploads: one pipeline for every
            # picture.
            images.validate_image_upload(source)
            processed = images.process_image(source, stem=stem)
        for name, content in zip(
            (original_field, thumbnail_field, medium_field),
            (processed.original, processed.thumbnail, processed.medium),
            strict=True,
        ):
            getattr(exercise, name).save(content.name, content, save=False)
        new_names = {getattr(exercise, name).name for name in IMAGE_SLOTS[slot][:3]}
        old_names = [name for name in old_names if name not in new_names]
    exercise.save()
    if announce:
        library_changed_send([exercise.pk])
    _delete_files_after_commit(storage, old_names)


def exercise_animation_set(
    *, exercise: Exercise, data: bytes | None, announce: bool = True
) -> None:
    """Store the exercise's animation (an animated WebP we drew, or None to remove it).

    Like a picture's renditions, it is named by its content, so a redrawn animation gets a new
    URL that phones can cache forever; the file it replaces goes once the save commits.
    """
    old_name = exercise.animation.name
    if data is None:
        exercise.animation = ""
        exercise.animation_width = exercise.animation_height = None
    else:
        name = f"animation-{hashlib.sha256(data).hexdigest()[:12]}.webp"
        if old_name.rsplit("/", 1)[-1] == name:
            return  # the same drawing: its file, and every phone's cached copy, stay
        exercise.animation.save(name, ContentFile(data), save=False)
        # Stored here, not left to Django: it reads the size from the file it has just
        # written (read to its end, so no size), and then from storage on every load of the
        # row, one file opened per exercise on every page that lists them.
        with Image.open(io.BytesIO(data)) as moving:
            exercise.animation_width, exercise.animation_height = moving.size
    exercise.save()
    if announce:
        library_changed_send([exercise.pk])
    if old_name and old_name != exercise.animation.name:
        _delete_files_after_commit(exercise.animation.storage, [old_name])


@transaction.atomic
def exercise_save(
    *,
    exercise: Exercise,
    start_image=None,
    end_image=None,
    remove_start_image: bool = False,
    remove_end_image: bool = False,
    video=None,
    remove_video: bool = False,
    edited_by_editor: bool = False,
) -> Exercise:
    """Save an exercise from the admin, with any new or removed pictures.

    A shipped exercise changed here is marked ``edited_locally`` so that ``load_library``
    keeps the clinic's version.
    """
    if not exercise.slug:
        exercise.slug = slugify(exercise.name)[:140]
    if edited_by_editor and exercise.is_shipped:
        exercise.edited_locally = True
    exercise.save()
    for slot, upload, remove in (
        ("start", start_image, remove_start_image),
        ("end", end_image, remove_end_image),
    ):
        if upload is not None:
            exercise_image_set(exercise=exercise, slot=slot, source=upload)
        elif remove:
            exercise_image_set(exercise=exercise, slot=slot, source=None)
    # A new video is kept and queued for the worker (exercises/video_services.py).
    if video is not None:
        video_services.exercise_video_attach(exercise=exercise, upload=video)
    elif remove_video:
        video_services.exercise_video_remove(exercise=exercise)
    library_changed_send([exercise.pk])
    return exercise


def exercise_set_status(*, exercises, status: str) -> int:
    """Publish or archive exercises; archived ones stay in existing plans. Returns the count."""
    ids = list(exercises.exclude(status=status).values_list("pk", flat=True))
    count = Exercise.objects.filter(pk__in=ids).update(status=status)
    library_changed_send(ids)
    return count


@transaction.atomic
def exercise_delete(*, exercise: Exercise) -> None:
    """Delete an exercise nobody uses, with its files (raises ProtectedError if in use)."""
    names = [getattr(exercise, name).name for slot in IMAGE_SLOTS.values() for name in slot[:3]]
    names += [exercise.video.name, exercise.video_poster.name, exercise.animation.name]
    storage = exercise.image.storage
    library_changed_send([exercise.pk])
    exercise.delete()
    _delete_files_after_commit(storage, names)
    _delete_files_after_commit(exercise.video_original.storage, [exercise.video_original.name])


@transaction.atomic
def program_duplicate(*, program: Program, owner) -> Program:
    """Copy a template with its items, owned by ``owner`` (None for clinic-wide)."""
    name, number = _("%(name)s (copy)") % {"name": program.name}, 2
    while Program.objects.filter(name=name).exists():
        name = _("%(name)s (copy %(number)s)") % {"name": program.name, "number": number}
        number += 1
    copy = Program.objects.create(name=name, description=program.description, owner=owner)
    items = list(program.items.all())
    for item in items:
        item.pk = None
        item.program = copy
    ProgramItem.objects.bulk_create(items)
    return copy


def favourite_set(*, user, exercise: Exercise, starred: bool) -> bool:
    """Star or unstar an exercise for one clinician; repeating it changes nothing (a double
    tap, or two open tabs). Returns whether it is starred now."""
    if starred:
        FavouriteExercise.objects.get_or_create(user=user, exercise=exercise)
    else:
        FavouriteExercise.objects.filter(user=user, exercise=exercise).delete()
    return starred


@transaction.atomic
def program_create_from_items(*, name: str, owner, items: list[ProgramItem]) -> Program:
    """A clinician's own template from a plan they built (unsaved items, in order)."""
    program = Program(name=name, owner=owner)
    program.full_clean()
    program.save()
    for order, item in enumerate(items, start=1):
        item.pk, item.program, item.order = None, program, order
    ProgramItem.objects.bulk_create(items)
    return program


# --- The shipped library ------------------------------------------------------------------


@dataclass
class LibraryReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_local_edits)} kept as edited here"
        )
        if self.conflicts:
            text += f", {len(self.conflicts)} skipped: " + "; ".join(
                f"{key}: {reason}" for key, reason in self.conflicts.items()
            )
        return text


def _checksum(entry: dict) -> str:
    # The drawing code's version is part of it, so a better renderer redraws every picture.
    data = {"entry": entry, "renderer": illustration.RENDERER_VERSION}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Renditions:
    """A drawing's stored files as bytes (a ``ProcessedImage`` made once, kept to reuse)."""

    files: tuple[tuple[str, bytes], ...]  # (name, content): original, thumbnail, medium

    @classmethod
    def of(cls, processed: images.ProcessedImage) -> "Renditions":
        files = (processed.original, processed.thumbnail, processed.medium)
        return cls(files=tuple((file.name, file.read()) for file in files))

    def processed(self) -> images.ProcessedImage:
        """Fresh file objects each time: a stored ContentFile has been read to its end."""
        return images.ProcessedImage(
            *(ContentFile(content, name=name) for name, content in self.files)
        )


@dataclass(frozen=True)
class LibraryDrawings:
    start: Renditions
    end: Renditions
    animation: bytes  # animated WebP


def _renditions(image, stem: str) -> Renditions:
    source = ContentFile(_png_bytes(image), name="illustration.png")
    # Drawn illustrations pass the same checks as uploads: one pipeline for every picture.
    images.validate_image_upload(source)
    return Renditions.of(images.process_image(source, stem=stem))


@functools.cache
def _renderer_fingerprint() -> str:
    """The drawing code and Pillow's version: kept drawings made by any other are not used."""
    digest = hashlib.sha256(PIL.__version__.encode())
    for module in (illustration, animation, images):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _kept_drawings_path(pose_table_json: str, holds: bool) -> Path | None:
    if not settings.LIBRARY_DRAWINGS_DIR:
        return None
    key = hashlib.sha256(f"{_renderer_fingerprint()}|{holds}|{pose_table_json}".encode())
    return Path(settings.LIBRARY_DRAWINGS_DIR) / f"{key.hexdigest()}.zip"


def _kept_drawings_read(path: Path) -> LibraryDrawings | None:
    """A zip of ``animation.webp`` and the start and end renditions, in their order."""
    try:
        with zipfile.ZipFile(path) as archive:
            slots = {"start": [], "end": []}
            for name in archive.namelist():
                slot, _, file_name = name.partition("/")
                if slot in slots:
                    slots[slot].append((file_name, archive.read(name)))
            return LibraryDrawings(
                start=Renditions(files=tuple(slots["start"])),
                end=Renditions(files=tuple(slots["end"])),
                animation=archive.read("animation.webp"),
            )
    except (OSError, KeyError, zipfile.BadZipFile):
        return None  # not kept yet (or half written by a process that died): draw it


def _kept_drawings_write(path: Path, drawings: LibraryDrawings) -> None:
    """Written beside its place and renamed into it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        for slot, renditions in (("start", drawings.start), ("end", drawings.end)):
            for name, content in renditions.files:
                archive.writestr(f"{slot}/{name}", content)
        archive.writestr("animation.webp", drawings.animation)
    os.replace(temporary, path)


@functools.lru_cache(maxsize=64)
def _library_drawings(pose_table_json: str, holds: bool) -> LibraryDrawings:
    """The start and end drawings (with their renditions) and the animation of one
    exercise's pose table.

    They depend on nothing but the pose table, whether the exercise holds its end position,
    and the renderer, and take about half a second of CPU (bench/README.md); a process that
    loads the library more than once (the test suite, a seed after a reset) makes each
    exercise's files once. 43 exercises keep about 5 MB here, and as much in
    ``LIBRARY_DRAWINGS_DIR`` when it is set, for the processes after this one.
    """
    kept = _kept_drawings_path(pose_table_json, holds)
    if kept is not None and (drawings := _kept_drawings_read(kept)) is not None:
        return drawings
    table = json.loads(pose_table_json)
    start, end = illustration.render_stills(table)
    drawings = LibraryDrawings(
        start=_renditions(start, IMAGE_SLOTS["start"][3]),
        end=_renditions(end, IMAGE_SLOTS["end"][3]),
        animation=animation.render_animation(table, holds=holds),
    )
    if kept is not None:
        _kept_drawings_write(kept, drawings)
    return drawings


def _apply_entry(exercise: Exercise, entry: dict) -> None:
    exercise.name = entry["name"]
    exercise.slug = entry["key"]
    exercise.summary = entry["summary"]
    exercise.instructions = "\n".join(entry["steps"])
    exercise.cues = "\n".join(entry["cues"])
    exercise.precautions = "\n".join(entry["precautions"])
    exercise.body_region = entry["body_region"]
    exercise.category = entry["category"]
    exercise.difficulty = entry["difficulty"]
    exercise.equipment = entry["equipment"]
    exercise.position = entry["position"]
    exercise.default_sets = entry["sets"]
    exercise.default_reps = entry.get("reps")
    exercise.default_hold_seconds = entry.get("hold_seconds")
    exercise.default_side = entry["side"]
    exercise.default_rest_seconds = entry.get("rest_seconds", 30)
    exercise.tracking = entry.get("tracking", {})
    exercise.library_key = entry["key"]
    exercise.library_checksum = _checksum(entry)


@transaction.atomic
def library_load(*, entries: list[dict]) -> LibraryReport:
    """Create or update the shipped exercises, idempotently.

    Matching is by ``library_key``, so renaming an exercise in the data file updates it in
    place. Unchanged entries (same checksum) are skipped without re-drawing; shipped
    exercises an editor changed here are kept; the clinic's own exercises are never touched.
    """
    report = LibraryReport()
    drawn: list[int] = []
    existing = {exercise.library_key: exercise for exercise in Exercise.objects.shipped()}
    for entry in entries:
        exercise = existing.get(entry["key"])
        if exercise is None:
            exercise = Exercise(status=Exercise.Status.PUBLISHED)
            bucket = report.created
        elif exercise.edited_locally:
            report.kept_local_edits.append(entry["key"])
            continue
        elif (
            exercise.library_checksum == _checksum(entry) and exercise.image and exercise.animation
        ):
            report.unchanged.append(entry["key"])
            continue
        else:
            bucket = report.updated
        _apply_entry(exercise, entry)
        try:
            exercise.full_clean(exclude=["image", "end_image"])
        except ValidationError as exc:
            # E.g. the clinic already has its own exercise of that name: keep theirs.
            report.conflicts[entry["key"]] = "; ".join(exc.messages)
            continue
        exercise.save()
        drawings = _library_drawings(
            json.dumps(entry["illustration"], sort_keys=True), bool(entry.get("hold_seconds"))
        )
        for slot, renditions in (("start", drawings.start), ("end", drawings.end)):
            exercise_image_set(
                exercise=exercise,
                slot=slot,
                source=None,
                processed=renditions.processed(),
                announce=False,
            )
        exercise_animation_set(exercise=exercise, data=drawings.animation, announce=False)
        bucket.append(entry["key"])
        drawn.append(exercise.pk)
    _library_links_sync(entries)
    if drawn:
        library_changed_send(drawn)  # once for the load, not three times an exercise
    return report


def _library_links_sync(entries: list[dict]) -> None:
    """Precaution tags and easier/harder links of the shipped exercises not edited here.

    Runs on every load (cheap), after every exercise exists, so links can point forward.
    """
    exercises = {e.library_key: e for e in Exercise.objects.shipped().filter(edited_locally=False)}
    tags = {tag.slug: tag for tag in PrecautionTag.objects.all()}
    for entry in entries:
        exercise = exercises.get(entry["key"])
        if exercise is None:
            continue
        for slug in entry.get("precaution_tags", []):
            if slug not in tags:
                tags[slug] = PrecautionTag.objects.create(
                    slug=slug, name=slug.replace("_", " ").capitalize()
                )
        exercise.precaution_tags.set([tags[slug] for slug in entry.get("precaution_tags", [])])
        easier = Exercise.objects.shipped().filter(library_key=entry.get("easier")).first()
        harder = Exercise.objects.shipped().filter(library_key=entry.get("harder")).first()
        if (exercise.easier_id, exercise.harder_id) != (
            easier.pk if easier else None,
            harder.pk if harder else None,
        ):
            exercise.easier, exercise.harder = easier, harder
            exercise.save(update_fields=["easier", "harder", "updated_at"])
            library_changed_send([exercise.pk])


# --- Education pages ---------------------------------------------------------------------------


def education_page_save(
    *, page: EducationPage, body: str, published: bool, changed_by, tags=None
) -> EducationPageVersion | None:
    """Save an editor's change to a page (title, summary, tags) and, when the text or its
    publication changed, add a new version: versions are never changed or deleted. Returns
    the new version, or None when the text stayed as it was."""
    newest = page.versions.first() if page.pk else None
    if page.library_key:
        page.edited_locally = True
    page.save()
    if tags is not None:
        page.precaution_tags.set(tags)
    version = None
    if newest is None or newest.body != body or newest.published != published:
        # The translations come along: one made from an older text is not shown (its
        # checksum no longer matches), one of an unchanged text still is.
        version = EducationPageVersion.objects.create(
            page=page,
            body=body,
            published=published,
            changed_by=changed_by,
            translations=newest.translations if newest else {},
        )
    education_changed_send([page.pk])
    return version


def _education_checksum(entry: dict) -> str:
    data = {name: entry[name] for name in ("title", "summary", "body", "precaution_tags")}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def education_load(*, entries: list[dict]) -> LibraryReport:
    """Create or update the shipped education pages, idempotently (matched by key).

    A changed text becomes a new version; a page an editor changed here is kept as they
    made it; a clinic page with the same address or title is never touched (reported).
    """
    report = LibraryReport()
    existing = {page.library_key: page for page in EducationPage.objects.shipped()}
    tags = {tag.slug: tag for tag in PrecautionTag.objects.all()}
    changed = []
    for entry in entries:
        checksum = _education_checksum(entry)
        page = existing.get(entry["key"])
        if page is None:
            clash = EducationPage.objects.filter(
                models.Q(slug=entry["key"]) | models.Q(title=entry["title"])
            ).first()
            if clash is not None:
                report.conflicts[entry["key"]] = f"the clinic already has “{clash.title}”"
                continue
            page = EducationPage(library_key=entry["key"], slug=entry["key"])
            bucket = report.created
        elif page.edited_locally:
            report.kept_local_edits.append(entry["key"])
            continue
        else:
            newest = page.versions.first()
            if newest is not None and newest.library_checksum == checksum:
                report.unchanged.append(entry["key"])
                continue
            bucket = report.updated
        page.title, page.summary, page.order = entry["title"], entry["summary"], entry["order"]
        page.save()
        for slug in entry["precaution_tags"]:
            if slug not in tags:
                tags[slug] = PrecautionTag.objects.create(
                    slug=slug, name=slug.replace("_", " ").capitalize()
                )
        page.precaution_tags.set([tags[slug] for slug in entry["precaution_tags"]])
        EducationPageVersion.objects.create(
            page=page, body=entry["body"], published=True, library_checksum=checksum
        )
        bucket.append(entry["key"])
        changed.append(page.pk)
    education_changed_send(changed)
    return report


# --- Translations ------------------------------------------------------------------------------


def _translation_target(obj, language: str):
    """Where a translation of ``obj`` is kept: the object itself, or, for content kept in
    versions (the safety advice, an education page's text), a new version made from the
    newest, so that what patients were shown stays as it was."""
    if isinstance(obj, SafetyAdvice):
        return SafetyAdvice(
            **{name: getattr(obj, name) for name in SafetyAdvice.TRANSLATED_FIELDS},
            translations=obj.translations,
        )
    if isinstance(obj, EducationPageVersion):
        return EducationPageVersion(
            page=obj.page,
            body=obj.body,
            published=obj.published,
            library_checksum=obj.library_checksum,
            translations=obj.translations,
        )
    return obj


@transaction.atomic
def content_translation_save(*, obj, language: str, texts: dict[str, str], changed_by):
    """An editor's translation of ``obj`` into ``language`` (empty texts: none). Exercises,
    pages and tags keep it on their row; the safety advice and page texts get a new version.
    Returns what was saved, or None when nothing changed."""
    target = _translation_target(obj, language)
    if not target.set_translation(language, texts, edited_here=True):
        return None
    if target is obj:
        obj.save(update_fields=["translations"])
    else:
        target.changed_by = changed_by
        target.save()
    if isinstance(target, Exercise):
        library_changed_send([target.pk])
    elif isinstance(target, EducationPage | EducationPageVersion):
        page_id = target.pk if isinstance(target, EducationPage) else target.page_id
        education_changed_send([page_id])
    return target


def shipped_translations_load() -> dict[str, LibraryReport]:
    """The shipped translations of every language this site offers (``LANGUAGES``), by
    language: what ``load_library`` and the demo data run."""
    offered = {code for code, _name in settings.LANGUAGES}
    return {
        language: translations_load(language=language, shipped=load_shipped_translations(language))
        for language in shipped_languages()
        if language in offered
    }


@transaction.atomic
def translations_load(*, language: str, shipped: dict) -> LibraryReport:
    """The shipped translations into one language (``library.translated``), idempotently.

    Only for shipped content an editor has not changed here: a shipped exercise or page
    edited locally, a translation an editor made here, and a safety advice written by an
    editor keep what they have.
    """
    report = LibraryReport()
    changed_exercises, changed_pages = [], []

    def apply(label, obj, texts) -> bool:
        if obj.translation_edited_here(language):
            report.kept_local_edits.append(label)
        elif obj.set_translation(language, texts, edited_here=False):
            obj.save(update_fields=["translations"])
            report.updated.append(label)
            return True
        else:
            report.unchanged.append(label)
        return False

    exercises = {e.library_key: e for e in Exercise.objects.shipped().filter(edited_locally=False)}
    for key, texts in shipped["exercises"].items():
        if key in exercises and apply(key, exercises[key], texts):
            changed_exercises.append(exercises[key].pk)
    pages = {p.library_key: p for p in EducationPage.objects.shipped().filter(edited_locally=False)}
    for key, texts in shipped["education"].items():
        page = pages.get(key)
        if page is None:
            continue
        # The title and summary on the page; the text on the newest version load_library wrote.
        changed = apply(key, page, texts)
        version = page.versions.exclude(library_checksum="").first()
        if version is not None:
            changed = apply(f"{key} (text)", version, texts) or changed
        if changed:
            changed_pages.append(page.pk)
    tags = {tag.slug: tag for tag in PrecautionTag.objects.all()}
    for slug, texts in shipped["precaution_tags"].items():
        if slug in tags:
            apply(slug, tags[slug], texts)
    advice = SafetyAdvice.objects.first()
    # The shipped advice only: a version an editor wrote is theirs to translate.
    if advice is not None and shipped["safety_advice"] and advice.changed_by_id is None:
        apply("safety advice", advice, shipped["safety_advice"])
    if changed_exercises:
        library_changed_send(changed_exercises)
    if changed_pages:
        education_changed_send(changed_pages)
    return report
