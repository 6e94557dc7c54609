"""The first version of "When to stop and get help", and the precaution tag vocabulary.

Written in our own plain words from public guidance on low back pain; content editors
change it in the admin (each change is a new version).
"""

from django.db import migrations

EMERGENCY = """Numbness or tingling around your genitals or buttocks (where you would sit on a saddle).
New trouble passing urine, or losing control of your bladder or bowels.
Weakness or numbness in both legs, or weakness in a leg that is getting worse.
Back pain that started after a serious fall, crash or other accident."""

DOCTOR_SOON = """A high temperature, or feeling hot and shivery, together with your back pain.
Losing weight without trying.
Pain that is worse at night, or that does not ease at all when you rest.
Pain that keeps getting worse week by week, or back pain if you have had cancer."""

STOP_RULES = """Stop an exercise if it makes your symptoms worse or causes new pain, and let your clinic know.
A gentle stretch or mild ache that settles within an hour is normal; sharp pain, or pain that lasts, is not.
Stop and rest if you feel dizzy, faint or short of breath.
If your back is no better after about two weeks of doing your exercises, contact your clinic."""

TAGS = [
    (
        "after_hip_replacement",
        "After hip replacement",
        "Deep hip bending, crossing the legs and turning the hip in are limited for a while after surgery.",
    ),
    ("knee_pain", "Knee pain / can't kneel", "Exercises on the knees, or deep knee bending."),
    ("osteoporosis", "Osteoporosis", "Loaded forward bending and twisting of the spine."),
    (
        "pregnancy",
        "Pregnancy",
        "Lying flat on the back for long, and deep twists, later in pregnancy.",
    ),
    ("spinal_stenosis", "Spinal stenosis", "Sustained arching (extension) of the lower back."),
    (
        "balance_problems",
        "Balance problems",
        "Standing on one leg or balance-demanding exercises without support.",
    ),
]


def create(apps, schema_editor):
    apps.get_model("exercises", "SafetyAdvice").objects.create(
        emergency_signs=EMERGENCY, doctor_soon_signs=DOCTOR_SOON, stop_rules=STOP_RULES
    )
    tag_model = apps.get_model("exercises", "PrecautionTag")
    for slug, name, description in TAGS:
        tag_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0002_precautions_variants_safety")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
