"""Which listings go to the national akiya bank, and what keeps one back.

``exclusion_reason`` is the one rule for "qualifies" (live, public, consented, not
成約済/取下げ); the feed, the validator, the admin report and the staff export all
ask it. ``check_listing`` adds what the bank needs of a qualifying listing, per
form field, as messages an editor can act on. Pure functions of loaded objects.
"""

from dataclasses import dataclass, field

from cms.listings.models import (
    AkiyaListingPage,
    AkiyaPropertyType,
    AkiyaStatus,
    AkiyaTransaction,
    TransactionMethod,
)

from .canonical import FIELDS_BY_NAME, MAX_PHOTOS
from .records import build_record
from .writers.lifull import render_record

SENDABLE_STATUSES = (AkiyaStatus.OPEN, AkiyaStatus.NEGOTIATING)


def exclusion_reason(listing, restricted_paths=()) -> str | None:
    """Why ``listing`` is not for the national bank at all, or None if it qualifies."""
    if not listing.live:
        return "公開されていません（下書き・公開停止中）。"
    if restricted_paths and listing.path.startswith(tuple(restricted_paths)):
        return "閲覧制限（パスワード・ログイン限定）がかかっています。"
    if not listing.national_bank_consent:
        return "所有者の全国版空き家バンクへの掲載同意がありません。"
    if listing.status not in SENDABLE_STATUSES:
        return f"状況が「{listing.get_status_display()}」です。"
    return None


def qualifies(listing, restricted_paths=()) -> bool:
    return exclusion_reason(listing, restricted_paths) is None


@dataclass(frozen=True)
class Problem:
    """One thing to fix on one form field. ``blocking`` problems keep the listing
    out of the feed; the others are sent as they are (or as the message says)."""

    field: str
    label: str
    message: str
    blocking: bool = True


def _label(field_name: str) -> str:
    if field_name == "photos":
        return "写真"
    try:
        return str(AkiyaListingPage._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


def _problem(field_name, message, blocking=True) -> Problem:
    return Problem(field_name, _label(field_name), message, blocking)


def record_problems(listing, record: dict, detailed: bool = True) -> list[Problem]:
    """What the bank needs, checked on the record that would be sent (a listing
    loaded by ``records.load_listings``). ``detailed`` adds what the LIFULL format
    will change (replaced characters, cut text): warnings for the editor, which a
    feed export does not need to compute."""
    problems = []
    if not record["registration_number"].strip():
        problems.append(_problem("registration_number", "登録番号を入力してください。"))
    if len(record["municipality_code"]) != 6:
        problems.append(
            Problem(
                "municipality",
                "市町村",
                "市町村の空き家バンクの下に置いてください（全国地方公共団体コードが決まりません）。",
            )
        )
    if not record["address"].strip():
        problems.append(_problem("address", "所在地を入力してください。"))
    if not record["consent_on"]:
        problems.append(
            _problem(
                "national_bank_consent_on", "掲載に同意を得た日を入力してください。"
            )
        )
    sale = record["transaction_type"] in (
        AkiyaTransaction.SALE,
        AkiyaTransaction.SALE_OR_RENT,
    )
    rent = record["transaction_type"] in (
        AkiyaTransaction.RENT,
        AkiyaTransaction.SALE_OR_RENT,
    )
    if sale and record["price_yen"] is None and not record["price_negotiable"]:
        problems.append(
            _problem(
                "price_yen", "売買価格を入力するか「価格は応相談」を選んでください。"
            )
        )
    if rent and record["rent_yen"] is None and not record["price_negotiable"]:
        problems.append(
            _problem("rent_yen", "賃料を入力するか「価格は応相談」を選んでください。")
        )
    if record["land_area_sqm"] is None:
        problems.append(
            _problem(
                "land_area_sqm",
                "土地面積を入力してください（全国版バンクの必須項目です）。",
            )
        )
    if record["property_type"] == AkiyaPropertyType.HOUSE:
        if record["building_area_sqm"] is None:
            problems.append(
                _problem(
                    "building_area_sqm",
                    "空き家の場合は建物延床面積を入力してください。",
                )
            )
        if not record["layout"]:
            problems.append(
                _problem(
                    "layout",
                    "間取りを入力すると探している人に伝わりやすくなります。",
                    False,
                )
            )
        if not record["built_year_month"]:
            problems.append(
                _problem(
                    "built_year_month",
                    "建築年月が空欄です（不明な場合は年だけでも入力してください）。",
                    False,
                )
            )
    if record["transaction_method"] == TransactionMethod.AGENT:
        if not record["agent_name"]:
            problems.append(
                _problem(
                    "agent_name", "媒介する宅地建物取引業者の名称を入力してください。"
                )
            )
        if not record["agent_licence_number"]:
            problems.append(
                _problem(
                    "agent_licence_number",
                    "宅地建物取引業の免許番号を入力してください。",
                )
            )
    if not record["contact_phone"]:
        problems.append(
            _problem(
                "contact_desk",
                "問い合わせ先（電話番号のある相談窓口）を選んでください。市町村に相談窓口がない場合は県に連絡してください。",
            )
        )
    photo_count = len(listing.feed_photos)
    if photo_count == 0:
        problems.append(
            _problem(
                "photos",
                "写真がありません。外観の写真を1枚以上登録すると見てもらいやすくなります。",
                False,
            )
        )
    elif photo_count > MAX_PHOTOS:
        problems.append(
            _problem(
                "photos",
                f"写真が{photo_count}枚あります。全国版バンクには先頭の{MAX_PHOTOS}枚だけが送られます。",
                False,
            )
        )
    if record["latitude"] is None:
        problems.append(
            _problem(
                "latitude",
                "緯度・経度がないため、全国版バンクの地図に表示されません。",
                False,
            )
        )
    if not detailed:
        return problems
    # What the LIFULL format will change (characters outside Shift_JIS, lengths).
    for issue in render_record(record)[1]:
        form_field = FIELDS_BY_NAME[issue.field].form_field if issue.field else ""
        problems.append(_problem(form_field, issue.message, False))
    return problems


@dataclass
class ListingCheck:
    """The verdict on one listing: not for the bank (``exclusion``), or sent, or
    held back by blocking problems."""

    listing: object
    exclusion: str | None
    problems: list[Problem] = field(default_factory=list)
    #: The canonical record that would be sent (None when the listing is excluded).
    record: dict | None = None
    #: True when an earlier version is in the feed: a listing held back by a new
    #: problem keeps that version rather than disappearing from the bank.
    in_feed: bool = False

    @property
    def qualifies(self) -> bool:
        return self.exclusion is None

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def sendable(self) -> bool:
        return self.qualifies and not self.blocking

    @property
    def state(self) -> str:
        if not self.qualifies:
            return "excluded"
        if self.blocking:
            return "held" if self.in_feed else "invalid"
        return "sent"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


STATE_LABELS = {
    "sent": "送信されます",
    "held": "修正が必要（前回送信した内容のまま）",
    "invalid": "送信されません（修正が必要）",
    "excluded": "対象外",
}


def check_listing(listing, context, restricted_paths=(), detailed=True) -> ListingCheck:
    """The verdict on a loaded listing (see ``records.load_listings``)."""
    reason = exclusion_reason(listing, restricted_paths)
    if reason is not None:
        return ListingCheck(listing, reason)
    record = build_record(listing, context)
    problems = record_problems(listing, record, detailed)
    return ListingCheck(listing, None, problems, record)
