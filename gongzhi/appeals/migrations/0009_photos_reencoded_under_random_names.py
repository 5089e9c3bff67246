# Photos stored before this release kept the uploader's bytes (EXIF with the GPS position) and extension:
# each is decoded and written again without metadata, under a random name with the extension of its real
# type. A file that cannot be decoded (or is missing) is left as it is.

import io
import logging
import uuid

from django.core.files.base import ContentFile
from django.db import migrations

logger = logging.getLogger("gongzhi.appeals")

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def _reencode(data):
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data), formats=list(FORMATS)) as opened:
        fmt = opened.format
        opened.load()
        image = ImageOps.exif_transpose(opened)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue(), *FORMATS[fmt]


def _rewrite(model, folder):
    for photo in model.objects.exclude(file="").iterator():
        storage, old = photo.file.storage, photo.file.name
        try:
            with storage.open(old, "rb") as handle:
                data = handle.read()
            content, content_type, ext = _reencode(data)
        except Exception:  # missing or not an image: left alone
            logger.warning("photo %s (%s) could not be re-encoded; left as it is", photo.pk, old)
            continue
        month = "/".join(old.split("/")[-3:-1]) if old.count("/") >= 2 else "old"
        new = storage.save(f"{folder}/{month}/{uuid.uuid4().hex}.{ext}", ContentFile(content))
        model.objects.filter(pk=photo.pk).update(file=new, content_type=content_type, size=len(content))
        storage.delete(old)


def reencode_photos(apps, schema_editor):
    _rewrite(apps.get_model("appeals", "AppealPhoto"), "appeals")
    _rewrite(apps.get_model("appeals", "EventPhoto"), "appeals/progress")


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0008_move_notifications_api_keys_to_core"),
    ]

    operations = [
        migrations.RunPython(reencode_photos, migrations.RunPython.noop, elidable=True),
    ]
