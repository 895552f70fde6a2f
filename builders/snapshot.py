"""The content as the builder keeps it: one *record* per public page (the API's
answer with rich text already through the HTML passes and every image given its
cache key), the *card* that lists show, and a content hash of the record.

Everything here is pure: ``normalize`` takes an API item and a fragment cache
and returns the record, so it runs the same in the build process and its
workers, and is tested without a CMS.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .fragments import Fragment
from .images import image_key

#: GraphQL type → the short type name templates and outputs use.
PAGE_TYPES = {
    "HomePage": "home",
    "MunicipalityIndexPage": "municipality_index",
    "MunicipalityPage": "municipality",
    "SupportMeasureIndexPage": "support_index",
    "SupportMeasurePage": "support",
    "ArticleIndexPage": "article_index",
    "ArticlePage": "article",
    "StandardPage": "standard",
    "EventIndexPage": "event_index",
    "AkiyaIndexPage": "akiya_index",
    "TrialStayIndexPage": "trial_stay_index",
    "RecruitmentIndexPage": "recruitment_index",
    "EventPage": "event",
    "AkiyaListingPage": "akiya",
    "TrialStayPage": "trial_stay",
    "RecruitmentPage": "recruitment",
    "ProgramIndexPage": "program_index",
    "ProgramPage": "program",
}
LISTING_TYPES = ("akiya", "event", "trial_stay", "recruitment")
#: A section index page lists the listings of one type below it.
INDEX_OF = {
    "akiya_index": "akiya",
    "event_index": "event",
    "trial_stay_index": "trial_stay",
    "recruitment_index": "recruitment",
    "support_index": "support",
    "article_index": "article",
    "municipality_index": "municipality",
    "program_index": "program",
}
#: Fields of type RichText the builder asks for (a contract test checks the list
#: against the schema, so a new rich text field cannot slip through unprocessed).
RICH_TEXT_FIELDS = frozenset(
    {
        "intro",
        "overview",
        "accessFromTokyo",
        "living",
        "work",
        "childRearing",
        "eligibility",
        "howToApply",
        "description",
        "mission",
        "employmentTerms",
        "selectionProcess",
    }
)
IMAGE_FIELDS = ("heroImage", "mainImage", "logo")


def content_hash(value) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class Needs:
    """Files a record refers to: images to resize, documents to copy."""

    images: dict[str, str] = field(default_factory=dict)  # key → source url
    documents: dict[str, str] = field(default_factory=dict)  # path → download url


ProcessFragment = Callable[[str], Fragment]


def _image(image: dict | None, needs: Needs) -> dict | None:
    if not image:
        return None
    key = image_key(image)
    if key is None:
        return None
    needs.images[key] = image["src"]["url"]
    return {"key": key, "alt": image.get("alt") or ""}


def _rich(html: str, process: ProcessFragment, needs: Needs) -> str:
    fragment = process(html or "")
    for key, url in fragment.images:
        needs.images[key] = url
    for path in fragment.documents:
        needs.documents.setdefault(path, path)
    return fragment.html


def _document(document: dict | None, needs: Needs) -> dict | None:
    if not document:
        return None
    needs.documents[document["path"]] = document["downloadUrl"]
    return {
        "title": document["title"],
        "path": document["path"],
        "extension": document["fileExtension"],
        "size": document["fileSize"],
    }


def _blocks(blocks: list[dict], process: ProcessFragment, needs: Needs) -> list:
    out = []
    for block in blocks or []:
        kind = block["__typename"]
        item = {k: v for k, v in block.items() if k != "__typename"}
        item["type"] = kind.removesuffix("Block").lower()
        if kind == "ParagraphBlock":
            item["html"] = _rich(block["html"], process, needs)
        elif kind == "FaqBlock":
            item["answer"] = _rich(block["answer"], process, needs)
        elif kind == "ImageBlock":
            item["image"] = _image(block["image"], needs)
        elif kind == "GalleryBlock":
            item["images"] = [
                {
                    "alt": i["alt"],
                    "caption": i["caption"],
                    "image": _image(i["image"], needs),
                }
                for i in block["images"]
            ]
        elif kind == "DocumentBlock":
            item["document"] = _document(block["document"], needs)
        elif kind == "DeskBlock":
            item["deskId"] = int(block["desk"]["id"]) if block.get("desk") else None
            item.pop("desk", None)
        out.append(item)
    return out


def normalize(item: dict, process: ProcessFragment) -> tuple[dict, Needs]:
    """An API page item → (record, what it needs)."""
    needs = Needs()
    record = {}
    for name, value in item.items():
        if name == "__typename":
            record["type"] = PAGE_TYPES[value]
        elif name == "id":
            record["id"] = int(value)
        elif name == "municipality":
            record["municipalityId"] = int(value["id"]) if value else None
        elif name == "contactDesk":
            record["contactDeskId"] = int(value["id"]) if value else None
        elif name == "relatedMunicipalities":
            record["relatedMunicipalityIds"] = [int(m["id"]) for m in value]
        elif name in RICH_TEXT_FIELDS:
            record[name] = _rich(value, process, needs)
        elif name in IMAGE_FIELDS:
            record[name] = _image(value, needs)
        elif name == "body":
            record[name] = _blocks(value, process, needs)
        elif name == "photos":
            record[name] = [
                {
                    "caption": p["caption"],
                    "alt": p["alt"],
                    "image": _image(p["image"], needs),
                }
                for p in value
            ]
        elif name == "guidelineDocument":
            record[name] = _document(value, needs)
        else:
            record[name] = value
    record["imageKeys"] = sorted(needs.images)
    record["documentPaths"] = sorted(needs.documents)
    return record, needs


def parent_path(path: str) -> str | None:
    if path == "/":
        return None
    return path[: path.rstrip("/").rfind("/") + 1]


def _label(choice: dict | None) -> str:
    return choice["label"] if choice else ""


def thumbnail(record: dict) -> dict | None:
    photos = record.get("photos") or []
    for photo in photos:
        if photo.get("image"):
            return {"key": photo["image"]["key"], "alt": photo["alt"]}
    for name in IMAGE_FIELDS:
        if record.get(name):
            return record[name]
    return None


#: Card keys that are not what a list shows: left out of the card hash.
NOT_SHOWN = ("images", "documents", "finder")


def card_hash(card: dict) -> str:
    return content_hash({k: v for k, v in card.items() if k not in NOT_SHOWN})


def card(record: dict) -> dict:
    """What a list shows of a page (and sorts it by)."""
    kind = record["type"]
    item = {
        "id": record["id"],
        "type": kind,
        "title": record["title"],
        "path": record["path"],
        "summary": record.get("summary") or "",
        "municipalityId": record.get("municipalityId"),
        "first": record.get("firstPublishedAt") or "",
        "last": record.get("lastPublishedAt") or "",
        "thumb": thumbnail(record),
        # Not shown in lists (and left out of the card hash): the images the page
        # uses, so its key can tell when one of them becomes available.
        "images": record.get("imageKeys") or [],
        "documents": record.get("documentPaths") or [],
    }
    if kind == "akiya":
        item.update(
            priceLabel=record.get("priceLabel") or "",
            status=(record.get("status") or {}).get("value", ""),
            statusLabel=_label(record.get("status")),
            transaction=_label(record.get("transactionType")),
            propertyType=_label(record.get("propertyType")),
            layout=record.get("layout") or "",
            address=record.get("address") or "",
            landArea=record.get("landAreaSqm"),
            buildingArea=record.get("buildingAreaSqm"),
        )
        from .finder import card_entry

        # The akiya finder's entry, serialised once here rather than for all
        # listings on every publish (builders/finder.py).
        item["finder"] = card_entry(item)
    elif kind == "event":
        item.update(
            startAt=record.get("startAt"),
            endAt=record.get("endAt"),
            venueName=record.get("venueName") or "",
            isOnline=bool(record.get("isOnline")),
            kind=_label(record.get("kind")),
        )
    elif kind == "trial_stay":
        item.update(
            facilityName=record.get("facilityName") or "",
            feePerNightYen=record.get("feePerNightYen"),
            guests=record.get("guests"),
        )
    elif kind == "recruitment":
        item.update(
            applicationEnd=record.get("applicationEnd"),
            monthlyPayYen=record.get("monthlyPayYen"),
            positions=record.get("positions"),
        )
    elif kind == "program":
        item.update(
            hostName=(record.get("host") or {}).get("name", ""),
            startsOn=record.get("startsOn"),
            endsOn=record.get("endsOn"),
            deadline=record.get("deadline"),
            status=(record.get("status") or {}).get("value", ""),
            statusLabel=_label(record.get("status")),
        )
    elif kind == "support":
        item.update(
            category=_label(record.get("category")),
            amountText=record.get("amountText") or "",
        )
    elif kind == "article":
        item.update(date=record.get("date"))
    elif kind == "municipality":
        item.update(catchcopy=record.get("catchcopy") or "")
    return item
