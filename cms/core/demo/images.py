"""Demo photos drawn with Pillow: countryside houses, landscapes, a tatami room,
floor plans and event scenes. Nothing is downloaded.

Every drawing returns the picture together with a Japanese alt text that says what
was actually drawn (the roof colour, the season, the rooms), because the portal's
images must describe themselves to screen-reader users. Drawings are pure functions
of a seeded ``random.Random``, so a demo load is repeatable."""

import functools
import glob
import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

SUPERSAMPLE = 2  # draw at twice the size and shrink: cheap anti-aliasing
PHOTO_SIZE = (1200, 800)
JPEG_QUALITY = 80

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Drawing:
    image: Image.Image
    description: str

    def jpeg(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return buffer.getvalue()


# --- Fonts ---------------------------------------------------------------------

_JAPANESE_FONT_PATTERNS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/NotoSansJP*.[ot]tf",
    "/usr/share/fonts/**/ipa*g.ttf",
    "/usr/share/fonts/**/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/**/TakaoPGothic.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "C:/Windows/Fonts/meiryo.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
)


@functools.cache
def japanese_font_path() -> str | None:
    """A font on this system that has Japanese glyphs, if there is one."""
    for pattern in _JAPANESE_FONT_PATTERNS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            return path
    return None


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = japanese_font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


# Without a Japanese font the labels fall back to the short forms used on
# English-language floor plans (the alt text stays Japanese either way).
_ASCII_LABELS = {
    "（平屋）": " / 1 storey",
    "（二階建て）": " / 2 storeys",
    "延床面積 約": "Floor area approx. ",
    "㎡": " m2",
    "和室": "J",
    "洋室": "Y",
    "浴室": "Bath",
    "洗面": "Wash",
    "トイレ": "WC",
    "玄関": "Ent.",
    "押入": "CL",
    "床の間": "Toko",
    "廊下": "Hall",
    "ホール": "Hall",
    "階段": "Stairs",
    "縁側": "Engawa",
    "納戸": "Store",
    "物入": "CL",
    "収納": "CL",
    "1階": "1F",
    "2階": "2F",
    "畳": "",
    "売地": "",
}


def label_text(text: str) -> str:
    if japanese_font_path():
        return text
    for japanese, ascii_label in _ASCII_LABELS.items():
        text = text.replace(japanese, ascii_label)
    return text


# --- Drawing helpers -------------------------------------------------------------


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def shade(colour: Colour, factor: float) -> Colour:
    """Darker below 1, lighter above 1."""
    if factor <= 1:
        return tuple(round(c * factor) for c in colour)
    return mix(colour, (255, 255, 255), min(factor - 1, 1))


def vary(rng: random.Random, colour: Colour, amount: int = 12) -> Colour:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


class Canvas:
    """ImageDraw in target-pixel coordinates, drawn at SUPERSAMPLE× and shrunk."""

    def __init__(self, size=PHOTO_SIZE, background: Colour = (255, 255, 255)):
        self.width, self.height = size
        self.s = SUPERSAMPLE
        self.image = Image.new(
            "RGB", (self.width * self.s, self.height * self.s), background
        )
        self.draw = ImageDraw.Draw(self.image)

    def _points(self, points):
        return [(x * self.s, y * self.s) for x, y in points]

    def polygon(self, points, fill, outline=None, width=1):
        self.draw.polygon(
            self._points(points), fill=fill, outline=outline, width=width * self.s
        )

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width=1):
        box = [
            min(x0, x1) * self.s,
            min(y0, y1) * self.s,
            max(x0, x1) * self.s,
            max(y0, y1) * self.s,
        ]
        self.draw.rectangle(
            box, fill=fill, outline=outline, width=round(width * self.s)
        )

    def ellipse(self, x0, y0, x1, y1, fill=None, outline=None, width=1):
        box = [x0 * self.s, y0 * self.s, x1 * self.s, y1 * self.s]
        self.draw.ellipse(box, fill=fill, outline=outline, width=round(width * self.s))

    def circle(self, x, y, r, fill=None, outline=None, width=1):
        self.ellipse(
            x - r, y - r, x + r, y + r, fill=fill, outline=outline, width=width
        )

    def line(self, points, fill, width=1):
        self.draw.line(
            self._points(points), fill=fill, width=max(1, round(width * self.s))
        )

    def gradient(self, y0, y1, top: Colour, bottom: Colour, x0=0, x1=None):
        x1 = self.width if x1 is None else x1
        start, end = round(y0 * self.s), round(y1 * self.s)
        for y in range(start, end):
            t = (y - start) / max(1, end - start - 1)
            self.draw.line(
                [(x0 * self.s, y), (x1 * self.s, y)], fill=mix(top, bottom, t)
            )

    def text_width(self, text, size) -> float:
        return _font(round(size * self.s)).getlength(text) / self.s

    def text(self, x, y, text, size, fill, anchor="mm"):
        font = _font(round(size * self.s))
        self.draw.text(
            (x * self.s, y * self.s), text, font=font, fill=fill, anchor=anchor
        )

    def finish(self) -> Image.Image:
        return self.image.reduce(self.s)


def _sky(c: Canvas, horizon: float, rng: random.Random, clouds=True):
    top = vary(rng, (88, 146, 208), 10)
    c.gradient(0, horizon + 2, top, mix(top, (236, 242, 246), 0.75))
    if not clouds:
        return
    for _ in range(rng.randint(2, 4)):
        x, y = rng.uniform(0, c.width), rng.uniform(40, horizon * 0.55)
        width = rng.uniform(120, 260)
        for _ in range(6):
            dx, dy = rng.uniform(-width / 2, width / 2), rng.uniform(-14, 10)
            r = rng.uniform(width * 0.12, width * 0.22)
            c.ellipse(
                x + dx - r * 1.6,
                y + dy - r,
                x + dx + r * 1.6,
                y + dy + r * 0.6,
                fill=(250, 251, 252),
            )


def _ridge(
    rng: random.Random, x0, x1, base, peaks, roughness=8.0, step=12, bottom=None
):
    """Points of a mountain ridge from x0 to x1; ``peaks`` are (x, height, width)."""
    bottom = base + 40 if bottom is None else bottom
    points = []
    x = x0
    while x <= x1:
        height = 0.0
        for px, ph, pw in peaks:
            height = max(height, ph * math.exp(-(((x - px) / pw) ** 2)))
        points.append((x, base - height + rng.uniform(-roughness, roughness) * 0.4))
        x += step
    return [(x0, bottom), *points, (x1, bottom)]


def _round_tree(c: Canvas, x, base, height, colour: Colour, rng: random.Random):
    trunk = (96, 70, 48)
    c.rect(x - height * 0.04, base - height * 0.45, x + height * 0.04, base, fill=trunk)
    radius = height * 0.32
    cy = base - height * 0.62
    for i in range(7):
        dx = rng.uniform(-radius * 0.6, radius * 0.6)
        dy = rng.uniform(-radius * 0.5, radius * 0.4)
        r = radius * rng.uniform(0.55, 0.8)
        c.circle(x + dx, cy + dy, r, fill=shade(colour, 0.85 + i * 0.04))


def _pine(c: Canvas, x, base, height, rng: random.Random):
    """A black pine (黒松): a leaning trunk with flat, layered needles."""
    lean = rng.choice([-1, 1]) * height * 0.18
    trunk = [
        (x, base),
        (x + lean * 0.2, base - height * 0.4),
        (x + lean, base - height * 0.85),
    ]
    c.line(trunk, fill=(92, 66, 50), width=height * 0.05)
    for i in range(3):
        t = 0.5 + i * 0.17
        side = (1 if i % 2 else -1) * height * rng.uniform(0.08, 0.16)
        tx, ty = x + lean * t + side, base - height * t
        c.line(
            [(x + lean * t, ty + height * 0.03), (tx, ty)],
            fill=(92, 66, 50),
            width=height * 0.025,
        )
        w = height * (0.2 - i * 0.03)
        for _ in range(5):  # a clump of needles
            dx, dy = rng.uniform(-w * 0.7, w * 0.7), rng.uniform(-w * 0.15, w * 0.1)
            r = w * rng.uniform(0.35, 0.55)
            c.ellipse(
                tx + dx - r,
                ty + dy - r * 0.45,
                tx + dx + r,
                ty + dy + r * 0.35,
                fill=vary(rng, (44, 82, 50), 8),
            )


def _person(c: Canvas, x, feet, height, rng: random.Random, seated=False, hat=False):
    skin = rng.choice([(241, 204, 170), (230, 188, 150), (214, 170, 130)])
    shirt = rng.choice(
        [
            (52, 101, 164),
            (196, 72, 60),
            (90, 140, 90),
            (230, 180, 60),
            (120, 90, 150),
            (240, 240, 235),
            (70, 70, 80),
        ]
    )
    trousers = rng.choice([(50, 56, 72), (90, 80, 70), (60, 80, 110)])
    hair = rng.choice([(30, 26, 24), (60, 45, 35), (120, 120, 118)])
    head_r = height * 0.085
    shoulders = feet - height * 0.8
    hips = feet - height * 0.42
    if seated:  # on a chair: the seat and its legs below the hips
        c.rect(
            x - height * 0.16,
            hips,
            x + height * 0.16,
            hips + height * 0.06,
            fill=(110, 84, 60),
        )
        for leg in (-0.14, 0.12):
            c.rect(
                x + height * leg,
                hips + height * 0.06,
                x + height * (leg + 0.02),
                feet,
                fill=(90, 70, 52),
            )
    else:
        c.rect(x - height * 0.1, hips, x - height * 0.015, feet, fill=trousers)
        c.rect(x + height * 0.015, hips, x + height * 0.1, feet, fill=trousers)
    body = [
        (x - height * 0.14, shoulders + height * 0.03),
        (x + height * 0.14, shoulders + height * 0.03),
        (x + height * 0.12, hips + height * 0.02),
        (x - height * 0.12, hips + height * 0.02),
    ]
    c.polygon(body, fill=shirt)
    c.circle(x - height * 0.14, shoulders + height * 0.06, height * 0.035, fill=shirt)
    c.circle(x + height * 0.14, shoulders + height * 0.06, height * 0.035, fill=shirt)
    head_y = shoulders - head_r * 0.95
    c.circle(x, head_y, head_r, fill=skin)
    c.ellipse(
        x - head_r,
        head_y - head_r * 1.08,
        x + head_r,
        head_y - head_r * 0.05,
        fill=hair,
    )
    if hat:
        straw = (226, 196, 120)
        c.ellipse(
            x - head_r * 2,
            head_y - head_r * 0.8,
            x + head_r * 2,
            head_y - head_r * 0.2,
            fill=straw,
        )
        c.ellipse(
            x - head_r * 0.95,
            head_y - head_r * 1.5,
            x + head_r * 0.95,
            head_y - head_r * 0.3,
            fill=straw,
        )
        c.line(
            [
                (x - head_r * 0.95, head_y - head_r * 0.55),
                (x + head_r * 0.95, head_y - head_r * 0.55),
            ],
            fill=(180, 60, 50),
            width=max(1, head_r * 0.2),
        )


# --- Houses ------------------------------------------------------------------------

ROOF_STYLES = (
    ("kawara", (86, 90, 98), "いぶし瓦の屋根"),
    ("kawara", (146, 76, 50), "赤茶色の瓦屋根"),
    ("tin", (52, 92, 140), "青いトタン屋根"),
    ("tin", (150, 54, 46), "赤いトタン屋根"),
    ("slate", (72, 60, 54), "こげ茶色のスレート屋根"),
)
WALL_STYLES = (
    ("plaster", (236, 232, 220), "白い外壁"),
    ("plaster", (214, 196, 160), "薄茶色の外壁"),
    ("boards", (62, 54, 50), "黒い板張りの外壁"),
    ("siding", (236, 224, 190), "クリーム色の外壁"),
)


@dataclass(frozen=True)
class HouseStyle:
    roof_kind: str
    roof: Colour
    roof_label: str
    wall_kind: str
    wall: Colour
    wall_label: str
    entrance_right: bool

    @classmethod
    def pick(cls, rng: random.Random) -> "HouseStyle":
        roof_kind, roof, roof_label = rng.choice(ROOF_STYLES)
        wall_kind, wall, wall_label = rng.choice(WALL_STYLES)
        return cls(
            roof_kind, roof, roof_label, wall_kind, wall, wall_label, rng.random() < 0.6
        )


def _roof(
    c: Canvas, style: HouseStyle, left, right, eave_y, top_left, top_right, top_y
):
    """A hipped roof seen from the front, with tiles or seams, fascia and ridge."""
    c.polygon(
        [(left, eave_y), (right, eave_y), (top_right, top_y), (top_left, top_y)],
        fill=style.roof,
    )
    height = eave_y - top_y

    def edges(y):
        t = (eave_y - y) / height
        return left + (top_left - left) * t, right + (top_right - right) * t

    lines = shade(style.roof, 0.72)
    if style.roof_kind == "tin":
        x = left + 10
        while x < right:
            t_top = top_y
            if x < top_left:
                t_top = eave_y - height * (x - left) / (top_left - left)
            elif x > top_right:
                t_top = eave_y - height * (right - x) / (right - top_right)
            c.line([(x, eave_y), (x, t_top)], fill=lines, width=1.5)
            x += 16
    else:
        spacing = 8 if style.roof_kind == "kawara" else 13
        y = eave_y - spacing
        while y > top_y + 2:
            x0, x1 = edges(y)
            c.line([(x0, y), (x1, y)], fill=lines, width=1.6 if spacing == 8 else 1)
            y -= spacing
    c.rect(
        top_left - 6, top_y - 9, top_right + 6, top_y + 2, fill=shade(style.roof, 0.6)
    )
    c.rect(left, eave_y, right, eave_y + 7, fill=(70, 58, 48))


def _sliding_windows(c: Canvas, x0, x1, y0, y1, panels, frame=(150, 150, 146)):
    c.rect(x0, y0, x1, y1, fill=frame)
    width = (x1 - x0) / panels
    for i in range(panels):
        px = x0 + i * width
        c.rect(px + 4, y0 + 4, px + width - 4, y1 - 4, fill=(126, 162, 186))
        c.polygon(
            [
                (px + 8, y1 - 10),
                (px + width * 0.45, y0 + 8),
                (px + width * 0.6, y0 + 8),
                (px + 20, y1 - 10),
            ],
            fill=(170, 200, 218),
        )


def _entrance(c: Canvas, x0, x1, y0, y1):
    c.rect(x0, y0, x1, y1, fill=(96, 78, 60))
    mid = (x0 + x1) / 2
    for left, right in ((x0 + 5, mid - 2), (mid + 2, x1 - 5)):
        c.rect(left, y0 + 6, right, y1 - 4, fill=(196, 206, 200))
        x = left + 6
        while x < right - 3:
            c.line([(x, y0 + 6), (x, y1 - 4)], fill=(96, 78, 60), width=1.5)
            x += 9
    c.polygon(
        [(x0 - 18, y0 - 2), (x1 + 18, y0 - 2), (x1 + 4, y0 - 20), (x0 - 4, y0 - 20)],
        fill=(80, 80, 84),
    )


def _wall(c: Canvas, style: HouseStyle, x0, y0, x1, y1):
    c.rect(x0, y0, x1, y1, fill=style.wall)
    if style.wall_kind in ("boards", "siding"):
        step, vertical = (13, True) if style.wall_kind == "boards" else (11, False)
        lines = shade(style.wall, 0.8 if style.wall_kind == "boards" else 0.9)
        if vertical:
            x = x0 + step
            while x < x1:
                c.line([(x, y0), (x, y1)], fill=lines, width=1)
                x += step
        else:
            y = y0 + step
            while y < y1:
                c.line([(x0, y), (x1, y)], fill=lines, width=1)
                y += step
    c.rect(x0, y0, x1, y0 + 14, fill=shade(style.wall, 0.78))  # shadow under the eaves


def draw_house(
    c: Canvas, style: HouseStyle, storeys: int, cx, base, s=1.0, engawa=True
):
    """A house standing on ``base`` around ``cx``; ``s`` scales it."""
    ground = 150 * s
    width = (660 if storeys == 1 else 560) * s
    x0, x1 = cx - width / 2, cx + width / 2
    top = base - ground
    c.rect(x0, base - 10 * s, x1, base, fill=(164, 162, 156))
    _wall(c, style, x0, top, x1, base - 10 * s)

    door_w = 96 * s
    if style.entrance_right:
        door_x0, win_x0, win_x1 = (
            x1 - 40 * s - door_w,
            x0 + 70 * s,
            x1 - 70 * s - door_w,
        )
    else:
        door_x0, win_x0, win_x1 = (
            x0 + 40 * s,
            x0 + 70 * s + door_w + 30 * s,
            x1 - 40 * s,
        )
    _entrance(c, door_x0, door_x0 + door_w, top + 22 * s, base - 12 * s)
    panels = 4 if storeys == 1 else 3
    deck_top = base - 32 * s if engawa else base - 12 * s
    c.rect(
        win_x0 - 26 * s,
        top + 26 * s,
        win_x0 - 4 * s,
        deck_top,
        fill=shade(style.wall, 0.7),
    )
    _sliding_windows(c, win_x0, win_x1, top + 26 * s, deck_top, panels)
    if engawa:
        wood = (150, 110, 70)
        c.rect(win_x0 - 30 * s, deck_top, win_x1 + 14 * s, base - 14 * s, fill=wood)
        c.line(
            [(win_x0 - 30 * s, deck_top), (win_x1 + 14 * s, deck_top)],
            fill=shade(wood, 1.25),
            width=2 * s,
        )
        for post_x in (win_x0 - 26 * s, win_x1 + 8 * s):
            c.rect(post_x, base - 14 * s, post_x + 6 * s, base, fill=shade(wood, 0.7))

    if storeys == 1:
        _roof(
            c,
            style,
            x0 - 48 * s,
            x1 + 48 * s,
            top + 4 * s,
            x0 + 130 * s,
            x1 - 130 * s,
            top - 150 * s,
        )
        return

    # A skirt roof over the ground floor, then the smaller upper floor.
    _roof(
        c,
        style,
        x0 - 36 * s,
        x1 + 36 * s,
        top + 4 * s,
        x0 + 6 * s,
        x1 - 6 * s,
        top - 30 * s,
    )
    upper_w = 420 * s
    shift = (-40 if style.entrance_right else 40) * s
    ux0, ux1 = cx + shift - upper_w / 2, cx + shift + upper_w / 2
    upper_top = top - 24 * s - 130 * s
    _wall(c, style, ux0, upper_top, ux1, top - 24 * s)
    for i in range(2):
        wx = ux0 + 50 * s + i * (upper_w - 180 * s)
        _sliding_windows(c, wx, wx + 80 * s, upper_top + 34 * s, upper_top + 104 * s, 2)
    c.line(
        [(ux0 + 40 * s, upper_top + 90 * s), (ux1 - 40 * s, upper_top + 90 * s)],
        fill=(120, 120, 118),
        width=2 * s,
    )
    _roof(
        c,
        style,
        ux0 - 42 * s,
        ux1 + 42 * s,
        upper_top + 4 * s,
        ux0 + 90 * s,
        ux1 - 90 * s,
        upper_top - 92 * s,
    )


def _utility_pole(c: Canvas, x, base):
    c.rect(x - 7, base - 470, x + 7, base, fill=(150, 148, 142))
    c.rect(x - 45, base - 440, x + 45, base - 432, fill=(110, 108, 104))
    away = 900 if x < c.width / 2 else -900
    for dy in (0, 14):
        c.line(
            [(x, base - 436 + dy), (x + away, base - 420 + dy * 2)],
            fill=(60, 60, 60),
            width=1.2,
        )


def house_exterior(rng: random.Random, storeys: int) -> Drawing:
    c = Canvas()
    horizon = 500
    _sky(c, horizon, rng)
    hills = vary(rng, (126, 156, 140), 8)
    c.polygon(
        _ridge(
            rng,
            -20,
            c.width + 20,
            horizon,
            [(rng.uniform(100, 1100), 80, 260), (rng.uniform(100, 1100), 60, 200)],
        ),
        fill=hills,
    )
    c.gradient(horizon, c.height, (112, 150, 80), (86, 128, 62))
    for _ in range(9):  # 屋敷林 behind the house
        _round_tree(
            c,
            rng.uniform(80, 1120),
            horizon + 40,
            rng.uniform(240, 330),
            vary(rng, (54, 96, 56), 10),
            rng,
        )
    style = HouseStyle.pick(rng)
    base = 640
    c.polygon([(320, base), (880, base), (1000, 800), (200, 800)], fill=(196, 184, 160))
    draw_house(c, style, storeys, 600 + rng.uniform(-40, 40), base)
    pine_x = rng.choice([110, 1090])
    _pine(c, pine_x, 700, 330, rng)
    for x in (rng.uniform(160, 260), rng.uniform(940, 1040)):
        _round_tree(c, x, 690, 150, vary(rng, (70, 120, 62), 10), rng)
    hedge = (58, 104, 58)
    for x0, x1 in ((0, 470), (730, 1200)):
        c.rect(x0, 712, x1, 760, fill=hedge)
        for x in range(int(x0), int(x1), 22):
            c.circle(x + 11, 714, 14, fill=shade(hedge, 1.08))
    for _ in range(120):  # grass grown tall while the house stood empty
        x, y = rng.uniform(0, 1200), rng.uniform(660, 800)
        if 470 < x < 730 and y > 700:
            continue
        c.line(
            [(x, y), (x + rng.uniform(-5, 5), y - rng.uniform(8, 20))],
            fill=(72, 110, 50),
            width=1.5,
        )
    _utility_pole(c, 40 if pine_x > 600 else 1160, 780)

    kind = "二階建て" if storeys == 2 else "平屋"
    description = (
        f"{style.roof_label}と{style.wall_label}の{kind}住宅の外観。"
        f"掃き出し窓の前に縁側があり、庭に松の木と生け垣がある"
    )
    return Drawing(c.finish(), description)


# --- A tatami room -----------------------------------------------------------------


def tatami_room(rng: random.Random) -> Drawing:
    """A 6- or 8-mat room in one-point perspective: tokonoma and oshiire at the back,
    shoji on the right."""
    mats = rng.choice([6, 8])
    room_w, room_d = 3.64, (2.73 if mats == 6 else 3.64)
    eye, ceiling, focal, near = 1.1, 2.4, 700.0, 1.0
    c = Canvas(background=(226, 212, 182))
    vx, vy = c.width / 2, 390.0

    def at(x, y, z):  # metres → pixels; z is the distance from the camera
        return vx + x * focal / z, vy + (eye - y) * focal / z

    back = near + room_d
    half = room_w / 2
    zn = 0.25  # a plane just behind the camera, so the room's edges run off the picture
    (bx0, by1), (bx1, by0) = at(-half, 0, back), at(half, ceiling, back)
    wall = (222, 206, 172)
    c.polygon(
        [
            at(-half, ceiling, zn),
            at(half, ceiling, zn),
            at(half, ceiling, back),
            at(-half, ceiling, back),
        ],
        fill=(196, 164, 120),
    )
    for i in range(1, 8):
        x = -half + room_w * i / 8
        c.line(
            [at(x, ceiling, back), at(x, ceiling, zn)], fill=(170, 136, 96), width=1.5
        )
    c.polygon(
        [
            at(-half, ceiling, zn),
            at(-half, ceiling, back),
            at(-half, 0, back),
            at(-half, 0, zn),
        ],
        fill=shade(wall, 0.92),
    )
    c.polygon(
        [
            at(half, ceiling, zn),
            at(half, ceiling, back),
            at(half, 0, back),
            at(half, 0, zn),
        ],
        fill=(244, 240, 228),
    )
    c.rect(bx0, by0, bx1, by1, fill=wall)

    # Shoji on the right wall: a lattice of thin wooden bars.
    for z0, z1 in ((near * 0.7, near + room_d * 0.5), (near + room_d * 0.5, back)):
        c.polygon(
            [
                at(half, 0.05, z0),
                at(half, 0.05, z1),
                at(half, 1.8, z1),
                at(half, 1.8, z0),
            ],
            fill=(250, 248, 240),
        )
        for i in range(6):
            y = 0.05 + 1.75 * i / 5
            c.line([at(half, y, z0), at(half, y, z1)], fill=(176, 140, 100), width=2)
        for i in range(5):
            z = z0 + (z1 - z0) * i / 4
            c.line([at(half, 0.05, z), at(half, 1.8, z)], fill=(176, 140, 100), width=2)
    # 長押 around the room at 1.8 m.
    c.line(
        [at(-half, 1.8, near * 0.5), at(-half, 1.8, back), at(half, 1.8, back)],
        fill=(150, 112, 76),
        width=6,
    )

    # Tokonoma (left) and oshiire with fusuma (right) on the back wall.
    tx0, ty0 = at(-half, 1.8, back)
    tx1, ty1 = at(0, 0.12, back)
    c.rect(tx0, ty0, tx1, ty1, fill=(200, 184, 150))
    c.rect(tx0, ty1, tx1, by1, fill=(120, 84, 52))
    scroll_x = (tx0 + tx1) / 2
    c.rect(
        scroll_x - 32,
        ty0 + 22,
        scroll_x + 32,
        ty1 - 70,
        fill=(244, 238, 222),
        outline=(120, 100, 80),
        width=2,
    )
    c.polygon(
        [
            (scroll_x - 24, ty1 - 110),
            (scroll_x - 4, ty1 - 150),
            (scroll_x + 8, ty1 - 128),
            (scroll_x + 24, ty1 - 110),
        ],
        fill=(110, 116, 120),
    )
    c.rect(tx1 - 8, by0, tx1 + 8, by1, fill=(136, 96, 60))  # 床柱
    fx0, fy0 = at(0, 1.8, back)
    fx1, fy1 = at(half, 0, back)
    c.rect(fx0 + 8, fy0, fx1, fy1, fill=(232, 222, 196))
    mid = (fx0 + 8 + fx1) / 2
    c.line([(mid, fy0), (mid, fy1)], fill=(150, 112, 76), width=3)
    for hx in (mid - 16, mid + 16):
        c.circle(hx, (fy0 + fy1) / 2, 5, fill=(90, 80, 70))

    # Tatami: 0.91 m units, laid so that no four corners meet where it can be helped.
    layout = (
        [
            (0, 0, 2, 1),
            (2, 0, 2, 1),
            (1, 1, 2, 1),
            (0, 1, 1, 2),
            (3, 1, 1, 2),
            (1, 2, 2, 1),
        ]
        if mats == 6
        else [
            (0, 0, 1, 2),
            (1, 0, 2, 1),
            (3, 0, 1, 2),
            (1, 1, 2, 1),
            (0, 2, 1, 2),
            (1, 2, 2, 1),
            (1, 3, 2, 1),
            (3, 2, 1, 2),
        ]
    )
    unit = 0.91
    z_front = back - 4 * unit if mats == 8 else back - 3 * unit
    for ux, uz, uw, ud in layout:
        x0, x1 = -half + ux * unit, -half + (ux + uw) * unit
        z1, z0 = back - uz * unit, back - (uz + ud) * unit
        z0 = max(z0, z_front, 0.55)
        colour = vary(rng, (196, 194, 128), 6)
        c.polygon(
            [at(x0, 0, z1), at(x1, 0, z1), at(x1, 0, z0), at(x0, 0, z0)],
            fill=colour,
            outline=(64, 54, 42),
            width=3,
        )
    c.polygon(
        [
            at(-half, 0, z_front),
            at(half, 0, z_front),
            (c.width, c.height),
            (0, c.height),
        ],
        fill=(150, 112, 72),
    )  # the wooden floor of the engawa in front

    table = rng.random() < 0.5
    if table:
        tz0, tz1 = near + room_d * 0.45, near + room_d * 0.75
        top = (120, 74, 44)
        for lx, lz in ((-0.5, tz0), (0.5, tz0), (-0.5, tz1), (0.5, tz1)):
            c.line([at(lx, 0, lz), at(lx, 0.33, lz)], fill=shade(top, 0.7), width=8)
        c.polygon(
            [
                at(-0.55, 0.35, tz1),
                at(0.55, 0.35, tz1),
                at(0.55, 0.35, tz0),
                at(-0.55, 0.35, tz0),
            ],
            fill=top,
        )
        c.polygon(
            [
                at(-0.55, 0.35, tz0),
                at(0.55, 0.35, tz0),
                at(0.55, 0.3, tz0),
                at(-0.55, 0.3, tz0),
            ],
            fill=shade(top, 0.75),
        )

    description = f"床の間と押入のある{mats}畳の和室。右手の障子から柔らかな光が入る"
    if table:
        description += "。中央に座卓が置かれている"
    return Drawing(c.finish(), description)


# --- Floor plans -------------------------------------------------------------------

UNIT_SQM = 0.91 * 0.91  # one half-ken square (半間 × 半間)


@dataclass(frozen=True)
class FloorPlan:
    """A plan drawn on a half-ken grid: each floor is a list of rows, each row a
    height and its cells; a cell is (label, width) or a stack of (label, height)
    cells sharing one width."""

    key: str
    layout: str
    floors: tuple

    @property
    def storeys(self) -> int:
        return len(self.floors)

    @property
    def area_sqm(self) -> float:
        units = 0
        for rows in self.floors:
            for height, cells in rows:
                units += height * sum(_cell_width(cell) for cell in cells)
        return round(units * UNIT_SQM, 2)

    def rooms(self) -> list[str]:
        """The labels of the living rooms (和室/洋室/DK/LDK)."""
        found = []
        for rows in self.floors:
            for _, cells in rows:
                for cell in cells:
                    for label in _cell_labels(cell):
                        if label.startswith(("和室", "洋室", "DK", "LDK")):
                            found.append(label)
        return found

    def description(self) -> str:
        kind = "平屋" if self.storeys == 1 else "二階建て"
        rooms = "・".join(self.rooms())
        extra = (
            "、南側に縁側"
            if any("縁側" in label for label in self._all_labels())
            else ""
        )
        return f"{kind}{self.layout}の間取り図（{rooms}{extra}）"

    def _all_labels(self):
        for rows in self.floors:
            for _, cells in rows:
                for cell in cells:
                    yield from _cell_labels(cell)


def _cell_width(cell) -> int:
    return cell[1] if isinstance(cell[0], str) else cell[0]


def _cell_labels(cell):
    if isinstance(cell[0], str):
        return [cell[0]]
    return [label for label, _ in cell[1]]


def _stack(width, *parts):
    return (width, parts)


FLOOR_PLANS = (
    FloorPlan(
        key="hiraya-5dk",
        layout="5DK",
        floors=(
            [
                (
                    4,
                    [
                        _stack(2, ("浴室", 2), ("洗面", 2)),
                        _stack(1, ("トイレ", 2), ("収納", 2)),
                        ("DK8畳", 4),
                        ("和室6畳", 3),
                        ("押入", 1),
                        ("洋室6畳", 3),
                    ],
                ),
                (1, [("廊下", 14)]),
                (
                    4,
                    [
                        _stack(2, ("玄関", 2), ("収納", 2)),
                        ("和室6畳", 3),
                        _stack(1, ("押入", 2), ("押入", 2)),
                        ("和室8畳", 4),
                        _stack(1, ("床の間", 2), ("押入", 2)),
                        ("和室6畳", 3),
                    ],
                ),
                (1, [("縁側", 14)]),
            ],
        ),
    ),
    FloorPlan(
        key="hiraya-4dk",
        layout="4DK",
        floors=(
            [
                (
                    4,
                    [
                        _stack(2, ("浴室", 2), ("洗面", 2)),
                        _stack(1, ("トイレ", 2), ("収納", 2)),
                        ("DK8畳", 4),
                        ("和室6畳", 3),
                        ("押入", 1),
                    ],
                ),
                (1, [("廊下", 11)]),
                (
                    4,
                    [
                        _stack(2, ("玄関", 2), ("収納", 2)),
                        ("和室6畳", 3),
                        _stack(1, ("押入", 2), ("押入", 2)),
                        ("和室8畳", 4),
                        _stack(1, ("床の間", 2), ("押入", 2)),
                    ],
                ),
                (1, [("縁側", 11)]),
            ],
        ),
    ),
    FloorPlan(
        key="nikai-4ldk",
        layout="4LDK",
        floors=(
            [
                (
                    4,
                    [
                        _stack(2, ("浴室", 2), ("洗面", 2)),
                        ("LDK12畳", 6),
                        ("和室6畳", 3),
                    ],
                ),
                (
                    2,
                    [
                        ("玄関", 2),
                        ("ホール", 3),
                        ("階段", 2),
                        ("トイレ", 1),
                        ("押入", 3),
                    ],
                ),
            ],
            [
                (
                    4,
                    [
                        ("洋室6畳", 3),
                        ("収納", 1),
                        ("洋室6畳", 3),
                        ("収納", 1),
                        ("洋室6畳", 3),
                    ],
                ),
                (
                    2,
                    [("トイレ", 1), ("廊下", 4), ("階段", 2), ("物入", 1), ("納戸", 3)],
                ),
            ],
        ),
    ),
    FloorPlan(
        key="nikai-5dk",
        layout="5DK",
        floors=(
            [
                (
                    4,
                    [
                        _stack(2, ("浴室", 2), ("洗面", 2)),
                        ("DK8畳", 4),
                        ("和室8畳", 4),
                        _stack(1, ("床の間", 2), ("押入", 2)),
                    ],
                ),
                (
                    2,
                    [
                        ("玄関", 2),
                        ("ホール", 3),
                        ("階段", 2),
                        ("トイレ", 1),
                        ("縁側", 3),
                    ],
                ),
            ],
            [
                (
                    4,
                    [
                        ("和室6畳", 3),
                        ("押入", 1),
                        ("洋室6畳", 3),
                        ("押入", 1),
                        ("洋室6畳", 3),
                    ],
                ),
                (
                    2,
                    [
                        ("トイレ", 1),
                        ("廊下", 4),
                        ("階段", 2),
                        ("物入", 1),
                        ("洋室3畳", 3),
                    ],
                ),
            ],
        ),
    ),
)

_ROOM_FILLS = {
    "和室": (214, 222, 176),
    "洋室": (236, 222, 196),
    "DK": (240, 230, 204),
    "LDK": (240, 230, 204),
    "浴室": (200, 222, 236),
    "洗面": (214, 230, 240),
    "トイレ": (214, 230, 240),
    "縁側": (214, 186, 146),
    "廊下": (232, 216, 190),
    "ホール": (232, 216, 190),
    "階段": (226, 210, 184),
}


def _room_fill(label: str) -> Colour:
    for prefix, colour in _ROOM_FILLS.items():
        if label.startswith(prefix):
            return colour
    return (246, 244, 238)


def _room_label(c: Canvas, label, x0, y0, x1, y1):
    text = label_text(label)
    if not text:
        return
    width, height = x1 - x0, y1 - y0
    for size in (22, 19, 16, 14, 12):
        if c.text_width(text, size) < width - 6 and size < height - 4:
            c.text((x0 + x1) / 2, (y0 + y1) / 2, text, size, (40, 40, 40))
            return
    # Too narrow: one character a line, as Japanese plans label closets.
    if japanese_font_path() and len(text) * 14 < height:
        top = (y0 + y1) / 2 - (len(text) - 1) * 7
        for i, char in enumerate(text):
            c.text((x0 + x1) / 2, top + i * 14, char, 12, (40, 40, 40))


def floor_plan(plan: FloorPlan) -> Drawing:
    c = Canvas(background=(252, 252, 250))
    floors = plan.floors
    widths = [sum(_cell_width(cell) for cell in rows[0][1]) for rows in floors]
    heights = [sum(height for height, _ in rows) for rows in floors]
    gap = 3
    unit = min(
        (c.width - 120) / (sum(widths) + gap * (len(floors) - 1)),
        (c.height - 200) / max(heights),
    )
    total_w = (sum(widths) + gap * (len(floors) - 1)) * unit
    x = (c.width - total_w) / 2
    top = 120 + (c.height - 200 - max(heights) * unit) / 2
    title = f"{plan.layout}（{'平屋' if plan.storeys == 1 else '二階建て'}）"
    c.text(c.width / 2, 52, label_text(title), 30, (30, 30, 30))
    for number, rows in enumerate(floors, start=1):
        fx = x
        y = top
        for height, cells in rows:
            cx = fx
            for cell in cells:
                w = _cell_width(cell) * unit
                parts = (
                    [(cell[0], height)] if isinstance(cell[0], str) else list(cell[1])
                )
                py = y
                for label, part_h in parts:
                    h = part_h * unit
                    c.rect(
                        cx,
                        py,
                        cx + w,
                        py + h,
                        fill=_room_fill(label),
                        outline=(70, 70, 70),
                        width=2,
                    )
                    if label.startswith("和室"):
                        c.line(
                            [(cx + w / 2, py + 6), (cx + w / 2, py + h - 6)],
                            fill=(184, 192, 150),
                            width=1,
                        )
                    if label == "階段":
                        for i in range(1, 6):
                            c.line(
                                [
                                    (cx + i * w / 6, py + 4),
                                    (cx + i * w / 6, py + h - 4),
                                ],
                                fill=(150, 140, 120),
                                width=1,
                            )
                    _room_label(c, label, cx, py, cx + w, py + h)
                    py += h
                cx += w
            y += height * unit
        c.rect(
            fx,
            top,
            fx + widths[number - 1] * unit,
            top + heights[number - 1] * unit,
            outline=(30, 30, 30),
            width=6,
        )
        if len(floors) > 1:
            c.text(
                fx + widths[number - 1] * unit / 2,
                top - 24,
                label_text(f"{number}階"),
                22,
                (30, 30, 30),
            )
        x += (widths[number - 1] + gap) * unit
    # North arrow: north is up, the garden side (縁側) faces south.
    c.polygon(
        [(c.width - 60, 40), (c.width - 72, 76), (c.width - 48, 76)], fill=(30, 30, 30)
    )
    c.text(c.width - 60, 92, "N", 18, (30, 30, 30))
    c.text(
        c.width / 2,
        c.height - 36,
        label_text(f"延床面積 約{plan.area_sqm:.0f}㎡"),
        18,
        (90, 90, 90),
    )
    return Drawing(c.finish(), plan.description())


# --- Landscapes --------------------------------------------------------------------

LANDSCAPE_KINDS = ("plain", "tsukuba", "sea", "lake", "mountain")


def _paddies(c: Canvas, rng: random.Random, top, season):
    colours = {
        "spring": ((150, 186, 214), (120, 160, 196)),
        "summer": ((104, 160, 62), (84, 142, 50)),
        "autumn": ((214, 178, 78), (196, 156, 60)),
    }[season]
    c.gradient(top, c.height, *colours)
    # Levees between the fields, closer together towards the horizon.
    y, step = top + 6, 8.0
    while y < c.height:
        c.line(
            [(0, y), (c.width, y)],
            fill=(120, 132, 70) if season != "autumn" else (150, 128, 60),
            width=max(1.0, step / 10),
        )
        y += step
        step *= 1.35
    vp = rng.uniform(400, 800)
    for i in range(-6, 9):
        c.line(
            [(vp + i * 30, top), (vp + i * 260, c.height)],
            fill=(120, 132, 70),
            width=1.5,
        )
    if season == "spring":
        for _ in range(300):
            x, yy = rng.uniform(0, c.width), rng.uniform(top + 30, c.height)
            c.line(
                [(x, yy), (x, yy - (yy - top) / 40 - 1)], fill=(90, 140, 70), width=1.5
            )


def landscape(rng: random.Random, kind: str) -> Drawing:
    c = Canvas()
    if kind in ("plain", "tsukuba"):
        horizon = 470
        _sky(c, horizon, rng)
        if kind == "tsukuba":
            # Mt. Tsukuba: two peaks of nearly the same height with a saddle between.
            px = rng.uniform(480, 720)
            peaks = [
                (px - 32, 122, 46),
                (px + 32, 126, 42),
                (px, 104, 150),
                (px - 230, 46, 200),
                (px + 240, 42, 220),
            ]
            c.polygon(
                _ridge(rng, -20, c.width + 20, horizon, peaks, roughness=4, step=8),
                fill=(108, 118, 150),
            )
            hills = "筑波山"
        else:
            peaks = [(rng.uniform(0, 1200), 50, 220), (rng.uniform(0, 1200), 40, 180)]
            c.polygon(
                _ridge(rng, -20, c.width + 20, horizon, peaks), fill=(136, 150, 166)
            )
            hills = "低い山並み"
        for x in range(-20, c.width + 40, 36):
            c.circle(
                x + rng.uniform(-8, 8),
                horizon + 4,
                rng.uniform(14, 28),
                fill=(62, 96, 60),
            )
        season = rng.choice(["spring", "summer", "autumn"])
        _paddies(c, rng, horizon + 14, season)
        for _ in range(3):
            hx = rng.uniform(100, 1100)
            draw_house(
                c, HouseStyle.pick(rng), 1, hx, horizon + 26, s=0.09, engawa=False
            )
        fields = {
            "spring": "水を張った田んぼに空が映り",
            "summer": "青々とした稲が育つ水田が広がり",
            "autumn": "黄金色に実った稲田が広がり",
        }[season]
        where = (
            "遠くに二つの峰をもつ筑波山が見える"
            if hills == "筑波山"
            else "遠くに低い山並みが見える"
        )
        return Drawing(c.finish(), f"{fields}、{where}田園風景")

    if kind == "sea":
        horizon = 400
        _sky(c, horizon, rng)
        c.gradient(horizon, 610, (60, 112, 168), (96, 150, 190))
        for _ in range(70):
            y = rng.uniform(horizon + 8, 600)
            x = rng.uniform(0, c.width)
            length = (y - horizon) * 0.4 + 6
            c.line([(x, y), (x + length, y)], fill=(210, 228, 238), width=1.2)
        c.polygon(
            [(0, 590), (c.width, 560), (c.width, 600), (0, 640)], fill=(238, 246, 248)
        )
        c.polygon(
            [(0, 630), (c.width, 590), (c.width, c.height), (0, c.height)],
            fill=(222, 206, 168),
        )
        lighthouse = rng.random() < 0.5
        if lighthouse:
            c.polygon(
                [(900, 560), (960, 470), (1080, 450), (1200, 470), (1200, 572)],
                fill=(86, 112, 70),
            )
            c.polygon(
                [(1040, 470), (1060, 470), (1056, 380), (1044, 380)],
                fill=(248, 248, 246),
            )
            c.rect(1038, 366, 1062, 382, fill=(60, 60, 60))
        for x in (60, 190, 320):
            _pine(c, x + rng.uniform(-20, 20), 800, rng.uniform(300, 420), rng)
        description = "松林の先に砂浜と青い海が広がる海岸"
        if lighthouse:
            description += "。岬の上に白い灯台が見える"
        return Drawing(c.finish(), description)

    if kind == "lake":
        horizon = 440
        _sky(c, horizon, rng)
        c.polygon(
            _ridge(
                rng, -20, c.width + 20, horizon, [(rng.uniform(200, 1000), 40, 300)]
            ),
            fill=(118, 138, 132),
        )
        c.gradient(horizon, 650, (150, 178, 196), (118, 150, 172))
        for _ in range(50):
            y = rng.uniform(horizon + 6, 640)
            x = rng.uniform(0, c.width)
            c.line(
                [(x, y), (x + rng.uniform(20, 60), y)], fill=(184, 206, 220), width=1
            )
        sailboat = rng.random() < 0.6
        if sailboat:
            bx, by = rng.uniform(380, 820), rng.uniform(505, 545)
            c.polygon(
                [
                    (bx - 150, by - 200),
                    (bx + 150, by - 200),
                    (bx + 130, by - 8),
                    (bx - 130, by - 8),
                ],
                fill=(246, 246, 242),
                outline=(200, 200, 196),
                width=2,
            )
            for i in range(1, 6):
                c.line(
                    [(bx - 150 + i * 50, by - 200), (bx - 130 + i * 43, by - 8)],
                    fill=(214, 214, 208),
                    width=1,
                )
            c.line([(bx, by - 210), (bx, by)], fill=(90, 70, 50), width=3)
            c.polygon(
                [(bx - 60, by), (bx + 60, by), (bx + 44, by + 12), (bx - 44, by + 12)],
                fill=(70, 60, 52),
            )
        c.gradient(640, c.height, (120, 140, 96), (96, 120, 74))
        for _ in range(260):  # lotus leaves of the lotus-root fields
            x, y = rng.uniform(-20, c.width + 20), rng.uniform(650, c.height)
            r = 6 + (y - 640) * 0.12
            c.ellipse(
                x - r,
                y - r * 0.45,
                x + r,
                y + r * 0.45,
                fill=vary(rng, (86, 142, 72), 12),
            )
        description = (
            "広い湖に白い帆を張った帆引き船が浮かび、手前にはすの葉が茂るれんこん畑が広がる"
            if sailboat
            else "穏やかな湖面と対岸の低い山並み。手前にはすの葉が茂るれんこん畑が広がる"
        )
        return Drawing(c.finish(), description)

    # mountain
    horizon = 360
    _sky(c, horizon, rng)
    autumn = rng.random() < 0.5
    layers = [(108, 130, 156), (88, 118, 104), (66, 104, 70), (52, 88, 56)]
    for i, colour in enumerate(layers):
        base = horizon + i * 90
        peaks = [
            (rng.uniform(0, 1200), 120 - i * 10, rng.uniform(150, 260))
            for _ in range(3)
        ]
        c.polygon(
            _ridge(rng, -20, c.width + 20, base, peaks, bottom=c.height), fill=colour
        )
        if autumn and i >= 1:
            for _ in range(60):
                x = rng.uniform(0, c.width)
                y = rng.uniform(base - 40, base + 60)
                c.circle(
                    x,
                    y,
                    rng.uniform(4, 8),
                    fill=vary(rng, rng.choice([(186, 92, 50), (204, 150, 62)]), 15),
                )
    river = [(560, 560), (590, 560), (640, 640), (720, 800), (480, 800), (600, 640)]
    c.polygon(river, fill=(120, 170, 196))
    for side in (-1, 1):
        for i in range(4):  # terraced fields on the near slopes
            y = 640 + i * 40
            x0 = 600 + side * (150 + i * 40)
            c.polygon(
                [
                    (x0, y),
                    (x0 + side * 260, y - 10),
                    (x0 + side * 270, y + 22),
                    (x0, y + 30),
                ],
                fill=vary(rng, (150, 176, 90) if not autumn else (196, 170, 90), 8),
            )
    for _ in range(4):
        draw_house(
            c,
            HouseStyle.pick(rng),
            1,
            rng.choice([rng.uniform(300, 460), rng.uniform(700, 880)]),
            rng.uniform(600, 630),
            s=0.12,
            engawa=False,
        )
    description = (
        "紅葉に色づいた山々と、谷あいを流れる川沿いの棚田と集落"
        if autumn
        else "幾重にも重なる緑の山並みと、谷あいを流れる川沿いの棚田と集落"
    )
    return Drawing(c.finish(), description)


def vacant_lot(rng: random.Random) -> Drawing:
    c = Canvas()
    horizon = 430
    _sky(c, horizon, rng)
    c.rect(0, horizon, c.width, c.height, fill=(150, 140, 120))
    for i in range(4):  # the neighbours' houses behind the lot
        draw_house(
            c,
            HouseStyle.pick(rng),
            rng.choice([1, 2]),
            130 + i * 320,
            horizon + 60,
            s=0.42,
            engawa=False,
        )
    c.rect(0, horizon + 60, c.width, horizon + 80, fill=(170, 170, 164))
    c.polygon([(60, 520), (1140, 520), (1200, 800), (0, 800)], fill=(124, 150, 84))
    for _ in range(400):
        x, y = rng.uniform(0, c.width), rng.uniform(525, c.height)
        c.line(
            [(x, y), (x + rng.uniform(-4, 4), y - (y - 480) / 14)],
            fill=vary(rng, (84, 118, 56), 14),
            width=1.3,
        )
    c.rect(
        0, 505, 420, 528, fill=(176, 176, 170), outline=(150, 150, 146)
    )  # block wall
    for x in range(0, 420, 40):
        c.line([(x, 505), (x, 528)], fill=(150, 150, 146), width=1)
    sign = japanese_font_path() is not None
    c.rect(820, 560, 830, 720, fill=(120, 120, 118))
    c.rect(1010, 560, 1020, 720, fill=(120, 120, 118))
    c.rect(800, 520, 1040, 620, fill=(250, 250, 246), outline=(60, 60, 60), width=2)
    if sign:
        c.text(920, 570, "売地", 48, (200, 40, 40))
    description = "雑草の生えた平らな空き地。奥に住宅が並び、敷地の角に看板が立っている"
    if sign:
        description = (
            "雑草の生えた平らな空き地。奥に住宅が並び、「売地」の看板が立っている"
        )
    return Drawing(c.finish(), description)


# --- Event scenes ------------------------------------------------------------------

EVENT_SCENES = ("consultation", "farm", "tour", "gathering", "online")


def event_scene(rng: random.Random, scene: str) -> Drawing:
    c = Canvas()
    if scene == "consultation":
        c.rect(0, 0, c.width, 520, fill=(236, 230, 214))
        c.rect(0, 520, c.width, c.height, fill=(150, 140, 128))
        c.rect(200, 60, 1000, 150, fill=(200, 50, 50))
        c.rect(215, 72, 985, 138, outline=(250, 240, 230), width=3)
        if japanese_font_path():
            c.text(600, 105, "移住相談会", 48, (255, 255, 255))
        for bx in (110, 1010):  # pamphlet racks
            c.rect(bx, 260, bx + 80, 520, fill=(150, 120, 90))
            for i in range(4):
                c.rect(
                    bx + 8,
                    275 + i * 60,
                    bx + 72,
                    320 + i * 60,
                    fill=vary(rng, (120, 170, 210), 60),
                )
        for tx in (420, 780):
            _person(c, tx, 610, 300, rng, seated=True)
            c.rect(tx - 150, 470, tx + 150, 610, fill=(250, 250, 250))
            c.rect(tx - 150, 470, tx + 150, 486, fill=(220, 220, 224))
            c.rect(tx - 60, 452, tx - 10, 470, fill=vary(rng, (90, 150, 200), 40))
            for side in (-70, 70):
                _person(c, tx + side, 820, 330, rng, seated=True)
        return Drawing(
            c.finish(),
            "横断幕の下、机を挟んで相談員と参加者が話している移住相談会の会場",
        )
    if scene == "farm":
        _sky(c, 380, rng)
        c.polygon(
            _ridge(rng, -20, 1220, 380, [(300, 60, 250), (900, 50, 200)]),
            fill=(120, 150, 130),
        )
        c.rect(0, 380, c.width, c.height, fill=(140, 104, 70))
        for i in range(12):
            y = 390 + (i**1.6) * 9
            c.line([(0, y), (c.width, y)], fill=(92, 140, 64), width=2 + i * 1.2)
        for x in (300, 520, 760, 960):
            _person(c, x, rng.uniform(640, 700), 300, rng, hat=True)
            c.ellipse(x + 40, 600, x + 120, 650, fill=(170, 130, 80))
            for _ in range(4):
                c.circle(
                    x + rng.uniform(55, 105),
                    rng.uniform(598, 612),
                    10,
                    fill=(230, 120, 40),
                )
        return Drawing(
            c.finish(),
            "畑で麦わら帽子をかぶった参加者が野菜を収穫している農業体験の様子",
        )
    if scene == "tour":
        _sky(c, 480, rng)
        c.rect(0, 480, c.width, c.height, fill=(120, 150, 84))
        c.polygon(
            [(300, 600), (900, 600), (1100, 800), (100, 800)], fill=(190, 178, 150)
        )
        for x in range(0, 1200, 80):
            _round_tree(
                c,
                x + rng.uniform(-20, 20),
                500,
                rng.uniform(200, 260),
                vary(rng, (56, 96, 58), 10),
                rng,
            )
        draw_house(c, HouseStyle.pick(rng), 1, 600, 600, s=0.9)
        guide_x = 330
        _person(c, guide_x, 780, 240, rng)
        c.line([(guide_x + 30, 600), (guide_x + 90, 560)], fill=(60, 60, 60), width=6)
        for x in (560, 650, 740, 830, 920):
            _person(
                c,
                x + rng.uniform(-10, 10),
                790 + rng.uniform(-10, 10),
                rng.uniform(220, 250),
                rng,
            )
        return Drawing(
            c.finish(),
            "古い平屋の前で、参加者が案内役の説明を聞いている空き家見学ツアーの様子",
        )
    if scene == "gathering":
        c.rect(0, 0, c.width, 520, fill=(240, 232, 216))
        c.rect(0, 520, c.width, c.height, fill=(176, 140, 100))
        for wx in (140, 500, 860):
            c.rect(
                wx,
                90,
                wx + 200,
                330,
                fill=(170, 206, 226),
                outline=(150, 120, 90),
                width=8,
            )
            c.line([(wx + 100, 90), (wx + 100, 330)], fill=(150, 120, 90), width=6)
        for x in (260, 420, 580, 740, 900):
            _person(c, x + rng.uniform(-10, 10), 640, 300, rng, seated=True)
        c.polygon(
            [(120, 560), (1080, 560), (1160, 700), (40, 700)], fill=(246, 244, 238)
        )
        for x in range(200, 1040, 110):
            c.ellipse(
                x,
                580,
                x + 30,
                596,
                fill=(250, 250, 250),
                outline=(150, 150, 150),
                width=2,
            )
            c.ellipse(x + 5, 583, x + 25, 593, fill=(170, 150, 70))  # green tea
            c.ellipse(x + 40, 600, x + 90, 618, fill=(220, 220, 214))
        for x in (330, 660, 980):
            _person(c, x, 900, 360, rng, seated=True)
        return Drawing(
            c.finish(),
            "長机を囲み、参加者がお茶を飲みながら談笑している移住者交流会の様子",
        )
    # online
    c.rect(0, 0, c.width, 560, fill=(232, 228, 220))
    c.rect(0, 560, c.width, c.height, fill=(168, 130, 92))
    c.polygon([(330, 120), (870, 120), (870, 470), (330, 470)], fill=(40, 40, 44))
    c.polygon([(280, 480), (920, 480), (980, 560), (220, 560)], fill=(176, 178, 184))
    tiles = [(345, 135), (610, 135), (345, 305), (610, 305)]
    for tx, ty in tiles:
        c.rect(tx, ty, tx + 245, ty + 150, fill=vary(rng, (200, 214, 222), 20))
        _person(c, tx + 122, ty + 240, 180, rng, seated=True)
        c.rect(tx, ty + 150, tx + 245, ty + 165, fill=(40, 40, 44))
    c.rect(1000, 480, 1050, 556, fill=(236, 236, 232))  # a mug
    c.ellipse(1040, 495, 1072, 535, outline=(236, 236, 232), width=7)
    _round_tree(c, 140, 560, 200, (70, 126, 70), rng)
    c.rect(110, 500, 170, 560, fill=(190, 110, 70))
    return Drawing(
        c.finish(),
        "ノートパソコンの画面に4人の参加者が映る、オンライン移住相談会の様子",
    )
