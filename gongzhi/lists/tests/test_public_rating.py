"""Residents rate a finished project on the public notice: one rating per phone number, proven with a code sent
to that phone; rate-limited per address; the results as counts and a satisfaction rate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from gongzhi.core.errors import ActionError
from gongzhi.core.models import AuditEvent
from gongzhi.core.notifications import MemorySmsBackend
from gongzhi.lists import notice, phone_codes
from gongzhi.lists.actions import public as rating_actions
from gongzhi.lists.models import PhoneCode, Project, ProjectRating
from gongzhi.lists.views.public import project_ratings_panel
from gongzhi.test import Cast, race, require_postgresql

from .public_fixtures import make_project

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def outbox(settings: Any) -> Iterator[list[tuple[str, str]]]:
    settings.LISTS_RATING_RATE = (1000, 600)
    MemorySmsBackend.outbox.clear()
    with override_settings(SMS_BACKEND="memory"):
        yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def finished(cast: Cast) -> Project:
    return make_project(cast.community_a, "楼道照明改造", status=Project.Status.FINISHED, lead=cast.member_unit)


def url(project: Project) -> str:
    return reverse("lists:public_project", args=[project.area_id, project.pk])


def last_code() -> str:
    return re.findall(r"\d{6}", MemorySmsBackend.outbox[-1][1])[0]


def send_code(client: Client, project: Project, capture: Any, phone: str = PHONE) -> str:
    with capture(execute=True):
        response = client.post(url(project), {"send": "1", "phone": phone, "satisfaction": "satisfied"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "验证码已发送到 138****5678" in response.content.decode()
    return last_code()


def test_a_resident_rates_a_finished_project_with_the_code(
        cast: Cast, finished: Project, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = send_code(client, finished, django_capture_on_commit_callbacks)
    assert MemorySmsBackend.outbox[-1][0] == PHONE and "楼道照明改造" in MemorySmsBackend.outbox[-1][1]
    response = client.post(url(finished), {"rate": "1", "phone": PHONE, "code": code, "satisfaction": "satisfied",
                                            "comment": "灯很亮"})
    assert response.status_code == 302
    rating = ProjectRating.objects.get()
    assert rating.project == finished and rating.satisfaction == "satisfied" and rating.comment == "灯很亮"
    assert rating.phone_hash == phone_codes.phone_hash(PHONE) and PHONE not in rating.phone_hash
    event = AuditEvent.objects.get(verb="lists.rate_project")
    assert event.actor is None and PHONE not in str(event.after) and code not in str(event.after)
    html = client.get(response["Location"]).content.decode()
    assert "您的评价已记录" in html and 'data-kind="satisfied">1<' in html and "100.0%" in html
    assert "灯很亮" not in html  # comments are for staff, not for the public page


def test_one_rating_per_phone_number(cast: Cast, finished: Project, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = send_code(client, finished, django_capture_on_commit_callbacks)
    assert client.post(url(finished), {"rate": "1", "phone": PHONE, "code": code,
                                       "satisfaction": "satisfied"}).status_code == 302
    code = send_code(client, finished, django_capture_on_commit_callbacks, phone="138 1234 5678")
    response = client.post(url(finished), {"rate": "1", "phone": "+86 138-1234-5678", "code": code,
                                           "satisfaction": "unsatisfied"})
    assert response.status_code == 400
    assert "这个手机号已经评价过该项目了" in response.content.decode()
    assert list(ProjectRating.objects.values_list("satisfaction", flat=True)) == ["satisfied"]


def test_a_wrong_code_rates_nothing_and_counts_as_a_try(
        cast: Cast, finished: Project, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    code = send_code(client, finished, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = client.post(url(finished), {"rate": "1", "phone": PHONE, "code": wrong, "satisfaction": "satisfied"})
    assert response.status_code == 400 and "验证码不正确或已过期" in response.content.decode()
    assert not ProjectRating.objects.exists()
    assert PhoneCode.objects.get().attempts == 1
    # No code at all, no satisfaction chosen, a bad phone number: each said at its field.
    for data, message in (({"phone": PHONE, "satisfaction": "satisfied"}, "请输入发送到您手机的6位验证码"),
                          ({"phone": PHONE, "code": code}, "请选择您的满意程度"),
                          ({"phone": "12345", "code": code, "satisfaction": "satisfied"}, "11位手机号")):
        response = client.post(url(finished), {"rate": "1", **data})
        assert response.status_code == 400
        assert message in response.content.decode().replace(" ", ""), message
    assert not ProjectRating.objects.exists()


def test_only_finished_projects_on_the_notice_are_rated(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    working = make_project(cast.community_a, "进行中", lead=cast.member_unit)
    response = Client().post(url(working), {"send": "1", "phone": PHONE})
    assert response.status_code == 302 and not MemorySmsBackend.outbox
    private = make_project(cast.community_a, "不公开", status=Project.Status.FINISHED, public=False)
    assert Client().post(url(private), {"send": "1", "phone": PHONE}).status_code == 404
    with pytest.raises(ActionError):
        rating_actions.do_rate_project_for_demo(working, phone=PHONE, satisfaction="satisfied")
    with pytest.raises(ActionError):
        rating_actions.do_send_rating_code(working, phone=PHONE)
    assert not ProjectRating.objects.exists()


def test_posts_are_rate_limited_per_address(cast: Cast, finished: Project, settings: Any) -> None:
    settings.LISTS_RATING_RATE = (2, 600)
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(url(finished), {"rate": "1", "phone": PHONE, "code": "000000",
                                            "satisfaction": "satisfied"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert "次数过多" in client.post(url(finished), {"send": "1", "phone": PHONE}).content.decode()
    # Another address is not held back.
    assert Client(REMOTE_ADDR="203.0.113.10").post(url(finished), {"send": "1", "phone": "abc"}).status_code == 400


def test_the_satisfaction_rate_counts_basically_satisfied_at_nine_tenths(cast: Cast, finished: Project) -> None:
    for i, kind in enumerate(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"]):
        rating_actions.do_rate_project_for_demo(finished, phone=f"1390000000{i}", satisfaction=kind)
    result = notice.satisfaction(finished)
    assert (result.satisfied, result.basically, result.unsatisfied, result.total) == (2, 1, 1, 4)
    assert result.rate == pytest.approx((2 + 0.9) / 4)
    assert result.percent == "72.5%"
    html = Client().get(url(finished)).content.decode()
    assert "72.5%" in html and 'data-kind="basically">1<' in html and 'data-kind="unsatisfied">1<' in html
    community = Client().get(reverse("lists:public_community", args=[cast.community_a.pk])).content.decode()
    assert "72.5%" in community


def test_the_staff_project_page_block(cast: Cast, finished: Project) -> None:
    rating_actions.do_rate_project_for_demo(finished, phone=PHONE, satisfaction="basically_satisfied",
                                            comment="希望多装几盏")
    request = RequestFactory().get("/")
    request.user = cast.worker_a
    html = project_ratings_panel(request, finished)
    assert "希望多装几盏" in html and "90.0%" in html and url(finished) in html and PHONE not in html
    request.user = cast.worker_b  # another community's worker does not see the project
    assert project_ratings_panel(request, finished) == ""


@pytest.mark.django_db(transaction=True)
def test_two_ratings_racing_from_one_phone_count_once(cast: Cast) -> None:
    require_postgresql("row locks and unique constraints under concurrency")
    project = make_project(cast.community_a, "楼道照明改造", status=Project.Status.FINISHED, lead=cast.member_unit)
    results = race(*[lambda: rating_actions.do_rate_project_for_demo(project, phone=PHONE, satisfaction="satisfied")
                     for _ in range(2)])
    assert sorted(type(r).__name__ for r in results) == ["ActionError", "ProjectRating"]
    assert ProjectRating.objects.filter(project=project).count() == 1
