"""The content API's schema: the contract between the CMS and whatever renders the
site (the static builder, previews, a future front end).

Everything it returns is public (``visibility.PublicScope``) unless a preview token
for that page is given. ``execute`` runs a query in-process, the same way the HTTP
endpoint does, for the builder and the preview view."""

import datetime
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property

import strawberry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from graphql import GraphQLNamedType, get_named_type
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info
from wagtail.models import Page as WagtailPage

from cms.core.models import Municipality as MunicipalityModel
from cms.core.models import PortalSettings
from cms.pages.models import MunicipalityPage as MunicipalityPageModel

from . import changes, fastpath, tokens
from .faq import FaqSection, faq_sections
from .filters import (
    ApiInputError,
    ListingConditions,
    Window,
    listing_querysets,
    municipality_q,
    pages_of,
    updated_since_q,
)
from .limits import INTERNAL_ERROR_MESSAGE, cost_rule, should_mask_error
from .loader import ContentLoader, load_specific
from .objects import RICH_TEXT_SCALAR, RichText
from .types import (
    PAGE_TYPES,
    Listing,
    ListingList,
    Municipality,
    Page,
    PageList,
    PageType,
    RemovedPage,
    Site,
)
from .visibility import PublicScope


@dataclass
class ApiContext:
    """What resolvers share during one request: the public scope (read once) and
    the batched loader."""

    request: HttpRequest | None = None
    response: HttpResponse | None = None

    @cached_property
    def loader(self) -> ContentLoader:
        return ContentLoader(PublicScope.now())

    @cached_property
    def cms_base_url(self) -> str:
        if self.request is not None:
            return self.request.build_absolute_uri("/").rstrip("/")
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


# --- Inputs ------------------------------------------------------------------------


@strawberry.enum(description="Listing types.")
class ListingType(Enum):
    EVENT = "event"
    AKIYA = "akiya"
    TRIAL_STAY = "trial_stay"
    RECRUITMENT = "recruitment"


@strawberry.enum(description="空き家の状況")
class AkiyaStatus(Enum):
    OPEN = "open"
    NEGOTIATING = "negotiating"
    CONTRACTED = "contracted"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="Order of a listing list.")
class ListingOrder(Enum):
    NEWEST = "newest"
    UPDATED = "updated"
    TITLE = "title"
    PATH = "path"


LISTING_ORDERING = {
    ListingOrder.NEWEST: ("-first_published_at", "-pk"),
    ListingOrder.UPDATED: ("-last_published_at", "-pk"),
    ListingOrder.TITLE: ("title", "pk"),
    ListingOrder.PATH: ("path",),
}


@strawberry.input(description="Conditions on pages of any type (all must hold).")
class PageFilter:
    types: list[PageType] | None = None
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Page ids (at most a page size of them)."
    )
    municipality: list[str] | None = strawberry.field(
        default=None, description="Municipality slugs: pages in their subtrees."
    )
    municipality_code: list[str] | None = strawberry.field(
        default=None, description="全国地方公共団体コード (6 digits, or the first 5)."
    )
    path_prefix: str | None = strawberry.field(
        default=None, description="Public path prefix, e.g. /towns/mito/."
    )
    updated_since: datetime.datetime | None = strawberry.field(
        default=None,
        description=(
            "Pages published, gone live, moved or brought back since then: what a "
            "build made at that time must re-render."
        ),
    )


@strawberry.input(
    description=(
        "Conditions on listings (all must hold). A condition a type cannot meet "
        "leaves that type out: status and rent apply to akiya only."
    )
)
class ListingFilter:
    types: list[ListingType] | None = None
    municipality: list[str] | None = strawberry.field(
        default=None, description="Municipality slugs."
    )
    municipality_code: list[str] | None = strawberry.field(
        default=None, description="全国地方公共団体コード (6 digits, or the first 5)."
    )
    status: list[AkiyaStatus] | None = None
    price_min: int | None = strawberry.field(
        default=None,
        description=(
            "Yen, on each type's main amount: akiya sale price, event fee, trial-stay "
            "fee per night, recruitment monthly pay. Listings without one are left out."
        ),
    )
    price_max: int | None = None
    rent_min: int | None = strawberry.field(
        default=None, description="Akiya monthly rent, yen."
    )
    rent_max: int | None = None
    date_from: datetime.date | None = strawberry.field(
        default=None,
        description=(
            "On each type's date: event period (news: first published), akiya "
            "registration day, trial-stay availability, recruitment application period."
        ),
    )
    date_to: datetime.date | None = None
    updated_since: datetime.datetime | None = strawberry.field(
        default=None, description="As PageFilter.updatedSince."
    )

    def conditions(self) -> ListingConditions:
        return ListingConditions(
            kinds=[t.value for t in self.types or []],
            municipality_slugs=list(self.municipality or []),
            municipality_codes=list(self.municipality_code or []),
            statuses=[s.value for s in self.status or []],
            price_min=self.price_min,
            price_max=self.price_max,
            rent_min=self.rent_min,
            rent_max=self.rent_max,
            date_from=self.date_from,
            date_to=self.date_to,
            updated_since=self.updated_since,
        )


# --- Resolvers ----------------------------------------------------------------------


def _window(offset: int, limit: int) -> Window:
    return Window.checked(offset, limit, settings.PORTAL_API_MAX_PAGE_SIZE)


def _page_of(queryset, window: Window, loader: ContentLoader):
    total = queryset.count()
    rows = list(
        queryset.values_list("pk", "content_type_id")[
            window.offset : window.offset + window.limit
        ]
    )
    items = loader.register(load_specific(rows))
    return total, items


def _content_types(models) -> list[int]:
    return [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]


def _page_filter_q(page_filter: PageFilter, scope: PublicScope) -> Q:
    q = Q()
    if page_filter.ids is not None:
        if len(page_filter.ids) > settings.PORTAL_API_MAX_PAGE_SIZE:
            raise ApiInputError(
                f"ids: 一度に{settings.PORTAL_API_MAX_PAGE_SIZE}件まで指定してください。"
            )
        if not all(str(pk).isdigit() for pk in page_filter.ids):
            raise ApiInputError("ids: 数字で指定してください。")
        q &= Q(pk__in=[int(pk) for pk in page_filter.ids])
    if page_filter.types:
        models = [
            m for m in PAGE_TYPES if PageType(m._meta.label_lower) in page_filter.types
        ]
        q &= Q(content_type_id__in=_content_types(models))
    if page_filter.municipality or page_filter.municipality_code:
        subtrees = MunicipalityPageModel.objects.filter(
            municipality_q(page_filter.municipality, page_filter.municipality_code)
        ).values_list("path", flat=True)
        q &= Q(pk__in=[]) if not subtrees else _any_prefix(subtrees)
    if page_filter.path_prefix:
        prefix = "/" + page_filter.path_prefix.strip("/") + "/"
        prefix = prefix.replace("//", "/")
        q &= Q(url_path__startswith=scope.root_url_path.rstrip("/") + prefix)
    if page_filter.updated_since:
        q &= updated_since_q(page_filter.updated_since, scope)
    return q


def _any_prefix(paths) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def _page_by_path(path: str, scope: PublicScope):
    path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
    url_path = scope.root_url_path.rstrip("/") + path
    return scope.filter(WagtailPage.objects.filter(url_path=url_path)).values_list(
        "pk", "content_type_id"
    )


def _site_settings() -> PortalSettings | None:
    from wagtail.models import Site as WagtailSite

    site = WagtailSite.objects.order_by("-is_default_site", "pk").first()
    return PortalSettings.for_site(site) if site else None


@strawberry.type
class Query:
    @strawberry.field(description="The portal's settings and branding.")
    def site(self, info: Info) -> Site:
        portal = _site_settings() or PortalSettings()
        loader = info.context.loader
        loader.images.want([portal.logo_id])
        return Site(
            name=portal.portal_name,
            tagline=portal.tagline,
            operator_name=portal.operator_name,
            prefecture_code=portal.prefecture_code,
            primary_colour=portal.primary_colour,
            accent_colour=portal.accent_colour,
            contact_email=portal.contact_email,
            contact_phone=portal.contact_phone,
            contact_address=portal.contact_address,
            url=settings.PORTAL_SITE_URL,
            rendition_filters=list(settings.PORTAL_API_RENDITION_FILTERS),
            logo_id=portal.logo_id,
            default_desk_id=portal.default_desk_id,
        )

    @strawberry.field(
        description="よくある質問: the chatbot's active answers by category."
    )
    def faq(self, info: Info) -> list[FaqSection]:
        return faq_sections()

    @strawberry.field(description="All municipalities, in display order.")
    def municipalities(self, info: Info) -> list[Municipality]:
        return list(MunicipalityModel.objects.all())

    @strawberry.field(description="One municipality by slug or 団体コード.")
    def municipality(
        self, info: Info, slug: str | None = None, code: str | None = None
    ) -> Municipality | None:
        if (slug is None) == (code is None):
            raise ApiInputError("slug か code のどちらか一方を指定してください。")
        q = Q(slug=slug) if slug is not None else _code_q(code)
        return MunicipalityModel.objects.filter(q).first()

    @strawberry.field(
        description=(
            "One public page by id or public path. With a preview token, the draft "
            "the token was issued for (id and path, if given, must be that page's)."
        )
    )
    def page(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        path: str | None = None,
        preview_token: str | None = None,
    ) -> Page | None:
        loader = info.context.loader
        if preview_token is not None:
            draft, grant = tokens.draft_for_token(preview_token)
            if (id is not None and str(id) != str(grant.page_id)) or (
                path is not None and loader.scope.path_of(draft) != path
            ):
                raise tokens.PreviewTokenError(
                    "このプレビューのトークンは別のページのものです。"
                )
            return loader.register([draft])[0]
        if (id is None) == (path is None):
            raise ApiInputError("id か path のどちらか一方を指定してください。")
        if id is not None:
            if not str(id).isdigit():
                raise ApiInputError("id: 数字で指定してください。")
            rows = loader.scope.filter(
                WagtailPage.objects.filter(pk=int(id))
            ).values_list("pk", "content_type_id")
        else:
            rows = _page_by_path(path, loader.scope)
        pages = loader.register(load_specific(list(rows)))
        return pages[0] if pages else None

    @strawberry.field(
        description="Public pages of every type in tree order (a full snapshot, paged)."
    )
    def pages(
        self,
        info: Info,
        filter: PageFilter | None = None,
        offset: int = 0,
        limit: int = settings.PORTAL_API_DEFAULT_PAGE_SIZE,
    ) -> PageList:
        window = _window(offset, limit)
        loader = info.context.loader
        queryset = loader.scope.filter(WagtailPage.objects.all())
        if filter is not None:
            queryset = queryset.filter(_page_filter_q(filter, loader.scope))
        total, items = _page_of(queryset.order_by("path"), window, loader)
        return PageList(
            total_count=total,
            offset=window.offset,
            limit=window.limit,
            has_next_page=window.offset + len(items) < total,
            items=items,
        )

    @strawberry.field(description="Public listings of every type, filtered and paged.")
    def listings(
        self,
        info: Info,
        filter: ListingFilter | None = None,
        order: ListingOrder = ListingOrder.NEWEST,
        offset: int = 0,
        limit: int = settings.PORTAL_API_DEFAULT_PAGE_SIZE,
    ) -> ListingList:
        window = _window(offset, limit)
        loader = info.context.loader
        conditions = filter.conditions() if filter else ListingConditions()
        queryset = pages_of(listing_querysets(conditions, loader.scope))
        total, items = _page_of(
            queryset.order_by(*LISTING_ORDERING[order]), window, loader
        )
        return ListingList(
            total_count=total,
            offset=window.offset,
            limit=window.limit,
            has_next_page=window.offset + len(items) < total,
            items=items,
        )

    @strawberry.field(
        description=(
            "Pages (and old paths) that left the public site since a time: "
            "unpublished, deleted, moved, made private or expired. A build made at "
            "`since` deletes these paths."
        )
    )
    def removed_pages(self, info: Info, since: datetime.datetime) -> list[RemovedPage]:
        loader = info.context.loader
        return [
            RemovedPage(
                id=strawberry.ID(str(r.page_id)),
                path=r.path,
                url=loader.public_url(r.path),
                removed_at=r.removed_at,
                reason=r.reason,
            )
            for r in changes.removed_since(since, loader.scope)
        ]


def _code_q(code: str) -> Q:
    if len(code) == 6:
        return Q(code=code)
    if len(code) == 5:
        return Q(code5=code)
    raise ApiInputError("code: 団体コードは6桁（または先頭5桁）で指定してください。")


def _extensions():
    """Extension factories: strawberry builds fresh ones for every request."""
    cost = cost_rule(
        settings.PORTAL_API_MAX_COST,
        paged_fields={"pages", "listings"},
        default_limit=settings.PORTAL_API_DEFAULT_PAGE_SIZE,
        max_limit=settings.PORTAL_API_MAX_PAGE_SIZE,
    )
    # The alias and depth limits as rule classes made once, not strawberry's
    # MaxAliasesLimiter and QueryDepthLimiter extensions: those make a new rule
    # class for every request, and the validation cache, keyed on the rules, then
    # never found a document validated before.
    limits = [
        max_aliases.create_validator(settings.PORTAL_API_MAX_ALIASES),
        query_depth_limiter.create_validator(settings.PORTAL_API_MAX_DEPTH, None),
        cost,
    ]
    extensions = [
        lambda: MaxTokensLimiter(settings.PORTAL_API_MAX_TOKENS),
        # The builder sends the same few documents over and over: parse and
        # validate each once (the cache key includes the validation rules, so the
        # introspection gate still applies).
        lambda: ParserCache(maxsize=64),
        lambda: ValidationCache(maxsize=64),
        lambda: AddValidationRules(limits),
        lambda: MaskErrors(
            should_mask_error=should_mask_error, error_message=INTERNAL_ERROR_MESSAGE
        ),
    ]
    return [introspection_gate, *extensions]


class IntrospectionAllowed(SchemaExtension):
    """No-op: introspection stays on."""


def introspection_gate() -> SchemaExtension:
    # Read per request, so the setting (and tests overriding it) apply at once.
    if settings.PORTAL_API_INTROSPECTION:
        return IntrospectionAllowed()
    return DisableIntrospection()


def build_schema(fast: bool = True) -> strawberry.Schema:
    built = strawberry.Schema(
        query=Query,
        types=[*PAGE_TYPES.values(), Listing],
        extensions=_extensions(),
        config=StrawberryConfig(scalar_map={RichText: RICH_TEXT_SCALAR}),
    )
    if fast:
        # Direct resolvers for simple fields: a full snapshot costs a fraction of
        # the CPU time (cms/api/fastpath.py, tests/api/test_fastpath.py).
        fastpath.install(built)
    return built


schema = build_schema()


def execute_with_errors(query: str, variables: dict | None = None, request=None):
    """Run a query in-process as the endpoint would; the result keeps its errors."""
    return schema.execute_sync(
        query, variable_values=variables, context_value=ApiContext(request=request)
    )


class ContentApiError(RuntimeError):
    pass


def execute(query: str, variables: dict | None = None, request=None) -> dict:
    """Run a query in-process and return its data; any error raises."""
    result = execute_with_errors(query, variables, request)
    if result.errors:
        raise ContentApiError("; ".join(error.message for error in result.errors))
    return result.data


@cache
def rich_text_field_names() -> set[str]:
    """GraphQL field names whose type is RichText (HTML to insert unescaped)."""
    names = set()
    for named in schema._schema.type_map.values():
        fields = (
            getattr(named, "fields", None)
            if isinstance(named, GraphQLNamedType)
            else None
        )
        for name, field in (fields or {}).items():
            if get_named_type(field.type).name == "RichText":
                names.add(name)
    return names
