"""Schemathesis in GraphQL mode against the endpoint: queries generated from the
schema itself (its introspection), sent through Django's full WSGI stack
(middleware, URL routing, the strawberry view). Bounded: a fixed number of
derandomized examples per root field. No answer may be a server error, a stack
trace or a masked internal error (which would mean a bug).

(schemathesis' pytest plugin cannot load a schema from a fixture under pytest 9,
so the operations are driven with hypothesis directly; the generation is
schemathesis' own.)"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from cms.api.limits import INTERNAL_ERROR_MESSAGE

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FIELD = 25


def check_answer(case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text
    messages = [error.get("message") for error in response.json().get("errors") or []]
    assert INTERNAL_ERROR_MESSAGE not in messages, (case.body, messages)


@contextmanager
def database_connection_kept():
    """Django closes the connection after each WSGI request (conn_max_age=0),
    which would end the test's transaction on PostgreSQL; its test client keeps
    it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_generated_queries_never_cause_a_server_error(portal):
    with database_connection_kept():
        api = schemathesis.graphql.from_wsgi("/api/graphql/", get_wsgi_application())
        operations = [result.ok() for result in api.get_all_operations()]
        assert {op.label for op in operations} >= {
            "Query.pages",
            "Query.listings",
            "Query.page",
        }
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_FIELD,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                check_answer(case)

            run()
