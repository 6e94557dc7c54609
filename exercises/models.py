from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinic.storage import private_storage
from clinic.validators import one_line
from exercises import dosage, education
from exercises.choices import BodyRegion, Category, Difficulty, Equipment, Position, Side
from exercises.tracking import validate_tracking_rule
from exercises.translatable import TranslatedContent


def exercise_image_path(instance: "Exercise", filename: str) -> str:
    return f"exercises/{instance.slug or slugify(instance.name)}/{filename}"


def video_path(instance, filename: str) -> str:
    """Each row's videos in a folder of their own (``video_folder``)."""
    return f"{instance.video_folder()}/{filename}"


class ClinicVideo(models.Model):
    """A short video attached to an exercise, prepared in the background.

    The upload waits in private storage as ``video_original`` (``pending``) until the worker
    makes the phone's MP4 and its poster (``processing`` → ``ready``, or ``failed`` with the
    reason for the uploader in ``video_error``) and deletes the original. Written only by
    the services (``exercises.services.video_attach`` and ``video_prepare``).
    """

    class VideoStatus(models.TextChoices):
        NONE = "", _("No video")
        PENDING = "pending", _("Waiting to be prepared")
        PROCESSING = "processing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    video_status = models.CharField(
        _("video"),
        max_length=10,
        choices=VideoStatus.choices,
        blank=True,
        default="",
        editable=False,
    )
    video_error = models.CharField(
        max_length=300, blank=True, editable=False, verbose_name=_("video error")
    )
    video_original = models.FileField(
        storage=private_storage,
        upload_to=video_path,
        max_length=200,
        blank=True,
        editable=False,
        verbose_name=_("video original"),
    )
    video = models.FileField(
        upload_to=video_path, max_length=200, blank=True, editable=False, verbose_name=_("video")
    )
    video_poster = models.FileField(
        upload_to=video_path,
        max_length=200,
        blank=True,
        editable=False,
        verbose_name=_("video poster"),
    )
    video_width = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("video width")
    )
    video_height = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("video height")
    )
    video_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("video seconds")
    )

    class Meta:
        abstract = True

    def video_folder(self) -> str:
        raise NotImplementedError

    @property
    def video_ready(self) -> bool:
        return self.video_status == self.VideoStatus.READY and bool(self.video)

    @property
    def video_in_progress(self) -> bool:
        return self.video_status in (self.VideoStatus.PENDING, self.VideoStatus.PROCESSING)


class PrecautionTag(TranslatedContent):
    """A condition that makes some exercises unsuitable (e.g. "after hip replacement").

    Content editors keep the vocabulary; exercises and patients carry the same tags, and a
    match warns the clinician when prescribing.
    """

    TRANSLATED_FIELDS = ("name", "description")

    slug = models.SlugField(max_length=40, unique=True, verbose_name=_("slug"))
    name = models.CharField(
        max_length=80, unique=True, validators=[one_line], verbose_name=_("name")
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Why exercises with this tag need care."),
        validators=[one_line],
        verbose_name=_("description"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("precaution tag")
        verbose_name_plural = _("precaution tags")

    def __str__(self) -> str:
        return self.name


class ExerciseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Exercise.Status.PUBLISHED)

    def shipped(self):
        return self.exclude(library_key=None)


class Exercise(TranslatedContent, ClinicVideo):
    """One exercise of the library, as a patient reads it at home. Its video (if any) is
    public media, like its pictures."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("exercise status", "Draft")
        PUBLISHED = "published", pgettext_lazy("exercise status", "Published")
        ARCHIVED = "archived", pgettext_lazy("exercise status", "Archived")

    TRANSLATED_FIELDS = ("name", "summary", "instructions", "cues", "precautions")

    name = models.CharField(
        max_length=120, unique=True, validators=[one_line], verbose_name=_("name")
    )
    slug = models.SlugField(max_length=140, unique=True, verbose_name=_("slug"))
    summary = models.CharField(
        max_length=200,
        help_text=_("One line in plain words: what it is and what it is for."),
        validators=[one_line],
        verbose_name=_("summary"),
    )
    instructions = models.TextField(
        _("steps"), help_text=_("One step per line, in order, as the patient should do them.")
    )
    cues = models.TextField(_("coaching cues"), blank=True, help_text=_("One cue per line."))
    precautions = models.TextField(
        blank=True,
        help_text=_("One per line: when to stop, what to avoid."),
        verbose_name=_("precautions"),
    )
    body_region = models.CharField(
        max_length=20, choices=BodyRegion.choices, verbose_name=_("body region")
    )
    category = models.CharField(max_length=20, choices=Category.choices, verbose_name=_("category"))
    difficulty = models.CharField(
        max_length=20,
        choices=Difficulty.choices,
        default=Difficulty.BEGINNER,
        verbose_name=_("difficulty"),
    )
    equipment = models.CharField(
        max_length=20,
        choices=Equipment.choices,
        default=Equipment.NONE,
        verbose_name=_("equipment"),
    )
    position = models.CharField(max_length=20, choices=Position.choices, verbose_name=_("position"))

    default_sets = models.PositiveSmallIntegerField(
        _("sets"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    default_reps = models.PositiveSmallIntegerField(
        _("repetitions"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    default_hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    default_side = models.CharField(
        _("side"), max_length=10, choices=Side.choices, default=Side.BOTH
    )
    default_rest_seconds = models.PositiveSmallIntegerField(
        _("rest between sets (seconds)"), default=30, validators=[MaxValueValidator(600)]
    )

    # The originals (start and end position) and their renditions, all written by
    # exercises.services.exercise_image_set, never directly from a form.
    image = models.ImageField(_("start image"), upload_to=exercise_image_path, blank=True)
    image_thumbnail = models.ImageField(
        upload_to=exercise_image_path, blank=True, editable=False, verbose_name=_("image thumbnail")
    )
    # The medium renditions' sizes, stored when they are written (width_field/height_field):
    # the pages give each <img> its real width and height, so the browser keeps the right box
    # before the picture arrives and nothing below it jumps (drawings are about 4:1, photos
    # anything).
    image_medium = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        editable=False,
        width_field="image_medium_width",
        height_field="image_medium_height",
        verbose_name=_("image medium"),
    )
    image_medium_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("image medium width")
    )
    image_medium_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("image medium height")
    )
    end_image = models.ImageField(
        upload_to=exercise_image_path, blank=True, verbose_name=_("end image")
    )
    end_image_thumbnail = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        editable=False,
        verbose_name=_("end image thumbnail"),
    )
    end_image_medium = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        editable=False,
        width_field="end_image_medium_width",
        height_field="end_image_medium_height",
        verbose_name=_("end image medium"),
    )
    end_image_medium_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("end image medium width")
    )
    end_image_medium_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("end image medium height")
    )
    # The movement as a small looping animated WebP, drawn from the shipped pose data by
    # exercises.animation (start, end and any key poses between them); empty for the clinic's
    # own exercises, whose pages show the still pictures. Its size is stored like the medium
    # renditions', for the same reason.
    animation = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        editable=False,
        width_field="animation_width",
        height_field="animation_height",
        verbose_name=_("animation"),
    )
    animation_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("animation width")
    )
    animation_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("animation height")
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        help_text=_("Optional: an https link to a demonstration video."),
    )
    # How the camera coach recognises the movement (exercises/tracking.py). Empty: the
    # exercise is not tracked and guided mode offers no camera.
    tracking = models.JSONField(
        _("camera tracking rule"),
        default=dict,
        blank=True,
        validators=[validate_tracking_rule],
        help_text=_(
            "How the camera coach counts this exercise. Leave it empty for no camera. "
            "See the rules of the shipped exercises for examples."
        ),
    )

    precaution_tags = models.ManyToManyField(
        PrecautionTag,
        blank=True,
        related_name="exercises",
        help_text=_("Patients with any of these tags get a warning when this is prescribed."),
        verbose_name=_("precaution tags"),
    )
    easier = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The easier variant, offered when a patient should regress."),
        verbose_name=_("easier"),
    )
    harder = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The harder variant, offered when a patient is ready to progress."),
        verbose_name=_("harder"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    library_key = models.SlugField(
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Set for exercises shipped with Homeplan; empty for the clinic's own."),
        verbose_name=_("library key"),
    )
    library_checksum = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("library checksum")
    )
    edited_locally = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("A shipped exercise changed by an editor here: load_library leaves it alone."),
        verbose_name=_("edited locally"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "body_region"]),
            models.Index(fields=["status", "category"]),
            models.Index(fields=["status", "difficulty"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_reps__isnull=False)
                | models.Q(default_hold_seconds__isnull=False),
                name="exercise_has_reps_or_hold",
                violation_error_message=_("Give repetitions, a hold time, or both."),
            ),
        ]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.video_url and not self.video_url.startswith("https://"):
            raise ValidationError({"video_url": _("Use an https:// link.")})

    # What a patient reads, in the active language (the English where it has none):
    # patient pages show these, never the fields themselves.
    @property
    def display_name(self) -> str:
        return self.translated("name")

    @property
    def display_summary(self) -> str:
        return self.translated("summary")

    @property
    def steps(self) -> list[str]:
        return _lines(self.translated("instructions"))

    @property
    def cue_list(self) -> list[str]:
        return _lines(self.translated("cues"))

    @property
    def precaution_list(self) -> list[str]:
        return _lines(self.translated("precautions"))

    @property
    def is_shipped(self) -> bool:
        return self.library_key is not None

    def video_folder(self) -> str:
        return f"exercises/{self.slug or slugify(self.name)}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The fields of a dose, in every copy of one (template item, prescribed exercise, plan row).
DOSE_FIELDS = ("sets", "reps", "hold_seconds", "side", "rest_seconds", "notes")


class Dosage(models.Model):
    """Sets, repetitions, hold, side and rest: how much of an exercise, and how."""

    sets = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(10)], verbose_name=_("sets")
    )
    reps = models.PositiveSmallIntegerField(
        _("repetitions"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (s)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    side = models.CharField(
        max_length=10, choices=Side.choices, default=Side.BOTH, verbose_name=_("side")
    )
    rest_seconds = models.PositiveSmallIntegerField(
        _("rest (s)"), default=30, validators=[MaxValueValidator(600)]
    )
    notes = models.CharField(
        _("note for the patient"),
        max_length=300,
        blank=True,
        help_text=_("Shown with the exercise."),
        validators=[one_line],
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.reps is None and self.hold_seconds is None:
            raise ValidationError(_("Give repetitions, a hold time, or both."))

    def dose(self) -> dict:
        """The dose's fields and values: what a copy of this item (a template's item into a
        prescription, a prescribed exercise onto the prescribing page) carries over."""
        return {name: getattr(self, name) for name in DOSE_FIELDS}

    def take_defaults_from(self, exercise: Exercise) -> None:
        """Fill the dose from the exercise's defaults (the first step of the snapshot chain)."""
        self.sets = exercise.default_sets
        self.reps = exercise.default_reps
        self.hold_seconds = exercise.default_hold_seconds
        self.side = exercise.default_side
        self.rest_seconds = exercise.default_rest_seconds

    def dosage_text(self) -> str:
        return dosage.describe_dosage(
            sets=self.sets, reps=self.reps, hold_seconds=self.hold_seconds, side=self.side
        )

    def estimated_seconds(self) -> int:
        return dosage.estimate_seconds(
            sets=self.sets,
            reps=self.reps,
            hold_seconds=self.hold_seconds,
            side=self.side,
            rest_seconds=self.rest_seconds,
        )


class ProgramQuerySet(models.QuerySet):
    def usable_by(self, user):
        """Templates a staff user may assign: clinic-wide ones and their own."""
        if user.is_superuser:
            return self
        return self.filter(models.Q(owner=None) | models.Q(owner=user))


class Program(models.Model):
    """A reusable program template, e.g. "Hip mobility for low back pain — weeks 1–2"."""

    name = models.CharField(
        max_length=150, unique=True, validators=[one_line], verbose_name=_("name")
    )
    description = models.TextField(
        _("goal and description"),
        blank=True,
        help_text=_("What the program is for, for staff."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
        help_text=_("The clinician who owns this template; empty for a clinic-wide template."),
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class ProgramItem(Dosage):
    """One exercise in a template, with the dose that assigning copies to the patient."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="items", verbose_name=_("program")
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, related_name="program_items", verbose_name=_("exercise")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        ordering = ["program", "order", "pk"]
        verbose_name = _("program item")
        verbose_name_plural = _("program items")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dosage_text()})"

    @property
    def is_archived(self) -> bool:
        """Its exercise left the library (archived, or back to draft) after it was added."""
        return self.exercise.status != Exercise.Status.PUBLISHED

    def stand_ins(self) -> list[Exercise]:
        """Published exercises that can take an archived one's place: the variants an editor
        linked to it (easier first)."""
        variants = (self.exercise.easier, self.exercise.harder)
        return [v for v in variants if v is not None and v.status == Exercise.Status.PUBLISHED]


class FavouriteExercise(models.Model):
    """An exercise a clinician starred: listed first when they prescribe. Each clinician's
    own; nobody else sees their stars."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="favourite_exercises",
        verbose_name=_("user"),
    )
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="favourites", verbose_name=_("exercise")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exercise"], name="favourite_once_per_user")
        ]
        verbose_name = _("favourite exercise")
        verbose_name_plural = _("favourite exercises")

    def __str__(self) -> str:
        return f"{self.exercise} ★ {self.user}"


class SafetyAdvice(TranslatedContent):
    """ "When to stop and get help": the advice every patient page links to.

    Each change is a new version (the newest is shown), with who changed it and when.
    """

    TRANSLATED_FIELDS = ("emergency_signs", "doctor_soon_signs", "stop_rules", "reassurance")

    emergency_signs = models.TextField(
        help_text=_("One per line: signs that mean urgent care now (emergency services)."),
        verbose_name=_("emergency signs"),
    )
    doctor_soon_signs = models.TextField(
        help_text=_("One per line: signs that mean seeing a doctor soon."),
        verbose_name=_("doctor soon signs"),
    )
    stop_rules = models.TextField(
        help_text=_("One per line: when to stop an exercise."), verbose_name=_("stop rules")
    )
    reassurance = models.TextField(
        _("hurt does not always mean harm"),
        blank=True,
        help_text=_("A short paragraph: the mild ache that is normal, and the one-hour rule."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("changed at"))

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("safety advice version")
        get_latest_by = "pk"
        verbose_name_plural = _("safety advice versions")

    def __str__(self) -> str:
        return gettext("Version %(number)s") % {"number": self.pk}

    @property
    def version(self) -> int:
        return self.pk

    # In the active language (the English where it has none), as patient pages show them.
    @property
    def emergency_list(self) -> list[str]:
        return _lines(self.translated("emergency_signs"))

    @property
    def doctor_soon_list(self) -> list[str]:
        return _lines(self.translated("doctor_soon_signs"))

    @property
    def stop_list(self) -> list[str]:
        return _lines(self.translated("stop_rules"))

    @property
    def display_reassurance(self) -> str:
        return self.translated("reassurance")


class EducationPageQuerySet(models.QuerySet):
    def offered(self):
        """What clinicians may attach: not archived, with a published version."""
        published = EducationPageVersion.objects.filter(page=models.OuterRef("pk"), published=True)
        return self.filter(models.Exists(published), archived=False)

    def shipped(self):
        return self.exclude(library_key=None)


class EducationPage(TranslatedContent):
    """A short page of reading ("Keep moving: stay active, avoid bed rest") that clinicians
    attach to a prescription. Its text lives in versions: the newest published one is shown.
    """

    TRANSLATED_FIELDS = ("title", "summary")

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text=_("Part of the page's address; keep it once used."),
        verbose_name=_("slug"),
    )
    title = models.CharField(
        max_length=120, unique=True, validators=[one_line], verbose_name=_("title")
    )
    summary = models.CharField(
        max_length=200,
        help_text=_("One line in plain words: what the page is about."),
        validators=[one_line],
        verbose_name=_("summary"),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Where it comes in the lists (smaller first)."),
        verbose_name=_("order"),
    )
    precaution_tags = models.ManyToManyField(
        PrecautionTag,
        blank=True,
        related_name="education_pages",
        help_text=_("Suggested first when prescribing for a patient with one of these."),
        verbose_name=_("precaution tags"),
    )
    archived = models.BooleanField(
        default=False,
        help_text=_("No longer offered when prescribing; patients who have it keep it."),
        verbose_name=_("archived"),
    )
    # The shipped page it was loaded from (education.toml); None for the clinic's own.
    library_key = models.SlugField(
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        verbose_name=_("library key"),
    )
    # An editor changed a shipped page here: load_library leaves it as they made it.
    edited_locally = models.BooleanField(
        default=False, editable=False, verbose_name=_("edited locally")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = EducationPageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("education page")
        verbose_name_plural = _("education pages")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return self.translated("title")

    @property
    def display_summary(self) -> str:
        return self.translated("summary")

    def newest_published(self) -> "EducationPageVersion | None":
        return self.versions.filter(published=True).first()


class EducationPageVersion(TranslatedContent):
    """One version of a page's text. Append-only, like the safety advice: a change is a new
    version, who made it and when are kept, and patients see the newest published one."""

    TRANSLATED_FIELDS = ("body",)

    page = models.ForeignKey(
        EducationPage, on_delete=models.CASCADE, related_name="versions", verbose_name=_("page")
    )
    body = models.TextField(
        help_text=_(
            "Plain text. A blank line between paragraphs; '## ' starts a heading; lines "
            "starting '- ' make a list (an item may start [green], [amber] or [red])."
        ),
        verbose_name=_("body"),
    )
    published = models.BooleanField(
        default=True,
        help_text=_("Shown to patients. Untick to keep it as a draft."),
        verbose_name=_("published"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("changed at"))
    # The shipped text's checksum when load_library wrote this version ("" for an editor's).
    library_checksum = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("library checksum")
    )

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"
        verbose_name = _("education page version")
        verbose_name_plural = _("education page versions")

    def __str__(self) -> str:
        return gettext("%(page)s · version %(number)s") % {"page": self.page, "number": self.pk}

    @property
    def blocks(self) -> list[education.Block]:
        return education.blocks(self.translated("body"))
