"""What the library tells the apps that show its exercises (the ``exercises`` app imports
none of them): ``library_changed`` is sent, with ``exercise_ids``, after an editor's or
``load_library``'s write changed what an exercise looks like to patients."""

from django.dispatch import Signal

library_changed = Signal()


def library_changed_send(exercise_ids) -> None:
    ids = sorted(set(exercise_ids))
    if ids:
        library_changed.send(sender=None, exercise_ids=ids)
