"""Vocabularies of the exercise library.

Kept apart from the models so that the shipped library data (``exercises/library/``) can be
validated against them without a database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyRegion(models.TextChoices):
    HIP = "hip", _("Hip")
    PELVIS = "pelvis", _("Pelvis")
    LUMBAR = "lumbar", _("Lumbar spine")
    CORE = "core", _("Core")
    THIGH = "thigh", _("Thigh")


class Category(models.TextChoices):
    STRETCH = "stretch", _("Stretch")
    MOBILITY = "mobility", _("Mobility")
    STRENGTHENING = "strengthening", _("Strengthening")
    STABILITY = "stability", _("Stability")


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Equipment(models.TextChoices):
    NONE = "none", _("No equipment")
    MAT = "mat", _("Mat")
    BAND = "band", _("Resistance band")
    CHAIR = "chair", _("Chair")
    WALL = "wall", _("Wall")
    FOAM_ROLLER = "foam_roller", _("Foam roller")
    STEP = "step", _("Step")
    STRAP = "strap", _("Strap or towel")


class Position(models.TextChoices):
    LYING_BACK = "lying_back", _("Lying on your back")
    LYING_FRONT = "lying_front", _("Lying on your front")
    SIDE_LYING = "side_lying", _("Lying on your side")
    ALL_FOURS = "all_fours", _("On hands and knees")
    KNEELING = "kneeling", _("Kneeling")
    SITTING = "sitting", _("Sitting")
    STANDING = "standing", _("Standing")


class Side(models.TextChoices):
    BOTH = "both", _("Both sides together")
    EACH = "each", _("Each side")
    LEFT = "left", _("Left side only")
    RIGHT = "right", _("Right side only")
