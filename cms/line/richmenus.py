"""Rich menus with tabs: each tab is one rich menu with an alias; a tab bar on top
switches between them with ``richmenuswitch`` actions. ``tab_menu_areas`` lays
out a tab bar and an icon grid; ``validate_rich_menu`` checks LINE's limits;
``draw_menu_image`` draws the image with pillow when staff upload none;
``publish_channel_menus`` creates the menus, images and aliases on LINE.
"""

import io
import logging
import re

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from . import tracking
from .client import blob_api, messaging_api
from .models import FriendStatus, LineFriend, RichMenu

logger = logging.getLogger(__name__)

MAX_AREAS = 20
ALIAS_PATTERN = re.compile(r"^[a-z0-9_-]{1,32}$")
IMAGE_MAX_BYTES = 1024 * 1024
ACTION_TYPES = {"uri", "postback", "message", "richmenuswitch", "datetimepicker"}
TAB_BAR_HEIGHT = 250
FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
COLOURS = ["#0b6e4f", "#1f5f99", "#a04a1a", "#6b3fa0", "#7a6a00"]


# --- Layout and checks (pure) ------------------------------------------------------


def tab_menu_areas(
    tabs: list[tuple[str, str]],
    current: str,
    items: list[dict],
    width: int = 2500,
    height: int = 1686,
    columns: int = 3,
) -> list[dict]:
    """Areas for one tab: a tab bar of ``tabs`` (alias, label) that switches to the
    other tabs, and ``items`` (each ``{"label", "action"}``) in a grid below."""
    areas = []
    tab_width = width // max(1, len(tabs))
    for i, (alias, label) in enumerate(tabs):
        areas.append(
            {
                "bounds": {
                    "x": i * tab_width,
                    "y": 0,
                    "width": width - i * tab_width if i == len(tabs) - 1 else tab_width,
                    "height": TAB_BAR_HEIGHT,
                },
                "action": {
                    "type": "richmenuswitch",
                    "richMenuAliasId": alias,
                    "data": f"tab={alias}",
                    "label": label[:20],
                },
                "label": label,
                "tab": True,
                "current": alias == current,
            }
        )
    rows = max(1, -(-len(items) // columns))
    cell_w = width // columns
    cell_h = (height - TAB_BAR_HEIGHT) // rows
    for n, item in enumerate(items):
        row, col = divmod(n, columns)
        areas.append(
            {
                "bounds": {
                    "x": col * cell_w,
                    "y": TAB_BAR_HEIGHT + row * cell_h,
                    "width": width - col * cell_w if col == columns - 1 else cell_w,
                    "height": height - TAB_BAR_HEIGHT - row * cell_h
                    if row == rows - 1
                    else cell_h,
                },
                "action": item["action"],
                "label": item["label"],
            }
        )
    return areas


def _action_problems(n: int, action: dict) -> list[str]:
    problems = []
    kind = action.get("type")
    where = f"領域{n}"
    if kind not in ACTION_TYPES:
        return [f"{where}: 動作の種類「{kind}」は使えません。"]
    if len(action.get("label", "")) > 20:
        problems.append(f"{where}: ラベルは20文字までです。")
    if kind == "uri":
        uri = action.get("uri", "")
        if not re.match(r"^(https?|line|tel):", uri) or len(uri) > 1000:
            problems.append(
                f"{where}: リンク先は http(s)/line/tel で始まる1000文字以内のURLです。"
            )
    if kind == "postback":
        if not 0 < len(action.get("data", "")) <= 300:
            problems.append(f"{where}: ポストバックのデータは1〜300文字です。")
        if len(action.get("displayText", "")) > 300:
            problems.append(f"{where}: 表示テキストは300文字までです。")
    if kind == "message" and not 0 < len(action.get("text", "")) <= 300:
        problems.append(f"{where}: 送信するテキストは1〜300文字です。")
    if kind == "richmenuswitch":
        if not ALIAS_PATTERN.match(action.get("richMenuAliasId", "")):
            problems.append(
                f"{where}: 切り替え先のタブ（エイリアス）が正しくありません。"
            )
        if not 0 < len(action.get("data", "")) <= 300:
            problems.append(f"{where}: タブ切り替えのデータは1〜300文字です。")
    return problems


def validate_rich_menu(request: dict) -> list[str]:
    """LINE's constraints on a rich menu object (sizes, area bounds, actions)."""
    problems = []
    size = request.get("size") or {}
    width, height = size.get("width", 0), size.get("height", 0)
    if not (800 <= width <= 2500):
        problems.append("画像の幅は800〜2500ピクセルです。")
    if height < 250:
        problems.append("画像の高さは250ピクセル以上です。")
    if height and width / height < 1.45:
        problems.append("画像の縦横比（幅÷高さ）は1.45以上です。")
    if not 1 <= len(request.get("chatBarText", "")) <= 14:
        problems.append("メニューバーの文字は1〜14文字です。")
    if not 1 <= len(request.get("name", "")) <= 300:
        problems.append("メニュー名は1〜300文字です。")
    areas = request.get("areas") or []
    if len(areas) > MAX_AREAS:
        problems.append(f"タップ領域は{MAX_AREAS}個までです（今は{len(areas)}個）。")
    for n, area in enumerate(areas, 1):
        b = area.get("bounds") or {}
        x, y, w, h = (b.get(k, -1) for k in ("x", "y", "width", "height"))
        if min(x, y) < 0 or w <= 0 or h <= 0 or x + w > width or y + h > height:
            problems.append(f"領域{n}: 画像の外にはみ出しています。")
        problems += _action_problems(n, area.get("action") or {})
    return problems


def menu_request(menu: RichMenu) -> dict:
    """The rich menu object LINE expects (our own keys such as ``label`` dropped)."""
    width, height = menu.width_height
    return {
        "size": {"width": width, "height": height},
        "selected": menu.is_default,
        "name": menu.name[:300],
        "chatBarText": menu.chat_bar_text,
        "areas": [
            {"bounds": a["bounds"], "action": a["action"]} for a in (menu.areas or [])
        ],
    }


def validate_alias(alias: str) -> list[str]:
    if alias and not ALIAS_PATTERN.match(alias):
        return ["タブの識別名は英小文字・数字・-_で32文字までです。"]
    return []


# --- The image --------------------------------------------------------------------


def _font(size: int):
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError:
        return ImageFont.load_default(size)


def draw_menu_image(menu: RichMenu) -> bytes:
    """A PNG for ``menu``: tab bar with the current tab highlighted, a tile per
    area with its label. Under LINE's 1 MB limit."""
    width, height = menu.width_height
    colour = COLOURS[menu.sort_order % len(COLOURS)]
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    label_font, tab_font = _font(90), _font(80)
    for area in menu.areas or []:
        b = area["bounds"]
        box = (b["x"], b["y"], b["x"] + b["width"] - 1, b["y"] + b["height"] - 1)
        label = area.get("label") or area["action"].get("label", "")
        if area.get("tab"):
            fill = colour if area.get("current") else "#e8e8e8"
            draw.rectangle(box, fill=fill, outline="#ffffff", width=6)
            text_fill = "#ffffff" if area.get("current") else "#333333"
            draw.text(
                ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                label,
                font=tab_font,
                fill=text_fill,
                anchor="mm",
            )
        else:
            draw.rectangle(box, fill="#f7f7f2", outline=colour, width=8)
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            draw.ellipse((cx - 90, cy - 200, cx + 90, cy - 20), fill=colour)
            draw.text(
                (cx, cy + 80), label, font=label_font, fill="#222222", anchor="mm"
            )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def menu_image(menu: RichMenu) -> tuple[bytes, str]:
    if menu.image:
        menu.image.open("rb")
        try:
            data = menu.image.read()
        finally:
            menu.image.close()
        kind = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        return data, kind
    return draw_menu_image(menu), "image/png"


# --- Publishing -------------------------------------------------------------------


class PublishError(RuntimeError):
    pass


def publish_menu(menu: RichMenu) -> str:
    """Create ``menu`` on LINE with its image and alias; returns the new ID. The
    previous version is deleted afterwards, so friends never see no menu."""
    from linebot.v3.messaging import (
        CreateRichMenuAliasRequest,
        RichMenuBulkLinkRequest,
        RichMenuRequest,
        UpdateRichMenuAliasRequest,
    )
    from linebot.v3.messaging.exceptions import ApiException

    request = menu_request(menu)
    problems = validate_rich_menu(request) + validate_alias(menu.alias_id)
    image, content_type = menu_image(menu)
    if len(image) > IMAGE_MAX_BYTES:
        problems.append("画像は1MBまでです。")
    if problems:
        raise PublishError(" ".join(problems))
    old_id = menu.line_rich_menu_id
    if settings.LINE.get("TRACK_CLICKS", True):
        request = tracking.track_menu_request(request, menu.pk)
    with messaging_api(menu.channel) as api:
        created = api.create_rich_menu(RichMenuRequest.from_dict(request))
        new_id = created.rich_menu_id
        with blob_api(menu.channel) as blob:
            blob.set_rich_menu_image(
                new_id, image, _headers={"Content-Type": content_type}
            )
        if menu.alias_id:
            try:
                api.update_rich_menu_alias(
                    menu.alias_id, UpdateRichMenuAliasRequest(rich_menu_id=new_id)
                )
            except ApiException as exc:
                if exc.status not in (400, 404):
                    raise
                api.create_rich_menu_alias(
                    CreateRichMenuAliasRequest(
                        rich_menu_alias_id=menu.alias_id, rich_menu_id=new_id
                    )
                )
        if menu.is_default:
            api.set_default_rich_menu(new_id)
        if menu.segment_id:
            from .segments import friends_matching

            members = friends_matching(menu.channel, menu.segment.rules)
            ids = list(members.values_list("user_id", flat=True))
            for start in range(0, len(ids), 500):
                api.link_rich_menu_id_to_users(
                    RichMenuBulkLinkRequest(
                        rich_menu_id=new_id, user_ids=ids[start : start + 500]
                    )
                )
            # Remember who has it, so a change of attributes can move them.
            LineFriend.objects.filter(pk__in=members.values("pk")).update(
                rich_menu=menu
            )
        if old_id:
            try:
                api.delete_rich_menu(old_id)
            except ApiException:
                logger.warning("old rich menu %s could not be deleted", old_id)
    menu.line_rich_menu_id = new_id
    menu.published_at = timezone.now()
    menu.save(update_fields=["line_rich_menu_id", "published_at"])
    return new_id


def unpublish_menu(menu: RichMenu) -> None:
    """Remove ``menu`` from LINE before it is deleted here: its alias (so tabs
    no longer switch to it), the default setting, and the menu itself. A menu or
    alias LINE no longer has (404/400) counts as removed; anything else raises,
    so the admin keeps the menu and tells staff."""
    from linebot.v3.messaging.exceptions import ApiException

    if not menu.line_rich_menu_id:
        return
    with messaging_api(menu.channel) as api:
        if menu.alias_id:
            try:
                api.delete_rich_menu_alias(menu.alias_id)
            except ApiException as exc:
                if exc.status not in (400, 404):
                    raise
        if menu.is_default:
            api.cancel_default_rich_menu()
        try:
            api.delete_rich_menu(menu.line_rich_menu_id)
        except ApiException as exc:
            if exc.status != 404:
                raise


def segment_menu_for(friend) -> RichMenu | None:
    """The first published segment menu (by tab order) whose segment the friend
    is in now, or None."""
    from .segments import friends_matching

    menus = (
        RichMenu.objects.filter(channel_id=friend.channel_id, segment__isnull=False)
        .exclude(line_rich_menu_id="")
        .select_related("segment")
        .order_by("sort_order", "pk")
    )
    for menu in menus:
        members = friends_matching(friend.channel, menu.segment.rules)
        if members.filter(pk=friend.pk).exists():
            return menu
    return None


def relink_segment_menu(friend) -> str:
    """After a friend's attributes change: link the segment menu they now belong
    to, or unlink the one they left (back to the default menu). Segment menus
    were otherwise linked only when published."""
    target = segment_menu_for(friend)
    if target is None and friend.rich_menu_id is None:
        return "unchanged"
    if target is not None and target.pk == friend.rich_menu_id:
        return "unchanged"
    with messaging_api(friend.channel) as api:
        if target is None:
            api.unlink_rich_menu_id_from_user(friend.user_id)
        else:
            api.link_rich_menu_id_to_user(friend.user_id, target.line_rich_menu_id)
    LineFriend.objects.filter(pk=friend.pk).update(rich_menu=target)
    friend.rich_menu = target
    return "linked" if target else "unlinked"


def publish_channel_menus(channel) -> list[str]:
    """Every menu of the channel; tabs first so switch targets exist."""
    menus = list(channel.rich_menus.order_by("-is_default", "sort_order"))
    menus.sort(key=lambda m: m.is_default)  # the default last: its aliases exist
    return [publish_menu(m) for m in menus]


def friends_with_menu(menu: RichMenu):
    return LineFriend.objects.filter(
        channel=menu.channel, status=FriendStatus.FRIEND, rich_menu=menu
    )
