"""The online community's tables (issue 13): members and their profiles, themed
rooms (テーマ別の部屋), posts with comments and stamp reactions, the community
rules (規約) with their versions and acceptances, and moderation (reports, the
NG-word list, blocks, 炎上 alerts, in-site notifications).

Members are Django users with a ``MemberProfile``; they hold no admin permission,
so they never reach the admin. Their age band and residence live on the mail
tool's ``Subscriber`` when they are also on the mailing list (shared, not
duplicated); otherwise on the profile.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from cms.mailing.models import AgeBand

USER = settings.AUTH_USER_MODEL


class Relation(models.TextChoices):
    """How a member relates to the region (the seed's four kinds of people)."""

    CONSIDERING = "considering", "移住を検討中"
    MOVED = "moved", "移住した"
    LOCAL = "local", "地域のプレーヤー（地元在住）"
    STAFF = "staff", "県・市町村の職員"


class MemberProfile(models.Model):
    """A community member: nickname, avatar, attributes, notification settings.

    ``subscriber`` links the member to the mail tool when the same person is on the
    mailing list; ``attribute_source`` then says the subscriber's age band and
    residence are the ones that count (see ``cms.community.members``)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="community_profile"
    )
    nickname = models.CharField("ニックネーム", max_length=30)
    avatar = models.ImageField(
        "アイコン画像", upload_to="community/avatars/", blank=True
    )
    bio = models.CharField("ひとこと", max_length=200, blank=True)
    age_band = models.CharField(
        "年代", max_length=3, choices=AgeBand.choices, blank=True
    )
    prefecture = models.CharField("お住まいの都道府県", max_length=10, blank=True)
    municipality_name = models.CharField(
        "お住まいの市区町村", max_length=50, blank=True
    )
    relation = models.CharField(
        "地域との関わり", max_length=12, choices=Relation.choices, blank=True
    )
    subscriber = models.OneToOneField(
        "mailing.Subscriber",
        verbose_name="メール配信の登録",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_profile",
    )
    email_confirmed_at = models.DateTimeField("メール確認日時", null=True, blank=True)
    notify_in_site = models.BooleanField("サイト内のお知らせを受け取る", default=True)
    digest_mail = models.BooleanField(
        "新着のまとめメール（1日1回）を受け取る", default=False
    )
    moderation_mail = models.BooleanField(
        "自分の投稿への対応をメールで受け取る", default=True
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("登録日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "メンバー"
        verbose_name_plural = "メンバー"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("nickname"),
                name="community_nickname_ci_unique",
                violation_error_message="このニックネームはすでに使われています。",
            )
        ]

    def __str__(self):
        return self.nickname

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Visibility(models.TextChoices):
    PUBLIC = "public", "公開（だれでも読める）"
    MEMBERS = "members", "メンバー限定"


class Room(models.Model):
    """A themed room (テーマ別の部屋). Public rooms are read by anyone; members-only
    rooms are not even listed to guests."""

    name = models.CharField("部屋の名前", max_length=60)
    slug = models.SlugField("URL用の名前", max_length=40, unique=True)
    description = models.TextField("説明", blank=True)
    visibility = models.CharField(
        "公開範囲", max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="関係する市町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_rooms",
    )
    is_open = models.BooleanField(
        "投稿を受け付ける", default=True, help_text="外すと読むだけの部屋になります。"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    # Kept up to date by ``services`` so the room list needs no aggregation.
    post_count = models.PositiveIntegerField("公開中の投稿", default=0, editable=False)
    last_activity_at = models.DateTimeField(
        "最終更新", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "部屋"
        verbose_name_plural = "部屋"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class Status(models.TextChoices):
    PUBLISHED = "published", "公開"
    HELD = "held", "確認待ち（NGワード）"
    HIDDEN = "hidden", "非表示"
    DELETED = "deleted", "削除"


class Voice(models.TextChoices):
    """Whose voice a post speaks in: a member, the community manager, a
    municipality (its editors post as their town) or the prefecture."""

    MEMBER = "member", "メンバー"
    MANAGER = "manager", "コミュニティマネージャー"
    MUNICIPALITY = "municipality", "市町村"
    PREFECTURE = "prefecture", "県"


class ModeratedContent(models.Model):
    """What posts and comments share: author, voice, text, status and the
    moderation record the author sees."""

    author = models.ForeignKey(
        USER, verbose_name="投稿者", null=True, blank=True, on_delete=models.SET_NULL
    )
    voice = models.CharField(
        "投稿の名義", max_length=12, choices=Voice.choices, default=Voice.MEMBER
    )
    as_municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="名義の市町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField("本文", max_length=4000)
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    held_words = models.CharField("該当したNGワード", max_length=200, blank=True)
    moderation_reason = models.TextField("対応の理由", blank=True)
    moderated_by = models.ForeignKey(
        USER,
        verbose_name="対応した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField("対応日時", null=True, blank=True)
    report_count = models.PositiveIntegerField("通報数", default=0)
    created_at = models.DateTimeField("投稿日時", default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class Post(ModeratedContent):
    """A topic in a room: text, an optional photo and link, links to
    municipalities and to a portal page (an event or article shared into the
    room). Counters are kept on the row so room pages need no aggregation."""

    room = models.ForeignKey(
        Room, verbose_name="部屋", on_delete=models.CASCADE, related_name="posts"
    )
    title = models.CharField("タイトル", max_length=80)
    image = models.ImageField("写真", upload_to="community/posts/%Y/%m/", blank=True)
    image_alt = models.CharField("写真の説明", max_length=120, blank=True)
    link_url = models.URLField("リンク", max_length=500, blank=True)
    municipalities = models.ManyToManyField(
        "core.Municipality",
        verbose_name="関係する市町村",
        blank=True,
        related_name="community_posts",
    )
    shared_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="紹介するポータルのページ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_pinned = models.BooleanField("ピン留め", default=False)
    comment_count = models.PositiveIntegerField("コメント数", default=0)
    reaction_count = models.PositiveIntegerField("リアクション数", default=0)
    last_activity_at = models.DateTimeField("最終更新", default=timezone.now)

    class Meta:
        verbose_name = "投稿"
        verbose_name_plural = "投稿"
        ordering = ["-is_pinned", "-last_activity_at", "-pk"]
        indexes = [
            models.Index(
                fields=["room", "status", "-is_pinned", "-last_activity_at"],
                name="community_post_room_list",
            ),
            models.Index(fields=["status", "created_at"], name="community_post_status"),
            models.Index(fields=["author", "created_at"], name="community_post_author"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("community:post", args=[self.pk])


class Comment(ModeratedContent):
    """A comment on a post, or a reply to a comment (one level: a reply's parent
    is always a top-level comment)."""

    post = models.ForeignKey(
        Post, verbose_name="投稿", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="返信先",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )

    class Meta:
        verbose_name = "コメント"
        verbose_name_plural = "コメント"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["post", "created_at"], name="community_comment_post"),
            models.Index(fields=["status", "created_at"], name="community_comment_st"),
        ]

    def __str__(self):
        return self.body[:40]

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class Stamp(models.Model):
    """A reaction stamp staff define (e.g. 👍 いいね, 🙌 行ってみたい)."""

    symbol = models.CharField("絵文字・記号", max_length=8)
    label = models.CharField("名前", max_length=20, unique=True)
    is_active = models.BooleanField("使用中", default=True)
    sort_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "スタンプ"
        verbose_name_plural = "スタンプ"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.symbol} {self.label}"


class Reaction(models.Model):
    """One member's stamp on a post (pressing it again takes it back)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    stamp = models.ForeignKey(Stamp, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "リアクション"
        verbose_name_plural = "リアクション"
        constraints = [
            models.UniqueConstraint(
                fields=["post", "stamp", "member"], name="community_reaction_once"
            )
        ]
        indexes = [
            models.Index(fields=["created_at"], name="community_reaction_at"),
        ]

    def __str__(self):
        return f"{self.stamp} → {self.post}"


class ReportReason(models.TextChoices):
    ABUSE = "abuse", "誹謗中傷・攻撃的な内容"
    SPAM = "spam", "宣伝・スパム"
    PRIVACY = "privacy", "個人情報の書き込み"
    FALSE = "false", "誤った情報"
    OTHER = "other", "その他"


class Report(models.Model):
    """A member's report (通報) of a post or a comment."""

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        USER, verbose_name="通報した人", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField("理由", max_length=10, choices=ReportReason.choices)
    note = models.CharField("詳しく", max_length=500, blank=True)
    created_at = models.DateTimeField("通報日時", default=timezone.now)
    resolved_at = models.DateTimeField("対応日時", null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "通報"
        verbose_name_plural = "通報"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()}（{self.target}）"

    @property
    def target(self):
        return self.comment or self.post


class NgWord(models.Model):
    """A word that holds a post or comment for review instead of publishing it."""

    word = models.CharField("NGワード", max_length=50, unique=True)
    is_active = models.BooleanField("有効", default=True)
    note = models.CharField("メモ", max_length=200, blank=True)

    class Meta:
        verbose_name = "NGワード"
        verbose_name_plural = "NGワード"
        ordering = ["word"]

    def __str__(self):
        return self.word


class MemberBlock(models.Model):
    """A member blocked from posting, commenting, reacting and reporting.
    ``lifted_at`` ends it; the row stays as the record."""

    member = models.ForeignKey(
        USER, verbose_name="メンバー", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField("理由")
    blocked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("開始日時", default=timezone.now)
    lifted_at = models.DateTimeField("解除日時", null=True, blank=True)

    class Meta:
        verbose_name = "利用停止"
        verbose_name_plural = "利用停止"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.member}（{timezone.localtime(self.created_at):%Y-%m-%d}）"


class RulesVersion(models.Model):
    """The community rules (規約). Every save by staff makes a new version; members
    accept the newest before they post again."""

    title = models.CharField("題名", max_length=100, default="コミュニティ利用規約")
    body = models.TextField("本文")
    published_at = models.DateTimeField("施行日時", default=timezone.now)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        verbose_name = "利用規約"
        verbose_name_plural = "利用規約"
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.title}（第{self.pk}版）"


class RulesAcceptance(models.Model):
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    rules = models.ForeignKey(
        RulesVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "規約への同意"
        verbose_name_plural = "規約への同意"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "rules"], name="community_rules_accepted_once"
            )
        ]

    def __str__(self):
        return f"{self.member} → {self.rules}"


class NotificationKind(models.TextChoices):
    COMMENT = "comment", "コメント"
    REPLY = "reply", "返信"
    MENTION = "mention", "メンション"
    MODERATION = "moderation", "運営からの対応"
    ALERT = "alert", "炎上アラート"
    HELD = "held", "確認待ちの投稿"


class Notification(models.Model):
    """An in-site notification (お知らせ); the daily digest mails the unread ones."""

    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="community_notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"],
                name="community_notification_inbox",
            )
        ]

    def __str__(self):
        return self.message


class FlameAlert(models.Model):
    """A 炎上 alert: reports or comments on a post spiked within the window."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="alerts")
    cause = models.CharField("原因", max_length=100)
    created_at = models.DateTimeField("発生日時", default=timezone.now)
    acknowledged_at = models.DateTimeField("確認日時", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "炎上アラート"
        verbose_name_plural = "炎上アラート"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.post}: {self.cause}"


# Admin screens and who may use them (cms.core.permissions.CommunityPolicy):
# "manager" is community managers and prefecture staff, "staff" staff only.
# Rows of MADE_ON_THE_PUBLIC_SIDE come from the community's pages (a block from
# 「投稿者を利用停止」); the admin has no 「追加」 for them.
ADMIN_MODELS = {
    Room: "manager",
    NgWord: "manager",
    Report: "manager",
    MemberBlock: "manager",
    FlameAlert: "manager",
    Post: "manager",
    Comment: "manager",
    MemberProfile: "manager",
    Stamp: "staff",
    RulesVersion: "staff",
}
MADE_ON_THE_PUBLIC_SIDE = {
    Report,
    MemberBlock,
    FlameAlert,
    Post,
    Comment,
    MemberProfile,
}


# --- Surveys (アンケート) -----------------------------------------------------


class Survey(ClusterableModel):
    """A questionnaire staff build and send to a room's readers or to members with
    given attributes (relation, age band, residence). Members answer once."""

    title = models.CharField("題名", max_length=100)
    description = models.TextField("説明", blank=True)
    room = models.ForeignKey(
        Room,
        verbose_name="対象の部屋",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        help_text="選ぶと、その部屋に表示されます。",
    )
    target_relations = models.JSONField(
        "対象の地域との関わり", default=list, blank=True
    )
    target_age_bands = models.JSONField("対象の年代", default=list, blank=True)
    target_prefectures = models.JSONField(
        "対象のお住まい（都道府県）", default=list, blank=True
    )
    opens_at = models.DateTimeField("受付開始", default=timezone.now)
    closes_at = models.DateTimeField("受付終了", null=True, blank=True)
    is_published = models.BooleanField("公開する", default=False)
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "アンケート"
        verbose_name_plural = "アンケート"
        ordering = ["-opens_at", "-pk"]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and self.opens_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )


class QuestionKind(models.TextChoices):
    SINGLE = "single", "ひとつ選ぶ"
    MULTIPLE = "multiple", "いくつでも選ぶ"
    TEXT = "text", "自由記述"
    RATING = "rating", "5段階の評価"


class SurveyQuestion(Orderable):
    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("質問", max_length=200)
    kind = models.CharField(
        "答え方",
        max_length=10,
        choices=QuestionKind.choices,
        default=QuestionKind.SINGLE,
    )
    choices = models.TextField(
        "選択肢",
        blank=True,
        help_text="「ひとつ選ぶ」「いくつでも選ぶ」のとき、1行に1つ。",
    )
    required = models.BooleanField("回答必須", default=True)

    class Meta(Orderable.Meta):
        verbose_name = "質問"
        verbose_name_plural = "質問"

    def __str__(self):
        return self.text

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses"
    )
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "アンケートの回答"
        verbose_name_plural = "アンケートの回答"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member"], name="community_survey_answered_once"
            )
        ]

    def __str__(self):
        return f"{self.survey}（{self.member}）"


class SurveyAnswer(models.Model):
    """One answer; several choices are kept one per line."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.TextField(blank=True)

    class Meta:
        verbose_name = "回答"
        verbose_name_plural = "回答"

    def __str__(self):
        return self.value[:40]


ADMIN_MODELS[Survey] = "staff"
