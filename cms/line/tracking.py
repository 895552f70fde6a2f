"""Click counting for deliveries: links in text messages and imagemap link
areas are replaced by signed
redirects (/line/r/<token>/) naming the run and the target, so the statistics can
show clicks and a click rate per delivery without an open redirect."""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "line-click"
URL = re.compile(r"https?://[^\s<>\"'）」]+")


def tracked_url(run_id: int, url: str) -> str:
    token = signing.dumps({"r": run_id, "u": url}, salt=SALT, compress=True)
    return settings.LINE["PUBLIC_URL"] + reverse("line:click", args=[token])


def read(token: str) -> tuple[int, str]:
    data = signing.loads(token, salt=SALT)
    return int(data["r"]), str(data["u"])


MENU_SALT = "line-menu-link"


def menu_link_url(menu_id: int, url: str, label: str = "") -> str:
    """A rich menu's link area through our redirect, so the tap is counted (LINE
    sends no webhook event for uri actions)."""
    token = signing.dumps(
        {"m": menu_id, "u": url, "l": label[:20]}, salt=MENU_SALT, compress=True
    )
    return settings.LINE["PUBLIC_URL"] + reverse("line:menu_link", args=[token])


def read_menu_link(token: str) -> tuple[int, str, str]:
    data = signing.loads(token, salt=MENU_SALT)
    return int(data["m"]), str(data["u"]), str(data.get("l", ""))


def track_menu_request(request: dict, menu_id: int) -> dict:
    """A copy of a rich menu object whose http(s) link areas are tracked."""
    areas = []
    for area in request["areas"]:
        action = area["action"]
        if action.get("type") == "uri" and URL.fullmatch(action.get("uri", "")):
            action = {
                **action,
                "uri": menu_link_url(menu_id, action["uri"], action.get("label", "")),
            }
        areas.append({**area, "action": action})
    return {**request, "areas": areas}


def track_text(message: dict, run_id: int) -> dict:
    """A copy of a text message with its links tracked; LINE emoji positions after
    a link move by the change in length."""
    text = message.get("text", "")
    out, last, shift = [], 0, 0
    moves = []  # (position in the original text, change in length)
    for match in URL.finditer(text):
        new = tracked_url(run_id, match.group())
        out.append(text[last : match.start()])
        out.append(new)
        moves.append((match.start(), len(new) - len(match.group())))
        last = match.end()
    if not moves:
        return message
    out.append(text[last:])
    tracked = {**message, "text": "".join(out)}
    if message.get("emojis"):
        emojis = []
        for emoji in message["emojis"]:
            shift = sum(delta for position, delta in moves if position < emoji["index"])
            emojis.append({**emoji, "index": emoji["index"] + shift})
        tracked["emojis"] = emojis
    return tracked


def track_imagemap(message: dict, run_id: int) -> dict:
    """A copy of an imagemap whose link areas go through the signed redirect."""
    actions = [
        {**a, "linkUri": tracked_url(run_id, a["linkUri"])}
        if a.get("type") == "uri" and URL.fullmatch(a.get("linkUri", ""))
        else a
        for a in message.get("actions", [])
    ]
    return {**message, "actions": actions}


def track_messages(objects: list[dict], run_id: int) -> list[dict]:
    tracked = []
    for o in objects:
        if o.get("type") == "text":
            o = track_text(o, run_id)
        elif o.get("type") == "imagemap":
            o = track_imagemap(o, run_id)
        tracked.append(o)
    return tracked
