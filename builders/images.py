"""Responsive images for the static site, made with Pillow.

Each source (the ``max-2400x2400`` rendition the API offers) becomes a few widths
in WebP and in JPEG (the fallback), re-encoded without any metadata: EXIF (and so
GPS positions), XMP and comments are never copied; only the colour profile is
kept. Results are cached between builds by source (``image_key``: the source's
file hash, URL and size, and ``PIPELINE``), in the state file and the cache
folder; a changed file has a new key and is processed again.

A file's name is the SHA-1 of its source's key, width and format, so a CDN may
cache it for a year: new bytes come only with a new key. The names and sizes
are known from the source's header alone (``plan``), before the pixels are
worked on, so a build renders its pages while its images are being made
(builders/build.py).
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

#: Bump to re-make every image (the key, and so every file name, includes it):
#: whenever the bytes made for a source would change.
PIPELINE = "3"
WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 80
WEBP_QUALITY = 76
WEBP_METHOD = 2  # 4 is 3% smaller and twice as slow
#: The JPEG files are the fallback of a <picture> whose WebP every current browser
#: takes: baseline encoding is 5-6x faster than progressive for 5-10% more bytes.
JPEG_OPTIONS = {"quality": JPEG_QUALITY}
WEBP_OPTIONS = {"quality": WEBP_QUALITY, "method": WEBP_METHOD}
#: The EXIF orientations that turn a picture on its side (swap width and height).
ORIENTATION_TAG = 0x0112
SIDEWAYS = (5, 6, 7, 8)
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


def variant_name(key: str, width: int, ext: str) -> str:
    return f"{hashlib.sha1(f'{key}|{width}'.encode()).hexdigest()[:20]}.{ext}"


def plan(key: str, width: int, height: int) -> dict:
    """The variants of source ``key`` of ``width`` x ``height`` (upright): their
    sizes and paths, smallest first."""
    variants = {"width": width, "height": height, "jpeg": [], "webp": []}
    for target in widths_for(width):
        size = (target, max(1, round(height * target / width)))
        for kind, ext in (("jpeg", "jpg"), ("webp", "webp")):
            path = f"/{MEDIA_PREFIX}{variant_name(key, target, ext)}"
            variants[kind].append([*size, path])
    return variants


def upright_size(data: bytes) -> tuple[int, int]:
    """Width and height of a source as it will be shown (after its EXIF
    orientation), read from its header without decoding the pixels."""
    with Image.open(io.BytesIO(data)) as opened:
        width, height = opened.size
        orientation = opened.getexif().get(ORIENTATION_TAG, 1)
    return (height, width) if orientation in SIDEWAYS else (width, height)


def make_variants(data: bytes, key: str) -> tuple[dict, dict[str, bytes]]:
    """Source bytes → (``plan`` of its variants, {file name: bytes}). Pure."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        icc = opened.info.get("icc_profile")
        # In place: a copy of the decoded source is 8 MB more for each of the
        # threads making images while Pagefind runs (the build's memory peak).
        ImageOps.exif_transpose(opened, in_place=True)
        picture = _flatten(opened)
    del opened  # the source's pixels go with the first resize
    variants = plan(key, *picture.size)
    files: dict[str, bytes] = {}
    formats = {"jpeg": ("JPEG", JPEG_OPTIONS), "webp": ("WEBP", WEBP_OPTIONS)}
    if icc:
        formats = {k: (f, {**o, "icc_profile": icc}) for k, (f, o) in formats.items()}
    # Largest width first, each smaller one resized from the one before: the same
    # filter over fewer source pixels (a fifth less time than resizing every
    # width from the source, with no visible difference at these steps).
    for number in reversed(range(len(variants["jpeg"]))):
        size = tuple(variants["jpeg"][number][:2])
        if size != picture.size:
            picture = picture.resize(size, RESAMPLING, reducing_gap=3.0)
        for kind, (fmt, options) in formats.items():
            buffer = io.BytesIO()
            picture.save(buffer, fmt, **options)
            files[variants[kind][number][2].rsplit("/", 1)[1]] = buffer.getvalue()
    return variants, files


def prepare(job: ImageJob, download, sources: Path) -> tuple[str, dict | None, str]:
    """Download one source into the folder ``sources`` and plan its variants from
    its header; (key, plan or None, a message when it failed)."""
    try:
        data = download(job.url)
        variants = plan(job.key, *upright_size(data))
    except Exception as error:  # a missing or broken file must not stop a build
        return job.key, None, f"{job.url}: {error}"
    sources.mkdir(parents=True, exist_ok=True)
    _put(sources / job.key, data)
    return job.key, variants, ""


def process(
    job: ImageJob, planned: dict, sources: Path, cache_dir: Path
) -> tuple[str, dict | None, str]:
    """Make the files of a ``prepare``d source into ``cache_dir`` (and delete the
    source); (key, variants or None, a message when it failed or did not come
    out as planned)."""
    source = sources / job.key
    try:
        variants, files = make_variants(source.read_bytes(), job.key)
    except Exception as error:
        return job.key, None, f"{job.url}: {error}"
    finally:
        source.unlink(missing_ok=True)
    if variants != planned:
        return job.key, None, f"{job.url}: 大きさがヘッダーと違います"
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        target = cache_dir / name
        if not target.exists():
            _put(target, body)
    return job.key, variants, ""


def _put(target: Path, body: bytes) -> None:
    temporary = target.with_suffix(target.suffix + ".tmp")
    temporary.write_bytes(body)
    temporary.replace(target)


def variant_files(variants: dict) -> list[str]:
    """Output paths (without the leading /) of an image's files."""
    return [path[1:] for kind in ("jpeg", "webp") for _, _, path in variants[kind]]
