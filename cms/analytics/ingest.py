"""Receiving one page view: the checks in order (switched off, opted out, bot,
rate limit, bad input), then one INSERT. Nothing else happens per request; the
aggregation runs later (``rollup``)."""

import datetime
import logging
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cms.core.ratelimit import client_ip, hit

from . import counting
from .conf import conf
from .models import DailySalt, EventKind, PageEvent

logger = logging.getLogger(__name__)

_salts: dict[datetime.date, str] = {}


def salt_for(day: datetime.date) -> str:
    """Today's salt, created by whichever request comes first."""
    salt = _salts.get(day)
    if salt is None:
        try:
            with transaction.atomic():
                salt = DailySalt.objects.get_or_create(
                    day=day, defaults={"salt": DailySalt.new_salt()}
                )[0].salt
        except IntegrityError:  # another process created it meanwhile
            salt = DailySalt.objects.get(day=day).salt
        _salts.clear()  # keep only one day in memory
        _salts[day] = salt
    return salt


def forget_salts() -> None:
    _salts.clear()


@cache
def _site_hosts(site_url: str, extra: tuple[str, ...]) -> set[str]:
    hosts = {(urlsplit(site_url).hostname or "").removeprefix("www.")}
    return hosts | {host.lower().removeprefix("www.") for host in extra}


def site_hosts() -> set[str]:
    return _site_hosts(settings.PORTAL_SITE_URL, tuple(conf("SITE_HOSTS")))


@cache
def _insert_sql(vendor: str, table: str) -> tuple[str, tuple]:
    fields = tuple(f for f in PageEvent._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", fields


def _insert(**values) -> None:
    """One INSERT of a page event. The ORM's ``create`` compiles the statement and
    reads back the new id on every call, a third of the endpoint's time; the
    values still go through each field's own conversion for the database."""
    sql, fields = _insert_sql(connection.vendor, PageEvent._meta.db_table)
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record(request, page_url: str, referrer: str, kind: str, width=None) -> str:
    """Store one event if it should be counted; returns why not (or "stored"),
    which tests and the benchmark read."""
    if not conf("ENABLED"):
        return "disabled"
    meta = request.META
    if counting.opted_out(meta):
        return "opted_out"
    user_agent = meta.get("HTTP_USER_AGENT", "")
    if counting.is_bot(user_agent):
        return "bot"
    ip = client_ip(request)
    if not hit("analytics", ip, conf("RATE_LIMIT_PER_MINUTE"), 60).allowed:
        return "rate_limited"
    page = counting.parse_page(page_url)
    if page is None or kind not in EventKind.values:
        return "invalid"
    host = (urlsplit(page_url.strip()).hostname or "").removeprefix("www.")
    if host and host not in site_hosts() | {request.get_host().split(":")[0]}:
        return "invalid"  # a page of another site (a copied snippet, a hotlink)
    now = timezone.now()
    day = timezone.localdate(now)
    _insert(
        created_at=now,
        day=day,
        visitor=counting.visitor_hash(
            salt_for(day), settings.PORTAL_SITE_URL, ip, user_agent
        ),
        kind=kind,
        path=page.path,
        referrer_host=counting.referrer_host(referrer, site_hosts()),
        utm_source=page.utm_source,
        utm_medium=page.utm_medium,
        utm_campaign=page.utm_campaign,
        device=counting.device_class(user_agent, width),
        region=counting.location(meta, conf("COUNTRY_HEADERS"), conf("REGION_HEADERS")),
    )
    return "stored"
