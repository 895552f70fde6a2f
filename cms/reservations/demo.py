"""Demo data for facility reservations: Kunitomi Town's 17 facilities (seed 002,
table 1; ``cms/core/demo/data/kunitomi_facilities.tsv``) with their units (courts
bookable whole or by half), equipment, hours, fees by user category, closed days
and rules; a reservation staff account, demo residents and a few weeks of bookings.

``load_reservation_demo()`` is called by ``portal load_demo`` (and by ``portal
reservations load_demo``); it only adds what is missing, so it is safe to rerun.
"""

import csv
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cms.core.permissions import sync_reservation_staff_group

from .models import (
    Booking,
    BookingKind,
    BookingUnit,
    CalendarDay,
    Equipment,
    Facility,
    OpeningHours,
    PricingBasis,
    Resident,
    UsagePurpose,
    Visibility,
)
from .rules import JST, UserCategory, day_slots
from .services import (
    BookingDraft,
    BookingRefused,
    block_times,
    draw_lottery,
    due_draws,
    place_booking,
)

FACILITY_TABLE = (
    Path(__file__).resolve().parents[1]
    / "core"
    / "demo"
    / "data"
    / "kunitomi_facilities.tsv"
)
STAFF_USERNAME = "kunitomi-staff"
ADDRESS = "宮崎県東諸県郡国富町"
GUIDE_URL = "https://www.town.kunitomi.miyazaki.jp/"

PURPOSES = [
    "バレーボール",
    "ソフトバレーボール",
    "バスケットボール",
    "バドミントン",
    "卓球",
    "フットサル",
    "剣道",
    "柔道",
    "空手",
    "軽運動・体操",
    "野球",
    "ソフトボール",
    "サッカー",
    "グラウンド・ゴルフ",
    "ゲートボール",
    "テニス",
    "ソフトテニス",
    "キャンプ",
    "ドッグラン",
    "会議・研修",
    "大会・行事",
]
INDOOR = [
    "バレーボール",
    "ソフトバレーボール",
    "バスケットボール",
    "バドミントン",
    "卓球",
    "フットサル",
    "軽運動・体操",
    "大会・行事",
]
FIELD = [
    "野球",
    "ソフトボール",
    "サッカー",
    "グラウンド・ゴルフ",
    "ゲートボール",
    "大会・行事",
]

GYM_RULES = (
    "・利用時間には準備と片付けの時間を含みます。\n"
    "・館内では室内用の運動靴を使用してください。\n"
    "・火気の使用、飲酒、喫煙はできません。\n"
    "・利用後は清掃し、備品を元の場所に戻してください。\n"
    "・施設や備品を壊したときは、すぐに管理者へ届け出てください。\n"
    "・使用料は利用当日、施設でお支払いください。"
)
OUTDOOR_RULES = (
    "・雨天などでグラウンドが使えないときは、管理者が利用を中止することがあります。\n"
    "・スパイクは指定の場所でのみ使用できます。\n"
    "・ごみは各自で持ち帰ってください。\n"
    "・使用料は利用当日、施設でお支払いください。"
)
CAMP_RULES = (
    "・チェックインは14時から、チェックアウトは翌朝10時までです。\n"
    "・直火は禁止です。炊事場とコンロを使ってください。\n"
    "・22時から翌朝6時までは静かにお過ごしください。\n"
    "・ごみは各自で持ち帰ってください。"
)
DOG_RULES = (
    "・狂犬病予防接種と混合ワクチン接種を済ませた犬に限ります。\n"
    "・ふんは飼い主が必ず持ち帰ってください。\n"
    "・発情期の犬は利用できません。"
)


@dataclass
class UnitPlan:
    name: str
    fees: tuple[int, int, int, int]  # 町内在住, 在勤, 在学, 町外 (円/時間)
    purposes: list[str]
    halves: list[str] = field(default_factory=list)  # 片面 parts (half fees)
    visibility: str = Visibility.PUBLIC
    capacity: int | None = None


@dataclass
class EquipmentPlan:
    name: str
    stock: int
    price: int
    per_hour: bool = False
    counter: str = "組"
    unit: str = ""  # the unit it belongs to ("" = whole facility)


@dataclass
class FacilityPlan:
    slug: str
    units: list[UnitPlan]
    equipment: list[EquipmentPlan]
    hours: tuple[str, str] = ("09:00", "21:00")
    closed_weekdays: tuple[int, ...] = (0,)  # Monday
    slot_minutes: int = 60
    rules: str = GYM_RULES
    closed_on_holidays: bool = False
    opens_days: int = 60
    description: str = ""
    lottery: bool = False  # monthly lottery (applications 1st–10th of the month before)


def _gym(slug, fee=400, description="") -> FacilityPlan:
    half = fee // 2
    return FacilityPlan(
        slug=slug,
        description=description
        or "地域の体育館です。全面または片面（半面）で予約できます。",
        units=[
            UnitPlan(
                "全面",
                (fee, fee, fee // 2, fee * 2),
                INDOOR,
                halves=["A面（片面）", "B面（片面）"],
                capacity=100,
            )
        ],
        equipment=[
            EquipmentPlan("バレーボール支柱・ネット", 2, 0),
            EquipmentPlan("バドミントン支柱・ネット", 4, 0),
            EquipmentPlan("卓球台", 4, 100, counter="台"),
            EquipmentPlan("夜間照明", 1, half, per_hour=True, counter="式"),
        ],
    )


PLANS = {
    1: FacilityPlan(
        slug="arena",
        description="町の中央にある総合体育館です。メインアリーナは全面・片面で予約できます。",
        units=[
            UnitPlan(
                "メインアリーナ 全面",
                (1200, 1200, 600, 2400),
                INDOOR,
                halves=["メインアリーナ A面（片面）", "メインアリーナ B面（片面）"],
                capacity=300,
            ),
            UnitPlan("サブアリーナ", (500, 500, 250, 1000), INDOOR, capacity=60),
            UnitPlan(
                "会議室",
                (300, 300, 150, 600),
                ["会議・研修"],
                visibility=Visibility.AVAILABILITY_ONLY,
                capacity=30,
            ),
        ],
        equipment=[
            EquipmentPlan("バレーボール支柱・ネット", 4, 0),
            EquipmentPlan("バドミントン支柱・ネット", 8, 0),
            EquipmentPlan("卓球台", 12, 100, counter="台"),
            EquipmentPlan("得点板", 4, 0, counter="台"),
            EquipmentPlan(
                "冷暖房（メインアリーナ）",
                1,
                1500,
                per_hour=True,
                counter="式",
                unit="メインアリーナ 全面",
            ),
            EquipmentPlan("放送設備", 1, 500, counter="式"),
        ],
        hours=("08:30", "21:30"),
        slot_minutes=60,
    ),
    2: _gym("yukiki-gym"),
    3: _gym("honjo-tobu-gym"),
    4: _gym("kitamata-gym"),
    5: _gym("fukatoshi-gym"),
    6: _gym("sanmyo-gym", 300),
    7: _gym("sushida-gym", 300),
    8: _gym("kiwaki-gym", 300),
    9: _gym("kawaminami-gym", 300),
    10: FacilityPlan(
        slug="budokan",
        description="柔道場と剣道場があります。大会などで両方使うときは全面で予約します。",
        units=[
            UnitPlan(
                "全面（柔道場・剣道場）",
                (600, 600, 300, 1200),
                ["剣道", "柔道", "空手", "大会・行事"],
                halves=["柔道場", "剣道場"],
            )
        ],
        equipment=[EquipmentPlan("冷暖房", 1, 400, per_hour=True, counter="式")],
    ),
    11: FacilityPlan(
        slug="undo-koen",
        description="野球場、多目的グラウンド、テニスコートがある運動公園です。",
        units=[
            UnitPlan(
                "野球場", (600, 600, 300, 1200), ["野球", "ソフトボール", "大会・行事"]
            ),
            UnitPlan(
                "多目的グラウンド 全面",
                (400, 400, 200, 800),
                FIELD,
                halves=["多目的グラウンド 北側", "多目的グラウンド 南側"],
            ),
            UnitPlan(
                "テニスコート 1", (200, 200, 100, 400), ["テニス", "ソフトテニス"]
            ),
            UnitPlan(
                "テニスコート 2", (200, 200, 100, 400), ["テニス", "ソフトテニス"]
            ),
        ],
        equipment=[
            EquipmentPlan(
                "野球場 夜間照明", 1, 2000, per_hour=True, counter="式", unit="野球場"
            ),
            EquipmentPlan("テニスコート 夜間照明", 2, 300, per_hour=True, counter="面"),
            EquipmentPlan("ライン引き", 3, 0, counter="台"),
        ],
        hours=("08:00", "21:00"),
        slot_minutes=120,
        rules=OUTDOOR_RULES,
    ),
    12: FacilityPlan(
        slug="rokuno-field",
        description="サッカーやグラウンド・ゴルフに使える球技場です。全面・片面で予約できます。",
        units=[
            UnitPlan(
                "全面",
                (500, 500, 250, 1000),
                FIELD,
                halves=["A面（片面）", "B面（片面）"],
            )
        ],
        equipment=[
            EquipmentPlan("サッカーゴール", 4, 0, counter="基"),
            EquipmentPlan("夜間照明", 1, 1500, per_hour=True, counter="式"),
        ],
        hours=("08:00", "21:00"),
        slot_minutes=120,
        rules=OUTDOOR_RULES,
    ),
    13: FacilityPlan(
        slug="mukodaka-hiroba",
        description="向高運動公園の運動広場です。",
        units=[
            UnitPlan(
                "全面",
                (300, 300, 150, 600),
                FIELD,
                halves=["A面（片面）", "B面（片面）"],
            )
        ],
        equipment=[EquipmentPlan("グラウンド・ゴルフ用具", 5, 100)],
        hours=("08:00", "18:00"),
        slot_minutes=120,
        rules=OUTDOOR_RULES,
    ),
    14: FacilityPlan(
        slug="hokedake-hiroba",
        description="法華嶽公園の芝生の多目的広場です。",
        units=[UnitPlan("多目的広場", (300, 300, 150, 600), [*FIELD, "軽運動・体操"])],
        equipment=[EquipmentPlan("テント（3.6m×5.4m）", 4, 500, counter="張")],
        hours=("08:00", "17:00"),
        closed_weekdays=(),
        slot_minutes=120,
        rules=OUTDOOR_RULES,
    ),
    15: FacilityPlan(
        slug="hokedake-camp",
        description="法華嶽公園のキャンプ場です。1区画1泊（14時〜翌10時）で予約します。",
        units=[
            UnitPlan(f"区画サイト {n}", (50, 50, 50, 100), ["キャンプ"], capacity=6)
            for n in range(1, 9)
        ],
        equipment=[
            EquipmentPlan("テント（5人用）", 4, 1000, counter="張"),
            EquipmentPlan("バーベキューコンロ", 6, 500, counter="台"),
            EquipmentPlan("寝袋", 10, 300, counter="個"),
        ],
        hours=("14:00", "10:00"),
        closed_weekdays=(),
        slot_minutes=1200,
        rules=CAMP_RULES,
        opens_days=90,
    ),
    16: FacilityPlan(
        slug="hokedake-tennis",
        description="法華嶽公園のテニスコート（砂入り人工芝）です。",
        units=[
            UnitPlan(f"コート {n}", (200, 200, 100, 400), ["テニス", "ソフトテニス"])
            for n in range(1, 5)
        ],
        equipment=[EquipmentPlan("夜間照明", 4, 300, per_hour=True, counter="面")],
        hours=("08:00", "21:00"),
        rules=OUTDOOR_RULES,
        lottery=True,
    ),
    17: FacilityPlan(
        slug="hokedake-dogrun",
        description="法華嶽公園のドッグランです。貸切で利用するときに予約します。",
        units=[
            UnitPlan("大型犬エリア（貸切）", (300, 300, 300, 500), ["ドッグラン"]),
            UnitPlan("小型犬エリア（貸切）", (200, 200, 200, 400), ["ドッグラン"]),
        ],
        equipment=[],
        hours=("09:00", "17:00"),
        closed_weekdays=(1,),
        rules=DOG_RULES,
    ),
}

DEMO_RESIDENTS = [
    (
        "yamada@example.jp",
        "山田 太郎",
        "やまだ たろう",
        "0985-75-0001",
        UserCategory.RESIDENT,
        "本庄バレーボール少年団",
    ),
    (
        "suzuki@example.jp",
        "鈴木 花子",
        "すずき はなこ",
        "0985-75-0002",
        UserCategory.WORKER,
        "",
    ),
    (
        "tanaka@example.jp",
        "田中 一郎",
        "たなか いちろう",
        "0985-75-0003",
        UserCategory.OUTSIDE,
        "宮崎テニス同好会",
    ),
]
COUNTER_APPLICANTS = [
    ("国富町バドミントン協会", "0985-75-1111"),
    ("木脇ママさんバレー", "0985-75-2222"),
    ("八代地区グラウンド・ゴルフ会", "0985-75-3333"),
    ("国富中学校 卓球部", "0985-75-4444"),
    ("本庄フットサルクラブ", "0985-75-5555"),
]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def read_facility_table() -> list[dict]:
    with FACILITY_TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _ensure_purposes(created: Counter) -> dict[str, UsagePurpose]:
    purposes = {}
    for order, name in enumerate(PURPOSES):
        purpose, was_created = UsagePurpose.objects.get_or_create(
            name=name, defaults={"sort_order": order}
        )
        created["利用目的"] += was_created
        purposes[name] = purpose
    return purposes


def _ensure_facility(
    row: dict, plan: FacilityPlan, purposes, created: Counter
) -> Facility:
    number = int(row["no"])
    facility, was_created = Facility.objects.get_or_create(
        slug=plan.slug,
        defaults={
            "name": row["name"],
            "group": row["group"],
            "description": plan.description,
            "address": ADDRESS,
            "phone": f"0985-75-{3100 + number:04d}",
            "guide_url": GUIDE_URL,
            "rules_text": plan.rules,
            "sort_order": number,
            "slot_minutes": plan.slot_minutes,
            "closed_on_holidays": plan.closed_on_holidays,
            "booking_opens_days": plan.opens_days,
            "allowed_categories": [],
            "lottery_enabled": plan.lottery,
        },
    )
    created["施設"] += was_created
    if was_created:
        opens, closes = _time(plan.hours[0]), _time(plan.hours[1])
        for weekday in range(7):
            if weekday not in plan.closed_weekdays:
                OpeningHours.objects.create(
                    facility=facility, weekday=weekday, opens=opens, closes=closes
                )
    units = {}
    for order, unit_plan in enumerate(plan.units):
        whole = _ensure_unit(
            facility, unit_plan.name, unit_plan, order * 10, None, purposes, created
        )
        units[unit_plan.name] = whole
        for index, half_name in enumerate(unit_plan.halves, start=1):
            half_plan = UnitPlan(
                half_name,
                tuple(fee // 2 for fee in unit_plan.fees),
                unit_plan.purposes,
                capacity=unit_plan.capacity // 2 if unit_plan.capacity else None,
            )
            units[half_name] = _ensure_unit(
                facility,
                half_name,
                half_plan,
                order * 10 + index,
                whole,
                purposes,
                created,
            )
    for order, item in enumerate(plan.equipment):
        _, was_created = Equipment.objects.get_or_create(
            facility=facility,
            name=item.name,
            defaults={
                "unit": units.get(item.unit),
                "counter": item.counter,
                "stock": item.stock,
                "price_yen": item.price,
                "pricing": PricingBasis.PER_HOUR
                if item.per_hour
                else PricingBasis.PER_USE,
                "sort_order": order,
            },
        )
        created["備品・附属設備"] += was_created
    return facility


def _ensure_unit(facility, name, plan: UnitPlan, order, part_of, purposes, created):
    unit, was_created = BookingUnit.objects.get_or_create(
        facility=facility,
        name=name,
        defaults={
            "part_of": part_of,
            "visibility": plan.visibility,
            "capacity": plan.capacity,
            "fee_resident": plan.fees[0],
            "fee_worker": plan.fees[1],
            "fee_student": plan.fees[2],
            "fee_outside": plan.fees[3],
            "sort_order": order,
        },
    )
    if was_created:
        unit.purposes.set([purposes[p] for p in plan.purposes])
    created["室場・面"] += was_created
    return unit


def _ensure_staff(password: str, created: Counter):
    group = sync_reservation_staff_group()
    user = get_user_model().objects.filter(username=STAFF_USERNAME).first()
    if user is None:
        user = get_user_model().objects.create_user(
            STAFF_USERNAME,
            email="kunitomi-staff@example.jp",
            password=password,
            first_name="施設予約",
            last_name="担当",
        )
        created["職員アカウント"] += 1
    if group is not None:
        user.groups.add(group)
    return user


def _ensure_residents(password: str, created: Counter) -> list[Resident]:
    residents = []
    for email, name, kana, phone, category, organisation in DEMO_RESIDENTS:
        resident = Resident.objects.filter(email=email).first()
        if resident is None:
            resident = Resident(
                email=email,
                name=name,
                name_kana=kana,
                phone=phone,
                category=category,
                organisation=organisation,
                address=ADDRESS,
                email_confirmed_at=timezone.now(),
            )
            resident.set_password(password)
            resident.save()
            created["利用者"] += 1
        residents.append(resident)
    return residents


def _demo_calendar(facility: Facility, today: dt.date, created: Counter) -> None:
    """A maintenance day in three weeks (CSV-style calendar row)."""
    day = today + dt.timedelta(days=21)
    _, was_created = CalendarDay.objects.get_or_create(
        facility=facility,
        date=day,
        defaults={"is_closed": True, "note": "床の補修工事のため休館"},
    )
    created["開館カレンダー"] += was_created


def _demo_bookings(
    facilities, residents, staff, today: dt.date, created: Counter
) -> None:
    """About three weeks of counter and online bookings, and a blocked evening."""
    if Booking.objects.exists():
        return
    rng = random.Random(2025)
    now = timezone.now()
    for facility in facilities:
        units = list(facility.units.exclude(visibility=Visibility.HIDDEN))
        rules = facility.rules()
        for offset in range(1, 22):
            day = today + dt.timedelta(days=offset)
            slots = day_slots(rules, day)
            if not slots or rng.random() < 0.5:
                continue
            unit = rng.choice(units)
            length = rng.choice([1, 2, 2, 3]) if facility.slot_minutes < 120 else 1
            first = rng.randrange(0, max(1, len(slots) - length + 1))
            start = slots[first].start
            end = slots[min(first + length, len(slots)) - 1].end
            purpose = unit.purposes.order_by("?").first()
            if unit.visibility == Visibility.PUBLIC and rng.random() < 0.4:
                resident = rng.choice(residents)
                draft = BookingDraft.for_resident(
                    resident,
                    unit,
                    starts_at=start,
                    ends_at=end,
                    purpose=purpose,
                    headcount=rng.randint(4, 20),
                    activity="練習",
                    rules_accepted=True,
                )
                draft.kind = BookingKind.COUNTER  # outside limits: placed by staff
                draft.staff = staff
            else:
                name, phone = rng.choice(COUNTER_APPLICANTS)
                draft = BookingDraft(
                    unit=unit,
                    starts_at=start,
                    ends_at=end,
                    category=rng.choice(UserCategory.values),
                    purpose=purpose,
                    headcount=rng.randint(6, 40),
                    activity="定期練習",
                    applicant_name=name,
                    organisation=name,
                    applicant_phone=phone,
                    kind=BookingKind.COUNTER,
                    staff=staff,
                    rules_accepted=True,
                )
            try:
                place_booking(draft, now=now, notify=False)
                created["予約"] += 1
            except BookingRefused:
                continue
    arena = next((f for f in facilities if f.slug == "arena"), None)
    if arena is not None:
        day = today + dt.timedelta(days=10)
        whole = arena.units.filter(part_of__isnull=True).first()
        try:
            block_times(
                [whole],
                dt.datetime.combine(day, dt.time(18, 30), JST),
                dt.datetime.combine(day, dt.time(21, 30), JST),
                "照明設備の点検",
                staff,
            )
            created["利用不可"] += 1
        except BookingRefused:
            pass


def load_reservation_demo(
    created: Counter | None = None,
    today: dt.date | None = None,
    password: str | None = None,
    with_bookings: bool = True,
) -> Counter:
    """Load (or complete) the reservations demo. Returns what was created."""
    from django.conf import settings

    created = created if created is not None else Counter()
    today = today or timezone.localdate()
    password = password or settings.PORTAL_DEMO_PASSWORD
    with transaction.atomic():
        purposes = _ensure_purposes(created)
        facilities = []
        for row in read_facility_table():
            plan = PLANS[int(row["no"])]
            facilities.append(_ensure_facility(row, plan, purposes, created))
        _demo_calendar(facilities[1], today, created)
        staff = _ensure_staff(password, created)
        residents = _ensure_residents(password, created)
    # Months whose lottery applications have closed are drawn, as the daily
    # ``portal reservations draw_lottery`` would have done.
    for facility, month in list(due_draws(today)):
        draw_lottery(facility, month, staff=staff)
        created["抽選"] += 1
    if with_bookings:
        with transaction.atomic():
            _demo_bookings(facilities, residents, staff, today, created)
    return created
