"""The staff CSV export of akiya listings: Japanese headers and labels, UTF-8 with
a BOM and CRLF so Excel opens it correctly, with each listing's link status."""

import csv
import io

from django.utils import timezone

from .rules import ListingCheck

BOM = "\ufeff"


def _keep_leading_zeros(value: str) -> str:
    """Excel drops leading zeros of number-like text (082015 → 82015); a formula
    ="082015" shows the text as it is, in Excel and LibreOffice alike."""
    return (
        f'="{value}"' if value and value.isdigit() and value.startswith("0") else value
    )


def _area(value) -> str:
    return "" if value is None else f"{value:f}".rstrip("0").rstrip(".")


def _yen(value) -> str:
    return "" if value is None else str(value)


def _reasons(check: ListingCheck) -> str:
    if check.exclusion:
        return check.exclusion
    return "\n".join(f"{p.label}: {p.message}" for p in check.problems)


COLUMNS = [
    ("市町村", lambda check, item: item.municipality.name if item.municipality else ""),
    (
        "団体コード",
        lambda check, item: _keep_leading_zeros(
            item.municipality.code if item.municipality else ""
        ),
    ),
    ("登録番号", lambda check, item: _keep_leading_zeros(item.registration_number)),
    ("物件名", lambda check, item: item.title),
    ("状況", lambda check, item: item.get_status_display()),
    ("公開", lambda check, item: "公開中" if item.live else "非公開"),
    (
        "全国版バンクへの掲載同意",
        lambda check, item: "あり" if item.national_bank_consent else "なし",
    ),
    (
        "同意日",
        lambda check, item: (
            item.national_bank_consent_on.isoformat()
            if item.national_bank_consent_on
            else ""
        ),
    ),
    ("連携状況", lambda check, item: check.state_label),
    ("理由・修正点", lambda check, item: _reasons(check)),
    ("取引の種類", lambda check, item: item.get_transaction_type_display()),
    ("物件の種類", lambda check, item: item.get_property_type_display()),
    ("売買価格（円）", lambda check, item: _yen(item.price_yen)),
    ("賃料（月額・円）", lambda check, item: _yen(item.rent_yen)),
    ("価格は応相談", lambda check, item: "はい" if item.price_negotiable else ""),
    ("所在地", lambda check, item: item.address),
    ("土地面積（㎡）", lambda check, item: _area(item.land_area_sqm)),
    ("建物延床面積（㎡）", lambda check, item: _area(item.building_area_sqm)),
    ("間取り", lambda check, item: item.layout),
    ("建築年月", lambda check, item: item.built_year_month_label),
    ("写真の枚数", lambda check, item: str(len(item.feed_photos))),
    (
        "登録日",
        lambda check, item: (
            item.registered_on.isoformat() if item.registered_on else ""
        ),
    ),
    (
        "状況の変更日",
        lambda check, item: (
            item.status_changed_on.isoformat() if item.status_changed_on else ""
        ),
    ),
    (
        "最終公開日時",
        lambda check, item: (
            timezone.localtime(item.last_published_at).strftime("%Y-%m-%d %H:%M")
            if item.last_published_at
            else ""
        ),
    ),
]


def export_csv(checks: list[ListingCheck]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for label, _ in COLUMNS])
    for check in checks:
        writer.writerow([value(check, check.listing) for _, value in COLUMNS])
    return buffer.getvalue().encode("utf-8")
