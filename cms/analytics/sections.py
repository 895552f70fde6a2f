"""Built-in report sections for apps that offer no ``monthly_section`` of their
own: the chatbot (whose ``cms.chat.report`` predates the contract and is reused
here), akiya listings with the national akiya bank's sync status, and facility
reservations. An app that later writes ``report.monthly_section`` replaces its
adapter here without any change to this module's callers."""

import datetime
from collections import Counter

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from .queries import Period
from .report import Chart, ReportSection, Table, figure_png, fmt_int

# Order of sections in the report; sections of other apps follow.
ORDER = ("site", "chat", "mailing", "listings", "akiya_bank", "reservations")


def _adapter(requires: str | None):
    """``requires``: the function the app's report(s) module must offer for this
    adapter to apply (None: the adapter reads the app's models directly)."""

    def mark(function):
        function.requires = requires
        return function

    return mark


def _bounds(period: Period):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0%}"


# --- Chatbot (cms.chat.report) -----------------------------------------------------


@_adapter(requires="build_monthly_report")
def chat_section(year: int, month: int) -> ReportSection:
    from cms.chat.report import build_monthly_report

    chat = build_monthly_report(year, month)
    t = chat.totals
    section = ReportSection(key="chat", title="チャットボット")
    section.summary = [
        ("会話数", fmt_int(t["conversations"])),
        ("質問数", fmt_int(t["turns"])),
        ("回答した", fmt_int(t["answered"])),
        ("該当なし", fmt_int(t["no_match"])),
        ("回答率", _percent(t["answer_rate"])),
        ("役立った率", _percent(t["helpful_rate"])),
    ]
    if t["turns"]:
        line = (
            f"会話は{fmt_int(t['conversations'])}件、質問は{fmt_int(t['turns'])}件で、"
            f"回答率は{_percent(t['answer_rate'])}でした。"
        )
        if chat.unanswered:
            topics = "」「".join(g.representative for g in chat.unanswered[:3])
            line += f"回答できなかった質問で多かったのは「{topics}」です。"
        section.analysis = [line]
        section.charts = [Chart("日別の質問数", chat.chart_daily())]
    else:
        section.analysis = ["この月のチャットボットの利用はありませんでした。"]
    section.tables = [
        Table(
            "よく表示された回答",
            ["回答", "表示", "役立った", "役立たず"],
            [
                [h["question"], h["hits"], h["helpful"], h["unhelpful"]]
                for h in chat.hits[:10]
            ],
        ),
        Table(
            "回答できなかった話題（似た質問をまとめたもの）",
            ["質問", "件数"],
            [[g.representative, g.count] for g in chat.unanswered[:10]],
        ),
    ]
    return section


# --- Akiya listings and the national bank (cms.listings, cms.akiya_bank) -----------


@_adapter(requires=None)
def akiya_section(year: int, month: int) -> ReportSection:
    from cms.listings.models import AkiyaListingPage, AkiyaStatus

    period = Period.month(year, month)
    in_month = {"registered_on__gte": period.start, "registered_on__lte": period.end}
    sold = {
        "status": AkiyaStatus.CONTRACTED,
        "status_changed_on__gte": period.start,
        "status_changed_on__lte": period.end,
    }
    listings = AkiyaListingPage.objects.all()
    open_now = Q(live=True, status__in=[AkiyaStatus.OPEN, AkiyaStatus.NEGOTIATING])
    per_town = (
        listings.values("municipality__name", "municipality__code")
        .annotate(
            added=Count("pk", filter=Q(**in_month)),
            sold=Count("pk", filter=Q(**sold)),
            open=Count("pk", filter=open_now),
        )
        .filter(Q(added__gt=0) | Q(sold__gt=0) | Q(open__gt=0))
        .order_by("municipality__code")
    )
    added = listings.filter(**in_month).count()
    contracted = listings.filter(**sold).count()
    open_count = listings.filter(open_now).count()
    section = ReportSection(key="listings", title="空き家バンク")
    section.summary = [
        ("新規登録", fmt_int(added)),
        ("成約", fmt_int(contracted)),
        ("掲載中（商談中を含む）", fmt_int(open_count)),
    ]
    section.analysis = [
        f"{period.label()}に新しく登録された物件は{added}件、成約は{contracted}件で、"
        f"現在{open_count}件を掲載しています。"
    ]
    section.tables = [
        Table(
            "市町村別",
            ["市町村", "新規登録", "成約", "掲載中"],
            [
                [r["municipality__name"] or "（県）", r["added"], r["sold"], r["open"]]
                for r in per_town
            ],
        )
    ]
    if apps.is_installed("cms.akiya_bank"):
        sync_summary, sync_lines, sync_table = akiya_bank_status(period)
        section.summary += sync_summary
        section.analysis += sync_lines
        section.tables.append(sync_table)
    return section


def akiya_bank_status(period: Period):
    """How the month's syncs with the national akiya bank went, and where each
    push target stands now."""
    from cms.akiya_bank.models import PushTarget, SyncRun, SyncStatus

    start, end = _bounds(period)
    runs = SyncRun.objects.filter(started_at__gte=start, started_at__lt=end)
    statuses = Counter(runs.values_list("status", flat=True))
    labels = dict(SyncStatus.choices)
    failed = statuses[SyncStatus.FAILED] + statuses[SyncStatus.PARTIAL]
    summary = [
        ("全国版への連携", fmt_int(sum(statuses.values())) + "回"),
        ("連携の失敗・一部失敗", fmt_int(failed) + "回"),
    ]
    described = "、".join(f"{labels.get(k, k)} {v}回" for k, v in statuses.items())
    lines = [
        f"全国版空き家・空き地バンクへの連携は{sum(statuses.values())}回"
        + (f"（{described}）" if described else "")
        + "でした。"
    ]
    rows = []
    for target in PushTarget.objects.order_by("name"):
        rows.append(
            [
                target.name,
                "有効" if target.is_active else "停止中",
                timezone.localtime(target.last_success_at).strftime("%Y-%m-%d %H:%M")
                if target.last_success_at
                else "—",
                target.failure_count,
                (target.last_error or "")[:60],
            ]
        )
        if target.is_active and target.failure_count:
            lines.append(
                f"送信先「{target.name}」は連続{target.failure_count}回失敗しています。"
                "管理画面の連携履歴を確認してください。"
            )
    table = Table(
        "全国版バンクの送信先",
        ["送信先", "状態", "最終成功", "連続失敗", "直近のエラー"],
        rows,
    )
    return summary, lines, table


# --- Facility reservations (cms.reservations) --------------------------------------


@_adapter(requires=None)
def reservations_section(year: int, month: int) -> ReportSection:
    from cms.reservations.models import Booking, BookingKind, BookingStatus, Facility

    period = Period.month(year, month)
    start, end = _bounds(period)
    bookings = Booking.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        kind=BookingKind.BLOCK
    )
    confirmed = Q(status=BookingStatus.CONFIRMED)
    rows = []
    for facility in Facility.objects.order_by("group", "name"):
        counts = bookings.filter(facility=facility).aggregate(
            confirmed=Count("pk", filter=confirmed),
            cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            online=Count("pk", filter=confirmed & Q(kind=BookingKind.ONLINE)),
            counter=Count("pk", filter=confirmed & Q(kind=BookingKind.COUNTER)),
            lottery=Count("pk", filter=confirmed & Q(kind=BookingKind.LOTTERY)),
        )
        hours = sum(
            (b.ends_at - b.starts_at).total_seconds() / 3600
            for b in bookings.filter(confirmed, facility=facility).only(
                "starts_at", "ends_at"
            )
        )
        rows.append((facility.name, counts, hours))
    total = sum(r[1]["confirmed"] for r in rows)
    cancelled = sum(r[1]["cancelled"] for r in rows)
    online = sum(r[1]["online"] for r in rows)
    section = ReportSection(key="reservations", title="施設予約")
    section.summary = [
        ("予約（利用）件数", fmt_int(total)),
        ("うちインターネット", fmt_int(online)),
        ("取消", fmt_int(cancelled)),
    ]
    busiest = max(rows, key=lambda r: r[1]["confirmed"], default=None)
    section.analysis = [
        f"{period.label()}に利用日がある予約は{total}件（うちインターネット{online}件）、"
        f"取消は{cancelled}件でした。"
        + (
            f"最も利用の多い施設は{busiest[0]}（{busiest[1]['confirmed']}件）です。"
            if busiest and busiest[1]["confirmed"]
            else ""
        )
    ]
    used = [r for r in rows if r[1]["confirmed"]]
    if used:

        def draw(axes):
            top = sorted(used, key=lambda r: r[1]["confirmed"])[-15:]
            axes.barh(
                [r[0][:16] for r in top],
                [r[1]["confirmed"] for r in top],
                color="#813d9c",
            )
            axes.set_title("施設別の予約件数")

        section.charts = [Chart("施設別の予約件数", figure_png(draw, size=(7.2, 3.2)))]
    section.tables = [
        Table(
            "施設別",
            ["施設", "予約", "ネット", "窓口", "抽選", "取消", "利用時間"],
            [
                [
                    name,
                    c["confirmed"],
                    c["online"],
                    c["counter"],
                    c["lottery"],
                    c["cancelled"],
                    f"{hours:.1f}時間",
                ]
                for name, c, hours in rows
            ],
        )
    ]
    return section


# --- Mail campaigns (cms.mailing.reports) ----------------------------------------


@_adapter(requires="monthly_summary")
def mailing_section(year: int, month: int) -> ReportSection:
    from cms.mailing.models import Campaign
    from cms.mailing.reports import campaign_report, monthly_summary

    period = Period.month(year, month)
    totals = monthly_summary(period.start)
    start, end = _bounds(period)
    campaigns = [
        campaign_report(campaign)
        for campaign in Campaign.objects.filter(
            started_at__gte=start, started_at__lt=end
        ).order_by("started_at")
    ]
    section = ReportSection(key="mailing", title="メール配信")
    section.summary = [
        ("配信したキャンペーン", fmt_int(totals.campaigns)),
        ("送信数", fmt_int(totals.sent)),
        ("到達数", fmt_int(totals.delivered)),
        ("開封率", f"{totals.open_rate:.1f}%"),
        ("クリック率", f"{totals.click_rate:.1f}%"),
        ("不達", fmt_int(totals.bounced)),
        ("配信停止", fmt_int(totals.unsubscribes)),
        ("新規登録者", fmt_int(totals.new_subscribers)),
    ]
    if totals.sent:
        section.analysis = [
            f"{totals.campaigns}件のキャンペーンで{fmt_int(totals.sent)}通を送信し、"
            f"開封率は{totals.open_rate:.1f}%、クリック率は{totals.click_rate:.1f}%でした。"
            f"新たな登録者は{totals.new_subscribers}人、月末の配信対象は"
            f"{fmt_int(totals.active_at_end)}人です。"
        ]
    else:
        section.analysis = [
            f"この月の配信はありませんでした（新たな登録者{totals.new_subscribers}人、"
            f"配信対象{fmt_int(totals.active_at_end)}人）。"
        ]
    section.tables = [
        Table(
            "キャンペーン別",
            ["キャンペーン", "送信", "開封率", "クリック率", "不達率", "配信停止"],
            [
                [
                    getattr(r.campaign, "subject", "") or str(r.campaign),
                    fmt_int(r.sent),
                    f"{r.open_rate:.1f}%",
                    f"{r.click_rate:.1f}%",
                    f"{r.bounce_rate:.1f}%",
                    fmt_int(r.unsubscribes),
                ]
                for r in campaigns
            ],
        )
    ]
    return section


ADAPTERS = {
    "chat": chat_section,
    "mailing": mailing_section,
    "listings": akiya_section,
    "reservations": reservations_section,
}
