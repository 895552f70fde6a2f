"""Municipalities, consultation desks, site settings and the image/document models.

A ``Municipality`` is one 市町村 of the prefecture the portal serves. It owns a Wagtail
group (its editors), a collection (its images and documents) and a page subtree; the
wiring between them lives in ``cms.core.permissions``.
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents.models import AbstractDocument, Document
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Collection
from wagtail.search import index

from .japanese import (
    JapaneseFormatError,
    normalize_width,
    validate_local_government_code,
)
from .permissions import MunicipalityScopedForm

phone_validator = RegexValidator(
    r"^[0-9０-９()（）\-－ー‐ +＋]{10,20}$",
    "電話番号は数字とハイフンで入力してください（例: 029-301-1111）。",
)
colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "色は #1a5fb4 のように「#」と16進数6桁で入力してください。"
)


#: WCAG 2.1 AA (JIS X 8341-3 AA) for normal text: the theme writes links, prices
#: and button labels in the brand colours on white, or white on them.
MIN_CONTRAST_ON_WHITE = 4.5


def contrast_ratio(colour: str, other: str = "#ffffff") -> float:
    """WCAG contrast ratio (1–21) of two ``#rrggbb`` colours."""

    def luminance(hex_colour: str) -> float:
        channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        r, g, b = (
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(colour), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_code(value: str) -> None:
    try:
        validate_local_government_code(value)
    except JapaneseFormatError as error:
        raise ValidationError(str(error)) from error


class MunicipalityKind(models.TextChoices):
    CITY = "city", "市"
    TOWN = "town", "町"
    VILLAGE = "village", "村"


class Municipality(index.Indexed, models.Model):
    """A 市町村, identified by its 全国地方公共団体コード (6 digits with check digit)."""

    code = models.CharField(
        "全国地方公共団体コード",
        max_length=6,
        unique=True,
        validators=[validate_code],
        help_text="6桁（検査数字付き）。例: 水戸市 082015",
    )
    code5 = models.CharField(
        "団体コード（5桁）",
        max_length=5,
        editable=False,
        help_text="6桁コードの先頭5桁。保存時に自動で設定されます。",
    )
    name = models.CharField("名称", max_length=40, unique=True)
    kana = models.CharField(
        "よみがな",
        max_length=80,
        validators=[
            RegexValidator(
                r"^[ぁ-ゖー・\s]+$", "よみがなはひらがなで入力してください。"
            )
        ],
    )
    slug = models.SlugField(
        "URL用の名前",
        max_length=40,
        unique=True,
        help_text="半角英小文字。公開サイトのURLに使います（例: mito）。",
    )
    kind = models.CharField("区分", max_length=8, choices=MunicipalityKind.choices)
    website = models.URLField("公式ウェブサイト", blank=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    editor_group = models.OneToOneField(
        Group,
        verbose_name="編集者グループ",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="municipality",
    )
    collection = models.OneToOneField(
        Collection,
        verbose_name="画像・文書のコレクション",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="municipality",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kana")]),
        FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("sort_order")]),
        FieldPanel("website"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("kana"),
        index.FilterField("code"),
    ]

    class Meta:
        verbose_name = "市町村"
        verbose_name_plural = "市町村"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.code5 = self.code[:5]
        super().save(*args, **kwargs)

    def clean(self):
        if self.code:
            self.code = normalize_width(self.code)
        if self.kana:
            self.kana = normalize_width(self.kana)

    @property
    def prefecture_code(self) -> str:
        """The 2-digit 都道府県コード the municipality belongs to."""
        return self.code[:2]

    def primary_desk(self):
        return self.desks.order_by("sort_order", "pk").first()


class ConsultationDesk(index.Indexed, models.Model):
    """A 相談窓口: where a person considering a move can ask. Belongs to a municipality,
    or to the prefecture when ``municipality`` is empty."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name="市町村",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="desks",
        help_text="空欄にすると県の窓口になります。",
    )
    name = models.CharField("窓口の名称", max_length=120)
    department = models.CharField("担当部署", max_length=120, blank=True)
    phone = models.CharField("電話番号", max_length=20, validators=[phone_validator])
    email = models.EmailField("メールアドレス", blank=True)
    postal_code = models.CharField(
        "郵便番号",
        max_length=8,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{3}-?\d{4}$", "郵便番号は 310-8555 のように入力してください。"
            )
        ],
    )
    address = models.CharField("所在地", max_length=200, blank=True)
    opening_hours = models.CharField(
        "受付時間",
        max_length=200,
        blank=True,
        help_text="例: 平日 8:30〜17:15（祝日・年末年始を除く）",
    )
    url = models.URLField("窓口のページ", blank=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    # An editor is offered only their own municipalities (cms.core.permissions).
    base_form_class = MunicipalityScopedForm

    panels = [
        FieldPanel("municipality"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("department")]),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
        FieldRowPanel([FieldPanel("postal_code"), FieldPanel("address")]),
        FieldPanel("opening_hours"),
        FieldPanel("url"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("department"),
        index.FilterField("municipality"),
    ]

    class Meta:
        verbose_name = "相談窓口"
        verbose_name_plural = "相談窓口"
        ordering = ["municipality__sort_order", "sort_order", "pk"]

    def __str__(self):
        owner = self.municipality.name if self.municipality_id else "県"
        return f"{owner}　{self.name}"

    def clean(self):
        if self.phone:
            self.phone = (
                normalize_width(self.phone).replace("ー", "-").replace("‐", "-")
            )
        if self.postal_code:
            self.postal_code = normalize_width(self.postal_code)


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Branding and contact details, so another prefecture's portal needs no code change."""

    portal_name = models.CharField("ポータル名", max_length=80, default="移住ポータル")
    tagline = models.CharField("キャッチコピー", max_length=120, blank=True)
    operator_name = models.CharField(
        "運営者",
        max_length=120,
        blank=True,
        help_text="例: 茨城県 政策企画部 計画推進課",
    )
    prefecture_code = models.CharField(
        "都道府県の団体コード",
        max_length=6,
        blank=True,
        validators=[validate_code],
        help_text="6桁（検査数字付き）。例: 茨城県 080004",
    )
    logo = models.ForeignKey(
        "core.PortalImage",
        verbose_name="ロゴ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        "メインカラー", max_length=7, default="#1a5fb4", validators=[colour_validator]
    )
    accent_colour = models.CharField(
        "アクセントカラー",
        max_length=7,
        default="#c64600",
        validators=[colour_validator],
    )
    contact_email = models.EmailField("問い合わせメール", blank=True)
    contact_phone = models.CharField(
        "問い合わせ電話", max_length=20, blank=True, validators=[phone_validator]
    )
    contact_address = models.CharField(
        "運営者の所在地",
        max_length=200,
        blank=True,
        help_text="メール配信の表示義務にも使います。",
    )
    default_desk = models.ForeignKey(
        ConsultationDesk,
        verbose_name="標準の相談窓口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="市町村が決まっていない相談の案内先（チャットボットや一覧ページで使います）。",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("portal_name"),
                FieldPanel("tagline"),
                FieldPanel("operator_name"),
                FieldPanel("prefecture_code"),
            ],
            heading="ポータル",
        ),
        MultiFieldPanel(
            [
                FieldPanel("logo"),
                FieldRowPanel(
                    [FieldPanel("primary_colour"), FieldPanel("accent_colour")]
                ),
            ],
            heading="ブランド",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("contact_email"), FieldPanel("contact_phone")]
                ),
                FieldPanel("contact_address"),
                FieldPanel("default_desk"),
            ],
            heading="連絡先",
        ),
    ]

    class Meta:
        verbose_name = "ポータル設定"

    def clean(self):
        super().clean()
        errors = {}
        for name in ("primary_colour", "accent_colour"):
            value = getattr(self, name) or ""
            if not colour_validator.regex.match(value):
                continue  # the field's own validator reports the format
            ratio = contrast_ratio(value)
            if ratio < MIN_CONTRAST_ON_WHITE:
                label = self._meta.get_field(name).verbose_name
                # Rounded down, so a rejected colour never shows as "4.50:1".
                shown = int(ratio * 100) / 100
                errors[name] = (
                    f"{label}（{value}）は白い背景とのコントラスト比が {shown:.2f}:1 です。"
                    f"リンクやボタンの文字に使うため、{MIN_CONTRAST_ON_WHITE}:1 以上に"
                    "なる濃い色を選んでください。"
                )
        if errors:
            raise ValidationError(errors)


class PortalImage(AbstractImage):
    """Wagtail image whose alt text (代替テキスト) is required: every image on the
    public site must be described for screen-reader users (JIS X 8341-3)."""

    description = models.CharField(
        "代替テキスト",
        max_length=255,
        help_text="画像の内容を短く説明してください（読み上げソフトで読まれます）。",
    )
    credit = models.CharField("撮影者・出典", max_length=120, blank=True)

    admin_form_fields = (*Image.admin_form_fields, "credit")

    @property
    def default_alt_text(self):
        return self.description

    class Meta(AbstractImage.Meta):
        verbose_name = "画像"
        verbose_name_plural = "画像"


class PortalRendition(AbstractRendition):
    image = models.ForeignKey(
        PortalImage, on_delete=models.CASCADE, related_name="renditions"
    )

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class PortalDocument(AbstractDocument):
    """Wagtail document (申込書, 募集要項 PDF …) with a short description."""

    description = models.CharField("説明", max_length=255, blank=True)

    admin_form_fields = (*Document.admin_form_fields, "description")

    class Meta(AbstractDocument.Meta):
        verbose_name = "文書"
        verbose_name_plural = "文書"
