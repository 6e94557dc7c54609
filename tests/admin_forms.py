"""POST data for admin change forms, as the browser would send them unchanged."""

from patients.models import Prescription


def prescription_change_data(
    prescription: Prescription, *, loaded_version: int | None = None, **changes
) -> dict:
    """The prescription's change form with its exercise rows, as loaded at
    ``loaded_version`` (default: the stored version), with ``changes`` applied."""
    rows = list(prescription.exercises.order_by("order", "pk"))
    data = {
        "name": prescription.name,
        "status": prescription.status,
        "start_date": prescription.start_date.isoformat(),
        "end_date": prescription.end_date.isoformat() if prescription.end_date else "",
        "weekdays": [str(day) for day in range(7) if prescription.weekdays & (1 << day)],
        "sessions_per_day": prescription.sessions_per_day,
        "message": prescription.message,
        "loaded_version": prescription.version if loaded_version is None else loaded_version,
        "exercises-TOTAL_FORMS": len(rows),
        "exercises-INITIAL_FORMS": len(rows),
    }
    # The reading inline (the education pages it carries), as loaded.
    reading = list(prescription.education.order_by("order", "pk"))
    data |= {"education-TOTAL_FORMS": len(reading), "education-INITIAL_FORMS": len(reading)}
    for index, row in enumerate(reading):
        data |= {
            f"education-{index}-id": row.pk,
            f"education-{index}-prescription": prescription.pk,
            f"education-{index}-page": row.page_id,
            f"education-{index}-order": row.order,
            f"education-{index}-in_handout": "on" if row.in_handout else "",
        }
    for index, row in enumerate(rows):
        data |= {
            f"exercises-{index}-id": row.pk,
            f"exercises-{index}-prescription": prescription.pk,
            f"exercises-{index}-order": row.order,
            f"exercises-{index}-exercise": row.exercise_id,
            f"exercises-{index}-sets": row.sets,
            f"exercises-{index}-reps": row.reps or "",
            f"exercises-{index}-hold_seconds": row.hold_seconds or "",
            f"exercises-{index}-side": row.side,
            f"exercises-{index}-rest_seconds": row.rest_seconds,
            f"exercises-{index}-notes": row.notes,
        }
    return data | changes


def exercise_form_data(**overrides):
    """The editor's exercise form, filled in as an editor would, changed by ``overrides``."""
    data = {
        "name": "Seated hip march",
        "slug": "seated-hip-march",
        "summary": "Lift one knee at a time while sitting tall.",
        "status": "published",
        "body_region": "hip",
        "category": "strengthening",
        "difficulty": "beginner",
        "equipment": "chair",
        "position": "sitting",
        "instructions": "Sit tall.\nLift one knee.\nLower it slowly.",
        "cues": "Keep your back tall.",
        "precautions": "Stop if your back hurts more.",
        "video_url": "",
        "default_sets": 2,
        "default_reps": 10,
        "default_hold_seconds": "",
        "default_side": "each",
        "default_rest_seconds": 30,
    }
    data.update(overrides)
    return data
