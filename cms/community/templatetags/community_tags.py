"""Template helpers for the community pages: member text as safe HTML (escaped,
links and mentions marked up, line breaks kept) and authors' display names."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from cms.community import members
from cms.community.models import Voice
from cms.community.rules import MENTION, URL

register = template.Library()

TOKENS = re.compile(f"({URL.pattern})|({MENTION.pattern})")


@register.filter
def body_html(text: str) -> str:
    """Escaped text with http(s) links (rel="nofollow ugc noopener") and @mentions
    marked, and line breaks kept. Nothing a member types becomes markup."""
    parts, last = [], 0
    for match in TOKENS.finditer(text or ""):
        parts.append(escape(text[last : match.start()]))
        token = match.group(0)
        if match.group(1):
            parts.append(
                format_html(
                    '<a href="{}" rel="nofollow ugc noopener" target="_blank">{}</a>',
                    token,
                    token,
                )
            )
        else:
            parts.append(format_html('<span class="mention">{}</span>', token))
        last = match.end()
    parts.append(escape((text or "")[last:]))
    return mark_safe("".join(str(p) for p in parts).replace("\n", "<br>"))


@register.simple_tag
def author_name(item) -> str:
    return members.display_name(item.author, item.voice, item.as_municipality)


@register.filter
def official(item) -> bool:
    return item.voice != Voice.MEMBER


@register.filter
def avatar_url(item):
    author = getattr(item, "author", None)
    if author is None or item.voice != Voice.MEMBER:
        return ""
    profile = getattr(author, "community_profile", None)
    if profile is None or not profile.avatar:
        return ""
    return profile.avatar.url
