"""Vocabularies of the exercise library.

Kept apart from the models so that the shipped library data (``exercises/library/``) can be
validated against them without a database.
"""

from django.db import models


class BodyRegion(models.TextChoices):
    HIP = "hip", "Hip"
    PELVIS = "pelvis", "Pelvis"
    LUMBAR = "lumbar", "Lumbar spine"
    CORE = "core", "Core"
    THIGH = "thigh", "Thigh"


class Category(models.TextChoices):
    STRETCH = "stretch", "Stretch"
    MOBILITY = "mobility", "Mobility"
    STRENGTHENING = "strengthening", "Strengthening"
    STABILITY = "stability", "Stability"


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Equipment(models.TextChoices):
    NONE = "none", "No equipment"
    MAT = "mat", "Mat"
    BAND = "band", "Resistance band"
    CHAIR = "chair", "Chair"
    WALL = "wall", "Wall"
    FOAM_ROLLER = "foam_roller", "Foam roller"
    STEP = "step", "Step"
    STRAP = "strap", "Strap or towel"


class Position(models.TextChoices):
    LYING_BACK = "lying_back", "Lying on your back"
    LYING_FRONT = "lying_front", "Lying on your front"
    SIDE_LYING = "side_lying", "Lying on your side"
    ALL_FOURS = "all_fours", "On hands and knees"
    KNEELING = "kneeling", "Kneeling"
    SITTING = "sitting", "Sitting"
    STANDING = "standing", "Standing"


class Side(models.TextChoices):
    BOTH = "both", "Both sides together"
    EACH = "each", "Each side"
    LEFT = "left", "Left side only"
    RIGHT = "right", "Right side only"
