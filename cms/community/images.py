"""Photos and avatars members upload, made safe with pillow: turned upright, resized,
re-encoded without EXIF (no GPS position or camera serial leaves the phone)."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SOURCE_PIXELS = 40_000_000  # decompression bombs are refused


def normalise_image(upload, max_side: int, square: bool = False) -> ContentFile:
    """The uploaded image as a new JPEG (or PNG when it has transparency) of at
    most ``max_side`` pixels a side (``square``: cropped to the centre), with no
    metadata. Raises ``ValidationError`` with a message for the member."""
    try:
        upload.seek(0)
        with Image.open(upload) as source:
            if source.format not in ACCEPTED:
                raise ValidationError(
                    "写真はJPEG・PNG・WebP・GIFのいずれかにしてください。"
                )
            if source.width * source.height > MAX_SOURCE_PIXELS:
                raise ValidationError("写真の画素数が大きすぎます。")
            image = ImageOps.exif_transpose(source)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError("画像として読み込めませんでした。") from error
    has_alpha = image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if square:
        image = ImageOps.fit(image, (max_side, max_side), Image.Resampling.LANCZOS)
    else:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(buffer, "PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
