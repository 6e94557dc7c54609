"""A new version of "When to stop and get help" that completes the red flags.

Written in our own plain words. Safety advice is append-only: this adds a version, which
becomes the one patients see, and keeps every earlier one (a clinic's own included; its
editors can publish their wording again on top of this one in the admin). The emergency signs
match the emergency answers of "My symptoms got worse" (patients.models.SymptomReport).
"""

from django.db import migrations

EMERGENCY = """Numbness or tingling around your genitals or buttocks (where you would sit on a saddle).
You can’t pass urine, or you can’t feel when your bladder is full.
New trouble controlling your bladder or bowels, such as leaking without knowing.
Changes in how sex feels or works, together with numbness.
Weakness or numbness in both legs.
A leg that is getting weaker, or a foot that drags, slaps down or gives way when you walk.
Back pain that started after a serious fall, crash or other accident."""

DOCTOR_SOON = """Numbness or pain that spreads further down your leg.
A high temperature, or feeling hot and shivery, together with your back pain.
Losing weight without trying.
Pain that is worse at night, or that does not ease at all when you rest.
Pain high in your back, between your shoulder blades.
A lump, or a change in the shape of your back.
Pain that keeps getting worse week by week.
Back pain when you have had cancer in the past.
Back pain when you have taken steroid tablets for a long time, or your body’s defences against infection (your immune system) are weak."""

STOP_RULES = """Stop an exercise if it makes your symptoms worse or causes new pain, and let your clinic know.
Stop if pain or numbness spreads further down your leg, and see a doctor today or tomorrow.
Stop and rest if you feel dizzy, faint or short of breath.
If your back is no better after about two weeks of doing your exercises, contact your clinic."""

REASSURANCE = """When you start to move a sore back again, a stretch or a mild ache is normal. It does not mean you are damaging your back. Use the one-hour rule: if the ache has settled within an hour of finishing, the exercise is right for you, so carry on. If it lasts longer than an hour, or the pain is sharp, do less next time (fewer repeats, or a smaller movement), and tell your clinic if it keeps happening."""

CONTENT = {
    "emergency_signs": EMERGENCY,
    "doctor_soon_signs": DOCTOR_SOON,
    "stop_rules": STOP_RULES,
    "reassurance": REASSURANCE,
}


def publish(apps, schema_editor):
    advice = apps.get_model("exercises", "SafetyAdvice")
    newest = advice.objects.order_by("-pk").first()
    # Run again over a database that has it (tests replay data migrations): nothing to add.
    if newest is not None and all(getattr(newest, f) == v for f, v in CONTENT.items()):
        return
    advice.objects.create(**CONTENT)


class Migration(migrations.Migration):
    dependencies = [("exercises", "0004_safety_advice_reassurance")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
