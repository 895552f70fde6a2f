"""Public facility reservations (施設予約): facilities and their bookable units,
equipment, opening calendars, residents and bookings.

* A ``Facility`` (体育館, テニスコート …) has ``BookingUnit``s (室場・面). A unit
  may be part of a larger one: the halves of a court (片面) are parts of the whole
  court (全面). Booking a unit occupies the unit and all its parts, so a whole-court
  booking blocks both halves and a half blocks the whole.
* Every booking writes one ``OccupiedSlot`` per occupied unit. On PostgreSQL an
  exclusion constraint (btree_gist, ``tstzrange``) forbids two overlapping rows for
  one unit, so a double booking cannot be stored whatever the application does; on
  SQLite, bookings are written in IMMEDIATE transactions (one writer at a time) that
  check for overlaps first (``services.place_booking``).
* A ``Resident`` (利用者) is a person who books online. Residents are deliberately
  not Django users: they never appear among staff accounts, cannot gain admin
  rights, and deleting one erases their personal data in one place.
"""

import datetime as dt
import secrets

from django import forms
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Orderable

from cms.core.models import phone_validator

from .rules import (
    WEEKDAYS,
    DayHours,
    FacilityRules,
    LotteryRules,
    UserCategory,
)

SLOT_CHOICES = [
    (30, "30分"),
    (60, "1時間"),
    (120, "2時間"),
    (180, "3時間"),
    (240, "4時間"),
    (1200, "20時間（宿泊）"),
]


class UsagePurpose(models.Model):
    """利用目的 (バレーボール, テニス, キャンプ …), chosen per unit."""

    name = models.CharField("利用目的", max_length=40, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "利用目的"
        verbose_name_plural = "利用目的"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class FacilityForm(WagtailAdminModelForm):
    # Stored as a JSON list; edited as checkboxes.
    allowed_categories = forms.MultipleChoiceField(
        label="予約できる利用者区分",
        choices=UserCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="どれも選ばないときは全区分が予約できます。",
    )


class Facility(ClusterableModel):
    """An institution residents book: a gymnasium, a sports park, a campsite."""

    base_form_class = FacilityForm

    name = models.CharField("施設名", max_length=80, unique=True)
    slug = models.SlugField(
        "URL用の名前", max_length=60, unique=True, help_text="半角英数字（例: arena）"
    )
    group = models.CharField(
        "施設区分", max_length=40, blank=True, help_text="例: 社会体育等施設"
    )
    description = models.TextField("施設の説明", blank=True)
    address = models.CharField("所在地", max_length=120, blank=True)
    phone = models.CharField(
        "問い合わせ電話番号", max_length=20, blank=True, validators=[phone_validator]
    )
    guide_url = models.URLField(
        "施設案内ページ",
        blank=True,
        help_text="町の施設案内ページへのリンク（予約画面に表示します）。",
    )
    rules_text = models.TextField(
        "遵守事項",
        blank=True,
        help_text="予約前に利用者に表示し、同意を求めます。",
    )
    is_public = models.BooleanField(
        "公開する", default=True, help_text="外すと予約画面に表示しません。"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    slot_minutes = models.PositiveSmallIntegerField(
        "予約時間単位", choices=SLOT_CHOICES, default=60
    )
    closed_on_holidays = models.BooleanField("祝日は休館", default=False)
    closed_year_end = models.BooleanField("年末年始（12/29〜1/3）は休館", default=True)
    booking_opens_days = models.PositiveSmallIntegerField(
        "予約受付の開始（利用日の何日前から）",
        default=60,
        validators=[MaxValueValidator(400)],
    )
    booking_closes_hours = models.PositiveSmallIntegerField(
        "インターネット予約の締切（利用開始の何時間前まで）", default=24
    )
    change_deadline_days = models.PositiveSmallIntegerField(
        "変更・取消の期限（利用日の何日前まで）", default=3
    )
    residents_may_cancel = models.BooleanField(
        "利用者がインターネットで取り消せる", default=True
    )
    max_active_bookings = models.PositiveSmallIntegerField(
        "1人が同時に持てる予約の数",
        default=4,
        help_text="この施設での、これから利用する予約の件数。0は無制限。",
    )
    max_hours_per_day = models.PositiveSmallIntegerField(
        "1人1日あたりの上限（時間）", default=4, help_text="0は無制限。"
    )
    allowed_categories = models.JSONField(
        "予約できる利用者区分",
        default=list,
        blank=True,
        help_text="空のときは全区分が予約できます。",
    )
    lottery_enabled = models.BooleanField(
        "月ごとの抽選を行う",
        default=False,
        help_text="翌月分の予約を抽選で受け付け、抽選後の空きを先着順で受け付けます。",
    )
    lottery_opens_day = models.PositiveSmallIntegerField(
        "抽選の申込開始（前月の何日から）",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(27)],
    )
    lottery_closes_day = models.PositiveSmallIntegerField(
        "抽選の申込締切（前月の何日まで。翌日に抽選）",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(27)],
    )
    # Bumped by every change that alters availability (bookings, units, hours,
    # calendar): the key of the cached availability answers (see public_api).
    availability_version = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("group"), FieldPanel("sort_order")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("phone")]),
        FieldPanel("guide_url"),
        FieldPanel("rules_text"),
        FieldPanel("is_public"),
    ]
    rule_panels = [
        FieldPanel("slot_minutes"),
        InlinePanel("opening_hours", heading="開館時間（曜日ごと）", label="曜日"),
        FieldRowPanel(
            [FieldPanel("closed_on_holidays"), FieldPanel("closed_year_end")]
        ),
        MultiFieldPanel(
            [
                FieldPanel("booking_opens_days"),
                FieldPanel("booking_closes_hours"),
                FieldPanel("change_deadline_days"),
                FieldPanel("residents_may_cancel"),
            ],
            heading="受付期間と取消",
        ),
        MultiFieldPanel(
            [
                FieldPanel("lottery_enabled"),
                FieldRowPanel(
                    [FieldPanel("lottery_opens_day"), FieldPanel("lottery_closes_day")]
                ),
            ],
            heading="抽選",
        ),
        MultiFieldPanel(
            [
                FieldPanel("max_active_bookings"),
                FieldPanel("max_hours_per_day"),
                FieldPanel("allowed_categories"),
            ],
            heading="予約の制限",
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(panels, heading="施設情報"),
            ObjectList(rule_panels, heading="開館時間・予約ルール"),
        ]
    )

    class Meta:
        verbose_name = "施設"
        verbose_name_plural = "施設"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def rules(self, calendar=None) -> FacilityRules:
        """The facility's rules as plain values. ``calendar``: the opening-calendar
        days to consider (all of them when None)."""
        if calendar is None:
            calendar = self.calendar_days.all()
        return FacilityRules(
            slot_minutes=self.slot_minutes,
            weekly_hours={
                row.weekday: DayHours(row.opens, row.closes)
                for row in self.opening_hours.all()
            },
            calendar={day.date: day.hours() for day in calendar},
            closed_on_holidays=self.closed_on_holidays,
            closed_year_end=self.closed_year_end,
            booking_opens_days=self.booking_opens_days,
            booking_closes_hours=self.booking_closes_hours,
            change_deadline_days=self.change_deadline_days,
            residents_may_cancel=self.residents_may_cancel,
            max_active_bookings=self.max_active_bookings,
            max_hours_per_day=self.max_hours_per_day,
            allowed_categories=frozenset(
                self.allowed_categories or UserCategory.values
            ),
            lottery=LotteryRules(self.lottery_opens_day, self.lottery_closes_day)
            if self.lottery_enabled
            else None,
        )

    def clean(self):
        if self.lottery_enabled and self.lottery_opens_day > self.lottery_closes_day:
            raise ValidationError(
                {"lottery_closes_day": "締切日は申込開始日より後にしてください。"}
            )
        unknown = set(self.allowed_categories or []) - set(UserCategory.values)
        if unknown:
            raise ValidationError(
                {"allowed_categories": f"不明な利用者区分です: {', '.join(unknown)}"}
            )


class OpeningHours(Orderable):
    facility = ParentalKey(
        Facility, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        "曜日", choices=[(i, f"{name}曜日") for i, name in enumerate(WEEKDAYS)]
    )
    opens = models.TimeField("開館")
    closes = models.TimeField(
        "閉館", help_text="開館より前の時刻は翌日です（例: キャンプ場 14:00〜10:00）。"
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = "開館時間"
        verbose_name_plural = "開館時間"
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "weekday"],
                name="reservations_one_hours_per_weekday",
            )
        ]

    def __str__(self):
        return f"{WEEKDAYS[self.weekday]} {self.opens:%H:%M}〜{self.closes:%H:%M}"


class CalendarDay(models.Model):
    """One day of a facility's opening calendar (imported from CSV): closed, or open
    with hours that differ from the weekday's. Overrides holidays and weekdays."""

    facility = models.ForeignKey(
        Facility,
        verbose_name="施設",
        on_delete=models.CASCADE,
        related_name="calendar_days",
    )
    date = models.DateField("日付")
    is_closed = models.BooleanField("休館", default=False)
    opens = models.TimeField("開館", null=True, blank=True)
    closes = models.TimeField("閉館", null=True, blank=True)
    note = models.CharField("備考", max_length=100, blank=True)

    class Meta:
        verbose_name = "開館カレンダー"
        verbose_name_plural = "開館カレンダー"
        ordering = ["facility", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "date"],
                name="reservations_one_calendar_row_per_day",
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.date:%Y-%m-%d}"

    def hours(self) -> DayHours | None:
        if self.is_closed or self.opens is None or self.closes is None:
            return None
        return DayHours(self.opens, self.closes)


class Visibility(models.TextChoices):
    PUBLIC = "public", "公開（インターネットで予約可）"
    AVAILABILITY_ONLY = "availability", "空き状況のみ公開（予約は窓口）"
    HIDDEN = "hidden", "非公開"


class BookingUnit(models.Model):
    """A bookable room, court or site (室場・面). A half court (片面) names the whole
    court (全面) as its ``part_of``."""

    facility = models.ForeignKey(
        Facility, verbose_name="施設", on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField("名称", max_length=60, help_text="例: 全面、A面（片面）")
    part_of = models.ForeignKey(
        "self",
        verbose_name="含まれる面",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
        help_text="片面の場合、その全面を選びます。全面の予約は片面をふさぎ、"
        "片面の予約は全面をふさぎます。",
    )
    visibility = models.CharField(
        "公開設定", max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    purposes = models.ManyToManyField(
        UsagePurpose, verbose_name="利用目的", blank=True, related_name="units"
    )
    fee_resident = models.PositiveIntegerField("使用料（町内在住・1時間）", default=0)
    fee_worker = models.PositiveIntegerField("使用料（町内在勤・1時間）", default=0)
    fee_student = models.PositiveIntegerField("使用料（町内在学・1時間）", default=0)
    fee_outside = models.PositiveIntegerField("使用料（町外・1時間）", default=0)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    panels = [
        FieldPanel("facility"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("sort_order")]),
        FieldPanel("part_of"),
        FieldRowPanel([FieldPanel("visibility"), FieldPanel("capacity")]),
        FieldPanel("purposes", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("fee_resident"), FieldPanel("fee_worker")]),
                FieldRowPanel([FieldPanel("fee_student"), FieldPanel("fee_outside")]),
            ],
            heading="使用料（利用者区分ごと、1時間あたり・円）",
        ),
    ]

    class Meta:
        verbose_name = "室場・面"
        verbose_name_plural = "室場・面"
        ordering = ["facility__sort_order", "facility", "sort_order", "pk"]

    def __str__(self):
        return f"{self.facility.name} {self.name}"

    def clean(self):
        if self.part_of_id:
            if self.part_of_id == self.pk:
                raise ValidationError({"part_of": "自分自身は選べません。"})
            if self.part_of.facility_id != self.facility_id:
                raise ValidationError({"part_of": "同じ施設の面を選んでください。"})

    @property
    def hourly_rates(self) -> dict[str, int]:
        return {
            UserCategory.RESIDENT: self.fee_resident,
            UserCategory.WORKER: self.fee_worker,
            UserCategory.STUDENT: self.fee_student,
            UserCategory.OUTSIDE: self.fee_outside,
        }

    @property
    def bookable_online(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.facility.is_public


def bump_availability(facility_id: int) -> None:
    """Mark the facility's cached availability stale. Inside a booking transaction
    this also queues concurrent bookings of one facility (a row lock on PostgreSQL)."""
    Facility.objects.filter(pk=facility_id).update(
        availability_version=models.F("availability_version") + 1
    )


def occupied_unit_ids(unit_id: int, parts_of: dict[int, list[int]]) -> list[int]:
    """The unit and, recursively, its parts: what a booking of ``unit_id`` occupies.
    ``parts_of`` maps a unit to its direct parts."""
    found, pending = [], [unit_id]
    while pending:
        current = pending.pop()
        if current not in found:
            found.append(current)
            pending.extend(parts_of.get(current, []))
    return found


class PricingBasis(models.TextChoices):
    PER_USE = "use", "1回あたり"
    PER_HOUR = "hour", "1時間あたり"


class Equipment(models.Model):
    """A lendable item or attached facility (備品・附属設備): nets, lighting, air
    conditioning … with its stock and price."""

    facility = models.ForeignKey(
        Facility,
        verbose_name="施設",
        on_delete=models.CASCADE,
        related_name="equipment",
    )
    unit = models.ForeignKey(
        BookingUnit,
        verbose_name="室場・面",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="equipment",
        help_text="その室場・面だけで使える設備（照明など）は選びます。空欄は施設共通。",
    )
    name = models.CharField("名称", max_length=60)
    counter = models.CharField("単位", max_length=10, default="個")
    stock = models.PositiveIntegerField("数量", default=1)
    price_yen = models.PositiveIntegerField("料金（円）", default=0)
    pricing = models.CharField(
        "料金の単位",
        max_length=8,
        choices=PricingBasis.choices,
        default=PricingBasis.PER_USE,
    )
    is_public = models.BooleanField("インターネットで申込可", default=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "備品・附属設備"
        verbose_name_plural = "備品・附属設備"
        ordering = ["facility", "sort_order", "pk"]

    def __str__(self):
        return f"{self.facility.name} {self.name}"

    def clean(self):
        if self.unit_id and self.unit.facility_id != self.facility_id:
            raise ValidationError({"unit": "同じ施設の室場・面を選んでください。"})

    @property
    def price_label(self) -> str:
        if not self.price_yen:
            return "無料"
        return (
            f"{self.price_yen:,}円／{self.get_pricing_display().removesuffix('あたり')}"
        )


class Resident(models.Model):
    """A person registered to book online (利用者). Not a Django user: see the module
    docstring. The password is stored with Django's password hashers."""

    email = models.EmailField("メールアドレス", unique=True)
    password = models.CharField("パスワード", max_length=256, editable=False)
    name = models.CharField("氏名", max_length=60)
    name_kana = models.CharField("ふりがな", max_length=60, blank=True)
    phone = models.CharField("電話番号", max_length=20, validators=[phone_validator])
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("住所", max_length=150, blank=True)
    organisation = models.CharField("団体名", max_length=80, blank=True)
    category = models.CharField(
        "利用者区分", max_length=16, choices=UserCategory.choices
    )
    is_active = models.BooleanField(
        "利用可", default=True, help_text="外すとログインも予約もできなくなります。"
    )
    email_confirmed_at = models.DateTimeField("メール確認日時", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    last_login = models.DateTimeField("最終ログイン", null=True, blank=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.email}）"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    @property
    def can_book(self) -> bool:
        return self.is_active and self.email_confirmed_at is not None

    def session_hash(self) -> str:
        """Changes with the password, so a password change ends other sessions."""
        return salted_hmac(
            "reservations.Resident.session", self.password, algorithm="sha256"
        ).hexdigest()


class BookingKind(models.TextChoices):
    ONLINE = "online", "インターネット"
    LOTTERY = "lottery", "抽選"
    COUNTER = "counter", "窓口受付"
    BLOCK = "block", "利用不可（施設側）"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "予約済み"
    CANCELLED = "cancelled", "取消済み"


def new_booking_number() -> str:
    # Random rather than sequential, so a number says nothing about other bookings.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Booking(models.Model):
    """A booking of one unit for one time range, or a staff block (利用不可時間)."""

    number = models.CharField(
        "予約番号",
        max_length=12,
        unique=True,
        default=new_booking_number,
        editable=False,
    )
    facility = models.ForeignKey(
        Facility, verbose_name="施設", on_delete=models.PROTECT, related_name="bookings"
    )
    unit = models.ForeignKey(
        BookingUnit,
        verbose_name="室場・面",
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    starts_at = models.DateTimeField("開始")
    ends_at = models.DateTimeField("終了")
    kind = models.CharField(
        "受付", max_length=10, choices=BookingKind.choices, default=BookingKind.ONLINE
    )
    status = models.CharField(
        "状態",
        max_length=10,
        choices=BookingStatus.choices,
        default=BookingStatus.CONFIRMED,
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name="利用者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    applicant_name = models.CharField("申請者氏名", max_length=60, blank=True)
    applicant_phone = models.CharField("電話番号", max_length=20, blank=True)
    applicant_email = models.EmailField("メールアドレス", blank=True)
    organisation = models.CharField("団体名", max_length=80, blank=True)
    category = models.CharField(
        "利用者区分", max_length=16, choices=UserCategory.choices, blank=True
    )
    purpose = models.ForeignKey(
        UsagePurpose,
        verbose_name="利用目的",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    headcount = models.PositiveIntegerField(
        "利用人数", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    activity = models.CharField("活動内容", max_length=200, blank=True)
    fee_yen = models.PositiveIntegerField("使用料（円）", default=0)
    fee_lines = models.JSONField("料金内訳", default=list, blank=True)
    note = models.TextField("職員メモ", blank=True)
    block_reason = models.CharField("利用不可の理由", max_length=100, blank=True)
    rules_accepted_at = models.DateTimeField("遵守事項への同意", null=True, blank=True)
    created_at = models.DateTimeField("受付日時", auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User",
        verbose_name="受付職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("取消日時", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "auth.User",
        verbose_name="取消職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField("取消理由", max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField("前日通知", null=True, blank=True)

    class Meta:
        verbose_name = "予約"
        verbose_name_plural = "予約"
        ordering = ["starts_at", "unit"]
        indexes = [
            models.Index(
                fields=["facility", "starts_at"], name="resv_booking_fac_start"
            ),
            models.Index(fields=["resident", "status"], name="resv_booking_resident"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="reservations_booking_starts_before_end",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.unit} {self.period_label}"

    @property
    def is_active(self) -> bool:
        return self.status == BookingStatus.CONFIRMED

    @property
    def is_block(self) -> bool:
        return self.kind == BookingKind.BLOCK

    @property
    def period_label(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        weekday = WEEKDAYS[start.weekday()]
        end_text = f"{end:%H:%M}" if end.date() == start.date() else f"翌{end:%H:%M}"
        return f"{start:%Y年%m月%d日}（{weekday}）{start:%H:%M}〜{end_text}"

    @property
    def who(self) -> str:
        if self.is_block:
            return self.block_reason or "利用不可"
        return self.organisation or self.applicant_name


class BookingEquipment(models.Model):
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="equipment_lines"
    )
    equipment = models.ForeignKey(
        Equipment, verbose_name="備品・附属設備", on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "予約した備品"
        verbose_name_plural = "予約した備品"

    def __str__(self):
        return f"{self.equipment.name} ×{self.quantity}"


class OccupiedSlot(models.Model):
    """One unit held by one active booking for one time range. A whole-court booking
    has three rows (the whole court and both halves), a half-court booking one. The
    rows of a cancelled booking are deleted.

    On PostgreSQL the migration adds ``reservations_no_double_booking``:
    ``EXCLUDE USING gist (unit_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)``.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="occupied"
    )
    unit = models.ForeignKey(BookingUnit, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["unit", "starts_at", "ends_at"], name="resv_occupied_unit_time"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")),
                name="reservations_occupied_starts_before_end",
            ),
            models.UniqueConstraint(
                fields=["booking", "unit"], name="reservations_one_row_per_unit"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.starts_at:%Y-%m-%d %H:%M}〜{self.ends_at:%H:%M}"


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(0), tz)
    return start, start + dt.timedelta(days=1)


class LotteryDraw(models.Model):
    """One draw of one facility's month: at most one (the constraint makes a second
    draw impossible, even from two servers at once)."""

    facility = models.ForeignKey(
        Facility, verbose_name="施設", on_delete=models.CASCADE, related_name="draws"
    )
    month = models.DateField("対象月", help_text="その月の1日")
    drawn_at = models.DateTimeField("抽選日時", auto_now_add=True)
    drawn_by = models.ForeignKey(
        "auth.User",
        verbose_name="実行した職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seed = models.CharField("乱数の種", max_length=40)
    entries = models.PositiveIntegerField("申込数", default=0)
    won = models.PositiveIntegerField("当選数", default=0)

    class Meta:
        verbose_name = "抽選"
        verbose_name_plural = "抽選"
        ordering = ["-month", "facility"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "month"], name="reservations_one_draw_per_month"
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.month:%Y年%m月}分"


class EntryStatus(models.TextChoices):
    APPLIED = "applied", "抽選待ち"
    WON = "won", "当選"
    LOST = "lost", "落選"
    WITHDRAWN = "withdrawn", "取下げ"


class LotteryEntry(models.Model):
    """An application to the monthly lottery for one unit and time."""

    facility = models.ForeignKey(
        Facility, verbose_name="施設", on_delete=models.CASCADE, related_name="entries"
    )
    unit = models.ForeignKey(
        BookingUnit, verbose_name="室場・面", on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField("開始")
    ends_at = models.DateTimeField("終了")
    resident = models.ForeignKey(
        Resident,
        verbose_name="利用者",
        on_delete=models.CASCADE,
        related_name="lottery_entries",
    )
    purpose = models.ForeignKey(
        UsagePurpose,
        verbose_name="利用目的",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    headcount = models.PositiveIntegerField("利用人数", null=True, blank=True)
    activity = models.CharField("活動内容", max_length=200, blank=True)
    equipment = models.JSONField("備品", default=dict, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=EntryStatus.choices, default=EntryStatus.APPLIED
    )
    booking = models.OneToOneField(
        Booking,
        verbose_name="予約",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lottery_entry",
    )
    created_at = models.DateTimeField("申込日時", auto_now_add=True)

    class Meta:
        verbose_name = "抽選の申込"
        verbose_name_plural = "抽選の申込"
        ordering = ["starts_at", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "unit", "starts_at"],
                condition=Q(status="applied"),
                name="reservations_one_entry_per_slot",
            )
        ]

    def __str__(self):
        return f"{self.unit} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"
