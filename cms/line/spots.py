"""The spot guide (スポット案内): the nearest spots to a location, spots named by a
keyword, and the Flex Message carousel that shows them. Distance and card
building are pure functions; ``nearest_spots`` and ``spots_for_keyword`` query.
"""

import math
from urllib.parse import quote

from django.conf import settings

CAROUSEL_MAX = 10  # LINE's limit of bubbles per carousel
EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def rank_by_distance(spots, latitude: float, longitude: float, limit: int = 5):
    """(spot, km) nearest first; equal distances keep the display order."""
    scored = [
        (
            spot,
            distance_km(
                latitude, longitude, float(spot.latitude), float(spot.longitude)
            ),
        )
        for spot in spots
    ]
    scored.sort(key=lambda pair: (round(pair[1], 3), pair[0].sort_order, pair[0].pk))
    return scored[:limit]


def nearest_spots(channel, latitude: float, longitude: float, limit: int = 5):
    spots = channel.spots.filter(is_active=True).select_related("image", "facility")
    return rank_by_distance(list(spots), latitude, longitude, limit)


def spots_for_keyword(channel, text: str, limit: int = CAROUSEL_MAX):
    """Spots whose name or keywords appear in ``text``; with the channel's spot
    keyword alone (「施設」「スポット」), every spot in display order."""
    spots = list(
        channel.spots.filter(is_active=True).select_related("image", "facility")
    )
    named = [
        s
        for s in spots
        if s.name in text or any(k and k in text for k in s.keywords.split())
    ]
    if named:
        return [(s, None) for s in named[:limit]]
    if any(k and k in text for k in channel.spot_keywords.split()):
        return [(s, None) for s in spots[:limit]]
    return []


def _absolute(url: str) -> str:
    if url.startswith("http"):
        return url
    return settings.LINE["PUBLIC_URL"] + url


def thumbnail_url(spot) -> str:
    if spot.image_id:
        return _absolute(spot.image.get_rendition("fill-1024x683").url)
    return spot.image_url


def map_url(spot) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote(
        f"{spot.latitude},{spot.longitude}"
    )


def booking_url(spot) -> str:
    if spot.facility_id and spot.facility.is_public:
        return _absolute(f"/reserve/f/{spot.facility.slug}/")
    return ""


def spot_bubble(spot, km: float | None = None) -> dict:
    body = [
        {
            "type": "text",
            "text": spot.name,
            "weight": "bold",
            "size": "lg",
            "wrap": True,
        },
    ]
    if km is not None:
        body.append(
            {
                "type": "text",
                "text": f"ここから約{km:.1f}km",
                "size": "sm",
                "color": "#555555",
            }
        )
    if spot.address:
        body.append(
            {
                "type": "text",
                "text": spot.address,
                "size": "sm",
                "wrap": True,
                "color": "#555555",
            }
        )
    if spot.description:
        body.append(
            {"type": "text", "text": spot.description[:300], "size": "sm", "wrap": True}
        )
    buttons = [
        {
            "type": "button",
            "style": "primary",
            "height": "sm",
            "action": {"type": "uri", "label": "地図を開く", "uri": map_url(spot)},
        }
    ]
    if booking := booking_url(spot):
        buttons.append(
            {
                "type": "button",
                "style": "secondary",
                "height": "sm",
                "action": {"type": "uri", "label": "予約する", "uri": booking},
            }
        )
    if spot.url:
        buttons.append(
            {
                "type": "button",
                "style": "link",
                "height": "sm",
                "action": {"type": "uri", "label": "詳しく見る", "uri": spot.url},
            }
        )
    bubble = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": body,
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": buttons,
        },
    }
    if image := thumbnail_url(spot):
        bubble["hero"] = {
            "type": "image",
            "url": image,
            "size": "full",
            "aspectRatio": "3:2",
            "aspectMode": "cover",
        }
    return bubble


def spot_carousel(ranked) -> dict:
    """A Flex carousel message for (spot, km or None) pairs."""
    bubbles = [spot_bubble(spot, km) for spot, km in ranked[:CAROUSEL_MAX]]
    names = "、".join(spot.name for spot, _ in ranked[:3])
    return {
        "type": "flex",
        "altText": f"スポット案内: {names}"[:400],
        "contents": {"type": "carousel", "contents": bubbles},
    }
