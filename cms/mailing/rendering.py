"""Turning a campaign into one message per recipient: body (Markdown or Wagtail rich
text) inside the template's header and footer, the legal footer 特定電子メール法
requires (sender, address, contact, how to opt out) which staff cannot remove,
personalisation fields, tracked links, the open pixel, and the list headers
(List-Id, List-Unsubscribe with HTTPS and mailto, List-Unsubscribe-Post).

Everything that is the same for every recipient is prepared once per campaign;
per recipient only placeholders are substituted and a few tokens signed.
"""

import html
import re
import uuid
from email.utils import formataddr
from functools import cache
from html.parser import HTMLParser

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri
from markdown_it import MarkdownIt

from . import conf, tokens
from .dkim_signing import DkimMessage, configured_signer
from .models import BodyFormat, Campaign, CampaignLink, MailTemplate

PLACEHOLDER = re.compile(r"\{\{\s*(name|email|prefecture|municipality)\s*\}\}")
HREF = re.compile(r'href="(https?://[^"]+)"')
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown_html(text: str) -> str:
    return _markdown.render(text or "")


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "li", "br", "hr", "tr"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
        if tag == "li":
            self.parts.append("・")
        if tag == "hr":
            self.parts.append("\n――――――――――\n")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            self.parts.append(f" ( {self.href} )")
            self.href = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    parser = _TextExtractor()
    parser.feed(fragment)
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def public_url(path: str) -> str:
    return conf.get("PUBLIC_URL") + path


_TOKEN_MARK = "T0KENMARK"


@cache
def _route(name: str, prefix: str, urlconf) -> tuple[str, str]:
    before, after = reverse(name, args=[_TOKEN_MARK]).split(_TOKEN_MARK)
    return before, after


def token_path(name: str, token: str) -> str:
    """``reverse(name, args=[token])`` for a signed token, resolving the route once
    per process: a campaign needs three or more of these per recipient, and
    ``reverse`` is a tenth of a message's time. Signed tokens use URL-safe
    characters only (``iri_to_uri`` leaves them as they are)."""
    before, after = _route(name, get_script_prefix(), get_urlconf())
    return before + iri_to_uri(token) + after


def unsubscribe_url(token: str) -> str:
    return public_url(token_path("mailing:unsubscribe", token))


def preferences_url(token: str) -> str:
    return public_url(token_path("mailing:preferences", token))


def legal_footer_text() -> str:
    lines = [
        "――――――――――",
        f"送信者: {conf.get('SENDER_NAME') or conf.get('FROM_NAME')}",
    ]
    if conf.get("SENDER_ADDRESS"):
        lines.append(f"住所: {conf.get('SENDER_ADDRESS')}")
    if conf.get("SENDER_CONTACT"):
        lines.append(f"お問い合わせ: {conf.get('SENDER_CONTACT')}")
    return "\n".join(lines)


#: SpamAssassin's HTML_IMAGE_ONLY_* rules score an HTML part that has an image and
#: is at most 3,200 characters long, tags included (their "bytes of words" is the
#: length of the part's source); the open pixel alone makes a short message such a
#: part. The margin covers what filling in each recipient's values changes.
IMAGE_ONLY_MAX_CHARS = 3200
IMAGE_ONLY_MARGIN = 200
PIXEL_OMITTED_NOTE = (
    "本文が短いため、開封計測用の画像を入れずに送ります（画像のあるHTMLで文字が少ない"
    "メールは迷惑メールと判定されやすいため）。開封はリンクのクリックで数えます。"
)


def too_short_for_pixel(html_part: str) -> bool:
    return len(html_part) <= IMAGE_ONLY_MAX_CHARS + IMAGE_ONLY_MARGIN


class CampaignRenderer:
    """Prepared once per campaign (or for a preview/test send); ``message()`` then
    builds each recipient's message."""

    def __init__(self, campaign: Campaign, *, track: bool = True, sign: bool = True):
        self.campaign = campaign
        self.track_opens = track and conf.get("TRACK_OPENS") and campaign.track_opens
        self.track_clicks = track and conf.get("TRACK_CLICKS")
        self.signer = configured_signer() if sign else None
        template = (
            campaign.template or MailTemplate.objects.filter(is_default=True).first()
        )
        header_md = template.header if template else ""
        footer_md = template.footer if template else ""
        if campaign.body_format == BodyFormat.RICHTEXT:
            from wagtail.rich_text import expand_db_html

            body_html = expand_db_html(campaign.body_richtext)
            body_text = html_to_text(body_html)
        else:
            body_html = markdown_html(campaign.body_markdown)
            body_text = campaign.body_markdown.strip()

        self.links: dict[str, int] = {}
        if self.track_clicks and campaign.pk:
            body_html = HREF.sub(self._link_placeholder, body_html)
        self.html_template = render_to_string(
            "mailing/mail/campaign.html",
            {
                "subject": campaign.subject,
                "header": markdown_html(header_md),
                "body": body_html,
                "footer": markdown_html(footer_md),
                "sender_name": conf.get("SENDER_NAME") or conf.get("FROM_NAME"),
                "sender_address": conf.get("SENDER_ADDRESS"),
                "sender_contact": conf.get("SENDER_CONTACT"),
            },
        )
        # A short message goes without the open pixel (clicks still count as opens).
        self.pixel_omitted = bool(self.track_opens) and too_short_for_pixel(
            self.html_template
        )
        if self.pixel_omitted:
            self.track_opens = False
        self.text_template = "\n\n".join(
            part
            for part in (
                header_md.strip(),
                body_text,
                footer_md.strip(),
                legal_footer_text(),
                "配信停止・登録内容の変更: [[unsubscribe]]\n（配信設定: [[preferences]]）",
            )
            if part
        )
        self.from_email = formataddr(
            (campaign.from_name or conf.get("FROM_NAME"), conf.get("FROM_EMAIL"))
        )
        self.domain = conf.from_domain()
        self.list_id = f"{conf.get('LIST_NAME')} <{conf.get('LIST_ID')}>"
        self.mailto = conf.get("UNSUBSCRIBE_MAILTO")

    def _link_placeholder(self, match) -> str:
        url = html.unescape(match.group(1))
        if url not in self.links:
            link, _ = CampaignLink.objects.get_or_create(
                campaign=self.campaign, url=url[:2000]
            )
            self.links[url] = link.pk
        return f'href="[[link:{self.links[url]}]]"'

    def message(
        self,
        *,
        email: str,
        fields: dict,
        subscriber_id: int | None,
        delivery_id: int | None,
        message_id: str | None = None,
    ):
        """The message for one recipient. ``fields`` fill the placeholders."""
        token = (
            tokens.subscriber_token(subscriber_id, delivery_id)
            if subscriber_id
            else "preview"
        )
        unsubscribe = unsubscribe_url(token)
        preferences = preferences_url(token)

        def fill(text: str, escape: bool) -> str:
            def value(match):
                found = str(fields.get(match.group(1)) or "")
                return html.escape(found) if escape else found

            return PLACEHOLDER.sub(value, text)

        body_html = fill(self.html_template, escape=True)
        body_html = body_html.replace("[[unsubscribe]]", html.escape(unsubscribe))
        body_html = body_html.replace("[[preferences]]", html.escape(preferences))
        if self.links:
            body_html = re.sub(
                r"\[\[link:(\d+)\]\]",
                lambda m: self._click_url(delivery_id, int(m.group(1))),
                body_html,
            )
        pixel = ""
        if self.track_opens and delivery_id:
            pixel = public_url(
                token_path("mailing:open", tokens.open_token(delivery_id))
            )
        body_html = body_html.replace(
            "[[pixel]]",
            f'<img src="{html.escape(pixel)}" width="1" height="1" alt="">'
            if pixel
            else "",
        )
        body_text = fill(self.text_template, escape=False)
        body_text = body_text.replace("[[unsubscribe]]", unsubscribe).replace(
            "[[preferences]]", preferences
        )
        list_unsubscribe = f"<{unsubscribe}>"
        if self.mailto:
            list_unsubscribe += f", <mailto:{self.mailto}?subject=unsubscribe-{token}>"
        message_id = message_id or make_message_id(self.domain)
        headers = {
            "Message-ID": message_id,
            "List-Id": self.list_id,
            "List-Unsubscribe": list_unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        message = SignedEmail(
            subject=fill(self.campaign.subject, escape=False),
            body=body_text,
            from_email=self.from_email,
            to=[email],
            reply_to=[self.campaign.reply_to] if self.campaign.reply_to else None,
            headers=headers,
        )
        message.attach_alternative(body_html, "text/html")
        message.signer = self.signer
        return message

    def _click_url(self, delivery_id: int | None, link_id: int) -> str:
        if not delivery_id:  # previews and test sends link straight to the page
            url = next(u for u, pk in self.links.items() if pk == link_id)
            return html.escape(url)
        return html.escape(
            public_url(
                token_path("mailing:click", tokens.click_token(delivery_id, link_id))
            )
        )


def make_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def subscriber_fields(subscriber) -> dict:
    return {
        "name": subscriber.name,
        "email": subscriber.email,
        "prefecture": subscriber.prefecture,
        "municipality": subscriber.municipality,
    }


class SignedEmail(EmailMultiAlternatives):
    """An e-mail whose serialised form carries a DKIM signature when a signer is
    set (every backend that sends ``message()`` sends the signed bytes)."""

    signer = None

    def message(self, *args, **kwargs):
        mime = super().message(*args, **kwargs)
        return DkimMessage(mime, self.signer) if self.signer else mime
