"""What staff print and export: CSV of facilities and bookings (Excel-ready UTF-8
with BOM), the daily and monthly lists (帳票), and yearly counts by condition
(予約件数, per 年度 April–March)."""

import csv
import datetime as dt
import io
from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.utils import timezone

from .models import Booking, BookingKind, BookingStatus, Facility
from .rules import JST, UserCategory

FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def csv_bytes(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


FACILITY_HEADER = [
    "施設区分",
    "施設名",
    "URL用の名前",
    "所在地",
    "電話番号",
    "公開",
    "予約時間単位（分）",
    "開館時間",
    "祝日休館",
    "年末年始休館",
    "受付開始（日前）",
    "ネット締切（時間前）",
    "取消期限（日前）",
    "室場・面",
    "含まれる面",
    "公開設定",
    "定員",
    "町内在住（円/時）",
    "町内在勤（円/時）",
    "町内在学（円/時）",
    "町外（円/時）",
    "利用目的",
    "施設案内",
]


def facilities_csv() -> bytes:
    rows = []
    facilities = Facility.objects.prefetch_related(
        "opening_hours", "units__purposes", "units__part_of"
    )
    for facility in facilities:
        hours = " ".join(str(h) for h in facility.opening_hours.all())
        common = [
            facility.group,
            facility.name,
            facility.slug,
            facility.address,
            facility.phone,
            "公開" if facility.is_public else "非公開",
            facility.slot_minutes,
            hours,
            "はい" if facility.closed_on_holidays else "いいえ",
            "はい" if facility.closed_year_end else "いいえ",
            facility.booking_opens_days,
            facility.booking_closes_hours,
            facility.change_deadline_days,
        ]
        units = list(facility.units.all())
        for unit in units or [None]:
            if unit is None:
                rows.append([*common, *[""] * 9, facility.guide_url])
                continue
            rows.append(
                [
                    *common,
                    unit.name,
                    unit.part_of.name if unit.part_of else "",
                    unit.get_visibility_display(),
                    unit.capacity or "",
                    unit.fee_resident,
                    unit.fee_worker,
                    unit.fee_student,
                    unit.fee_outside,
                    "・".join(p.name for p in unit.purposes.all()),
                    facility.guide_url,
                ]
            )
    return csv_bytes(FACILITY_HEADER, rows)


BOOKING_HEADER = [
    "予約番号",
    "状態",
    "受付",
    "施設",
    "室場・面",
    "利用日",
    "開始",
    "終了",
    "申請者",
    "団体名",
    "電話番号",
    "メールアドレス",
    "利用者区分",
    "利用目的",
    "利用人数",
    "活動内容",
    "備品",
    "使用料（円）",
    "受付日時",
    "受付職員",
    "取消日時",
    "取消理由",
    "職員メモ",
]


def bookings_queryset(first_day=None, last_day=None, facility=None, status=None):
    bookings = Booking.objects.select_related(
        "facility", "unit", "purpose", "created_by"
    ).prefetch_related("equipment_lines__equipment")
    if first_day:
        bookings = bookings.filter(
            starts_at__gte=dt.datetime.combine(first_day, dt.time(0), JST)
        )
    if last_day:
        bookings = bookings.filter(
            starts_at__lt=dt.datetime.combine(
                last_day + dt.timedelta(days=1), dt.time(0), JST
            )
        )
    if facility:
        bookings = bookings.filter(facility=facility)
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("starts_at", "facility__sort_order", "unit__sort_order")


def _local(moment):
    return timezone.localtime(moment) if moment else None


def bookings_csv(bookings) -> bytes:
    rows = []
    for b in bookings:
        start, end = _local(b.starts_at), _local(b.ends_at)
        rows.append(
            [
                b.number,
                b.get_status_display(),
                b.get_kind_display(),
                b.facility.name,
                b.unit.name,
                f"{start:%Y-%m-%d}",
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                b.block_reason if b.is_block else b.applicant_name,
                b.organisation,
                b.applicant_phone,
                b.applicant_email,
                b.get_category_display() if b.category else "",
                b.purpose.name if b.purpose else "",
                b.headcount or "",
                b.activity,
                "・".join(
                    f"{line.equipment.name}×{line.quantity}"
                    for line in b.equipment_lines.all()
                ),
                b.fee_yen,
                f"{_local(b.created_at):%Y-%m-%d %H:%M}",
                b.created_by.get_username() if b.created_by else "",
                f"{_local(b.cancelled_at):%Y-%m-%d %H:%M}" if b.cancelled_at else "",
                b.cancel_reason,
                b.note,
            ]
        )
    return csv_bytes(BOOKING_HEADER, rows)


# --- Counts per fiscal year ---------------------------------------------------------


def fiscal_year_of(day: dt.date) -> int:
    """年度: April to March, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 4, 1, tzinfo=JST),
        dt.datetime(year + 1, 4, 1, tzinfo=JST),
    )


def tabulate_by_month(
    rows: list[tuple[str, dt.datetime]],
) -> tuple[dict[str, list[int]], list[int]]:
    """Pure: (label, start) pairs → counts per label for April … March, and totals
    per month."""
    table: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    totals = [0] * 12
    for label, start in rows:
        index = FISCAL_MONTHS.index(start.astimezone(JST).month)
        table[label][index] += 1
        totals[index] += 1
    return dict(table), totals


def yearly_counts(
    year: int,
    *,
    facility=None,
    category: str = "",
    purpose=None,
    kind: str = "",
    include_cancelled: bool = False,
):
    """Bookings of fiscal ``year`` matching the conditions, counted per facility and
    month, with totals per user category and purpose. Staff blocks never count."""
    start, end = fiscal_year_bounds(year)
    bookings = Booking.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        kind=BookingKind.BLOCK
    )
    if not include_cancelled:
        bookings = bookings.filter(status=BookingStatus.CONFIRMED)
    if facility:
        bookings = bookings.filter(facility=facility)
    if category:
        bookings = bookings.filter(category=category)
    if purpose:
        bookings = bookings.filter(purpose=purpose)
    if kind:
        bookings = bookings.filter(kind=kind)
    by_facility, totals = tabulate_by_month(
        list(bookings.values_list("facility__name", "starts_at"))
    )
    categories = Counter(dict(bookings.values_list("category").annotate(n=Count("pk"))))
    purposes = dict(
        bookings.exclude(purpose=None)
        .values_list("purpose__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    summary = bookings.aggregate(people=Sum("headcount"), fees=Sum("fee_yen"))
    return {
        "by_facility": [
            (name, row, sum(row)) for name, row in sorted(by_facility.items())
        ],
        "totals": totals,
        "total": sum(totals),
        "categories": [
            (label, categories.get(value, 0)) for value, label in UserCategory.choices
        ],
        "purposes": list(purposes.items()),
        "people": summary["people"] or 0,
        "fees": summary["fees"] or 0,
    }
