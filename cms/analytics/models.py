"""What site analytics stores: raw page-view events kept for two days (for
sessions), the daily salts that make visitor hashes unlinkable across days, and
the daily aggregate tables the dashboard and the monthly report read.

No IP address, user agent, cookie or full referrer URL is ever stored: a visitor
is a hash of (daily salt, site, IP, user agent), and the salt is deleted once its
day has been aggregated, so yesterday's hashes cannot be recomputed or linked to
today's.
"""

import secrets

from django.db import models


class Origin(models.TextChoices):
    COLLECT = "collect", "ポータルの計測"
    GA4 = "ga4", "Google Analytics 4 から取り込み"


class EventKind(models.TextChoices):
    PAGEVIEW = "pageview", "ページビュー"
    # A click on a phone number, an e-mail address or an element marked
    # data-analytics="inquiry" (the listing's 問い合わせ links).
    INQUIRY = "inquiry", "問い合わせ"


class DailySalt(models.Model):
    """The secret of one day (Asia/Tokyo) mixed into every visitor hash."""

    day = models.DateField("日付", unique=True)
    salt = models.CharField("ソルト", max_length=64)

    class Meta:
        verbose_name = "日ごとのソルト"
        verbose_name_plural = "日ごとのソルト"

    def __str__(self):
        return f"{self.day}"

    @staticmethod
    def new_salt() -> str:
        return secrets.token_hex(32)


class PageEvent(models.Model):
    """One page view or inquiry click as received, kept only until its day has
    been aggregated (``PORTAL_ANALYTICS['RAW_RETENTION_DAYS']``)."""

    created_at = models.DateTimeField("受信日時", db_index=True)
    day = models.DateField("日付")
    visitor = models.CharField("訪問者ハッシュ（日替わり）", max_length=16)
    kind = models.CharField(
        "種類", max_length=10, choices=EventKind.choices, default=EventKind.PAGEVIEW
    )
    path = models.CharField("ページ", max_length=300)
    referrer_host = models.CharField("参照元ホスト", max_length=120, blank=True)
    utm_source = models.CharField(max_length=80, blank=True)
    utm_medium = models.CharField(max_length=80, blank=True)
    utm_campaign = models.CharField(max_length=80, blank=True)
    device = models.CharField("端末", max_length=8)
    region = models.CharField("地域", max_length=8, blank=True)

    class Meta:
        verbose_name = "受信イベント"
        verbose_name_plural = "受信イベント"
        indexes = [
            models.Index(
                fields=["day", "visitor", "created_at"], name="analytics_event_day"
            )
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.path}"


class DailySiteStat(models.Model):
    """The whole site on one day."""

    day = models.DateField("日付")
    origin = models.CharField(
        "出典", max_length=8, choices=Origin.choices, default=Origin.COLLECT
    )
    pageviews = models.PositiveIntegerField("ページビュー", default=0)
    visitors = models.PositiveIntegerField("ユーザー", default=0)
    sessions = models.PositiveIntegerField("セッション", default=0)
    bounces = models.PositiveIntegerField("直帰セッション", default=0)
    duration_seconds = models.PositiveBigIntegerField("滞在時間の合計（秒）", default=0)
    inquiries = models.PositiveIntegerField("問い合わせクリック", default=0)

    class Meta:
        verbose_name = "日別アクセス（サイト全体）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["day", "origin"], name="analytics_site_day")
        ]

    def __str__(self):
        return f"{self.day} {self.pageviews}PV"


class DailyPageStat(models.Model):
    """One page on one day. ``municipality`` and ``page_type`` are resolved from the
    path when the day is aggregated, so the dashboard can group by them."""

    day = models.DateField("日付")
    origin = models.CharField(
        "出典", max_length=8, choices=Origin.choices, default=Origin.COLLECT
    )
    path = models.CharField("ページ", max_length=300)
    title = models.CharField("タイトル", max_length=255, blank=True)
    page_type = models.CharField("ページの種類", max_length=60, blank=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pageviews = models.PositiveIntegerField("ページビュー", default=0)
    visitors = models.PositiveIntegerField("ユーザー", default=0)
    entries = models.PositiveIntegerField("入口になった回数", default=0)
    inquiries = models.PositiveIntegerField("問い合わせクリック", default=0)

    class Meta:
        verbose_name = "日別アクセス（ページ）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["day", "origin", "path"], name="analytics_page_day"
            )
        ]
        indexes = [models.Index(fields=["day", "path"], name="analytics_page_path")]

    def __str__(self):
        return f"{self.day} {self.path} {self.pageviews}PV"


class DailySourceStat(models.Model):
    """Sessions by where they came from on one day: the referring host (or
    「(direct)」) and the UTM source, medium and campaign of the entry page."""

    day = models.DateField("日付")
    origin = models.CharField(
        "出典", max_length=8, choices=Origin.choices, default=Origin.COLLECT
    )
    source = models.CharField("参照元", max_length=120)
    medium = models.CharField("メディア", max_length=80, blank=True)
    campaign = models.CharField("キャンペーン", max_length=80, blank=True)
    sessions = models.PositiveIntegerField("セッション", default=0)
    visitors = models.PositiveIntegerField("ユーザー", default=0)
    pageviews = models.PositiveIntegerField("ページビュー", default=0)

    class Meta:
        verbose_name = "日別アクセス（参照元）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["day", "origin", "source", "medium", "campaign"],
                name="analytics_source_day",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.source} {self.sessions}"


class Dimension(models.TextChoices):
    DEVICE = "device", "端末"
    REGION = "region", "地域"


class DailyDimensionStat(models.Model):
    """Sessions by device class or by region (country, or prefecture in Japan)."""

    day = models.DateField("日付")
    origin = models.CharField(
        "出典", max_length=8, choices=Origin.choices, default=Origin.COLLECT
    )
    dimension = models.CharField("区分", max_length=8, choices=Dimension.choices)
    value = models.CharField("値", max_length=20)
    sessions = models.PositiveIntegerField("セッション", default=0)
    visitors = models.PositiveIntegerField("ユーザー", default=0)
    pageviews = models.PositiveIntegerField("ページビュー", default=0)

    class Meta:
        verbose_name = "日別アクセス（端末・地域）"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["day", "origin", "dimension", "value"],
                name="analytics_dimension_day",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.dimension}={self.value}"


class ReportDelivery(models.Model):
    """A monthly report e-mailed to staff, so the scheduled run never sends twice."""

    month = models.DateField("対象月（1日）", unique=True)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)
    recipients = models.TextField("宛先")

    class Meta:
        verbose_name = "月次報告の送信"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.month:%Y-%m}"
