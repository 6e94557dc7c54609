"""Two more precaution tags, and the shipped exercises' missing tags.

- "Hip replacement by the front (anterior) approach": stretching the hip backwards with the
  leg turned out is the movement limited after it (hip-flexor stretches, figure-4).
- "Can't get down to or up from the floor safely": every exercise done on the floor.

The shipped exercises that nobody edited here get the tags that exercises/library/
hip_mobility.toml now gives them (the reason for each is written beside it there), so an
existing installation warns its clinicians as soon as it migrates; ``load_library`` brings
the rest of the corrected text. Exercises edited here keep the clinic's own tags.
"""

from django.db import migrations

TAGS = [
    (
        "anterior_hip_replacement",
        "Hip replacement by the front (anterior) approach",
        "Stretching the hip backwards, especially with the leg turned out, is limited for a while after surgery by the front approach.",
    ),
    (
        "floor_unsafe",
        "Can’t get down to or up from the floor safely",
        "Exercises that start lying, kneeling or sitting on the floor.",
    ),
]

# Tags added to the shipped exercises, by library key (none are taken away).
ADDED = {
    "pelvic-tilt": ["floor_unsafe"],
    "glute-bridge": ["floor_unsafe"],
    "single-leg-bridge": ["floor_unsafe"],
    "knee-to-chest": ["floor_unsafe"],
    "figure-four-stretch": ["anterior_hip_replacement", "floor_unsafe"],
    "hamstring-stretch-strap": ["after_hip_replacement", "floor_unsafe"],
    "supine-hip-rotation": ["floor_unsafe"],
    "dead-bug": ["floor_unsafe"],
    "clamshell": ["after_hip_replacement", "floor_unsafe"],
    "side-lying-hip-abduction": ["after_hip_replacement", "floor_unsafe"],
    "cat-cow": ["osteoporosis", "floor_unsafe"],
    "quadruped-rock-back": ["floor_unsafe"],
    "bird-dog": ["floor_unsafe"],
    "adductor-rock-back": ["floor_unsafe"],
    "frog-stretch": ["floor_unsafe"],
    "childs-pose": ["floor_unsafe"],
    "half-kneeling-hip-flexor-stretch": ["anterior_hip_replacement", "floor_unsafe"],
    "modified-pigeon-stretch": ["anterior_hip_replacement", "floor_unsafe"],
    "ninety-ninety-hip-switch": ["floor_unsafe"],
    "seated-hip-march": ["after_hip_replacement"],
    "seated-figure-four-stretch": ["anterior_hip_replacement"],
    "standing-hip-flexor-stretch": ["anterior_hip_replacement"],
    "standing-hip-hinge": ["osteoporosis"],
    "standing-hip-circles": ["anterior_hip_replacement"],
}


def add(apps, schema_editor):
    tag_model = apps.get_model("exercises", "PrecautionTag")
    exercise_model = apps.get_model("exercises", "Exercise")
    for slug, name, description in TAGS:
        tag_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    tags = {tag.slug: tag for tag in tag_model.objects.all()}
    shipped = exercise_model.objects.filter(library_key__in=ADDED, edited_locally=False)
    for exercise in shipped:
        exercise.precaution_tags.add(
            *(tags[slug] for slug in ADDED[exercise.library_key] if slug in tags)
        )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0005_safety_advice_red_flags_completed")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
