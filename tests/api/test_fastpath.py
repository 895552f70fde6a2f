"""cms/api/fastpath.py swaps strawberry's resolvers of simple fields for direct
calls. The answers must not change: every document the builder sends gives the
same data with and without it, over every page type of the test portal."""

import pytest

from builders.queries import document
from cms.api.schema import ApiContext, build_schema
from tests.api import builders


@pytest.fixture
def schemas():
    return build_schema(fast=True), build_schema(fast=False)


def run(schema, name, variables=None):
    result = schema.execute_sync(
        document(name),
        variable_values=variables,
        context_value=ApiContext(request=None),
    )
    assert not result.errors, result.errors
    return result.data


def test_every_builder_document_gives_the_same_data(schemas, portal):
    builders.add_trial_stay("mito")
    builders.add_recruitment("tsukuba")
    fast, plain = schemas
    for name, variables in [
        ("site", None),
        ("pages", {"offset": 0, "limit": 200}),
        ("removed", {"since": "2020-01-01T00:00:00+00:00"}),
    ]:
        fast_data, plain_data = run(fast, name, variables), run(plain, name, variables)
        assert fast_data == plain_data, name
    pages = run(fast, "pages", {"offset": 0, "limit": 200})["pages"]
    types = {item["__typename"] for item in pages["items"]}
    assert {
        "AkiyaListingPage",
        "EventPage",
        "TrialStayPage",
        "RecruitmentPage",
    } <= types
