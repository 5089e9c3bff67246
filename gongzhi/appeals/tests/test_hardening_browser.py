"""Issue 17, finding 8, in Debian's Chromium: a photo a resident sends with the public form shows on the
worker's case page (it used to be a broken image: nothing served /media/), and only there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from gongzhi.appeals.models import Appeal
from gongzhi.test import DESKTOP, PHONE, SHOTS, signed_in

from .test_hardening_files import jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_residents_photo_shows_on_the_case_page(browser: Any, live_server: Any, cast: Any, settings: Any,
                                                  tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(jpeg_with_gps((640, 480)))

    resident = browser.new_context(**PHONE).new_page()
    resident.goto(f"{live_server.url}/appeals/submit/")
    resident.fill("#id_title", "楼道灯不亮")
    resident.fill("#id_body", "1号楼2单元楼道灯坏了一周，晚上看不见台阶。")
    resident.select_option("#id_community", str(cast.community_a.pk))
    resident.fill("#id_callback_name", "张女士")
    resident.fill("#id_callback_phone", "13800138000")
    resident.set_input_files("#id_photos", str(photo))
    resident.click("button[type=submit].big")
    resident.wait_for_load_state()
    errors = resident.locator(".errorlist, .message.error")
    assert errors.count() == 0, errors.all_inner_texts()
    code = resident.inner_text("[data-testid=tracking-code]").strip()
    appeal = Appeal.objects.get(tracking_code=code)

    worker = signed_in(browser, live_server, cast.worker_a, **DESKTOP)
    worker.goto(f"{live_server.url}/appeals/cases/{appeal.case_id}/")
    image = worker.locator(".photos img").first
    image.scroll_into_view_if_needed()
    worker.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 640  # decoded: not a broken image
    worker.screenshot(path=str(SHOTS / "hardening-case-photo.png"), full_page=True)
    src = image.get_attribute("src")
    # Django's live server serves MEDIA_URL itself (gunicorn does not, so production showed a broken image):
    # the photo must come from the view that checks the policy, never from /media/.
    assert src is not None and "/media/" not in src

    outsider = signed_in(browser, live_server, cast.worker_b, **DESKTOP)
    assert outsider.request.get(f"{live_server.url}{src}").status == 404
