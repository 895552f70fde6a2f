"""Responsive images for the static site, made with Pillow.

Each source (the ``max-2400x2400`` rendition the API offers) becomes a few widths
in WebP and in JPEG (the fallback), re-encoded without any metadata: EXIF (and so
GPS positions), XMP and comments are never copied; only the colour profile is
kept. File names are the SHA-1 of the bytes, so a CDN may cache them for a year.
Results are cached between builds by source (``image_key``), in the state file
and the cache folder; a changed file has a new key and is processed again.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

#: Bump to re-make every image (the key includes it).
PIPELINE = "2"
WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 80
WEBP_QUALITY = 76
WEBP_METHOD = 2  # 4 is 3% smaller and twice as slow
#: The JPEG files are the fallback of a <picture> whose WebP every current browser
#: takes: baseline encoding is 5-6x faster than progressive for 5-10% more bytes.
JPEG_OPTIONS = {"quality": JPEG_QUALITY}
MEDIA_PREFIX = "media/"
#: Lanczos, the sharpest of Pillow's filters. Bicubic takes 7-10% less time per
#: photo and gives 8% fewer bytes, for pictures 0.1-0.4 dB further from the
#: ideal (``portal bench images`` measures both side by side).
RESAMPLING = Image.Resampling.LANCZOS


def image_key(image: dict | None) -> str | None:
    """The cache key of an image as the API gives it (``Img`` fragment)."""
    if not image or not image.get("src"):
        return None
    src = image["src"]
    return source_key(src["url"], src["width"], src["height"], image.get("fileHash"))


def source_key(url: str, width, height, file_hash: str | None = None) -> str:
    text = f"{PIPELINE}|{file_hash or ''}|{url}|{width}x{height}"
    return hashlib.sha1(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ImageJob:
    key: str
    url: str


def _flatten(picture: Image.Image) -> Image.Image:
    if picture.mode in ("RGBA", "LA") or (
        picture.mode == "P" and "transparency" in picture.info
    ):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB") if picture.mode != "RGB" else picture


def widths_for(source_width: int) -> list[int]:
    widths = [w for w in WIDTHS if w < source_width]
    if source_width <= WIDTHS[-1] or not widths:
        widths.append(min(source_width, WIDTHS[-1]))
    return sorted(set(widths))


def make_variants(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """Source bytes → (variants description, {file name: bytes}). Pure."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        icc = opened.info.get("icc_profile")
        picture = _flatten(ImageOps.exif_transpose(opened))
    width, height = picture.size
    files: dict[str, bytes] = {}
    variants = {"width": width, "height": height, "jpeg": [], "webp": []}
    # Largest width first, each smaller one resized from the one before: the same
    # filter over fewer source pixels (a fifth less time than resizing every
    # width from the source, with no visible difference at these steps).
    for target in sorted(widths_for(width), reverse=True):
        size = (target, max(1, round(height * target / width)))
        if size != picture.size:
            picture = picture.resize(size, RESAMPLING, reducing_gap=3.0)
        for fmt, ext, options in (
            ("JPEG", "jpg", JPEG_OPTIONS),
            ("WEBP", "webp", {"quality": WEBP_QUALITY, "method": WEBP_METHOD}),
        ):
            buffer = io.BytesIO()
            if icc:
                options = {**options, "icc_profile": icc}
            picture.save(buffer, fmt, **options)
            body = buffer.getvalue()
            name = f"{hashlib.sha1(body).hexdigest()[:20]}.{ext}"
            files[name] = body
            variants["jpeg" if ext == "jpg" else "webp"].append(
                [size[0], size[1], f"/{MEDIA_PREFIX}{name}"]
            )
    for kind in ("jpeg", "webp"):
        variants[kind].sort()
    return variants, files


def process(job: ImageJob, download, cache_dir: Path) -> tuple[str, dict | None, str]:
    """Download and resize one image into ``cache_dir``; (key, variants or None,
    a message when it failed)."""
    try:
        data = download(job.url)
        variants, files = make_variants(data)
    except Exception as error:  # a missing or broken file must not stop a build
        return job.key, None, f"{job.url}: {error}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        target = cache_dir / name
        if not target.exists():
            temporary = target.with_suffix(target.suffix + ".tmp")
            temporary.write_bytes(body)
            temporary.replace(target)
    return job.key, variants, ""


def variant_files(variants: dict) -> list[str]:
    """Output paths (without the leading /) of an image's files."""
    return [path[1:] for kind in ("jpeg", "webp") for _, _, path in variants[kind]]
