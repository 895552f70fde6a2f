"""Portal events and articles shared into rooms: finding the page a member means
(by its URL on the site, or by words of its title) and the card a post shows for
it (kind, title, date, place, link).

Only pages visitors can see count (``cms.api.visibility``, the same rule as the
static site): a draft, a private page or a page under an unpublished section can
be neither found nor shown, and a card whose page has since left the site says so
without repeating its title."""

import datetime as dt
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from cms.api.visibility import PublicScope
from cms.core.japanese import format_date
from cms.listings.models import EventKind, EventPage
from cms.pages.models import ArticlePage

SHAREABLE = (EventPage, ArticlePage)
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class ShareCard:
    """What a post shows of the page it shares; ``url`` is empty once the page
    is no longer on the site."""

    kind: str = ""
    title: str = ""
    date_text: str = ""
    date_iso: str = ""
    place: str = ""
    url: str = ""


GONE = ShareCard()


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text or "").split()


def looks_like_url(text: str) -> bool:
    text = (text or "").strip()
    return text.startswith(("http://", "https://", "/"))


def _shareable(scope: PublicScope):
    return scope.filter(Page.objects.type(*SHAREABLE))


def page_for_url(text: str, hosts=()) -> Page | None:
    """The public event or article at ``text``: a path on the site
    (``/towns/mito/events/soudankai/``) or a full URL on the portal's own host
    (``PORTAL_SITE_URL`` or one of ``hosts``)."""
    parts = urlsplit((text or "").strip())
    own = {urlsplit(settings.PORTAL_SITE_URL).netloc, *hosts}
    if parts.netloc and parts.netloc not in own:
        return None
    path = parts.path or "/"
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    if not path.endswith("/"):
        path += "/"
    scope = PublicScope.now()
    if not scope.root_url_path:
        return None
    url_path = scope.root_url_path + path.lstrip("/")
    page = _shareable(scope).filter(url_path=url_path).first()
    return page.specific if page is not None else None


def search(text: str, limit: int = SEARCH_LIMIT) -> list[Page]:
    """Public events and articles whose title holds every word of ``text``, the
    newest first. A substring match, not the full-text index: Japanese titles
    have no spaces, so 「相談会」 must find 「水戸市の移住相談会」."""
    words = _words(text)
    if not words:
        return []
    pages = _shareable(PublicScope.now())
    for word in words:
        pages = pages.filter(title__icontains=word)
    return list(pages.order_by("-first_published_at", "-pk").specific()[:limit])


def public_path(page: Page, scope: PublicScope | None = None) -> str:
    return (scope or PublicScope.now()).path_of(page) or ""


def cards(pages) -> list[ShareCard]:
    """The cards of public pages found by ``page_for_url`` or ``search``."""
    scope = PublicScope.now()
    return [card_for(page, public_path(page, scope)) for page in pages]


def date_ja(moment: dt.datetime | dt.date, with_time: bool = False) -> str:
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment)
    text = format_date(moment, weekday=True)
    if with_time and isinstance(moment, dt.datetime):
        text += f" {moment.hour}:{moment.minute:02d}"
    return text


def card_for(page: Page, path: str) -> ShareCard:
    """The card of a public page (``page`` specific, ``path`` its site path)."""
    if isinstance(page, EventPage):
        moment = page.start_at or page.first_published_at
        is_event = page.kind == EventKind.EVENT and page.start_at is not None
        kind = page.get_kind_display()
        place = page.municipality.name if page.municipality_id else ""
        if page.venue_name and is_event:
            place = f"{place}・{page.venue_name}" if place else page.venue_name
    else:
        moment = page.date
        is_event = False
        kind = "記事"
        place = "、".join(m.name for m in page.related_municipalities.all()[:3])
    return ShareCard(
        kind=kind,
        title=page.title,
        date_text=date_ja(moment, with_time=is_event) if moment else "",
        date_iso=moment.isoformat() if moment else "",
        place=place,
        url=path,
    )


def attach_cards(posts) -> None:
    """Set ``share_card`` on every post that shares a page: three small queries
    for the site's visibility, one per page type and one per shared page for its
    town(s); nothing when no post on the page shares one."""
    wanted = {p.shared_page_id for p in posts if p.shared_page_id}
    for post in posts:
        post.share_card = None
    if not wanted:
        return
    scope = PublicScope.now()
    public = scope.filter(Page.objects.filter(pk__in=wanted)).specific()
    by_page = {
        page.pk: card_for(page, scope.path_of(page) or "")
        for page in public
        if isinstance(page, SHAREABLE)
    }
    for post in posts:
        if post.shared_page_id:
            post.share_card = by_page.get(post.shared_page_id, GONE)


def municipalities_of(page: Page) -> list:
    """The municipalities a shared page belongs to, linked to the post too."""
    if isinstance(page, EventPage):
        return [page.municipality] if page.municipality_id else []
    if isinstance(page, ArticlePage):
        return list(page.related_municipalities.all())
    return []
