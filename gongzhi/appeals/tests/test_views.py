"""The appeals pages: Chinese pages for allowed roles, 404 out of scope, 403 for forbidden actions,
the public form's validation, honeypot and rate limit, and tracking."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongzhi.appeals import actions
from gongzhi.appeals.models import Appeal, Case, Whistle
from gongzhi.core.models import Notification
from gongzhi.core.notifications import MemorySmsBackend

from .conftest import dispatched, in_progress, replied, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _public_data(cast: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "appeal_type": "help",
        "title": "楼道灯不亮",
        "body": "1号楼2单元楼道灯坏了一周",
        "community": cast.community_a.pk,
        "estate": cast.estate_a.pk,
        "building": cast.building_a.pk,
        "address": "",
        "callback_name": "张女士",
        "callback_phone": "13800138000",
        "website": "",
    }
    data.update(kw)
    return data


def test_it_shows_the_public_form_in_chinese(client: Any, cast: Any) -> None:
    response = client.get(reverse("appeals:submit"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "提交诉求" in text and "回访电话" in text and cast.community_a.name in text


def test_it_stores_a_public_appeal_and_shows_the_tracking_code(client: Any, cast: Any) -> None:
    response = client.post(reverse("appeals:submit"), _public_data(cast), follow=True)
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.area == cast.building_a and appeal.channel == "web" and appeal.callback_name == "张女士"
    assert appeal.tracking_code in response.content.decode()
    assert "查询码" in response.content.decode()


def test_it_refuses_an_appeal_without_phone_in_chinese(client: Any, cast: Any) -> None:
    response = client.post(reverse("appeals:submit"), _public_data(cast, callback_phone=""))
    assert response.status_code == 400
    assert "请填写便于回访的联系电话" in response.content.decode()
    assert not Appeal.objects.exists() and not Case.objects.exists()


def test_it_refuses_a_bad_phone_from_the_action(client: Any, cast: Any) -> None:
    response = client.post(reverse("appeals:submit"), _public_data(cast, callback_phone="12345"))
    assert response.status_code == 400
    assert "无效" in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_refuses_a_file_that_is_not_a_photo(client: Any, cast: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _public_data(cast)
    data["photos"] = [SimpleUploadedFile("a.jpg", b"not really a jpeg", content_type="image/jpeg")]
    response = client.post(reverse("appeals:submit"), data)
    assert response.status_code == 400
    assert "不是" in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_ignores_bots_that_fill_the_honeypot(client: Any, cast: Any) -> None:
    response = client.post(reverse("appeals:submit"), _public_data(cast, website="http://spam.example"))
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_it_rate_limits_the_public_form(client: Any, cast: Any, settings: Any) -> None:
    settings.APPEALS_SUBMIT_RATE = (2, 600)
    for _ in range(2):
        assert client.post(reverse("appeals:submit"), _public_data(cast)).status_code == 302
    response = client.post(reverse("appeals:submit"), _public_data(cast))
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert Appeal.objects.count() == 2


def test_it_loads_estates_for_a_community(client: Any, cast: Any) -> None:
    response = client.get(
        reverse("appeals:place_options"), {"community": cast.community_a.pk}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert cast.estate_a.name in text and cast.estate_b.name not in text
    response = client.get(
        reverse("appeals:place_options"), {"community": cast.community_a.pk, "estate": cast.estate_a.pk}
    )
    assert cast.building_a.name in response.content.decode()


def test_it_tracks_with_code_and_last_four(client: Any, cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    appeal = case.appeals.get()
    response = client.post(
        reverse("appeals:track"), {"code": appeal.tracking_code, "last4": "8000"}, follow=True
    )
    text = response.content.decode()
    assert "已清运完毕" in text and "已答复" in text
    assert "住建委办件员" not in text  # no staff names in public


def test_it_says_not_found_for_a_wrong_last_four(client: Any, cast: Any) -> None:
    appeal = submit(cast)
    response = client.post(reverse("appeals:track"), {"code": appeal.tracking_code, "last4": "1234"})
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_it_records_the_residents_rating(client: Any, cast: Any, ac: Any, settings: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    settings.SMS_BACKEND = "memory"
    MemorySmsBackend.outbox.clear()
    case = replied(cast, ac)
    appeal = case.appeals.get()
    client.post(reverse("appeals:track"), {"code": appeal.tracking_code, "last4": "8000"})
    # The code and the digits only open the page: a rating without the code sent to the phone is refused.
    refused = client.post(reverse("appeals:track_rate"), {"solved": "no", "satisfaction": "unsatisfied"})
    assert refused.status_code == 400 and "验证码" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appeals:track_code"))
    [(phone, text)] = MemorySmsBackend.outbox
    otp = re.search(r"\d{6}", text).group()  # type: ignore[union-attr]
    assert phone == "13800138000"
    response = client.post(
        reverse("appeals:track_rate"), {"solved": "no", "satisfaction": "unsatisfied", "code": otp}, follow=True
    )
    assert "评价已记录" in response.content.decode()
    case.refresh_from_db()
    assert case.contacted is True and case.solved is False and case.satisfaction == "unsatisfied"
    assert case.follow_ups.get().source == "resident_code"
    # A second rating is refused, with the same code or without one.
    client.post(reverse("appeals:track_rate"), {"solved": "yes", "satisfaction": "satisfied", "code": otp})
    client.post(reverse("appeals:track_rate"), {"solved": "yes", "satisfaction": "satisfied"})
    case.refresh_from_db()
    assert case.satisfaction == "unsatisfied" and case.follow_ups.count() == 1


def test_it_shows_worklists_in_chinese(client: Any, cast: Any, ac: Any) -> None:
    submit(cast)
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:worklists"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "待派单" in text and "已超期" in text and "垃圾没人清" in text
    assert client.get(reverse("appeals:worklist", args=["overdue"])).status_code == 200
    assert client.get(reverse("appeals:worklist", args=["nope"])).status_code == 404
    export = client.get(reverse("appeals:worklist_export", args=["pending_dispatch"]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_it_shows_the_case_page_with_dispatch_form(client: Any, cast: Any, ac: Any) -> None:
    appeal = submit(cast)
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:case", args=[appeal.case_id]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "派单" in text and "时间线" in text and "138****8000" in text and "13800138000" not in text


def test_it_hides_an_out_of_scope_case(client: Any, cast: Any, ac: Any) -> None:
    appeal = submit(cast)
    client.force_login(cast.worker_b)
    assert client.get(reverse("appeals:case", args=[appeal.case_id])).status_code == 404
    response = client.post(reverse("appeals:case_action", args=[appeal.case_id, "close"]), {"note": "x"})
    assert response.status_code == 404


def test_it_forbids_a_handler_to_dispatch(client: Any, cast: Any, ac: Any) -> None:
    case = dispatched(cast, ac)
    client.force_login(cast.handler)
    assert client.get(reverse("appeals:case", args=[case.pk])).status_code == 200
    response = client.post(reverse("appeals:case_action", args=[case.pk, "close"]), {"note": "x"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED


def test_it_flashes_a_chinese_error_for_the_wrong_state(client: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    client.force_login(cast.worker_a)
    response = client.post(reverse("appeals:case_action", args=[case.pk, "close"]), {"note": ""}, follow=True)
    assert response.status_code == 200
    assert "不能办结" in response.content.decode() or "无法" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_it_dispatches_accepts_and_replies_through_the_pages(client: Any, cast: Any, ac: Any) -> None:
    appeal = submit(cast)
    case_id = appeal.case_id
    assert case_id is not None
    client.force_login(cast.worker_a)
    client.post(
        reverse("appeals:case_action", args=[case_id, "dispatch"]),
        {"category": ac.leaf.pk, "lead_unit": cast.department.pk, "urgency": "normal"},
    )
    case = Case.objects.get(pk=case_id)
    assert case.status == Case.Status.DISPATCHED
    client.force_login(cast.handler)
    assignment = case.assignments.get()
    client.post(reverse("appeals:case_action", args=[case_id, "accept"]), {"assignment": assignment.pk})
    client.post(reverse("appeals:case_action", args=[case_id, "reply"]), {"body": "已安排清运"})
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED
    # The other department's handler cannot accept an assignment that is not theirs.
    client.force_login(ac.handler2)
    assert (
        client.post(
            reverse("appeals:case_action", args=[case_id, "accept"]), {"assignment": assignment.pk}
        ).status_code
        == 404
    )


def test_it_reveals_the_callback_phone_by_the_one_rule_for_personal_data(client: Any, cast: Any, ac: Any) -> None:
    # The roles that may reveal residents' data over the case's place (the grid worker of building A too), not
    # the admins (gongzhi/appeals/tests/test_contact_rule.py has the whole rule).
    from gongzhi.core.models import AuditEvent

    case = dispatched(cast, ac)
    appeal = case.appeals.get()
    for who in (cast.worker_a, cast.grid_worker_a):
        client.force_login(who)
        response = client.post(reverse("appeals:reveal_phone", args=[case.pk, appeal.pk]))
        assert "13800138000" in response.content.decode()
    assert AuditEvent.objects.filter(verb="appeals.phone.reveal").count() == 2
    client.force_login(cast.district_admin)
    assert client.post(reverse("appeals:reveal_phone", args=[case.pk, appeal.pk])).status_code == 403


def test_it_takes_hotline_and_patrol_reports(client: Any, cast: Any, ac: Any) -> None:
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:hotline"))
    assert response.status_code == 200 and "热线" in response.content.decode()
    response = client.post(
        reverse("appeals:hotline"),
        {
            "appeal_type": "complaint",
            "urgency": "normal",
            "category": ac.leaf.pk,
            "title": "噪声",
            "body": "夜间施工噪声",
            "community": cast.community_a.pk,
            "callback_name": "李先生",
            "callback_phone": "13900001111",
        },
    )
    assert response.status_code == 302
    assert Appeal.objects.get().channel == "hotline"
    client.force_login(cast.grid_worker_a)
    assert client.get(reverse("appeals:hotline")).status_code == 403
    response = client.post(
        reverse("appeals:patrol"),
        {
            "appeal_type": "help",
            "urgency": "normal",
            "place": cast.building_a.pk,
            "body": "消防通道被堵",
            "callback_phone": "13700001111",
        },
    )
    assert response.status_code == 302
    assert Appeal.objects.filter(channel="grid_patrol").count() == 1
    client.force_login(cast.handler)
    assert client.get(reverse("appeals:patrol")).status_code == 403


def test_it_runs_a_whistle_through_the_pages(client: Any, cast: Any, ac: Any) -> None:
    case = in_progress(cast, ac)
    client.force_login(cast.worker_a)
    client.post(
        reverse("appeals:case_action", args=[case.pk, "whistle"]),
        {"title": "联合整治", "units": [ac.department2.pk]},
    )
    whistle = Whistle.objects.get()
    report = whistle.reports.get()
    client.force_login(ac.handler2)
    assert "吹哨" in client.get(reverse("appeals:whistles")).content.decode()
    assert client.get(reverse("appeals:whistle", args=[whistle.pk])).status_code == 200
    client.post(reverse("appeals:whistle_action", args=[whistle.pk, report.pk, "report"]))
    client.post(
        reverse("appeals:whistle_action", args=[whistle.pk, report.pk, "done"]), {"action_taken": "已疏通"}
    )
    assert (
        client.post(
            reverse("appeals:whistle_action", args=[whistle.pk, report.pk, "rate"]), {"rating": "excellent"}
        ).status_code
        == 403
    )
    client.force_login(cast.worker_a)
    client.post(
        reverse("appeals:whistle_action", args=[whistle.pk, report.pk, "rate"]), {"rating": "excellent"}
    )
    report.refresh_from_db()
    assert report.done_at and report.rating == "excellent"
    client.force_login(cast.worker_b)
    assert client.get(reverse("appeals:whistle", args=[whistle.pk])).status_code == 404


def test_it_shows_rates_and_the_cases_behind(client: Any, cast: Any, ac: Any) -> None:
    case = replied(cast, ac)
    actions.do_follow_up_case(
        case, acting_user=ac.caller, contacted=True, solved=True, satisfaction="satisfied"
    )
    client.force_login(cast.worker_a)
    response = client.get(reverse("appeals:rates"))
    text = response.content.decode()
    assert (
        response.status_code == 200 and "满意率" in text and cast.department.name in text and "100.0%" in text
    )
    behind = client.get(reverse("appeals:rate_cases"), {"figure": "satisfied", "unit": cast.department.pk})
    assert case.title in behind.content.decode()
    export = client.get(reverse("appeals:rates_export"))
    assert export.status_code == 200
    client.force_login(cast.resident_user)
    assert client.get(reverse("appeals:rates")).status_code == 403


def test_it_lists_notifications_with_unread_count(client: Any, cast: Any, ac: Any) -> None:
    dispatched(cast, ac)
    client.force_login(cast.handler)
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 200 and "1 条未读" in response.content.decode()
    client.post(reverse("core:notifications_read_all"))
    assert not Notification.objects.filter(user=cast.handler, read_at__isnull=True).exists()
