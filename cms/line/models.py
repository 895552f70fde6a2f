"""The LINE official account: channels (a public and a test account per owner),
friends with their attributes, spots for the spot guide, friend segments, rich menus
(one per tab, linked by aliases), messages with their schedules, and the delivery
runs and batches that record what was sent.

A channel belongs to the prefecture (``municipality`` empty) or to one
municipality; prefecture staff manage every channel, a municipality's editors only
their own (cms/core/permissions.py, "LINE official account").
"""

import datetime as dt
import os
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.documents import get_document_model_string
from wagtail.images import get_image_model_string

from cms.mailing.models import AgeBand, Gender

USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class ChannelRole(models.TextChoices):
    PUBLIC = "public", "公開用"
    TEST = "test", "テスト用"


class LineChannel(models.Model):
    """One LINE official account (Messaging API channel). The channel secret and
    access token are never stored: they come from the environment
    (``LINE_CHANNEL_<SLUG>_SECRET`` / ``_TOKEN``, read into ``settings.LINE``)."""

    name = models.CharField("アカウント名", max_length=80)
    slug = models.SlugField(
        "識別名",
        max_length=40,
        unique=True,
        help_text="Webhook URL（/api/line/webhook/<識別名>）と環境変数名に使います。",
    )
    role = models.CharField(
        "種別", max_length=10, choices=ChannelRole.choices, default=ChannelRole.PUBLIC
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="空欄なら県のアカウント。",
    )
    test_channel = models.ForeignKey(
        "self",
        verbose_name="テスト用アカウント",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"role": ChannelRole.TEST},
        related_name="+",
    )
    channel_id = models.CharField("チャネルID", max_length=20, blank=True)
    basic_id = models.CharField("ベーシックID", max_length=30, blank=True)
    follow_message = models.TextField(
        "友だち追加時のメッセージ",
        blank=True,
        default="友だち追加ありがとうございます。知りたいことをメッセージで送ってください。",
    )
    spot_keywords = models.CharField(
        "スポット案内のキーワード",
        max_length=200,
        default="スポット 施設 近く",
        help_text="空白区切り。このどれかを含むメッセージにスポットを返します。",
    )
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        ordering = ["municipality__code", "role", "name"]
        verbose_name = "LINEアカウント"
        verbose_name_plural = "LINEアカウント"

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"

    @property
    def env_prefix(self) -> str:
        return "LINE_CHANNEL_" + re.sub(r"[^A-Z0-9]", "_", self.slug.upper())

    def credentials(self) -> tuple[str, str]:
        """(channel secret, access token); empty strings when not configured."""
        configured = settings.LINE.get("CHANNELS", {}).get(self.slug, {})
        secret = configured.get("secret") or os.environ.get(f"{self.env_prefix}_SECRET")
        token = configured.get("token") or os.environ.get(f"{self.env_prefix}_TOKEN")
        return secret or "", token or ""


class FriendStatus(models.TextChoices):
    FRIEND = "friend", "友だち"
    BLOCKED = "blocked", "ブロック"


class LineFriend(models.Model):
    """A LINE user who added a channel as a friend, with the attributes they
    registered through the signed form. Custom attributes use the mail tool's
    definitions (``cms.mailing.AttributeDefinition``) and interests its
    ``Interest`` list, so one attribute model serves both; ``subscriber`` links
    the mail subscriber when the person is both."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="friends",
    )
    user_id = models.CharField("LINEユーザーID", max_length=33)
    display_name = models.CharField("表示名", max_length=100, blank=True)
    picture_url = models.URLField("プロフィール画像", max_length=500, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=FriendStatus.choices, default=FriendStatus.FRIEND
    )
    followed_at = models.DateTimeField("友だち追加日時", default=timezone.now)
    unfollowed_at = models.DateTimeField("ブロック日時", null=True, blank=True)
    # Set for friends taken from LINE's follower list (followers.py): they added
    # the account before our webhook recorded them, so their follow date is not
    # known (followed_at is the import time and is not used for reminders).
    imported_at = models.DateTimeField(
        "LINEの友だち一覧から取込", null=True, blank=True
    )
    is_tester = models.BooleanField(
        "テスト配信の受信者",
        default=False,
        help_text="テスト送信はこの印の付いた友だちにだけ届きます。",
    )
    # Registered attributes (属性).
    age_band = models.CharField(
        "年代", max_length=5, choices=AgeBand.choices, blank=True
    )
    gender = models.CharField("性別", max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    residence = models.ForeignKey(
        "core.Municipality",
        verbose_name="お住まいの市町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    residence_outside = models.CharField(
        "県外の場合の都道府県", max_length=10, blank=True
    )
    interests = models.ManyToManyField(
        "mailing.Interest",
        verbose_name="関心のある分野",
        blank=True,
        related_name="line_friends",
    )
    children_birth_dates = models.JSONField(
        "お子さまの生年月日",
        default=list,
        blank=True,
        help_text="YYYY-MM-DD の一覧。",
    )
    attributes = models.JSONField("独自属性", default=dict, blank=True)
    subscriber = models.ForeignKey(
        "mailing.Subscriber",
        verbose_name="メール登録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="line_friends",
    )
    attributes_updated_at = models.DateTimeField(
        "属性の更新日時", null=True, blank=True
    )
    rich_menu = models.ForeignKey(
        "RichMenu",
        verbose_name="個別のリッチメニュー",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-followed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "user_id"], name="line_friend_unique_user"
            )
        ]
        verbose_name = "友だち"
        verbose_name_plural = "友だち"

    def __str__(self):
        return self.display_name or self.user_id

    def child_dates(self) -> list[dt.date]:
        dates = []
        for value in self.children_birth_dates or []:
            try:
                dates.append(dt.date.fromisoformat(str(value)))
            except ValueError:
                continue
        return dates


class EventKind(models.TextChoices):
    FOLLOW = "follow", "友だち追加"
    UNFOLLOW = "unfollow", "ブロック"
    MESSAGE = "message", "メッセージ"
    POSTBACK = "postback", "ポストバック"
    LOCATION = "location", "位置情報"
    OTHER = "other", "その他"
    REPLY = "reply", "応答"
    # A tap on a rich menu's link area, counted by our signed redirect
    # (tracking.py); LINE itself sends no event for uri actions.
    MENU_LINK = "menu_link", "メニューのリンク"


class LineEvent(models.Model):
    """The talk log (トークログ): every webhook event and every reply we sent.
    ``webhook_event_id`` makes LINE's redeliveries harmless."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="events",
    )
    user_id = models.CharField("LINEユーザーID", max_length=33, blank=True)
    kind = models.CharField("種類", max_length=10, choices=EventKind.choices)
    text = models.TextField("内容", blank=True)
    data = models.JSONField("データ", default=dict, blank=True)
    webhook_event_id = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "webhook_event_id"],
                condition=~models.Q(webhook_event_id=""),
                name="line_event_unique_webhook_id",
            )
        ]
        verbose_name = "トークログ"
        verbose_name_plural = "トークログ"

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Spot(models.Model):
    """A place the spot guide can show (スポット案内): a facility, a park, a
    consultation office. Reservation facilities are linked so the card offers
    booking. Shown nearest first for a location, else by ``sort_order``."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="spots",
    )
    name = models.CharField("名称", max_length=80)
    description = models.TextField("説明", max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="サムネイル画像",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_url = models.URLField(
        "サムネイル画像のURL", blank=True, help_text="画像を選ばない場合（https）。"
    )
    latitude = models.DecimalField("緯度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("経度", max_digits=9, decimal_places=6)
    address = models.CharField("所在地", max_length=120, blank=True)
    url = models.URLField("詳しい情報のURL", blank=True)
    keywords = models.CharField(
        "キーワード",
        max_length=200,
        blank=True,
        help_text="空白区切り。メッセージにこの語があればこのスポットを案内します。",
    )
    facility = models.ForeignKey(
        "reservations.Facility",
        verbose_name="予約施設",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="line_spots",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("公開", default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "スポット"
        verbose_name_plural = "スポット"

    def __str__(self):
        return self.name


class FriendSegment(models.Model):
    """Saved AND/OR/NOT conditions over friend attributes, in the mail tool's rule
    format (cms/mailing/segments.py) with the friend field set (segments.py)."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="segments",
    )
    name = models.CharField("セグメント名", max_length=100)
    description = models.TextField("説明", blank=True)
    rules = models.JSONField("条件", default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "友だちセグメント"
        verbose_name_plural = "友だちセグメント"

    def __str__(self):
        return self.name


class AttributeForm(models.Model):
    """A named attribute form (属性フォーム) besides the standard one: a chosen set
    of custom attribute definitions (e.g. a survey, or a staff-only form), opened
    from its own signed link. A friend asks for it with its keyword or a menu
    postback ``action=form&form=<id>``; with a segment, only that segment's
    friends can open it (e.g. a segment of staff for a staff-only form)."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="attribute_forms",
    )
    name = models.CharField("フォーム名", max_length=60)
    description = models.TextField("フォームの説明", blank=True)
    definitions = models.ManyToManyField(
        "mailing.AttributeDefinition",
        verbose_name="項目（独自属性）",
        blank=True,
        related_name="line_forms",
    )
    include_profile = models.BooleanField(
        "基本の属性も含める",
        default=False,
        help_text="年代・性別・生年月日・居住地・関心・お子さまの生年月日。",
    )
    keyword = models.CharField(
        "呼び出す言葉",
        max_length=20,
        blank=True,
        help_text="友だちがこの言葉を送るとフォームのリンクを返します。",
    )
    segment = models.ForeignKey(
        "FriendSegment",
        verbose_name="開ける友だち",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="選ぶと、このセグメントの友だちだけが開けます（職員専用など）。",
    )
    is_active = models.BooleanField("受付中", default=True)

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = "属性フォーム"
        verbose_name_plural = "属性フォーム"

    def __str__(self):
        return self.name


class RichMenuSize(models.TextChoices):
    LARGE = "2500x1686", "大（2500×1686）"
    COMPACT = "2500x843", "小（2500×843）"


class RichMenu(models.Model):
    """One rich menu; with an alias it is a tab that other tabs switch to
    (``richmenuswitch``). ``areas`` holds the tap areas in LINE's JSON form
    (bounds and action, at most 20). Without an uploaded image, one is drawn."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="rich_menus",
    )
    name = models.CharField("管理用の名前", max_length=100)
    alias_id = models.SlugField(
        "タブの識別名（エイリアス）",
        max_length=32,
        blank=True,
        help_text="タブとして切り替える場合に付けます（英小文字・数字・-_）。",
    )
    tab_label = models.CharField("タブの表示名", max_length=10, blank=True)
    chat_bar_text = models.CharField(
        "メニューバーの文字", max_length=14, default="メニュー"
    )
    size = models.CharField(
        "大きさ",
        max_length=10,
        choices=RichMenuSize.choices,
        default=RichMenuSize.LARGE,
    )
    image = models.ImageField(
        "画像",
        upload_to="line/richmenus/",
        blank=True,
        help_text="PNGまたはJPEG、1MBまで。空欄なら項目から自動で描きます。",
    )
    areas = models.JSONField("タップ領域", default=list, blank=True)
    is_default = models.BooleanField("全員の既定メニュー", default=False)
    segment = models.ForeignKey(
        FriendSegment,
        verbose_name="表示するセグメント",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rich_menus",
    )
    sort_order = models.PositiveSmallIntegerField("タブの順番", default=0)
    line_rich_menu_id = models.CharField("LINE上のID", max_length=80, blank=True)
    published_at = models.DateTimeField("反映日時", null=True, blank=True)

    class Meta:
        ordering = ["channel", "sort_order", "name"]
        verbose_name = "リッチメニュー"
        verbose_name_plural = "リッチメニュー"

    def __str__(self):
        return self.name

    @property
    def width_height(self) -> tuple[int, int]:
        width, height = self.size.split("x")
        return int(width), int(height)


class Audience(models.TextChoices):
    ALL = "all", "友だち全員"
    SEGMENT = "segment", "セグメント"


class ScheduleKind(models.TextChoices):
    NOW = "now", "すぐに配信"
    AT = "at", "日時を指定（予約配信）"
    RECURRING = "recurring", "繰り返し配信"
    REMINDER = "reminder", "リマインド（属性の日付から）"


class MediaKind(models.TextChoices):
    NONE = "", "なし"
    IMAGE = "image", "画像"
    VIDEO = "video", "動画"
    IMAGEMAP = "imagemap", "イメージマップ（画像にタップ領域）"


class SendMethod(models.TextChoices):
    AUTO = "auto", "自動（人数が多ければナローキャスト）"
    MULTICAST = "multicast", "マルチキャスト（すぐ届く・開封率なし）"
    NARROWCAST = "narrowcast", "ナローキャスト（オーディエンス経由・開封率あり）"
    BROADCAST = (
        "broadcast",
        "ブロードキャスト（友だち全員へ。記録前の友だちにも届く・開封率あり）",
    )


class MessageStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    SCHEDULED = "scheduled", "配信予定"
    SENDING = "sending", "配信中"
    DONE = "done", "配信済み"
    CANCELLED = "cancelled", "取消"
    FAILED = "failed", "失敗"


REMINDER_DATES = [
    ("birth_date", "生年月日"),
    ("children_birth_dates", "お子さまの生年月日（いずれか）"),
    ("followed_at", "友だち追加日"),
]


def reminder_date_choices() -> list[tuple[str, str]]:
    """The built-in dates plus every date-type custom attribute ("attr:<key>"),
    shared with the mail tool (cms.mailing.AttributeDefinition)."""
    from cms.mailing.models import AttributeDefinition, AttributeKind

    return REMINDER_DATES + [
        (f"attr:{d.key}", f"{d.label}（独自属性）")
        for d in AttributeDefinition.objects.filter(kind=AttributeKind.DATE)
    ]


class LineMessage(models.Model):
    """A delivery (配信): up to five LINE message objects, an audience and a
    schedule. ``text`` is the plain way; ``messages_json`` takes image, video,
    imagemap and Flex Message objects exactly as LINE documents them."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="messages",
    )
    title = models.CharField("タイトル", max_length=100)
    text = models.TextField(
        "本文（テキスト）",
        max_length=5000,
        blank=True,
        help_text="LINE絵文字は $ の位置に「絵文字」欄の指定で入ります。",
    )
    emojis = models.JSONField(
        "LINE絵文字",
        default=list,
        blank=True,
        help_text='例: [{"index": 0, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}]',
    )
    media_kind = models.CharField(
        "画像・動画",
        max_length=10,
        choices=MediaKind.choices,
        blank=True,
        help_text="選んだ画像・動画からLINEのメッセージを作ります（本文の後に送ります）。",
    )
    image = models.ForeignKey(
        get_image_model_string(),
        verbose_name="画像",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="画像メッセージ、イメージマップ（幅1040px以上）、動画のサムネイル。",
    )
    video = models.ForeignKey(
        get_document_model_string(),
        verbose_name="動画（MP4）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="文書としてアップロードしたMP4ファイル（200MBまで）。",
    )
    imagemap_areas = models.JSONField(
        "イメージマップのタップ領域",
        default=list,
        blank=True,
        help_text="保存後、画像の上をドラッグして描けます（幅1040の座標、最大50）。",
    )
    alt_text = models.CharField(
        "代替テキスト",
        max_length=400,
        blank=True,
        help_text="通知やトーク一覧に出る文。空欄ならタイトル。",
    )
    messages_json = models.JSONField(
        "その他のメッセージ（JSON）",
        default=list,
        blank=True,
        help_text="Flex Message などのオブジェクトの配列（LINEの形式のまま）。",
    )
    audience = models.CharField(
        "配信先", max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    segment = models.ForeignKey(
        FriendSegment,
        verbose_name="セグメント",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    send_method = models.CharField(
        "配信方法",
        max_length=10,
        choices=SendMethod.choices,
        default=SendMethod.AUTO,
        help_text="開封率はLINEがナローキャストにだけ集計します。自動では配信先が"
        "LINE_NARROWCAST_MIN_RECIPIENTS人（既定100）以上のときにナローキャストにします。",
    )
    schedule = models.CharField(
        "配信のタイミング",
        max_length=10,
        choices=ScheduleKind.choices,
        default=ScheduleKind.AT,
    )
    send_at = models.DateTimeField("配信日時", null=True, blank=True)
    recurrence = models.JSONField(
        "繰り返しの設定",
        default=dict,
        blank=True,
        help_text='例: {"freq": "nth_weekday", "nth": 1, "weekday": 0, '
        '"time": "09:00", "skip_holidays": true}',
    )
    # Choices are REMINDER_DATES plus date-type custom attributes, offered by the
    # form (reminder_date_choices), so staff can add anchors without a migration.
    reminder_date = models.CharField("リマインドの基準日", max_length=50, blank=True)
    reminder_offset_days = models.IntegerField(
        "基準日からの日数", default=0, help_text="前日なら -1、1年後なら 365。"
    )
    status = models.CharField(
        "状態",
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.DRAFT,
    )
    next_run_at = models.DateTimeField("次の配信", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "配信メッセージ"
        verbose_name_plural = "配信メッセージ"

    def __str__(self):
        return self.title

    @property
    def reminder_date_label(self) -> str:
        return dict(reminder_date_choices()).get(self.reminder_date, self.reminder_date)


class RunStatus(models.TextChoices):
    RUNNING = "running", "配信中"
    DONE = "done", "完了"
    PARTIAL = "partial", "一部失敗"
    FAILED = "failed", "失敗"


class DeliveryRun(models.Model):
    """One sending of a message (a recurring message has one per occurrence),
    with its numbers for the statistics."""

    message = models.ForeignKey(
        LineMessage,
        verbose_name="配信メッセージ",
        on_delete=models.CASCADE,
        related_name="runs",
    )
    is_test = models.BooleanField("テスト送信", default=False)
    segment_name = models.CharField("セグメント", max_length=100, blank=True)
    scheduled_for = models.DateTimeField("予定日時", null=True, blank=True)
    started_at = models.DateTimeField("開始", default=timezone.now)
    finished_at = models.DateTimeField("終了", null=True, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    target_count = models.PositiveIntegerField("配信対象", default=0)
    sent_count = models.PositiveIntegerField("成功", default=0)
    failed_count = models.PositiveIntegerField("失敗", default=0)
    error = models.TextField("エラー", blank=True)
    # Narrowcast runs (audience upload + narrowcast): LINE's ids, the sending phase
    # polled from the progress endpoint, and LINE Insight's figures for the run.
    method = models.CharField(
        "配信方法",
        max_length=10,
        choices=SendMethod.choices,
        default=SendMethod.MULTICAST,
    )
    audience_group_id = models.BigIntegerField(
        "オーディエンスID", null=True, blank=True
    )
    retry_key = models.UUIDField(default=uuid.uuid4)
    request_id = models.CharField("リクエストID", max_length=60, blank=True)
    phase = models.CharField("ナローキャストの段階", max_length=12, blank=True)
    messages_sent = models.JSONField("送ったメッセージ", default=list, blank=True)
    delivered_count = models.PositiveIntegerField("到達数", null=True, blank=True)
    open_count = models.PositiveIntegerField("開封者数", null=True, blank=True)
    unique_click_count = models.PositiveIntegerField(
        "クリックした人数", null=True, blank=True
    )
    insight_fetched_at = models.DateTimeField(
        "インサイトの取得日時", null=True, blank=True
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "配信結果"
        verbose_name_plural = "配信結果"

    def __str__(self):
        return f"{self.message} {self.started_at:%Y-%m-%d %H:%M}"

    PHASES = {
        "audience": "オーディエンス作成中",
        "waiting": "配信準備中",
        "sending": "LINEが配信中",
        "succeeded": "配信完了",
        "failed": "失敗",
    }

    @property
    def phase_label(self) -> str:
        return self.PHASES.get(self.phase, "")

    @property
    def method_label(self) -> str:
        """「ナローキャスト（配信準備中）」 etc., short for tables and CSV."""
        label = self.get_method_display().split("（")[0]
        if self.method == SendMethod.NARROWCAST and self.phase_label:
            return f"{label}（{self.phase_label}）"
        return label


class DeliveryBatch(models.Model):
    """Up to 500 recipients sent in one multicast call. The retry key stays the
    same across retries so LINE never delivers a batch twice."""

    run = models.ForeignKey(
        DeliveryRun, on_delete=models.CASCADE, related_name="batches"
    )
    user_ids = models.JSONField(default=list)
    retry_key = models.UUIDField(default=uuid.uuid4)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    request_id = models.CharField(max_length=60, blank=True)

    def __str__(self):
        return f"{self.run} #{self.pk}"


class LinkClick(models.Model):
    """A tap on a link in a delivered text (our own signed redirect, /line/r/…).
    Multicast sends one text to everyone, so clicks are counted per delivery run,
    not per friend."""

    run = models.ForeignKey(
        DeliveryRun, on_delete=models.CASCADE, related_name="clicks"
    )
    url = models.URLField(max_length=1000)
    clicked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "リンクのクリック"
        verbose_name_plural = "リンクのクリック"

    def __str__(self):
        return self.url


class MailRelayRule(models.Model):
    """E-mail relay (メール再配信, seed 002 9(2)(ア)⑥): a mail received at the relay
    mailbox whose sender and subject match is redelivered to everyone or a segment
    as a LINE text, after the rewrite rules (find → replace, in order)."""

    channel = models.ForeignKey(
        LineChannel,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="relay_rules",
    )
    name = models.CharField("ルール名", max_length=100)
    sender_contains = models.CharField(
        "差出人に含まれる文字",
        max_length=200,
        blank=True,
        help_text="例: @pref.ibaraki.lg.jp（空欄ならすべて）",
    )
    subject_contains = models.CharField(
        "件名に含まれる文字", max_length=200, blank=True
    )
    segment = models.ForeignKey(
        FriendSegment,
        verbose_name="配信先セグメント",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="空欄なら友だち全員。",
    )
    rewrites = models.JSONField(
        "書き換えルール",
        default=list,
        blank=True,
        help_text='例: [{"find": "各位", "replace": ""}, {"find": "(?s)--\\\\n.*", '
        '"replace": "", "regex": true}]',
    )
    header = models.TextField("本文の前に付ける文", blank=True)
    footer = models.TextField("本文の後に付ける文", blank=True)
    include_subject = models.BooleanField("件名を先頭に入れる", default=True)
    send_without_review = models.BooleanField(
        "確認せずにすぐ配信する",
        default=False,
        help_text="オフ（既定）では、届いたメールは配信メッセージの下書きになり、職員が"
        "内容を確かめて配信します。オンにしても、受信サーバーがDMARCで差出人を確認"
        "できたメール（LINE_RELAY_AUTHSERV_ID）だけをすぐに配信し、それ以外は下書きに"
        "します。差出人の名前やアドレスは偽装できるためです。",
    )
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = "メール再配信ルール"
        verbose_name_plural = "メール再配信ルール"

    def __str__(self):
        return self.name
