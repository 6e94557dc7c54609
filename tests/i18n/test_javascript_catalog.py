"""The scripts' words (static/js) come from Django's JavaScript catalogue at /jsi18n/, in the
request's language: a signed-in patient's own, else the browser's."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_catalogue_follows_the_browsers_language(client):
    response = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "Marcar como hecho" in response.content.decode()
    # Kept by this browser alone, and asked again on each use: a 304 while the language stays.
    assert {"private", "no-cache"} <= {p.strip() for p in response["Cache-Control"].split(",")}
    assert {"Cookie", "Accept-Language"} <= {name.strip() for name in response["Vary"].split(",")}
    etag = response["ETag"]
    again = client.get(
        reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    english = client.get(
        reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en-gb", HTTP_IF_NONE_MATCH=etag
    )
    assert english.status_code == 200  # another language: another copy


def test_a_spanish_patient_gets_spanish_words_whatever_the_browser(client, patient):
    patient.language = "es"
    patient.save()
    client.force_login(patient.user)
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Empezar a mantener %(n)s segundos" in body


def test_english_has_no_catalogue_to_send(client):
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en-gb").content
    assert b"Marcar como hecho" not in body
