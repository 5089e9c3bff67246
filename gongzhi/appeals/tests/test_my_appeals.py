"""Residents, party members and volunteers signed in: 提交诉求 and 我的诉求 in the menu, their own appeals listed,
each opening the tracking view without the code (404 for anyone else's); the confirmation page's copy and save;
a form sent back with errors says the photos must be chosen again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.appeals import actions, permissions
from gongzhi.appeals.models import Appeal

from .conftest import replied, submit

pytestmark = pytest.mark.django_db


def test_the_menu_offers_residents_party_members_and_volunteers_their_appeals(client: Any, cast: Any) -> None:
    for user in (cast.resident_user, cast.party_member_user, cast.volunteer):
        client.force_login(user)
        page = client.get(reverse("core:home")).content.decode()
        assert reverse("appeals:mine") in page and reverse("appeals:submit") in page, user
    client.force_login(cast.worker_a)
    assert reverse("appeals:mine") not in client.get(reverse("core:home")).content.decode()


def test_my_appeals_lists_only_my_own(client: Any, cast: Any, ac: Any) -> None:
    mine = submit(cast, title="我的楼道灯")
    submit(cast, acting_user=cast.volunteer, title="别人的诉求")
    hotline = actions.do_submit_appeal(acting_user=cast.worker_a, channel=Appeal.Channel.HOTLINE, title="电话登记",
                                       body="代居民登记", callback_phone="13900000000", area=cast.building_a)
    client.force_login(cast.resident_user)
    page = client.get(reverse("appeals:mine")).content.decode()
    assert "我的楼道灯" in page and mine.tracking_code in page and "别人的诉求" not in page
    assert "待派单" in page
    # A staff member's hotline entries are the callers', never "theirs" (and never with the whole code).
    assert hotline not in permissions.own_appeals(cast.worker_a)


def test_an_own_appeal_opens_the_tracking_view_without_the_code(client: Any, cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    appeal = case.appeals.get()
    client.force_login(cast.resident_user)
    response = client.get(reverse("appeals:mine_detail", args=[appeal.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and "已清运完毕" in text and 'name="own"' in text
    assert 'data-testid="rate-form"' in text and 'name="code"' not in text  # signed in as its sender: no code
    response = client.post(reverse("appeals:track_rate"), {"own": "1", "solved": "yes", "satisfaction": "satisfied",
                                                           "note": ""})
    assert response.status_code == 302 and response["Location"] == reverse("appeals:mine_detail", args=[appeal.pk])
    case.refresh_from_db()
    assert case.status == "closed"
    assert "已办结" in client.get(response["Location"]).content.decode()


def test_someone_elses_appeal_is_not_found(client: Any, cast: Any) -> None:
    other = submit(cast, acting_user=cast.volunteer)
    client.force_login(cast.resident_user)
    assert client.get(reverse("appeals:mine_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("appeals:mine_detail", args=[999999])).status_code == 404
    client.logout()
    assert client.get(reverse("appeals:mine_detail", args=[other.pk])).status_code == 302  # to the sign-in page


def test_a_signed_in_resident_submits_with_name_and_phone_offered(client: Any, cast: Any) -> None:
    cast.resident_user.phone = "13800138000"
    cast.resident_user.save(update_fields=["phone"])
    client.force_login(cast.resident_user)
    page = client.get(reverse("appeals:submit")).content.decode()
    assert 'value="13800138000"' in page and 'value="张桂兰"' in page


def test_the_confirmation_page_copies_and_saves_the_code(client: Any, cast: Any) -> None:
    data = {"appeal_type": "help", "title": "楼道灯不亮", "body": "1号楼楼道灯坏了", "community": cast.community_a.pk,
            "estate": cast.estate_a.pk, "building": cast.building_a.pk, "address": "", "callback_name": "张女士",
            "callback_phone": "13800138000", "website": ""}
    page = client.post(reverse("appeals:submit"), data, follow=True).content.decode()
    code = Appeal.objects.get().tracking_code
    assert 'data-copy="#tracking-code"' in page and reverse("appeals:submitted_code_file") in page
    saved = client.get(reverse("appeals:submitted_code_file"))
    assert saved["Content-Type"].startswith("text/plain") and "attachment" in saved["Content-Disposition"]
    assert code in saved.content.decode() and "手机号后四位" in saved.content.decode()
    client.cookies.clear()
    assert client.get(reverse("appeals:submitted_code_file")).status_code == 302  # another session: nothing


def test_a_form_with_errors_says_the_photos_must_be_chosen_again(client: Any, cast: Any) -> None:
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    response = client.post(reverse("appeals:submit"), {"title": "", "photos": [photo], "website": ""})
    assert response.status_code == 400
    assert "您刚才选择的 1 张照片没有保存，请在提交前重新选择" in response.content.decode()
    assert "photos-dropped" not in client.get(reverse("appeals:submit")).content.decode()
