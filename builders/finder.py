"""The akiya finder's index: one JSON file (``akiya/finder.json``) with the facts
visitors filter by, read by ``themes/portal/static/js/finder.js`` on the akiya
list page, so filtering needs no server.

The facts come from the cards (in memory; loading 10,000 page records for every
akiya publish would cost seconds), each serialised once when its card is made
(``card_entry``), so a publish only joins strings. Prices come from ``priceYen``/``rentYen`` when the builder's query asks for them and are
read from the CMS's ``priceLabel`` (``売買 6,400,000円／賃料 月62,000円``)
otherwise. Everything here except ``finder_output``'s key is pure.
"""

import json
import re

from .site import Output, SiteModel, _key

FINDER_PATH = "akiya/finder.json"
#: Bump when the JSON's shape changes (finder.js reads ``version``).
FORMAT_VERSION = 1

_SALE = re.compile(r"売買\s*([\d,]+)円")
_RENT = re.compile(r"賃料\s*月?\s*([\d,]+)円")


def _number(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text else None


def prices(record: dict) -> tuple[int | None, int | None]:
    """(sale price, monthly rent) in yen; None where there is none or it is
    negotiable (応相談)."""
    sale, rent = record.get("priceYen"), record.get("rentYen")
    label = record.get("priceLabel") or ""
    if sale is None and (found := _SALE.search(label)):
        sale = _number(found.group(1))
    if rent is None and (found := _RENT.search(label)):
        rent = _number(found.group(1))
    return sale, rent


def deals(record: dict, sale: int | None, rent: int | None) -> list[str]:
    """``sale`` and/or ``rent``: what the listing offers."""
    label = ((record.get("transactionType") or {}).get("label")) or ""
    found = []
    if "売" in label or sale is not None:
        found.append("sale")
    if "賃" in label or rent is not None:
        found.append("rent")
    return found


def property_kind(record: dict) -> str:
    """``land`` for 空き地 (no building), ``house`` otherwise."""
    label = ((record.get("propertyType") or {}).get("label")) or ""
    if "空き地" in label or "土地のみ" in label:
        return "land"
    if not label and not record.get("buildingAreaSqm") and not record.get("layout"):
        return "land"
    return "house"


def rooms(layout: str | None) -> int | None:
    """The number of rooms of a Japanese layout (``4LDK＋納戸`` → 4)."""
    found = re.match(r"\s*(\d+)", layout or "")
    return int(found.group(1)) if found else None


def _float(value) -> float | None:
    try:
        return round(float(value), 2) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def entry(record: dict, card: dict, thumb: list | None) -> dict:
    """One listing as the finder sees it (short keys keep the file small)."""
    sale, rent = prices(record)
    return {
        "u": record["path"],
        "t": record["title"],
        "m": card.get("municipalityId"),
        "d": deals(record, sale, rent),
        "k": property_kind(record),
        "p": sale,
        "r": rent,
        "pl": record.get("priceLabel") or "",
        "l": record.get("layout") or "",
        "n": rooms(record.get("layout")),
        "a": _float(record.get("landAreaSqm")),
        "b": _float(record.get("buildingAreaSqm")),
        "s": (record.get("status") or {}).get("value", ""),
        "sl": (record.get("status") or {}).get("label", ""),
        "i": thumb,  # [src, width, height, alt] of the smallest JPEG, or None
    }


def _facts(card: dict) -> dict:
    """The card's facts under the record's field names (what ``entry`` reads)."""
    return {
        "path": card["path"],
        "title": card["title"],
        "priceLabel": card.get("priceLabel"),
        "transactionType": {"label": card.get("transaction") or ""},
        "propertyType": {"label": card.get("propertyType") or ""},
        "layout": card.get("layout"),
        "landAreaSqm": card.get("landArea"),
        "buildingAreaSqm": card.get("buildingArea"),
        "status": {
            "value": card.get("status", ""),
            "label": card.get("statusLabel", ""),
        },
    }


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def card_entry(card: dict) -> str:
    """The card's entry without its thumbnail (``i``, added by ``finder_json``):
    JSON text, made when the card is."""
    text = _dumps(entry(_facts(card), card, None))
    suffix = ',"i":null}'
    assert text.endswith(suffix)  # entry() puts the thumbnail last
    return text[: -len(suffix)]


def thumbnail(card: dict, images: dict) -> list | None:
    """[src, width, height, alt] of the card's smallest JPEG, or None."""
    ref = card.get("thumb")
    variants = images.get(ref["key"]) if ref else None
    if variants and variants.get("jpeg"):
        width, height, src = variants["jpeg"][0]
        return [src, width, height, ref.get("alt", "")]
    return None


def _towns(model: SiteModel, cards: list[dict]) -> list[dict]:
    counts: dict[int, int] = {}
    for card in cards:
        counts[card.get("municipalityId")] = (
            counts.get(card.get("municipalityId"), 0) + 1
        )
    return [
        {
            "id": int(m["id"]),
            "name": m["name"],
            "slug": m["slug"],
            "count": counts[int(m["id"])],
        }
        for m in model.municipalities
        if int(m["id"]) in counts
    ]


def finder_json(model: SiteModel, records, images: dict) -> str:
    """The index as JSON text, joined from the cards' own entries."""
    cards = model.of_type.get("akiya", [])
    thumbs: dict[str | None, str] = {}  # a few hundred photos serve many listings
    items = []
    for card in cards:
        ref = card.get("thumb")
        key = f"{ref['key']}\x1f{ref.get('alt', '')}" if ref else None
        thumb = thumbs.get(key)
        if thumb is None:
            thumb = thumbs[key] = _dumps(thumbnail(card, images))
        text = card.get("finder") or card_entry(card)
        items.append(f'{text},"i":{thumb}}}')
    head = _dumps({"version": FORMAT_VERSION, "towns": _towns(model, cards)})
    return f'{head[:-1]},"items":[{",".join(items)}]}}'


def finder_output(model: SiteModel) -> Output:
    """The index's output, keyed by every akiya record and its thumbnail."""
    cards = model.of_type.get("akiya", [])
    return Output(
        FINDER_PATH,
        "finder",
        (),
        _key(
            FORMAT_VERSION,
            model.theme_version,
            model.site_hash,
            *(
                f"{c['id']}:{model.record_hashes[c['id']]}:"
                f"{model.image_sig((c.get('thumb') or {}).get('key'))}"
                for c in cards
            ),
        ),
        is_page=False,
    )
