"""The chatbot's knowledge base and its conversation log.

A ``FaqAnswer`` is one prepared answer (with its main question and the other ways
people ask it); the bot only ever shows these, never generated text. ``FaqSynonym``
teaches the matcher words that mean the same (「空き家」「空家」「古民家」).
``Conversation`` and ``ChatTurn`` record what visitors asked and what they were shown,
for the analytics and the monthly report, and are deleted after the retention period.
``KnowledgeBaseState`` holds a version number that every change bumps, so each server
process notices an edit on its next question and refreshes its index.
"""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core.permissions import MunicipalityScopedForm

ANSWER_FEATURES = ["bold", "ol", "ul", "link", "document-link"]
QUERY_MAX_LENGTH = 200


def split_lines(text: str) -> list[str]:
    """Phrasings and synonyms are entered one per line (「|」 and 「、」 also split)."""
    parts = []
    for line in (text or "").replace("|", "\n").replace("｜", "\n").splitlines():
        parts.extend(p.strip() for p in line.split("、"))
    return [p for p in parts if p]


class FaqCategory(models.Model):
    """A topic of the knowledge base (移住支援金, 住まい, 仕事 …), also shown to visitors
    as a button for those who prefer to click."""

    name = models.CharField("カテゴリ名", max_length=40, unique=True)
    button_label = models.CharField(
        "ボタンの文字",
        max_length=20,
        blank=True,
        help_text="チャットのカテゴリボタンに出す短い名前。空欄ならカテゴリ名。",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    show_button = models.BooleanField("チャットにボタンを出す", default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("button_label")]),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("show_button")]),
    ]

    class Meta:
        verbose_name = "FAQカテゴリ"
        verbose_name_plural = "FAQカテゴリ"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.button_label or self.name


class FaqAnswer(index.Indexed, models.Model):
    """One prepared answer of the chatbot (よくある質問と回答)."""

    key = models.CharField(
        "ID",
        max_length=64,
        unique=True,
        blank=True,
        help_text="CSVの id 列。空欄なら保存時に自動で付けます。",
    )
    question = models.CharField("代表的な質問", max_length=200)
    alternatives = models.TextField(
        "言い換え",
        blank=True,
        help_text="同じ答えになる別の聞き方を1行に1つ（例: 引っ越しの補助金はありますか）。",
    )
    body = RichTextField("回答", features=ANSWER_FEATURES)
    category = models.ForeignKey(
        FaqCategory,
        verbose_name="カテゴリ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="faq_answers",
        help_text="特定の市町村についての回答なら選びます。空欄は県全体の回答（県職員のみ編集）。",
    )
    link_url = models.CharField(
        "詳しいページのURL",
        max_length=500,
        blank=True,
        help_text="CSVの url 列。https://… または /towns/mito/ のようなサイト内のパス。",
    )
    related_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="ポータル内のページ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    desk = models.ForeignKey(
        "core.ConsultationDesk",
        verbose_name="案内する相談窓口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_ups = models.ManyToManyField(
        "self",
        verbose_name="続けて案内する質問",
        symmetrical=False,
        blank=True,
        help_text="回答の下に「こちらもよく聞かれます」として出します（先頭の3件）。",
    )
    active = models.BooleanField(
        "公開する", default=True, help_text="外すとチャットで使われません。"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # A municipality editor must choose their own town (and sees no other).
    base_form_class = MunicipalityScopedForm
    panels = [
        FieldPanel("question"),
        FieldPanel("alternatives"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("municipality")]),
        MultiFieldPanel(
            [
                FieldPanel("related_page"),
                FieldPanel("link_url"),
                FieldPanel("desk"),
                FieldPanel("follow_ups"),
            ],
            heading="案内先",
        ),
        FieldRowPanel([FieldPanel("key"), FieldPanel("active")]),
    ]
    search_fields = [
        index.SearchField("question"),
        index.AutocompleteField("question"),
        index.SearchField("alternatives"),
        index.SearchField("key"),
        index.FilterField("municipality"),
        index.FilterField("category"),
        index.FilterField("active"),
    ]

    class Meta:
        verbose_name = "FAQ回答"
        verbose_name_plural = "FAQ回答"
        ordering = ["category__sort_order", "key"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = f"faq-{uuid.uuid4().hex[:10]}"
        super().save(*args, **kwargs)

    @property
    def phrasings(self) -> list[str]:
        return [self.question, *split_lines(self.alternatives)]


class FaqSynonym(models.Model):
    """Words that mean the same for the matcher: every variant is read as the term."""

    term = models.CharField(
        "代表の言葉", max_length=60, unique=True, help_text="例: 空き家"
    )
    variants = models.TextField(
        "同じ意味の言葉",
        help_text="1行に1つ（「、」区切りも可）。例: 空家、古民家、あきや",
    )
    active = models.BooleanField("使う", default=True)

    panels = [FieldPanel("term"), FieldPanel("variants"), FieldPanel("active")]

    class Meta:
        verbose_name = "同義語"
        verbose_name_plural = "同義語"
        ordering = ["term"]

    def __str__(self):
        return self.term

    def clean(self):
        if not split_lines(self.variants):
            raise ValidationError(
                {"variants": "同じ意味の言葉を1つ以上入力してください。"}
            )


class AgeBand(models.TextChoices):
    UNDER_20 = "under20", "10代"
    TWENTIES = "20s", "20代"
    THIRTIES = "30s", "30代"
    FORTIES = "40s", "40代"
    FIFTIES = "50s", "50代"
    SIXTIES_PLUS = "60plus", "60代以上"


class CurrentArea(models.TextChoices):
    TOKYO = "tokyo", "東京都"
    KANAGAWA = "kanagawa", "神奈川県"
    SAITAMA = "saitama", "埼玉県"
    CHIBA = "chiba", "千葉県"
    IBARAKI = "in_prefecture", "県内"
    OTHER = "other", "その他の地域"


class Household(models.TextChoices):
    SINGLE = "single", "ひとり"
    COUPLE = "couple", "夫婦・カップル"
    WITH_CHILDREN = "children", "子どもと一緒"
    OTHER = "other", "その他"


class MoveTiming(models.TextChoices):
    WITHIN_YEAR = "within_year", "1年以内"
    ONE_TO_THREE = "1to3", "1〜3年後"
    UNDECIDED = "undecided", "未定・情報収集中"


ATTRIBUTE_CHOICES = {
    "age_band": AgeBand,
    "current_area": CurrentArea,
    "household": Household,
    "move_timing": MoveTiming,
}


class Conversation(models.Model):
    """One visitor's chat session. Holds only the optional answers the visitor gave
    with consent (no name, address or contact: the bot asks for nothing else)."""

    session_id = models.CharField("セッションID", max_length=64, unique=True)
    channel = models.CharField("経路", max_length=20, default="web")
    started_at = models.DateTimeField("開始日時", default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField("最終利用日時", default=timezone.now)
    consented_at = models.DateTimeField("回答への同意", null=True, blank=True)
    age_band = models.CharField(
        "年代", max_length=10, choices=AgeBand.choices, blank=True
    )
    current_area = models.CharField(
        "今お住まいの地域", max_length=20, choices=CurrentArea.choices, blank=True
    )
    household = models.CharField(
        "世帯", max_length=10, choices=Household.choices, blank=True
    )
    move_timing = models.CharField(
        "移住の予定時期", max_length=12, choices=MoveTiming.choices, blank=True
    )

    class Meta:
        verbose_name = "会話"
        verbose_name_plural = "会話"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.channel} {self.started_at:%Y-%m-%d %H:%M}"


class TurnOutcome(models.TextChoices):
    ANSWERED = "answered", "回答した"
    SUGGESTED = "suggested", "候補を示した（もしかして）"
    NO_MATCH = "no_match", "該当なし"
    SELECTED = "selected", "候補・カテゴリから選んだ"


class ChatTurn(models.Model):
    """One question and what the bot showed for it, with the visitor's 👍/👎."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name="会話",
        on_delete=models.CASCADE,
        related_name="turns",
    )
    created_at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    query = models.CharField("質問", max_length=QUERY_MAX_LENGTH)
    outcome = models.CharField("結果", max_length=12, choices=TurnOutcome.choices)
    answer = models.ForeignKey(
        FaqAnswer,
        verbose_name="表示した回答",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="turns",
    )
    answer_key = models.CharField("回答のID", max_length=64, blank=True)
    score = models.FloatField("スコア", default=0)
    confidence = models.FloatField("確信度", default=0)
    suggestions = models.JSONField("候補のID", default=list, blank=True)
    feedback = models.SmallIntegerField(
        "評価",
        null=True,
        blank=True,
        choices=[(1, "役に立った"), (-1, "役に立たなかった")],
    )
    feedback_at = models.DateTimeField("評価日時", null=True, blank=True)
    response_ms = models.PositiveIntegerField("応答時間（ミリ秒）", default=0)

    class Meta:
        verbose_name = "会話ログ"
        verbose_name_plural = "会話ログ"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outcome", "created_at"])]

    def __str__(self):
        return self.query


@register_setting(icon="comment")
class ChatSettings(BaseGenericSetting):
    """How the chatbot greets, when it dares to answer and how long logs are kept."""

    greeting = models.TextField(
        "最初のあいさつ",
        default="こんにちは。移住についての質問にお答えします。知りたいことを入力するか、下のボタンから選んでください。",
    )
    confidence_threshold = models.FloatField(
        "回答する確信度のしきい値",
        default=0.6,
        help_text="0〜1。これより低いときは回答を決めつけず「もしかして」の候補と相談窓口を案内します。",
    )
    suggestion_count = models.PositiveSmallIntegerField("候補の数", default=3)
    log_retention_days = models.PositiveIntegerField(
        "会話ログの保存日数",
        default=400,
        help_text="これより古い会話ログは自動で削除します（月次報告に前年同月を含めるなら400日以上）。",
    )
    ask_attributes = models.BooleanField(
        "属性の質問をする",
        default=True,
        help_text="年代・お住まいの地域・世帯・移住時期を任意で尋ねます。",
    )
    consent_text = models.TextField(
        "属性の質問の同意文",
        default="よろしければ、今後の移住支援の参考にするため、年代などを教えてください（任意・個人を特定する情報はお聞きしません）。回答は統計にのみ使います。",
    )
    faq_page_url = models.CharField(
        "FAQページのURL",
        max_length=200,
        default="/faq/",
        help_text="チャットが使えないときに案内するページ。",
    )

    panels = [
        FieldPanel("greeting"),
        FieldRowPanel(
            [FieldPanel("confidence_threshold"), FieldPanel("suggestion_count")]
        ),
        FieldPanel("faq_page_url"),
        FieldPanel("log_retention_days"),
        MultiFieldPanel(
            [FieldPanel("ask_attributes"), FieldPanel("consent_text")],
            heading="属性の質問",
        ),
    ]

    class Meta:
        verbose_name = "チャットボット設定"

    def clean(self):
        if not 0 <= self.confidence_threshold <= 1:
            raise ValidationError(
                {"confidence_threshold": "しきい値は0〜1の数で入力してください。"}
            )
        if not 1 <= self.suggestion_count <= 10:
            raise ValidationError(
                {"suggestion_count": "候補の数は1〜10で入力してください。"}
            )


class KnowledgeBaseState(models.Model):
    """A single row whose ``version`` goes up with every change to the knowledge base,
    so every server process (and every host) notices the edit on its next question."""

    version = models.PositiveBigIntegerField(default=0)
    # Raised when answer embeddings arrive, so processes reload vectors without
    # re-reading the answers' text.
    vectors_version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "知識ベースの版"

    def __str__(self):
        return f"v{self.version}"

    @classmethod
    def bump(cls, field: str = "version") -> None:
        updated = cls.objects.filter(pk=1).update(
            **{field: F(field) + 1}, changed_at=timezone.now()
        )
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={field: 1})


class AnswerEmbedding(models.Model):
    """The cached embedding of an answer's text for the semantic layer. Recomputed in
    the background when the text (``text_hash``) or the model changes."""

    answer = models.OneToOneField(
        FaqAnswer, on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "回答の埋め込み"

    def __str__(self):
        return f"{self.answer_id} ({self.model})"

    @staticmethod
    def hash_text(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()
