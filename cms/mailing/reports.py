"""Campaign reports and the monthly summary for the prefecture's report: computed
from deliveries, clicks and bounces (pure aggregation; views render them)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .bounces import reason_label
from .models import (
    Bounce,
    BounceKind,
    Campaign,
    CampaignLink,
    Delivery,
    DeliveryStatus,
    Subscriber,
    SubscriberStatus,
)


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class CampaignReport:
    campaign: Campaign
    recipients: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    bounced: int = 0
    delivered: int = 0
    unique_opens: int = 0
    total_opens: int = 0
    unique_clicks: int = 0
    total_clicks: int = 0
    unsubscribes: int = 0
    complaints: int = 0
    bounce_reasons: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)

    @property
    def open_rate(self) -> float:
        return _rate(self.unique_opens, self.delivered)

    @property
    def click_rate(self) -> float:
        return _rate(self.unique_clicks, self.delivered)

    @property
    def bounce_rate(self) -> float:
        return _rate(self.bounced, self.sent)

    @property
    def unsubscribe_rate(self) -> float:
        return _rate(self.unsubscribes, self.delivered)

    @property
    def complaint_rate(self) -> float:
        return _rate(self.complaints, self.delivered)

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("送信対象", self.recipients),
            ("送信済み", self.sent),
            ("送信失敗", self.failed),
            ("送信せず（配信停止済み）", self.skipped),
            ("不達", self.bounced),
            ("到達（送信済み − 不達）", self.delivered),
            ("開封（ユニーク）", self.unique_opens),
            ("開封率（%）", self.open_rate),
            ("開封（延べ）", self.total_opens),
            ("クリック（ユニーク）", self.unique_clicks),
            ("クリック率（%）", self.click_rate),
            ("クリック（延べ）", self.total_clicks),
            ("配信停止", self.unsubscribes),
            ("迷惑メール報告", self.complaints),
            ("迷惑メール報告率（%）", self.complaint_rate),
        ]


def campaign_report(campaign: Campaign) -> CampaignReport:
    deliveries = Delivery.objects.filter(campaign=campaign)
    totals = deliveries.aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        skipped=Count("pk", filter=Q(status=DeliveryStatus.SKIPPED)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        unique_opens=Count("pk", filter=Q(opened_at__isnull=False)),
        total_opens=Sum("open_count"),
        unique_clicks=Count("pk", filter=Q(clicked_at__isnull=False)),
        total_clicks=Sum("click_count"),
        unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    report = CampaignReport(campaign, **{k: v or 0 for k, v in totals.items()})
    report.delivered = max(0, report.sent - report.bounced)
    bounces = Bounce.objects.filter(delivery__campaign=campaign)
    report.complaints = bounces.filter(kind=BounceKind.COMPLAINT).count()
    reasons: dict[tuple[str, str], dict] = {}
    for kind, code, n in (
        bounces.exclude(kind=BounceKind.COMPLAINT)
        .values_list("kind", "status_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ):
        label = reason_label(code, kind)
        entry = reasons.setdefault(
            (kind, label),
            {
                "kind": BounceKind(kind).label,
                "reason": label,
                "codes": set(),
                "count": 0,
            },
        )
        entry["codes"].add(code or "—")
        entry["count"] += n
    report.bounce_reasons = sorted(
        ({**e, "codes": "・".join(sorted(e["codes"]))} for e in reasons.values()),
        key=lambda e: -e["count"],
    )
    for link in CampaignLink.objects.filter(campaign=campaign).annotate(
        total=Count("clicks"), unique=Count("clicks__delivery", distinct=True)
    ):
        report.links.append(
            {
                "url": link.url,
                "total": link.total,
                "unique": link.unique,
                "rate": _rate(link.unique, report.delivered),
            }
        )
    report.links.sort(key=lambda e: -e["total"])
    return report


def campaign_csv_rows(report: CampaignReport):
    yield ["項目", "値"]
    yield ["キャンペーン", report.campaign.name]
    yield ["件名", report.campaign.subject]
    for label, value in report.rows():
        yield [label, value]
    yield []
    yield ["不達の理由", "種類", "ステータスコード", "件数"]
    for entry in report.bounce_reasons:
        yield [entry["reason"], entry["kind"], entry["codes"], entry["count"]]
    yield []
    yield ["リンク", "クリック（延べ）", "クリック（ユニーク）", "クリック率（%）"]
    for link in report.links:
        yield [link["url"], link["total"], link["unique"], link["rate"]]


@dataclass
class MonthSummary:
    month: dt.date
    campaigns: int
    sent: int
    delivered: int
    unique_opens: int
    unique_clicks: int
    bounced: int
    unsubscribes: int
    complaints: int
    new_subscribers: int
    active_at_end: int

    @property
    def open_rate(self):
        return _rate(self.unique_opens, self.delivered)

    @property
    def click_rate(self):
        return _rate(self.unique_clicks, self.delivered)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(dt.datetime(following.year, following.month, 1))
    return start, end


def monthly_summary(month: dt.date) -> MonthSummary:
    """What went out in a calendar month (JST), for the prefecture's 月次報告."""
    start, end = month_bounds(month)
    sent = Delivery.objects.filter(
        status=DeliveryStatus.SENT, sent_at__gte=start, sent_at__lt=end
    )
    totals = sent.aggregate(
        n=Count("pk"),
        campaigns=Count("campaign", distinct=True),
        opens=Count("pk", filter=Q(opened_at__isnull=False)),
        clicks=Count("pk", filter=Q(clicked_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    complaints = Bounce.objects.filter(
        kind=BounceKind.COMPLAINT, received_at__gte=start, received_at__lt=end
    ).count()
    new = Subscriber.objects.filter(created_at__gte=start, created_at__lt=end).count()
    active = Subscriber.objects.filter(
        status=SubscriberStatus.ACTIVE, created_at__lt=end
    ).count()
    return MonthSummary(
        month=month.replace(day=1),
        campaigns=totals["campaigns"],
        sent=totals["n"],
        delivered=totals["n"] - totals["bounced"],
        unique_opens=totals["opens"],
        unique_clicks=totals["clicks"],
        bounced=totals["bounced"],
        unsubscribes=totals["unsubscribes"],
        complaints=complaints,
        new_subscribers=new,
        active_at_end=active,
    )
