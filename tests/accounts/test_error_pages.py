"""Our own 400, 403 and 404 pages in the app's look, with a way back for whoever is signed in
(a patient also gets the safety links); a stale form's 403 says what to do."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_patient_gets_a_404_with_the_way_home_and_the_safety_links(client, patient):
    client.force_login(patient.user)
    response = client.get("/plan/exercises/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert f'href="{reverse("patients:today")}"' in html
    assert f'href="{reverse("patients:safety")}"' in html
    assert f'href="{reverse("patients:symptoms")}"' in html
    assert 'class="site-header' in html  # the app's own look


def test_staff_and_strangers_get_their_own_way_back(client, clinician):
    html = client.get("/no-such-page/").content.decode()
    assert "Back to the start" in html
    assert reverse("patients:safety") not in html
    client.force_login(clinician)
    html = client.get("/no-such-page/").content.decode()
    assert "Back to the clinic pages" in html


def test_a_form_posted_without_its_token_explains_itself(patient):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient.user)
    response = browser.post(reverse("patients:settings"), {"timezone": "Europe/London"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_the_403_and_400_pages_render(rf, patient):
    from django.views import defaults

    request = rf.get("/plan/")
    request.user = patient.user
    forbidden = defaults.permission_denied(request, Exception())
    assert b"You can't open this page" in forbidden.content
    bad = defaults.bad_request(request, Exception())
    assert b"We couldn't understand that request" in bad.content
