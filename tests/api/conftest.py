"""Helpers for the content API tests: GraphQL over HTTP through Django's test
client, as the builder (or curl) would call it."""

import json

import pytest

ENDPOINT = "/api/graphql/"


def post_graphql(client, query: str, variables: dict | None = None):
    return client.post(
        ENDPOINT,
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )


@pytest.fixture
def gql(client):
    """Run a query over HTTP; returns the decoded JSON body (data and errors)."""

    def run(query: str, variables: dict | None = None, expect_errors: bool = False):
        response = post_graphql(client, query, variables)
        assert response.status_code in (200, 400), response.content[:500]
        body = response.json()
        if not expect_errors:
            assert "errors" not in body, body.get("errors")
        return body

    return run


def titles(items) -> set[str]:
    return {item["title"] for item in items}
