"""Uploaded photos, re-encoded: only what Pillow decodes as a JPEG, PNG or WebP picture is kept, and it is
written again from its pixels, so no EXIF (GPS position, camera, time), no comments and nothing appended to
the file survive, and the stored type and extension are the ones we wrote, never the uploader's.

A photo is refused before its pixels are decoded when its header declares more than `max_pixels` pixels
(Pillow's `Image.MAX_IMAGE_PIXELS` is set to the same limit, its decompression-bomb check); a large photo
is scaled down so that its longer side is at most `max_side` (JPEGs are decoded at a reduced scale already).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ActionError

# Pillow format → (content type, file extension)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _not_an_image(name: str, field: str) -> ActionError:
    return ActionError(_("The file %(name)s is not a JPEG, PNG or WebP photo.") % {"name": name}, field=field)


def _too_many_pixels(name: str, limit: int, field: str) -> ActionError:
    return ActionError(
        _("The photo %(name)s has too many pixels: at most %(limit)s million are accepted. Please send a "
          "smaller photo (or a screenshot of it).") % {"name": name, "limit": f"{limit / 1e6:.0f}"},
        field=field,
    )


def reencode_image(source: IO[bytes], *, name: str, max_pixels: int, max_side: int = 4096,
                   field: str = "photos") -> CleanImage:
    """Decode `source` as a JPEG, PNG or WebP picture and write it again without any metadata."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    source.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=list(FORMATS)) as opened:
                fmt = opened.format or ""
                if fmt not in FORMATS:
                    raise _not_an_image(name, field)
                width, height = opened.size
                if width * height > max_pixels:
                    raise _too_many_pixels(name, max_pixels, field)
                if fmt == "JPEG":
                    opened.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale when large
                opened.seek(0)  # the first frame of an animation
                opened.load()
                image = ImageOps.exif_transpose(opened)  # keep the picture upright once the EXIF is gone
    except ActionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name, max_pixels, field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError):
        raise _not_an_image(name, field) from None
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    if fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    image.info = {}  # nothing of the original's metadata (EXIF, XMP, ICC, text chunks) goes along
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="WEBP", quality=85)
    content_type, extension = FORMATS[fmt]
    return CleanImage(content=out.getvalue(), content_type=content_type, extension=extension,
                      width=image.size[0], height=image.size[1])
