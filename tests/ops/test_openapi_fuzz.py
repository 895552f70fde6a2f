"""Schemathesis against the public API's OpenAPI description (/api/openapi.json,
django-ninja): requests generated from the description for every operation (chat,
reservations, mail, akiya feed), sent through Django's full WSGI stack. Bounded: a
fixed number of derandomized examples per operation. No answer may be a server
error or a stack trace. Rate-limit counts are cleared before each request so the
limits do not hide the endpoints behind 429s.

(As in tests/api/test_fuzz.py, the operations are driven with hypothesis
directly: schemathesis' pytest plugin cannot take a schema from a fixture under
pytest 9. The generation is schemathesis' own.)"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from tests.reservations.conftest import make_gym

from .conftest import database_connection_kept

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


def test_openapi_description_lists_every_public_app(client):
    description = client.get("/api/openapi.json").json()
    paths = set(description["paths"])
    assert "/api/chat/" in paths
    assert "/api/reservations/facilities/{slug}/availability" in paths
    assert "/api/mail/subscribe" in paths
    assert any(p.startswith("/api/akiya/") for p in paths)


def test_generated_requests_never_cause_a_server_error(portal):
    make_gym("fuzz-gym")
    with database_connection_kept():
        api = schemathesis.openapi.from_wsgi(
            "/api/openapi.json", get_wsgi_application()
        )
        operations = [result.ok() for result in api.get_all_operations()]
        assert len(operations) >= 10
        failures = []
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                cache.clear()
                response = case.call()
                if response.status_code >= 500 or b"Traceback" in response.content:
                    failures.append(
                        (
                            case.operation.label,
                            response.status_code,
                            case.path_parameters,
                            case.query,
                            str(case.body)[:200],
                            response.content[:300],
                        )
                    )

            run()
    assert not failures, failures[:5]
