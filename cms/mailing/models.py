"""The mail distribution tool's tables, one per concept (as in listmonk):
subscribers (配信先) with their attributes and consent record, segments (saved
filters), templates (header/footer), campaigns, per-recipient deliveries, tracked
links and clicks, and bounces/complaints."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.fields import RichTextField


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "確認待ち"
    ACTIVE = "active", "配信中"
    UNSUBSCRIBED = "unsubscribed", "配信停止"
    BOUNCED = "bounced", "不達により停止"
    COMPLAINED = "complained", "迷惑メール報告により停止"


class Gender(models.TextChoices):
    UNANSWERED = "", "未回答"
    FEMALE = "female", "女性"
    MALE = "male", "男性"
    OTHER = "other", "その他"


class AgeBand(models.TextChoices):
    UNKNOWN = "", "不明"
    TEENS = "10s", "10代"
    TWENTIES = "20s", "20代"
    THIRTIES = "30s", "30代"
    FORTIES = "40s", "40代"
    FIFTIES = "50s", "50代"
    SIXTIES = "60s", "60代"
    SEVENTIES_PLUS = "70s", "70代以上"


class ConsentMethod(models.TextChoices):
    WEB = "web", "ウェブの登録フォーム（ダブルオプトイン）"
    EVENT = "event", "イベント・相談会での申込書"
    IMPORT = "import", "CSV取込（同意取得済みの名簿）"
    COUNTER = "counter", "窓口"
    OTHER = "other", "その他"


class Interest(models.Model):
    """A topic a subscriber is interested in (関心: 就農, 子育て, 空き家 …)."""

    name = models.CharField("関心", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("並び順", default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "関心"
        verbose_name_plural = "関心"

    def __str__(self):
        return self.name


class AttributeKind(models.TextChoices):
    TEXT = "text", "文字"
    NUMBER = "number", "数値"
    CHOICE = "choice", "選択肢"
    # Stored as "YYYY-MM-DD"; LINE reminders can be anchored on it (cms/line).
    DATE = "date", "日付"


class AttributeDefinition(models.Model):
    """A custom attribute staff define (e.g. 「移住希望時期」); values live in
    ``Subscriber.attributes[key]`` and segments can filter on them."""

    key = models.SlugField("キー", max_length=40, unique=True, allow_unicode=False)
    label = models.CharField("項目名", max_length=60)
    kind = models.CharField(
        "種類", max_length=10, choices=AttributeKind.choices, default=AttributeKind.TEXT
    )
    choices = models.TextField(
        "選択肢", blank=True, help_text="種類が「選択肢」のとき、1行に1つ。"
    )

    class Meta:
        ordering = ["label"]
        verbose_name = "独自属性"
        verbose_name_plural = "独自属性"

    def __str__(self):
        return self.label

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Subscriber(models.Model):
    """One address on the list, with the attributes segments filter on and the
    consent record 特定電子メール法 asks us to keep (when, how, from where)."""

    email = models.EmailField("メールアドレス", max_length=254)
    name = models.CharField("氏名", max_length=100, blank=True)
    prefecture = models.CharField("居住都道府県", max_length=10, blank=True)
    municipality = models.CharField("居住市区町村", max_length=50, blank=True)
    birth_year = models.PositiveSmallIntegerField("生まれ年", null=True, blank=True)
    age_band = models.CharField(
        "年代",
        max_length=3,
        choices=AgeBand.choices,
        blank=True,
        help_text="生まれ年がないときに使います。",
    )
    gender = models.CharField("性別", max_length=10, choices=Gender.choices, blank=True)
    interests = models.ManyToManyField(
        Interest, blank=True, related_name="subscribers", verbose_name="関心"
    )
    source_event = models.CharField("参加したイベント", max_length=200, blank=True)
    attributes = models.JSONField("独自属性", default=dict, blank=True)
    status = models.CharField(
        "状態",
        max_length=12,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.ACTIVE,
        db_index=True,
    )
    consent_at = models.DateTimeField("同意日時", null=True, blank=True)
    consent_method = models.CharField(
        "同意の方法", max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_ip = models.GenericIPAddressField(
        "同意時のIPアドレス", null=True, blank=True
    )
    consent_note = models.TextField("同意の記録", blank=True)
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("配信停止日時", null=True, blank=True)
    unsubscribe_reason = models.CharField("配信停止の理由", max_length=200, blank=True)
    soft_bounce_count = models.PositiveIntegerField("一時的な不達の回数", default=0)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "配信先"
        verbose_name_plural = "配信先"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="mailing_subscriber_email_ci_unique",
                violation_error_message="このメールアドレスは既に登録されています。",
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_sendable(self) -> bool:
        return self.status == SubscriberStatus.ACTIVE

    def effective_age_band(self, today: dt.date | None = None) -> str:
        if self.birth_year:
            return age_band_for(self.birth_year, today or timezone.localdate())
        return self.age_band


def normalise_email(email: str) -> str:
    """Trim and lower-case the domain. The local part is kept as written (RFC 5321
    says it may be case-sensitive); uniqueness is case-insensitive regardless."""
    email = (email or "").strip()
    if "@" in email:
        local, domain = email.rsplit("@", 1)
        email = f"{local}@{domain.lower()}"
    return email


def age_band_for(birth_year: int, today: dt.date) -> str:
    age = today.year - birth_year
    if age < 20:
        return AgeBand.TEENS
    if age >= 70:
        return AgeBand.SEVENTIES_PLUS
    return f"{age // 10 * 10}s"


class Segment(models.Model):
    """A saved filter: a rule tree of attribute conditions joined by AND/OR
    (``cms.mailing.segments`` turns it into a query)."""

    name = models.CharField("セグメント名", max_length=100, unique=True)
    description = models.TextField("説明", blank=True)
    rules = models.JSONField("条件", default=dict)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "セグメント"
        verbose_name_plural = "セグメント"

    def __str__(self):
        return self.name

    def subscribers(self):
        from .segments import subscribers_matching

        return subscribers_matching(self.rules)

    def describe(self) -> str:
        from .segments import describe

        return describe(self.rules)


class MailTemplate(models.Model):
    """A reusable header and footer around campaign bodies (Markdown). The legal
    footer (sender, address, contact, how to opt out) is added by the code after
    it, so staff cannot remove it."""

    name = models.CharField("テンプレート名", max_length=100, unique=True)
    header = models.TextField("ヘッダー（Markdown）", blank=True)
    footer = models.TextField("フッター（Markdown）", blank=True)
    is_default = models.BooleanField("既定のテンプレート", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "テンプレート"
        verbose_name_plural = "テンプレート"

    def __str__(self):
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    SCHEDULED = "scheduled", "予約済み"
    SENDING = "sending", "送信中"
    PAUSED = "paused", "一時停止（再開待ち）"
    SENT = "sent", "送信完了"
    CANCELLED = "cancelled", "中止"


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", "Markdown"
    RICHTEXT = "richtext", "リッチテキスト"


class Campaign(models.Model):
    """One mailing to a segment (or everyone active)."""

    name = models.CharField("管理用の名前", max_length=200)
    subject = models.CharField(
        "件名", max_length=200, help_text="{{ name }} で宛名を差し込めます。"
    )
    from_name = models.CharField("差出人名", max_length=100, blank=True)
    reply_to = models.EmailField("返信先", blank=True)
    body_format = models.CharField(
        "本文の形式",
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
    )
    body_markdown = models.TextField(
        "本文（Markdown）",
        blank=True,
        help_text="差し込み: {{ name }}（氏名）、{{ email }}、{{ prefecture }}、{{ municipality }}。",
    )
    body_richtext = RichTextField(
        "本文（リッチテキスト）",
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"],
    )
    template = models.ForeignKey(
        MailTemplate,
        verbose_name="テンプレート",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name="送信先セグメント",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="空欄なら配信中の全員に送ります。",
    )
    throttle_per_second = models.PositiveIntegerField(
        "送信速度（通/秒）",
        default=0,
        help_text="0なら設定の上限（MAILING_MAX_RATE）で送ります。",
    )
    track_opens = models.BooleanField(
        "開封を計測する",
        default=True,
        help_text="本文に1×1の計測画像を入れます。文字の少ないメールには入れません（画像のあるHTMLで文字が少ないと迷惑メール判定の点数が上がるため。SpamAssassin の HTML_IMAGE_ONLY）。",
    )
    status = models.CharField(
        "状態",
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    scheduled_at = models.DateTimeField("送信予定日時", null=True, blank=True)
    prepared_at = models.DateTimeField("送信先の確定", null=True, blank=True)
    started_at = models.DateTimeField("送信開始", null=True, blank=True)
    finished_at = models.DateTimeField("送信完了", null=True, blank=True)
    last_error = models.TextField("直近のエラー", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "キャンペーン"
        verbose_name_plural = "キャンペーン"

    def __str__(self):
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}

    def recipients(self):
        """Subscribers this campaign goes to right now (active ones only)."""
        qs = self.segment.subscribers() if self.segment_id else Subscriber.objects.all()
        return qs.filter(status=SubscriberStatus.ACTIVE)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENDING = "sending", "送信処理中"
    SENT = "sent", "送信済み"
    SKIPPED = "skipped", "送信せず（配信停止済み）"
    FAILED = "failed", "送信失敗"


class Delivery(models.Model):
    """One campaign message to one subscriber: its sending state (so a resumed
    send neither repeats nor skips anyone) and what happened to it afterwards."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.EmailField("宛先", max_length=254)
    status = models.CharField(
        "状態",
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    error = models.TextField("エラー", blank=True)
    message_id = models.CharField("Message-ID", max_length=200, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    opened_at = models.DateTimeField("初回開封", null=True, blank=True)
    open_count = models.PositiveIntegerField("開封回数", default=0)
    clicked_at = models.DateTimeField("初回クリック", null=True, blank=True)
    click_count = models.PositiveIntegerField("クリック回数", default=0)
    bounced_at = models.DateTimeField("不達", null=True, blank=True)
    unsubscribed_at = models.DateTimeField(
        "このメールから配信停止", null=True, blank=True
    )

    class Meta:
        verbose_name = "送信記録"
        verbose_name_plural = "送信記録"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subscriber"],
                name="mailing_delivery_once_per_subscriber",
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.campaign} → {self.email}"


class CampaignLink(models.Model):
    """A link in a campaign body; click redirects carry its id, never a URL, so the
    redirect endpoint can only send people to links staff wrote."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="links"
    )
    url = models.URLField("リンク先", max_length=2000)

    class Meta:
        verbose_name = "リンク"
        verbose_name_plural = "リンク"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "url"], name="mailing_link_once_per_campaign"
            )
        ]

    def __str__(self):
        return self.url


class Click(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="clicks"
    )
    link = models.ForeignKey(
        CampaignLink, on_delete=models.CASCADE, related_name="clicks"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "クリック"
        verbose_name_plural = "クリック"

    def __str__(self):
        return f"{self.link} ({self.at:%Y-%m-%d %H:%M})"


class BounceKind(models.TextChoices):
    HARD = "hard", "恒久的エラー（ハードバウンス）"
    SOFT = "soft", "一時的エラー（ソフトバウンス）"
    COMPLAINT = "complaint", "迷惑メール報告"


class Bounce(models.Model):
    """A bounce (DSN, RFC 3464; SES notification) or complaint (ARF, RFC 5965)."""

    subscriber = models.ForeignKey(
        Subscriber,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )
    delivery = models.ForeignKey(
        Delivery,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )
    email = models.EmailField("宛先", max_length=254)
    kind = models.CharField("種類", max_length=10, choices=BounceKind.choices)
    status_code = models.CharField("ステータスコード", max_length=20, blank=True)
    diagnostic = models.TextField("診断メッセージ", blank=True)
    reporting_mta = models.CharField("報告元", max_length=200, blank=True)
    source = models.CharField("取得元", max_length=20, blank=True)
    received_at = models.DateTimeField("受信日時", default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "不達・苦情"
        verbose_name_plural = "不達・苦情"

    def __str__(self):
        return f"{self.email} {self.get_kind_display()} {self.status_code}"

    @property
    def reason(self) -> str:
        from .bounces import reason_label

        return reason_label(self.status_code, self.kind)


# The models the admin's 「メール配信」 menu manages (cms.core.permissions).
STAFF_MODELS = (
    Subscriber,
    Interest,
    AttributeDefinition,
    Segment,
    MailTemplate,
    Campaign,
    Delivery,
    Bounce,
)
