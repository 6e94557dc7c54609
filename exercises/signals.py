"""What the library tells the apps that show its exercises and education pages (the
``exercises`` app imports none of them): ``library_changed`` is sent, with ``exercise_ids``,
after an editor's or ``load_library``'s write changed what an exercise looks like to
patients; ``education_changed``, with ``page_ids``, the same for education pages."""

from django.dispatch import Signal

library_changed = Signal()


def library_changed_send(exercise_ids) -> None:
    ids = sorted(set(exercise_ids))
    if ids:
        library_changed.send(sender=None, exercise_ids=ids)


# Sent with ``page_ids`` after an editor's or ``load_library``'s write changed what an
# education page looks like in a patient's list (its title, summary or text).
education_changed = Signal()


def education_changed_send(page_ids) -> None:
    ids = sorted(set(page_ids))
    if ids:
        education_changed.send(sender=None, page_ids=ids)
