"""What a patient's writes cost: a check-off and "session done", whole request included
(session, user and patient), transaction statements not counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

TRANSACTION_STATEMENTS = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


def statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(TRANSACTION_STATEMENTS)
    ]


@pytest.fixture
def plan_of_three(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=patient.today())
    return [PrescribedExerciseFactory(prescription=prescription, order=n) for n in range(3)]


def test_print(client, patient, plan_of_three):
    client.force_login(patient.user)
    day = patient.today().isoformat()
    for item in plan_of_three[:2]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("patients:check", args=[day]),
                {"exercise": item.pk, "session": 1, "action": "done"},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
        print(len(statements(captured)))
        print("\n".join(s[:150] for s in statements(captured)))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("patients:session_done", args=[day, 1]),
            {"pain": 3, "effort": "right", "note": ""},
        )
    print(response.status_code, len(statements(captured)))
    print("\n".join(s[:150] for s in statements(captured)))
