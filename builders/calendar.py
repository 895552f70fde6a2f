"""iCalendar (.ics, RFC 5545) files for events, so a visitor can add one to a
calendar.

Written directly (a few lines per event) rather than through a library: two
thousand events are rendered in every full build. The output depends only on the
event's record (DTSTAMP is its last publication, not the build time), so an
unchanged event keeps a byte-identical file. Tests read the files back with the
``icalendar`` package."""

import datetime
from urllib.parse import urlsplit


def _utc(value: str) -> str:
    moment = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space,
    never splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # the leading space counts
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def event_ics(record: dict, site_url: str, site_name: str) -> str:
    host = urlsplit(site_url).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(site_name)}//portal-builder//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{record['id']}@{host}",
    ]
    stamp = record.get("lastPublishedAt") or record.get("firstPublishedAt")
    if stamp:
        lines.append(f"DTSTAMP:{_utc(stamp)}")
    if record.get("startAt"):
        lines.append(f"DTSTART:{_utc(record['startAt'])}")
    if record.get("endAt"):
        lines.append(f"DTEND:{_utc(record['endAt'])}")
    lines.append(f"SUMMARY:{escape_text(record['title'])}")
    place = ", ".join(
        part for part in (record.get("venueName"), record.get("venueAddress")) if part
    )
    if record.get("isOnline"):
        place = f"{place}（オンライン）" if place else "オンライン"
    if place:
        lines.append(f"LOCATION:{escape_text(place)}")
    if record.get("summary"):
        lines.append(f"DESCRIPTION:{escape_text(record['summary'])}")
    lines.append(f"URL:{site_url}{record['path']}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{fold(line)}\r\n" for line in lines)
