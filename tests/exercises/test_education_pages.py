"""The shipped education pages: their reading grade, the loader (idempotent, versions, an
editor's change kept), the markup, and the editor's admin (every change a new version)."""

import pytest

from audit.models import AuditEvent
from exercises import education, services
from exercises.library.education import load_shipped_education
from exercises.models import EducationPage, EducationPageVersion
from tests.reading_level import PAGE_GRADE as MAX_GRADE
from tests.reading_level import jargon_in, reading_grade


def page_grades() -> dict[str, tuple[float, float]]:
    """(whole page, summary) grade for every shipped page, by title.

    Measured on the whole page, not per paragraph: the formula counts words per sentence
    and syllables per word, and a two-sentence paragraph or a one-line list item gives
    numbers that swing on a single long word. Each heading and list item counts as a
    sentence of its own (``education.plain_sentences``), as the reader meets it; without
    that, a list would be read as one very long sentence and score far too high."""
    return {
        page["title"]: (
            reading_grade(education.plain_sentences(page["body"])),
            reading_grade(page["summary"]),
        )
        for page in load_shipped_education()
    }


def test_every_shipped_page_reads_at_grade_8_or_below(capsys):
    grades = page_grades()
    with capsys.disabled():
        print("\neducation pages, Flesch-Kincaid grade (page, summary):")
        for title, (page, summary) in grades.items():
            print(f"  {page:4.1f} {summary:4.1f}  {title}")
    too_hard = {title: grade for title, grade in grades.items() if max(grade) > MAX_GRADE}
    assert too_hard == {}


def test_no_page_uses_jargon_a_patient_may_not_know():
    jargon = {
        page["title"]: jargon_in(" ".join((page["title"], page["summary"], page["body"])))
        for page in load_shipped_education()
    }
    assert {title: words for title, words in jargon.items() if words} == {}


def test_the_grade_check_catches_hard_text():
    hard = (
        "Musculoskeletal nociceptive sensitisation frequently necessitates individualised "
        "graded exposure interventions incorporating biopsychosocial considerations."
    )
    assert reading_grade(hard) > MAX_GRADE


def test_the_shipped_set_covers_what_the_issue_asks_for():
    titles = [page["title"] for page in load_shipped_education()]
    assert 8 <= len(titles) <= 10
    text = " ".join(page["body"].lower() for page in load_shipped_education())
    for topic in ("bed", "scan", "hurt", "pacing", "flare-up", "sleep", "sitting", "lift"):
        assert topic in text or topic in " ".join(titles).lower(), topic
    harm = next(p for p in load_shipped_education() if p["key"] == "hurt-does-not-mean-harm")
    markers = [
        item.marker
        for block in education.blocks(harm["body"])
        for item in block.items
        if item.marker
    ]
    assert markers == ["green", "amber", "red"], "the traffic-light guide"
    hip = next(p for p in load_shipped_education() if p["key"] == "after-hip-replacement")
    assert set(hip["precaution_tags"]) == {"after_hip_replacement", "anterior_hip_replacement"}


def test_markup_makes_headings_lists_and_paragraphs_and_never_html():
    blocks = education.blocks(
        "First line\nsame paragraph.\n\n## A heading\n\n- [red] Stop.\n- <b>Plain</b>"
    )
    assert [block.kind for block in blocks] == ["paragraph", "heading", "list"]
    assert blocks[0].text == "First line same paragraph."
    assert blocks[2].items[0] == education.ListItem("Stop.", "red")
    assert blocks[2].items[1].text == "<b>Plain</b>"  # escaped by the template


@pytest.mark.django_db
def test_load_is_idempotent_and_a_changed_text_is_a_new_version():
    entries = load_shipped_education()
    first = services.education_load(entries=entries)
    assert len(first.created) == len(entries)
    again = services.education_load(entries=load_shipped_education())
    assert again.created == again.updated == []
    assert len(again.unchanged) == len(entries)
    assert EducationPage.objects.count() == EducationPageVersion.objects.count() == len(entries)

    changed = load_shipped_education()
    changed[0]["body"] += "\n\nOne more line."
    report = services.education_load(entries=changed)
    assert report.updated == [changed[0]["key"]]
    page = EducationPage.objects.get(library_key=changed[0]["key"])
    assert page.versions.count() == 2
    assert page.newest_published().body.endswith("One more line.")
    hip = EducationPage.objects.get(slug="after-hip-replacement")
    assert {tag.slug for tag in hip.precaution_tags.all()} == {
        "after_hip_replacement",
        "anterior_hip_replacement",
    }


@pytest.mark.django_db
def test_an_editors_change_is_a_new_version_and_load_library_keeps_it(client, editor):
    services.education_load(entries=load_shipped_education())
    page = EducationPage.objects.get(slug="keep-moving")
    client.force_login(editor)
    url = f"/admin/exercises/educationpage/{page.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Keep moving" in form.content.decode()
    data = {
        "title": page.title,
        "summary": "Our clinic's words.",
        "order": page.order,
        "body": "Walk a little every day.",
        "published": "on",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": page.versions.get().pk,
        "versions-0-page": page.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert page.edited_locally
    assert page.summary == "Our clinic's words."
    assert next(v.body for v in page.versions.all()) == "Walk a little every day."
    assert page.versions.count() == 2  # the shipped version stays
    assert page.versions.first().changed_by == editor
    # Saving the same text again adds nothing.
    client.post(url, data)
    assert page.versions.count() == 2
    report = services.education_load(entries=load_shipped_education())
    assert "keep-moving" in report.kept_local_edits
    assert page.newest_published().body == "Walk a little every day."
    # Never deleted: prescriptions carry pages.
    assert client.post(f"/admin/exercises/educationpage/{page.pk}/delete/").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


@pytest.mark.django_db
def test_a_draft_is_not_shown_and_a_page_without_a_published_text_is_not_offered():
    services.education_load(entries=load_shipped_education()[:1])
    page = EducationPage.objects.get()
    services.education_page_save(page=page, body="Draft words.", published=False, changed_by=None)
    assert page.newest_published().body != "Draft words."
    own = EducationPage.objects.create(slug="ours", title="Ours", summary="Ours.")
    services.education_page_save(page=own, body="Not yet.", published=False, changed_by=None)
    assert list(EducationPage.objects.offered()) == [page]
