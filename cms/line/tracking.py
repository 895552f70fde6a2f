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
