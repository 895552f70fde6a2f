"""What municipalities post: news and events, vacant houses (空き家バンク), trial stays
(お試し居住) and regional-cooperator recruitment (地域おこし協力隊).

Each listing lives in a section page under exactly one ``MunicipalityPage``; its
``municipality`` follows from that position (``MunicipalityContentPage``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.blocks import RICH_TEXT_FEATURES, BodyBlock
from cms.core.fields import (
    AreaField,
    ChoiceListField,
    PercentField,
    YearMonthField,
    YenField,
    image_field,
    year_month_label,
)
from cms.pages.models import MunicipalityContentPage, PortalPage

from .forms import ListingPageForm

# --- Sections ------------------------------------------------------------------


class SectionIndexPage(PortalPage):
    """A municipality's folder for one kind of listing; created with the municipality
    page and kept in place (structural)."""

    structural = True
    section_title = ""
    section_slug = ""
    intro = RichTextField("紹介文", features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.MunicipalityPage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True


class EventIndexPage(SectionIndexPage):
    section_title = "お知らせ・イベント"
    section_slug = "events"
    subpage_types = ["listings.EventPage"]

    class Meta:
        verbose_name = "お知らせ・イベントの一覧"


class AkiyaIndexPage(SectionIndexPage):
    section_title = "空き家バンク"
    section_slug = "akiya"
    subpage_types = ["listings.AkiyaListingPage"]

    class Meta:
        verbose_name = "空き家バンクの一覧"


class TrialStayIndexPage(SectionIndexPage):
    section_title = "お試し居住"
    section_slug = "trial-stays"
    subpage_types = ["listings.TrialStayPage"]

    class Meta:
        verbose_name = "お試し居住の一覧"


class RecruitmentIndexPage(SectionIndexPage):
    section_title = "地域おこし協力隊募集"
    section_slug = "recruitment"
    subpage_types = ["listings.RecruitmentPage"]

    class Meta:
        verbose_name = "地域おこし協力隊募集の一覧"


SECTION_PAGE_TYPES = [
    EventIndexPage,
    AkiyaIndexPage,
    TrialStayIndexPage,
    RecruitmentIndexPage,
]


class ListingPage(MunicipalityContentPage):
    """Fields every listing shares."""

    summary = models.TextField(
        "概要",
        max_length=300,
        help_text="一覧やSNSでの紹介に使う短い説明（300字まで）。",
    )
    contact_desk = models.ForeignKey(
        "core.ConsultationDesk",
        verbose_name="問い合わせ先",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空欄なら市町村の最初の相談窓口を表示します。",
    )

    base_form_class = ListingPageForm
    subpage_types = []

    class Meta:
        abstract = True


class ListingPhoto(Orderable):
    """A photo of a listing, in display order, with its own alt text when the
    image's default description does not fit here."""

    image = models.ForeignKey(
        "core.PortalImage",
        verbose_name="画像",
        on_delete=models.CASCADE,
        related_name="+",
    )
    caption = models.CharField("キャプション", max_length=200, blank=True)
    alt_text = models.CharField(
        "代替テキスト",
        max_length=255,
        blank=True,
        help_text="空欄なら画像に登録した代替テキストを使います。",
    )

    panels = [FieldPanel("image"), FieldPanel("caption"), FieldPanel("alt_text")]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.image_id and not (self.alt_text or self.image.description).strip():
            raise ValidationError(
                {
                    "alt_text": "代替テキストを入力してください（画像の内容を短く説明します）。"
                }
            )

    @property
    def effective_alt_text(self) -> str:
        return self.alt_text or self.image.description


# --- お知らせ・イベント ------------------------------------------------------------


class EventKind(models.TextChoices):
    NEWS = "news", "お知らせ"
    EVENT = "event", "イベント"


class EventPage(ListingPage):
    """お知らせ・イベント: news from a municipality, or an event with a date
    (移住相談会, 空き家見学ツアー, 農業体験 …)."""

    kind = models.CharField(
        "種類", max_length=10, choices=EventKind.choices, default="event"
    )
    start_at = models.DateTimeField("開始日時", null=True, blank=True)
    end_at = models.DateTimeField("終了日時", null=True, blank=True)
    venue_name = models.CharField("会場", max_length=120, blank=True)
    venue_address = models.CharField("会場の住所", max_length=200, blank=True)
    is_online = models.BooleanField("オンライン開催", default=False)
    online_url = models.URLField(
        "オンライン参加のURL",
        blank=True,
        help_text="公開してよい場合のみ入力してください。",
    )
    fee_yen = YenField(
        "参加費（円）", help_text="無料なら0。空欄は「未定」と表示します。"
    )
    fee_note = models.CharField("参加費の補足", max_length=120, blank=True)
    capacity = models.PositiveIntegerField(
        "定員（人）",
        null=True,
        blank=True,
        help_text="空欄は定員なし。",
    )
    organizer = models.CharField("主催", max_length=120, blank=True)
    application_url = models.URLField("申込みのURL", blank=True)
    application_deadline = models.DateField("申込締切日", null=True, blank=True)
    main_image = image_field("メイン画像")
    body = StreamField(BodyBlock(), verbose_name="本文", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")]),
                FieldRowPanel([FieldPanel("venue_name"), FieldPanel("venue_address")]),
                FieldRowPanel([FieldPanel("is_online"), FieldPanel("online_url")]),
            ],
            heading="日時・会場（イベントの場合）",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("fee_yen"), FieldPanel("fee_note")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("organizer")]),
                FieldRowPanel(
                    [FieldPanel("application_url"), FieldPanel("application_deadline")]
                ),
            ],
            heading="参加・申込み",
        ),
        FieldPanel("main_image"),
        FieldPanel("body"),
        FieldPanel("contact_desk"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("venue_name"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("start_at"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["listings.EventIndexPage"]

    class Meta:
        verbose_name = "お知らせ・イベント"
        verbose_name_plural = "お知らせ・イベント"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == EventKind.EVENT and not self.start_at:
            errors["start_at"] = "イベントの開始日時を入力してください。"
        if self.start_at and self.end_at and self.end_at < self.start_at:
            errors["end_at"] = "終了日時は開始日時より後にしてください。"
        if (
            self.application_deadline
            and self.start_at
            and self.application_deadline > self.start_at.date()
        ):
            errors["application_deadline"] = (
                "申込締切日はイベントの開始日までにしてください。"
            )
        if self.is_online is False and self.online_url:
            errors["online_url"] = (
                "オンライン開催にチェックを入れるか、URLを消してください。"
            )
        if errors:
            raise ValidationError(errors)


# --- 空き家・空き地 ---------------------------------------------------------------


class AkiyaTransaction(models.TextChoices):
    SALE = "sale", "売買"
    RENT = "rent", "賃貸"
    SALE_OR_RENT = "sale_or_rent", "売買・賃貸"


class AkiyaPropertyType(models.TextChoices):
    HOUSE = "house", "空き家（土地付き建物）"
    LAND = "land", "空き地"


class AkiyaStatus(models.TextChoices):
    OPEN = "open", "公開中"
    NEGOTIATING = "negotiating", "商談中"
    CONTRACTED = "contracted", "成約済"
    WITHDRAWN = "withdrawn", "取下げ"


class AreaMethod(models.TextChoices):
    REGISTERED = "registered", "公簿"
    SURVEYED = "surveyed", "実測"


class BuildingStructure(models.TextChoices):
    WOOD = "wood", "木造"
    LIGHT_STEEL = "light_steel", "軽量鉄骨造"
    STEEL = "steel", "鉄骨造"
    RC = "rc", "鉄筋コンクリート造"
    SRC = "src", "鉄骨鉄筋コンクリート造"
    BLOCK = "block", "ブロック造"
    OTHER = "other", "その他"


class CityPlanningArea(models.TextChoices):
    URBANIZATION = "urbanization", "市街化区域"
    CONTROL = "control", "市街化調整区域"
    UNDIVIDED = "undivided", "非線引き区域"
    OUTSIDE = "outside", "都市計画区域外"


class Zoning(models.TextChoices):
    LOW_RISE_1 = "low_rise_1", "第一種低層住居専用地域"
    LOW_RISE_2 = "low_rise_2", "第二種低層住居専用地域"
    MID_HIGH_1 = "mid_high_1", "第一種中高層住居専用地域"
    MID_HIGH_2 = "mid_high_2", "第二種中高層住居専用地域"
    RESIDENTIAL_1 = "residential_1", "第一種住居地域"
    RESIDENTIAL_2 = "residential_2", "第二種住居地域"
    QUASI_RESIDENTIAL = "quasi_residential", "準住居地域"
    RURAL_RESIDENTIAL = "rural_residential", "田園住居地域"
    NEIGHBOURHOOD_COMMERCIAL = "neighbourhood_commercial", "近隣商業地域"
    COMMERCIAL = "commercial", "商業地域"
    QUASI_INDUSTRIAL = "quasi_industrial", "準工業地域"
    INDUSTRIAL = "industrial", "工業地域"
    EXCLUSIVE_INDUSTRIAL = "exclusive_industrial", "工業専用地域"
    NONE = "none", "指定なし"


class WaterSupply(models.TextChoices):
    PUBLIC = "public", "公営水道"
    WELL = "well", "井戸"
    NONE = "none", "なし"


class Sewerage(models.TextChoices):
    PUBLIC = "public", "公共下水"
    SEPTIC = "septic", "浄化槽"
    VAULT = "vault", "汲み取り"
    NONE = "none", "なし"


class GasSupply(models.TextChoices):
    CITY = "city", "都市ガス"
    PROPANE = "propane", "プロパンガス"
    NONE = "none", "なし（オール電化など）"


class CurrentState(models.TextChoices):
    VACANT = "vacant", "空き家"
    OCCUPIED = "occupied", "居住中"
    VACANT_LOT = "vacant_lot", "更地"
    OTHER = "other", "その他"


class TransactionMethod(models.TextChoices):
    OWNER = "owner", "所有者と直接交渉"
    AGENT = "agent", "宅地建物取引業者の媒介"


AKIYA_SPECIAL_NOTES = [
    ("control_area", "市街化調整区域"),
    ("no_rebuild", "再建築不可"),
    ("needs_repair", "要修繕"),
    ("furniture_left", "家財道具あり"),
    ("farmland", "農地付き"),
    ("private_road", "私道負担あり"),
    ("landslide_area", "土砂災害警戒区域"),
    ("flood_area", "浸水想定区域"),
]


class AkiyaListingPage(ListingPage):
    """空き家・空き地: a vacant house or plot registered in the municipality's
    空き家バンク, with the facts a buyer or tenant and the national akiya bank
    (全国版空き家・空き地バンク) need."""

    registration_number = models.CharField(
        "登録番号",
        max_length=30,
        help_text="市町村の空き家バンクでの登録番号（市町村内で重複不可）。",
    )
    status = models.CharField(
        "状況", max_length=12, choices=AkiyaStatus.choices, default=AkiyaStatus.OPEN
    )
    status_changed_on = models.DateField(
        "状況の変更日",
        null=True,
        blank=True,
        help_text="状況を変えた日。空欄なら保存日が入ります。",
    )
    registered_on = models.DateField("登録日", default=timezone.localdate)
    transaction_type = models.CharField(
        "取引の種類", max_length=12, choices=AkiyaTransaction.choices
    )
    property_type = models.CharField(
        "物件の種類", max_length=8, choices=AkiyaPropertyType.choices
    )

    # Price
    price_yen = YenField("売買価格（円）")
    rent_yen = YenField("賃料（月額・円）")
    price_negotiable = models.BooleanField("価格は応相談", default=False)
    price_note = models.CharField(
        "価格の補足", max_length=200, blank=True, help_text="例: 敷金1か月、礼金なし"
    )

    # Location
    address = models.CharField(
        "所在地（公開用）",
        max_length=200,
        help_text="公開サイトに表示する所在地（大字・字まで。番地は載せないのが一般的です）。",
    )
    latitude = models.DecimalField(
        "緯度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        "経度", max_digits=9, decimal_places=6, null=True, blank=True
    )
    access = models.CharField(
        "交通", max_length=200, blank=True, help_text="例: JR常磐線 水戸駅から車で15分"
    )

    # Land and building
    land_area_sqm = AreaField("土地面積（㎡）")
    land_area_method = models.CharField(
        "土地面積の測量方式", max_length=12, choices=AreaMethod.choices, blank=True
    )
    building_area_sqm = AreaField("建物延床面積（㎡）")
    building_area_method = models.CharField(
        "建物面積の測量方式", max_length=12, choices=AreaMethod.choices, blank=True
    )
    layout = models.CharField(
        "間取り", max_length=30, blank=True, help_text="例: 4LDK、5DK＋納戸"
    )
    built_year_month = YearMonthField(
        "建築年月",
        help_text="和暦でも西暦でも入力できます（例: 昭和55年4月、1980年4月）。",
    )
    structure = models.CharField(
        "構造", max_length=12, choices=BuildingStructure.choices, blank=True
    )
    floors = models.PositiveSmallIntegerField("階数（地上）", null=True, blank=True)

    # Planning
    city_planning_area = models.CharField(
        "区域区分", max_length=14, choices=CityPlanningArea.choices, blank=True
    )
    zoning = models.CharField(
        "用途地域", max_length=26, choices=Zoning.choices, blank=True
    )
    building_coverage_ratio = PercentField("建ぺい率（%）", maximum=100)
    floor_area_ratio = PercentField("容積率（%）", maximum=1300)
    road_access = models.CharField(
        "接道状況",
        max_length=200,
        blank=True,
        help_text="例: 南側 公道 幅員4.0m 間口8.0m",
    )

    # Utilities
    water_supply = models.CharField(
        "上水道", max_length=8, choices=WaterSupply.choices, blank=True
    )
    sewerage = models.CharField(
        "下水道", max_length=8, choices=Sewerage.choices, blank=True
    )
    gas_supply = models.CharField(
        "ガス", max_length=8, choices=GasSupply.choices, blank=True
    )
    parking_spaces = models.PositiveSmallIntegerField(
        "駐車場（台）", null=True, blank=True
    )
    parking_note = models.CharField("駐車場の補足", max_length=120, blank=True)

    # Condition and handover
    current_state = models.CharField(
        "現況", max_length=12, choices=CurrentState.choices, blank=True
    )
    handover = models.CharField(
        "引渡し時期",
        max_length=120,
        blank=True,
        help_text="例: 即時、相談、2026年4月以降",
    )
    transaction_method = models.CharField(
        "取引の方法",
        max_length=8,
        choices=TransactionMethod.choices,
        default=TransactionMethod.OWNER,
    )
    agent_name = models.CharField("媒介業者名", max_length=120, blank=True)
    agent_licence_number = models.CharField(
        "宅建業の免許番号",
        max_length=60,
        blank=True,
        help_text="例: 茨城県知事(3)第1234号",
    )
    special_notes = ChoiceListField(
        "特記事項",
        options=AKIYA_SPECIAL_NOTES,
        help_text="該当するものをすべて選んでください。",
    )
    special_notes_text = models.TextField("特記事項（自由記述）", blank=True)
    description = RichTextField("物件の紹介", features=RICH_TEXT_FEATURES, blank=True)
    how_to_apply = RichTextField(
        "利用の申込み方法",
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="空欄なら標準の案内（利用登録の上、窓口へ）を表示します。",
    )

    # National akiya bank
    national_bank_consent = models.BooleanField(
        "全国版空き家バンクへの掲載に同意", default=False
    )
    national_bank_consent_on = models.DateField("同意を得た日", null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("registration_number"), FieldPanel("registered_on")]),
        FieldRowPanel([FieldPanel("status"), FieldPanel("status_changed_on")]),
        FieldRowPanel([FieldPanel("transaction_type"), FieldPanel("property_type")]),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("price_yen"), FieldPanel("rent_yen")]),
                FieldRowPanel(
                    [FieldPanel("price_negotiable"), FieldPanel("price_note")]
                ),
            ],
            heading="価格",
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("access"),
            ],
            heading="所在地",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("land_area_sqm"), FieldPanel("land_area_method")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("building_area_sqm"),
                        FieldPanel("building_area_method"),
                    ]
                ),
                FieldRowPanel([FieldPanel("layout"), FieldPanel("built_year_month")]),
                FieldRowPanel([FieldPanel("structure"), FieldPanel("floors")]),
            ],
            heading="土地・建物",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("city_planning_area"), FieldPanel("zoning")]),
                FieldRowPanel(
                    [
                        FieldPanel("building_coverage_ratio"),
                        FieldPanel("floor_area_ratio"),
                    ]
                ),
                FieldPanel("road_access"),
            ],
            heading="法令上の制限",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("water_supply"),
                        FieldPanel("sewerage"),
                        FieldPanel("gas_supply"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("parking_spaces"), FieldPanel("parking_note")]
                ),
            ],
            heading="設備",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("current_state"), FieldPanel("handover")]),
                FieldPanel("transaction_method"),
                FieldRowPanel(
                    [FieldPanel("agent_name"), FieldPanel("agent_licence_number")]
                ),
            ],
            heading="現況・取引",
        ),
        MultiFieldPanel(
            [FieldPanel("special_notes"), FieldPanel("special_notes_text")],
            heading="特記事項",
        ),
        FieldPanel("description"),
        InlinePanel(
            "photos", label="写真", heading="写真（並べ替えできます）", max_num=30
        ),
        FieldPanel("how_to_apply"),
        FieldPanel("contact_desk"),
        MultiFieldPanel(
            [
                HelpPanel(
                    "所有者の同意がある物件だけが全国版空き家・空き地バンクへ連携されます。"
                    "成約済・取下げの物件は次の連携で削除されます。"
                ),
                FieldRowPanel(
                    [
                        FieldPanel("national_bank_consent"),
                        FieldPanel("national_bank_consent_on"),
                    ]
                ),
            ],
            heading="全国版空き家バンク",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("registration_number"),
        index.AutocompleteField("registration_number"),
        index.SearchField("summary"),
        index.SearchField("address"),
        index.SearchField("description"),
        index.FilterField("status"),
        index.FilterField("transaction_type"),
        index.FilterField("property_type"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["listings.AkiyaIndexPage"]

    # A copy starts without a registration number: it must get its own.
    exclude_fields_in_copy = ["registration_number"]

    class Meta:
        verbose_name = "空き家・空き地"
        verbose_name_plural = "空き家・空き地"
        indexes = [models.Index(fields=["municipality", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "registration_number"],
                condition=~models.Q(registration_number=""),
                name="akiya_registration_number_unique_per_municipality",
                violation_error_message="この登録番号は同じ市町村の別の物件で使われています。",
            )
        ]

    @property
    def built_year_month_label(self) -> str:
        return year_month_label(self.built_year_month)

    @property
    def price_label(self) -> str:
        parts = []
        if self.price_yen is not None:
            parts.append(f"売買 {self.price_yen:,}円")
        if self.rent_yen is not None:
            parts.append(f"賃料 月{self.rent_yen:,}円")
        if self.price_negotiable:
            parts.append("応相談")
        return "／".join(parts)

    def clean(self):
        super().clean()
        errors = {}
        sale = self.transaction_type in (
            AkiyaTransaction.SALE,
            AkiyaTransaction.SALE_OR_RENT,
        )
        rent = self.transaction_type in (
            AkiyaTransaction.RENT,
            AkiyaTransaction.SALE_OR_RENT,
        )
        if sale and self.price_yen is None and not self.price_negotiable:
            errors["price_yen"] = (
                "売買価格を入力するか「価格は応相談」を選んでください。"
            )
        if rent and self.rent_yen is None and not self.price_negotiable:
            errors["rent_yen"] = "賃料を入力するか「価格は応相談」を選んでください。"
        if not sale and self.price_yen is not None:
            errors["price_yen"] = "賃貸のみの物件には売買価格を入力しません。"
        if not rent and self.rent_yen is not None:
            errors["rent_yen"] = "売買のみの物件には賃料を入力しません。"
        if (
            self.property_type == AkiyaPropertyType.HOUSE
            and self.building_area_sqm is None
        ):
            errors["building_area_sqm"] = (
                "空き家の場合は建物延床面積を入力してください。"
            )
        if self.land_area_sqm is not None and not self.land_area_method:
            errors["land_area_method"] = "土地面積が公簿か実測かを選んでください。"
        if self.building_area_sqm is not None and not self.building_area_method:
            errors["building_area_method"] = "建物面積が公簿か実測かを選んでください。"
        if self.transaction_method == TransactionMethod.AGENT:
            if not self.agent_name:
                errors["agent_name"] = (
                    "媒介する宅地建物取引業者の名称を入力してください。"
                )
            if not self.agent_licence_number:
                errors["agent_licence_number"] = (
                    "宅地建物取引業の免許番号を入力してください。"
                )
        if self.national_bank_consent and not self.national_bank_consent_on:
            errors["national_bank_consent_on"] = (
                "掲載に同意を得た日を入力してください。"
            )
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "緯度と経度は両方入力するか、両方空欄にしてください。"
        if self.latitude is not None and not (20 <= self.latitude <= 46):
            errors["latitude"] = "緯度が日本の範囲（20〜46度）にありません。"
        if self.longitude is not None and not (122 <= self.longitude <= 154):
            errors["longitude"] = "経度が日本の範囲（122〜154度）にありません。"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pk:
            previous = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            if previous and previous != self.status and not self.status_changed_on:
                self.status_changed_on = timezone.localdate()
        super().save(*args, **kwargs)


class AkiyaPhotoKind(models.TextChoices):
    EXTERIOR = "exterior", "外観"
    INTERIOR = "interior", "室内"
    FLOOR_PLAN = "floor_plan", "間取り図"
    LAND = "land", "土地"
    SURROUNDINGS = "surroundings", "周辺環境"
    OTHER = "other", "その他"


class AkiyaPhoto(ListingPhoto):
    page = ParentalKey(
        AkiyaListingPage, on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(
        "写真の種類", max_length=14, choices=AkiyaPhotoKind.choices, default="exterior"
    )

    panels = [FieldPanel("image"), FieldPanel("kind"), *ListingPhoto.panels[1:]]

    class Meta(ListingPhoto.Meta):
        verbose_name = "空き家の写真"


# --- お試し居住 -------------------------------------------------------------------


TRIAL_STAY_EQUIPMENT = [
    ("furniture", "家具"),
    ("appliances", "家電（冷蔵庫・洗濯機など）"),
    ("bedding", "寝具"),
    ("kitchenware", "調理器具・食器"),
    ("wifi", "インターネット（Wi-Fi）"),
    ("bath", "風呂"),
    ("aircon", "エアコン"),
    ("parking", "駐車場"),
    ("bicycle", "自転車の貸出"),
    ("workspace", "仕事用の机"),
]


class TrialStayPage(ListingPage):
    """お試し居住: a house or flat where people considering a move can live for a
    while to try the town."""

    facility_name = models.CharField("施設名", max_length=120)
    address = models.CharField("所在地", max_length=200)
    capacity = models.PositiveSmallIntegerField("定員（人）")
    min_nights = models.PositiveSmallIntegerField("最短の滞在（泊）", default=1)
    max_nights = models.PositiveSmallIntegerField(
        "最長の滞在（泊）", null=True, blank=True
    )
    fee_per_night_yen = YenField("1泊あたりの料金（円）", help_text="無料なら0。")
    fee_note = models.CharField(
        "料金の補足",
        max_length=200,
        blank=True,
        help_text="例: 光熱費込み、清掃費3,000円",
    )
    equipment = ChoiceListField("設備", options=TRIAL_STAY_EQUIPMENT)
    equipment_note = models.CharField("設備の補足", max_length=200, blank=True)
    eligibility = RichTextField("利用できる人", features=RICH_TEXT_FEATURES, blank=True)
    available_from = models.DateField("受付期間の開始", null=True, blank=True)
    available_until = models.DateField("受付期間の終了", null=True, blank=True)
    season_note = models.CharField(
        "利用できる時期",
        max_length=200,
        blank=True,
        help_text="例: 通年（年末年始を除く）",
    )
    booking_contact = models.CharField(
        "予約の連絡先", max_length=200, blank=True, help_text="電話番号や担当課"
    )
    booking_url = models.URLField("予約のURL", blank=True)
    description = RichTextField("施設の紹介", features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("facility_name"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("capacity")]),
        FieldRowPanel([FieldPanel("min_nights"), FieldPanel("max_nights")]),
        FieldRowPanel([FieldPanel("fee_per_night_yen"), FieldPanel("fee_note")]),
        MultiFieldPanel(
            [FieldPanel("equipment"), FieldPanel("equipment_note")], heading="設備"
        ),
        FieldPanel("eligibility"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("available_from"), FieldPanel("available_until")]
                ),
                FieldPanel("season_note"),
            ],
            heading="利用できる時期",
        ),
        FieldRowPanel([FieldPanel("booking_contact"), FieldPanel("booking_url")]),
        FieldPanel("description"),
        InlinePanel(
            "photos", label="写真", heading="写真（並べ替えできます）", max_num=30
        ),
        FieldPanel("contact_desk"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("facility_name"),
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["listings.TrialStayIndexPage"]

    class Meta:
        verbose_name = "お試し居住"
        verbose_name_plural = "お試し居住"

    def clean(self):
        super().clean()
        errors = {}
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = "定員は1人以上で入力してください。"
        if self.min_nights is not None and self.min_nights < 1:
            errors["min_nights"] = "最短の滞在は1泊以上で入力してください。"
        if self.max_nights and self.min_nights and self.max_nights < self.min_nights:
            errors["max_nights"] = "最長の滞在は最短の滞在以上にしてください。"
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            errors["available_until"] = "受付期間の終了は開始より後にしてください。"
        if errors:
            raise ValidationError(errors)


class TrialStayPhoto(ListingPhoto):
    page = ParentalKey(TrialStayPage, on_delete=models.CASCADE, related_name="photos")

    class Meta(ListingPhoto.Meta):
        verbose_name = "お試し居住の写真"


# --- 地域おこし協力隊 -------------------------------------------------------------


class EmploymentType(models.TextChoices):
    FISCAL_YEAR = "fiscal_year", "会計年度任用職員"
    CONTRACT = "contract", "業務委託"
    OTHER = "other", "その他"


class RecruitmentPage(ListingPage):
    """地域おこし協力隊募集: a municipality's call for regional revitalisation
    cooperators (地域おこし協力隊), who move to the town for up to three years."""

    mission = RichTextField("活動内容", features=RICH_TEXT_FEATURES)
    positions = models.PositiveSmallIntegerField("募集人数", default=1)
    employment_type = models.CharField(
        "雇用形態", max_length=12, choices=EmploymentType.choices
    )
    employment_terms = RichTextField(
        "勤務条件",
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="勤務時間、休日、任期など",
    )
    monthly_pay_yen = YenField("月額報酬（円）")
    pay_note = models.CharField(
        "報酬の補足",
        max_length=200,
        blank=True,
        help_text="例: 期末手当あり、活動費は別途支給",
    )
    housing_support = models.TextField("住居の支援", blank=True)
    eligibility = RichTextField("応募資格", features=RICH_TEXT_FEATURES, blank=True)
    application_start = models.DateField("募集開始日", null=True, blank=True)
    application_end = models.DateField("募集締切日", null=True, blank=True)
    selection_process = RichTextField(
        "選考の流れ", features=RICH_TEXT_FEATURES, blank=True
    )
    application_url = models.URLField("応募のURL", blank=True)
    guideline_document = models.ForeignKey(
        "core.PortalDocument",
        verbose_name="募集要項",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    main_image = image_field("メイン画像")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("mission"),
        FieldRowPanel([FieldPanel("positions"), FieldPanel("employment_type")]),
        FieldPanel("employment_terms"),
        FieldRowPanel([FieldPanel("monthly_pay_yen"), FieldPanel("pay_note")]),
        FieldPanel("housing_support"),
        FieldPanel("eligibility"),
        FieldRowPanel([FieldPanel("application_start"), FieldPanel("application_end")]),
        FieldPanel("selection_process"),
        FieldRowPanel(
            [FieldPanel("application_url"), FieldPanel("guideline_document")]
        ),
        FieldPanel("main_image"),
        FieldPanel("contact_desk"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("mission"),
        index.FilterField("application_end"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["listings.RecruitmentIndexPage"]

    class Meta:
        verbose_name = "地域おこし協力隊募集"
        verbose_name_plural = "地域おこし協力隊募集"

    def clean(self):
        super().clean()
        errors = {}
        if self.positions is not None and self.positions < 1:
            errors["positions"] = "募集人数は1人以上で入力してください。"
        if (
            self.application_start
            and self.application_end
            and self.application_end < self.application_start
        ):
            errors["application_end"] = "募集締切日は募集開始日より後にしてください。"
        if errors:
            raise ValidationError(errors)
