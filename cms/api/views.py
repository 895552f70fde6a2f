"""The GraphQL endpoint (``/api/graphql/``, admin side): strawberry's Django view
with the portal's context. No cookies or sessions grant anything here (drafts need
a preview token), so the endpoint is exempt from CSRF like any token API."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from builders.workers import with_stack_room

from .schema import ApiContext, schema


class ContentApiView(GraphQLView):
    def get_context(self, request, response):
        return ApiContext(request=request, response=response)

    def encode_json(self, data) -> str:
        # Japanese as UTF-8, not \uXXXX escapes: half the bytes, readable in curl.
        return json.dumps(
            data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
        )

    def dispatch(self, request, *args, **kwargs):
        # The frame stack room the in-process builder gets too: a window of pages
        # otherwise cost 10,000 mmap/munmap pairs in a web server's thread.
        response = with_stack_room(super().dispatch, request, *args, **kwargs)
        # Answers may hold a draft (with a preview token); shared caches keep none.
        response.setdefault("Cache-Control", "private, no-store")
        return response


def graphql_view():
    return csrf_exempt(
        ContentApiView.as_view(
            schema=schema,
            graphql_ide="graphiql" if settings.PORTAL_API_GRAPHIQL else None,
            allow_queries_via_get=True,
        )
    )
