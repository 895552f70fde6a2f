"""``portal bench images``: the build's image pipeline (``builders.images``), one
photo at a time, with each resampling filter side by side.

For each filter it reports the median milliseconds ``make_variants`` takes for
one photo (three widths, WebP and JPEG), the bytes it writes, and how far the
files visitors get are from the ideal picture: the PSNR of each decoded file
against a Lanczos resize of the source (higher is closer; the encoder's own loss
sets the ceiling). The photo is drawn here (gradients, noise, edges and shapes,
slightly blurred, as a camera gives) at the size of the source the API offers.
"""

import io
import math
import random
import statistics
import time
from unittest import mock

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
}


def add_arguments(parser):
    parser.add_argument("--repeat", type=int, default=9, help="計測回数（中央値）")
    parser.add_argument("--width", type=int, default=2400, help="元画像の幅")


def photo(width: int, height: int, seed: int = 1) -> bytes:
    """A JPEG like a camera's: gradients, noise, hard edges and shapes."""
    rng = random.Random(seed)
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = Image.blend(noise, gradient, 0.6)
    draw = ImageDraw.Draw(picture)
    for step in range(0, width, width // 20):
        draw.line([(step, 0), (width - step, height)], fill=(240, 230, 200), width=3)
    for _ in range(200):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randrange(5, width // 25)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse([x, y, x + size, y + size], fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def psnr(ideal: Image.Image, other: Image.Image) -> float:
    rms = ImageStat.Stat(ImageChops.difference(ideal, other)).rms
    mse = sum(value * value for value in rms) / len(rms)
    return 10 * math.log10(255**2 / mse) if mse else math.inf


def run(args) -> dict:
    from builders import images

    source = photo(args.width, args.width * 3 // 4)
    with Image.open(io.BytesIO(source)) as opened:
        original = opened.convert("RGB")
    summary = {"source": f"{original.width}x{original.height}", "filters": {}}
    for name, resampling in FILTERS.items():
        with mock.patch.object(images, "RESAMPLING", resampling):
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                variants, files = images.make_variants(source, "bench")
                timings.append((time.perf_counter() - started) * 1000)
        quality = {}
        for kind in ("webp", "jpeg"):
            for width, height, path in variants[kind]:
                ideal = original.resize(
                    (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
                )
                with Image.open(io.BytesIO(files[path.rsplit("/", 1)[1]])) as made:
                    quality[f"{kind}_{width}"] = round(
                        psnr(ideal, made.convert("RGB")), 2
                    )
        result = {
            "ms_per_photo": round(statistics.median(timings), 1),
            "bytes": sum(len(body) for body in files.values()),
            "psnr_db": quality,
        }
        summary["filters"][name] = result
        print(
            f"  {name}: {result['ms_per_photo']} ms per photo, "
            f"{result['bytes']:,} bytes, PSNR {quality}",
            flush=True,
        )
    used = next(n for n, f in FILTERS.items() if f == images.RESAMPLING)
    summary["used"] = used
    return summary
