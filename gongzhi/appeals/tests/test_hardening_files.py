"""Issue 17, finding 8: photos are re-encoded (no EXIF, no polyglots, no pixel bombs), stored under random names,
and served only through a view that checks the policy, also under production settings (DEBUG off)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, AppealPhoto, EventPhoto
from gongzhi.core.errors import ActionError

from .conftest import in_progress, submit

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^appeals/(progress/)?\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)$")


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG whose EXIF holds a GPS position (Tiananmen) and the camera's make."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ResidentPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 17.0)
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's own premise
    return data


def png(size: tuple[int, int] = (32, 32), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return Path(settings.MEDIA_ROOT)


def _public_data(cast: Any, photo: bytes, name: str = "IMG_0001.JPG") -> dict[str, Any]:
    return {
        "appeal_type": "help", "title": "楼道灯不亮", "body": "1号楼2单元楼道灯坏了一周", "community": cast.community_a.pk,
        "estate": cast.estate_a.pk, "building": cast.building_a.pk, "address": "", "callback_name": "张女士",
        "callback_phone": "13800138000", "website": "",
        "photos": [SimpleUploadedFile(name, photo, content_type="image/jpeg")],
    }


def _image_urls(html: str) -> list[str]:
    return [url for url in re.findall(r'<img src="([^"]+)"', html) if not url.startswith("/static/")]


def _assert_clean_image(response: Any, content_type: str = "image/jpeg") -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    image = Image.open(io.BytesIO(body))
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not dict(image.getexif())
    assert b"ResidentPhone" not in body
    return image


def test_it_shows_a_public_appeals_photo_on_the_case_page_under_production_settings(
        client: Any, cast: Any, settings: Any, media: Path) -> None:
    settings.DEBUG = False
    response = client.post(reverse("appeals:submit"), _public_data(cast, jpeg_with_gps()))
    assert response.status_code == 302
    appeal = Appeal.objects.get()

    client.force_login(cast.worker_a)
    page = client.get(reverse("appeals:case", args=[appeal.case_id]))
    assert page.status_code == 200
    urls = _image_urls(page.content.decode())
    assert len(urls) == 1
    image = _assert_clean_image(client.get(urls[0]))
    assert image.size == (64, 48)

    photo = AppealPhoto.objects.get(appeal=appeal)
    assert RANDOM_NAME.match(photo.file.name) and photo.file.name.endswith(".jpg"), photo.file.name
    stored = (media / photo.file.name).read_bytes()
    assert b"ResidentPhone" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    client.force_login(cast.worker_b)  # another community's worker
    assert client.get(urls[0]).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 404


def test_it_shows_the_resident_the_photos_of_their_own_appeal_only(client: Any, cast: Any) -> None:
    appeal = submit(cast, photos=[SimpleUploadedFile("me.jpg", jpeg_with_gps())])
    url = reverse("appeals:appeal_photo", args=[appeal.photos.get().pk])
    client.force_login(cast.resident_user)
    _assert_clean_image(client.get(url))
    for other in (cast.volunteer, cast.party_member_user, cast.liaison):
        client.force_login(other)
        assert client.get(url).status_code == 404, other


def test_it_shows_progress_photos_to_the_staff_of_the_case_only(client: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)  # the resident's own appeal
    actions.do_add_progress_note(case, acting_user=cast.handler, note="已到现场",
                                 photos=[SimpleUploadedFile("p.png", png())])
    photo = EventPhoto.objects.get()
    assert RANDOM_NAME.match(photo.file.name), photo.file.name
    url = reverse("appeals:event_photo", args=[photo.pk])
    for user in (cast.handler, cast.worker_a, cast.superuser):
        client.force_login(user)
        _assert_clean_image(client.get(url), "image/png")
    for user in (cast.worker_b, cast.resident_user, cast.volunteer):  # progress notes are internal
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(cast.handler)
    assert client.get(reverse("appeals:event_photo", args=[2**64])).status_code == 404
    page = client.get(reverse("appeals:case", args=[case.pk])).content.decode()
    assert url in _image_urls(page)


def test_it_refuses_a_file_that_only_starts_like_a_jpeg(cast: Any) -> None:
    polyglot = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(document.cookie)</script></html>"
    with pytest.raises(ActionError) as refused:
        submit(cast, photos=[SimpleUploadedFile("x.jpg", polyglot, content_type="image/jpeg")])
    assert "不是" in refused.value.message and "照片" in refused.value.message
    assert not Appeal.objects.exists()


def test_it_refuses_a_pixel_bomb_in_chinese(cast: Any, settings: Any) -> None:
    settings.IMAGE_MAX_PIXELS = 1_000_000
    bomb = png((2000, 2000), "L")  # 4 million pixels in a few kilobytes
    assert len(bomb) < 50_000
    with pytest.raises(ActionError) as refused:
        submit(cast, photos=[SimpleUploadedFile("bomb.png", bomb, content_type="image/png")])
    assert "像素过多" in refused.value.message and "1 百万像素" in refused.value.message
    assert not Appeal.objects.exists()


def test_it_stores_the_type_it_decoded_not_the_uploaders_name(cast: Any) -> None:
    appeal = submit(cast, photos=[SimpleUploadedFile("evil.html", png(), content_type="text/html")])
    photo = appeal.photos.get()
    assert photo.file.name.endswith(".png") and photo.content_type == "image/png"
    assert "evil" not in photo.file.name


@pytest.mark.parametrize("mode", ["x-accel-redirect", "x-sendfile"])
def test_it_hands_the_sending_to_the_web_server_when_configured(
        client: Any, cast: Any, settings: Any, media: Path, mode: str) -> None:
    settings.FILES_SENDFILE = mode
    appeal = submit(cast, photos=[SimpleUploadedFile("me.jpg", jpeg_with_gps())])
    photo = appeal.photos.get()
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:appeal_photo", args=[photo.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    if mode == "x-accel-redirect":
        assert response["X-Accel-Redirect"] == f"/protected-files/{photo.file.name}"
    else:
        assert response["X-Sendfile"] == str(media / photo.file.name)
    client.force_login(cast.worker_b)
    response = client.get(reverse("appeals:appeal_photo", args=[photo.pk]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response and "X-Sendfile" not in response


@pytest.mark.django_db(transaction=True)
def test_the_migration_reencodes_stored_photos_and_deletes_finished_uploads(media: Path) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets: list[tuple[str, str]]) -> Any:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return MigrationExecutor(connection).loader.project_state(targets).apps

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate([("appeals", "0008_move_notifications_api_keys_to_core"), ("core", "0003_links"),
                   ("intelligence", "0004_appeal_suggestions_and_auto_dispatch_config")])
    try:
        (media / "appeals/2026/03").mkdir(parents=True)
        (media / "appeals/2026/03/3f2a.JPG").write_bytes(jpeg_with_gps())
        (media / "imports/2026/03").mkdir(parents=True)
        (media / "imports/2026/03/residents.xlsx").write_bytes(b"full personal data")
        (media / "imports/2026/03/units.xlsx").write_bytes(b"waiting for the worker")
        case = old.get_model("appeals", "Case").objects.create(title="路灯")
        appeal = old.get_model("appeals", "Appeal").objects.create(case=case, title="路灯", body="路灯坏了",
                                                                   callback_phone="13800138000")
        photo = old.get_model("appeals", "AppealPhoto").objects.create(
            appeal=appeal, file="appeals/2026/03/3f2a.JPG", content_type="image/jpeg", size=1)
        user = old.get_model("core", "User").objects.create(username="uploader")
        area = old.get_model("core", "Area").objects.create(name="市", level="city", path="/1/")
        job = old.get_model("core", "ImportJob")
        done = job.objects.create(kind="residents", status="succeeded", file="imports/2026/03/residents.xlsx",
                                  created_by_id=user.pk, scope_area_id=area.pk)
        waiting = job.objects.create(kind="units", status="pending", file="imports/2026/03/units.xlsx",
                                     created_by_id=user.pk, scope_area_id=area.pk)

        new = migrate(latest)
        moved = new.get_model("appeals", "AppealPhoto").objects.get(pk=photo.pk)
        assert re.fullmatch(r"appeals/2026/03/[0-9a-f]{32}\.jpg", moved.file.name), moved.file.name
        assert not (media / "appeals/2026/03/3f2a.JPG").exists()
        stored = Image.open(media / moved.file.name)
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) and not dict(stored.getexif())
        jobs = new.get_model("core", "ImportJob").objects
        assert jobs.get(pk=done.pk).file.name == "" and not (media / "imports/2026/03/residents.xlsx").exists()
        assert jobs.get(pk=waiting.pk).file.name and (media / "imports/2026/03/units.xlsx").exists()
    finally:
        migrate(latest)


def test_the_tracking_page_shows_the_photos_of_the_appeal_looked_up_only(client: Any, cast: Any) -> None:
    mine = submit(cast, acting_user=None, photos=[SimpleUploadedFile("me.jpg", jpeg_with_gps())])
    other = submit(cast, acting_user=None, callback_phone="13900139000",
                   photos=[SimpleUploadedFile("other.jpg", jpeg_with_gps())])
    other_url = reverse("appeals:tracked_photo", args=[other.photos.get().pk])
    assert client.get(other_url).status_code == 404  # nothing looked up yet
    response = client.post(reverse("appeals:track"), {"code": mine.tracking_code, "last4": "8000"})
    assert response.status_code == 302
    urls = _image_urls(client.get(reverse("appeals:track")).content.decode())
    assert urls == [reverse("appeals:tracked_photo", args=[mine.photos.get().pk])]
    _assert_clean_image(client.get(urls[0]))
    assert client.get(other_url).status_code == 404
    assert client.get(reverse("appeals:appeal_photo", args=[mine.photos.get().pk])).status_code == 404
