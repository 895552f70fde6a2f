"""The counting rules, free of I/O: who is a bot, who asked not to be tracked, the
visitor hash, device class, referrer and campaign, location, and how raw events
become sessions and daily aggregates. ``ingest`` and ``rollup`` do the I/O."""

import datetime
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from cms.core.japanese import PREFECTURE_NAMES

# Crawlers, link previewers, monitors and headless browsers. Matched against the
# user agent, which is then forgotten.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scan|monitor|preview|lighthouse|"
    r"headless|phantom|puppeteer|playwright|selenium|python|curl|wget|java/|"
    r"go-http|okhttp|axios|node-fetch|httpclient|libwww|facebookexternalhit|"
    r"embedly|quora link|whatsapp|pingdom|uptime|gtmetrix|pagespeed|"
    r"yahoo! slurp|bingpreview|applebot|semrush|ahrefs|mj12|dotbot|petalbot",
    re.IGNORECASE,
)
TABLET_PATTERN = re.compile(
    r"ipad|tablet|kindle|silk|playbook|android(?!.*mobile)", re.I
)
MOBILE_PATTERN = re.compile(
    r"mobi|iphone|ipod|android|blackberry|opera mini|iemobile", re.I
)

MAX_PATH = 300
MAX_FIELD = 80


def is_bot(user_agent: str) -> bool:
    """No user agent, or one that names a crawler or automation tool."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def opted_out(meta: dict) -> bool:
    """Do Not Track (``DNT: 1``) or Global Privacy Control (``Sec-GPC: 1``)."""
    return (
        meta.get("HTTP_DNT", "").strip() == "1"
        or meta.get("HTTP_SEC_GPC", "").strip() == "1"
    )


def visitor_hash(salt: str, site: str, ip: str, user_agent: str) -> str:
    """The same visitor on the same day gives the same 16 hex digits; with the
    salt deleted the next day, nobody (us included) can recompute or link it."""
    material = "\x1f".join((salt, site, ip, user_agent)).encode()
    return hashlib.sha256(material).hexdigest()[:16]


def device_class(user_agent: str, width: int | None = None) -> str:
    """mobile / tablet / desktop, from the user agent (the screen width when it
    says nothing, as with iPads that present themselves as Macs)."""
    if TABLET_PATTERN.search(user_agent):
        return "tablet"
    if MOBILE_PATTERN.search(user_agent):
        return "mobile"
    if width and width < 600:
        return "mobile"
    if width and width < 1025 and "macintosh" in user_agent.lower():
        return "tablet"
    return "desktop"


@dataclass(frozen=True)
class PageAddress:
    path: str
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""


def _clean(value: str, limit: int = MAX_FIELD) -> str:
    return "".join(ch for ch in value.strip() if ch.isprintable())[:limit]


def parse_page(url: str) -> PageAddress | None:
    """The page's path (without query or fragment) and its UTM parameters. Only
    a path is kept: query strings can carry personal data (a search, an e-mail)."""
    parts = urlsplit((url or "").strip()[:2000])
    # Browsers send non-ASCII slugs percent-encoded; pages are stored readable.
    path = unquote(parts.path, errors="replace")
    if not path.startswith("/") or "//" in path:
        return None
    query = parse_qs(parts.query)

    def utm(name):
        return _clean(query.get(f"utm_{name}", [""])[0]).lower()

    return PageAddress(
        path=_clean(path, MAX_PATH),
        utm_source=utm("source"),
        utm_medium=utm("medium"),
        utm_campaign=utm("campaign"),
    )


def referrer_host(referrer: str, site_hosts: set[str]) -> str:
    """Only the referring host, and nothing when it is the site itself."""
    try:
        host = (urlsplit((referrer or "").strip()).hostname or "").lower()
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    if not host or host in site_hosts:
        return ""
    return _clean(host, 120)


def location(meta: dict, country_headers, region_headers) -> str:
    """Country (``US``), or prefecture for Japan (``JP-13``), from CDN headers."""
    country = ""
    for header in country_headers:
        value = meta.get(header, "").strip().upper()
        if re.fullmatch(r"[A-Z]{2}", value) and value not in {"XX", "T1"}:
            country = value
            break
    if country != "JP":
        return country
    for header in region_headers:
        value = meta.get(header, "").strip().upper().removeprefix("JP-")
        if re.fullmatch(r"\d{1,2}", value) and 1 <= int(value) <= 47:
            return f"JP-{int(value):02d}"
    return country


DEVICE_LABELS = {
    "mobile": "スマートフォン",
    "tablet": "タブレット",
    "desktop": "パソコン",
}


def region_label(code: str) -> str:
    if code.startswith("JP-"):
        return PREFECTURE_NAMES[int(code[3:]) - 1]
    return {"JP": "日本（都道府県不明）", "": "不明"}.get(code, code)


# --- Sessions and daily aggregates -------------------------------------------------


@dataclass(frozen=True)
class Event:
    created_at: datetime.datetime
    visitor: str
    kind: str
    path: str
    referrer_host: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    device: str = "desktop"
    region: str = ""


@dataclass
class Session:
    visitor: str
    events: list[Event]

    @property
    def pageviews(self) -> list[Event]:
        return [e for e in self.events if e.kind == "pageview"]

    @property
    def entry(self) -> Event:
        return (self.pageviews or self.events)[0]

    @property
    def seconds(self) -> int:
        return int(
            (self.events[-1].created_at - self.events[0].created_at).total_seconds()
        )

    def source(self) -> tuple[str, str, str]:
        """(source, medium, campaign) of the visit, from its first page view."""
        entry = self.entry
        source = entry.utm_source or entry.referrer_host or "(direct)"
        medium = entry.utm_medium or ("referral" if entry.referrer_host else "")
        return source, medium, entry.utm_campaign


def sessionise(events, gap_minutes: int = 30) -> list[Session]:
    """Group each visitor's events into visits: a new one starts after
    ``gap_minutes`` without any event."""
    gap = datetime.timedelta(minutes=gap_minutes)
    by_visitor = defaultdict(list)
    for event in events:
        by_visitor[event.visitor].append(event)
    sessions = []
    for visitor, own in by_visitor.items():
        own.sort(key=lambda e: e.created_at)
        current = [own[0]]
        for event in own[1:]:
            if event.created_at - current[-1].created_at > gap:
                sessions.append(Session(visitor, current))
                current = []
            current.append(event)
        sessions.append(Session(visitor, current))
    return sessions


@dataclass
class Counts:
    pageviews: int = 0
    visitors: set = field(default_factory=set)
    sessions: int = 0
    entries: int = 0
    inquiries: int = 0


@dataclass
class DayAggregate:
    pageviews: int = 0
    visitors: int = 0
    sessions: int = 0
    bounces: int = 0
    duration_seconds: int = 0
    inquiries: int = 0
    pages: dict = field(default_factory=dict)  # path -> Counts
    sources: dict = field(default_factory=dict)  # (source, medium, campaign) -> Counts
    dimensions: dict = field(default_factory=dict)  # (dimension, value) -> Counts


def aggregate(events, gap_minutes: int = 30) -> DayAggregate:
    """One day's events to the numbers stored in the daily tables.

    Users are distinct visitor hashes with a page view; a session counts when it
    has at least one page view; a bounce is a session of one page view; the
    source, device and region of a session are those of its first page view."""
    day = DayAggregate()
    visitors = set()
    for session in sessionise(events, gap_minutes):
        for event in session.events:
            page = day.pages.setdefault(event.path, Counts())
            if event.kind == "pageview":
                page.pageviews += 1
                page.visitors.add(session.visitor)
            else:
                page.inquiries += 1
                day.inquiries += 1
        views = session.pageviews
        if not views:
            continue
        visitors.add(session.visitor)
        day.pageviews += len(views)
        day.sessions += 1
        day.bounces += len(views) == 1
        day.duration_seconds += session.seconds
        day.pages[session.entry.path].entries += 1
        entry = session.entry
        for key, table in (
            (session.source(), day.sources),
            (("device", entry.device), day.dimensions),
            (("region", entry.region), day.dimensions),
        ):
            counts = table.setdefault(key, Counts())
            counts.sessions += 1
            counts.pageviews += len(views)
            counts.visitors.add(session.visitor)
    day.visitors = len(visitors)
    return day
