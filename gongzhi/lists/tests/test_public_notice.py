"""The public notice (公示): every community's projects on a page residents open without an account, with nothing
personal on it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.appeals import actions as appeals_actions
from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit
from gongzhi.lists import actions
from gongzhi.lists.actions import public as rating_actions
from gongzhi.lists.models import Demand, Project, ProjectRating
from gongzhi.lists.notice import public_text
from gongzhi.test import Cast

from .public_fixtures import add_milestone, add_update, make_demand, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def community_url(cast: Cast) -> str:
    return reverse("lists:public_community", args=[cast.community_a.pk])


def project_url(project: Project) -> str:
    return reverse("lists:public_project", args=[project.area_id, project.pk])


@pytest.fixture
def partner(cast: Cast) -> Unit:
    unit = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平里小学",
                                       kind=Unit.Kind.SCHOOL)
    core_actions.do_register_unit(unit, community=cast.community_a, acting_user=None)
    return unit


def test_it_shows_a_communitys_projects_without_login(cast: Cast, partner: Unit) -> None:
    demand = make_demand(cast.community_a, "老旧小区加装电梯", status=Demand.Status.IN_PROJECT, beneficiaries=120)
    working = make_project(cast.community_a, "1号楼加装电梯", lead=cast.member_unit, partners=(partner,),
                           demands=(demand,), progress=40)
    make_project(cast.community_a, "楼道照明改造", status=Project.Status.FINISHED, lead=cast.member_unit)
    make_project(cast.community_a, "已取消的项目", status=Project.Status.CANCELLED, lead=cast.member_unit)
    make_project(cast.community_a, "内部项目", lead=cast.member_unit, public=False)
    make_project(cast.community_b, "安定门的项目", lead=cast.member_unit)

    response = Client().get(community_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1号楼加装电梯" in html and "楼道照明改造" in html
    assert "已取消的项目" not in html and "内部项目" not in html and "安定门的项目" not in html
    assert cast.member_unit.name in html and partner.name in html
    assert "老旧小区加装电梯" in html and ">120<" in html.replace(" ", "")  # people who benefit
    assert 'value="40"' in html  # the progress bar
    # The order: under way first, finished last.
    assert html.index("1号楼加装电梯") < html.index("楼道照明改造")
    assert Client().get(project_url(working)).status_code == 200


def test_it_hides_cancelled_private_and_other_communities_projects(cast: Cast) -> None:
    cancelled = make_project(cast.community_a, "已取消", status=Project.Status.CANCELLED)
    private = make_project(cast.community_a, "不公开", public=False)
    elsewhere = make_project(cast.community_b, "安定门")
    client = Client()
    for project in (cancelled, private):
        assert client.get(project_url(project)).status_code == 404
    # A project is reached through its own community only.
    assert client.get(reverse("lists:public_project", args=[cast.community_a.pk, elsewhere.pk])).status_code == 404
    # A sub-project leaves the notice with its project.
    parent = make_project(cast.community_a, "二次供水改造", public=False)
    child = make_project(cast.community_a, "水箱更换", parent=parent)
    assert client.get(project_url(child)).status_code == 404
    # Only communities have a notice.
    assert client.get(reverse("lists:public_community", args=[cast.subdistrict_a.pk])).status_code == 404
    assert client.get(reverse("lists:public_community", args=[999999])).status_code == 404


def test_no_personal_data_reaches_the_notice(cast: Cast, partner: Unit, media: Path) -> None:
    """A demo-like project whose demand came from a resident's appeal (name, phone, address, tracking code in it),
    progress posted by staff accounts, a rating with a comment: none of the personal data is on its pages."""
    appeal = appeals_actions.do_submit_appeal(
        acting_user=None, system=True, title="小区没有电梯老人下楼难", body="我是张桂兰，电话13800138000，住和平小区1号楼2单元301。",
        callback_phone="13800138000", callback_name="张桂兰", area=cast.building_a, address="和平小区1号楼2单元301")
    demand = actions.do_create_demand(acting_user=cast.worker_a, title="老旧小区加装电梯", area=cast.community_a,
                                      description="张桂兰（13800138000）反映：和平小区1号楼2单元301老人下楼难",
                                      source=Demand.Source.APPEAL, appeal_ids=[appeal.pk])
    Demand.objects.filter(pk=demand.pk).update(beneficiaries="张桂兰等12户", beneficiary_count=36,
                                               status=Demand.Status.MET)
    project = make_project(cast.community_a, "1号楼加装电梯", status=Project.Status.FINISHED,
                           lead=cast.member_unit, partners=(partner,), demands=(demand,),
                           description="为和平小区1号楼加装电梯，联系人电话13900139000。")
    add_milestone(project, "方案公示", timezone.localdate() - timedelta(days=30), done=True)
    add_update(project, 50, "井道施工完成，联络员手机13700137000", unit=cast.member_unit, by=cast.liaison, photo=True)
    add_update(project, 100, "电梯验收合格", by=cast.worker_a)
    rating_actions.do_rate_project_for_demo(project, phone="13600136000", satisfaction="satisfied",
                                            comment="我是李建国，谢谢！")
    client = Client()
    pages = [client.get(community_url(cast)), client.get(project_url(project)),
             client.get(reverse("lists:public_index")), client.get(reverse("lists:public_poster", args=[cast.community_a.pk]))]
    assert all(p.status_code == 200 for p in pages)
    html = "".join(p.content.decode() for p in pages)
    for secret in ("13800138000", "13900139000", "13700137000", "13600136000", "张桂兰", "李建国",
                   "2单元301", appeal.tracking_code, cast.worker_a.display_name, cast.liaison.display_name,
                   cast.worker_a.username, cast.liaison.username, "老人下楼难", "谢谢"):
        assert secret not in html, secret
    # What is public is there: the unit names, the demand's title, the people who benefit, the notes (masked).
    assert cast.member_unit.name in html and partner.name in html
    assert "老旧小区加装电梯" in html and "36" in html
    assert "井道施工完成" in html and "137****7000" in html and "139****9000" in html
    assert "方案公示" in html


def test_public_text_masks_phone_and_id_numbers() -> None:
    assert public_text("电话13800138000，身份证110101195001011239") == "电话138****8000，身份证110***********1239"
    assert public_text("门牌 1203 室，预算 20000000 元") == "门牌 1203 室，预算 20000000 元"


def test_the_project_page_shows_milestones_progress_photos_and_demands(cast: Cast, partner: Unit) -> None:
    demand = make_demand(cast.community_a, "楼道照明", status=Demand.Status.IN_PROJECT, beneficiaries=48)
    project = make_project(cast.community_a, "楼道照明改造", lead=cast.member_unit, demands=(demand,), progress=60)
    today = timezone.localdate()
    add_milestone(project, "采购灯具", today - timedelta(days=10), done=True)
    add_milestone(project, "安装调试", today - timedelta(days=2))
    add_milestone(project, "竣工验收", today + timedelta(days=20))
    update = add_update(project, 60, "已完成3栋楼的灯具更换", unit=cast.member_unit, photo=True)
    html = Client().get(project_url(project)).content.decode()
    assert "采购灯具" in html and "安装调试" in html and "竣工验收" in html
    assert "1 个逾期" in html and "（已逾期）" in html
    assert "已完成3栋楼的灯具更换" in html and cast.member_unit.name in html
    photo = update.photos.get()
    photo_url = reverse("lists:public_photo", args=[photo.pk])
    assert photo_url in html
    response = Client().get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # A photo of a project that leaves the notice is no longer served.
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CANCELLED)
    assert Client().get(photo_url).status_code == 404
    assert "不能评价" not in html and "项目完成后" in html  # not finished: no rating form yet


def test_the_community_page_reads_in_a_fixed_number_of_queries(cast: Cast, partner: Unit) -> None:
    def build(n: int) -> None:
        for i in range(n):
            demand = make_demand(cast.community_a, f"需求{i}", status=Demand.Status.IN_PROJECT, beneficiaries=i)
            p = make_project(cast.community_a, f"项目{i}", lead=cast.member_unit, partners=(partner,),
                             demands=(demand,), status=Project.Status.FINISHED if i % 2 else Project.Status.CLAIMED)
            add_milestone(p, "里程碑", timezone.localdate())
            ProjectRating.objects.create(project=p, phone_hash=f"h{i}", satisfaction="satisfied")

    client = Client()
    build(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(community_url(cast)).status_code == 200
    build(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(community_url(cast)).status_code == 200
    assert len(many) == len(few) <= 8


def test_the_index_groups_communities_by_subdistrict_and_finds_any_by_name(cast: Cast) -> None:
    make_project(cast.community_a, "项目甲", lead=cast.member_unit)
    html = Client().get(reverse("lists:public_index")).content.decode()
    assert cast.subdistrict_a.name in html and cast.community_a.name in html
    assert cast.community_b.name not in html  # no project on its notice yet
    found = Client().get(reverse("lists:public_index"), {"q": "安定"}).content.decode()
    assert cast.community_b.name in found and cast.subdistrict_b.name in found


def test_the_qr_code_and_the_poster_point_at_the_communitys_page(cast: Cast) -> None:
    response = Client().get(reverse("lists:public_qr", args=[cast.community_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith((b"<?xml", b"<svg"))
    poster = Client().get(reverse("lists:public_poster", args=[cast.community_a.pk])).content.decode()
    assert "http://testserver" + community_url(cast) in poster
    assert reverse("lists:public_qr", args=[cast.community_a.pk]) in poster
