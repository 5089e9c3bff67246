"""`evidence_for(ratee)` over the fixed scene of `test_evidence_records`: the Chinese values, the tones, the examples
and their links for a member unit, a department, a part-time committee member and a community (rated by the
units); a fixed number of queries; and `_evidence.html` renders it (tones, links, the empty case)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.core.models import Unit
from gongzhi.evaluation.evidence import Evidence, EvidenceItem, Example, evidence_for, evidence_payload
from gongzhi.evaluation.models import Campaign, Ratee
from gongzhi.lists.models import Project
from gongzhi.test import Cast

from .test_evidence_records import Scene, build_scene

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def _campaign(cast: Cast, scene: Scene) -> Campaign:
    return Campaign.objects.create(title="年度双向评估", area=cast.subdistrict_a, period_start=scene.start,
                                   period_end=scene.end, deadline=timezone.now() + timedelta(days=7),
                                   status=Campaign.Status.OPEN)


def _ratee(campaign: Campaign, kind: str, community: Any, **kwargs: Any) -> Ratee:
    ratee = Ratee.objects.create(campaign=campaign, kind=kind, community=community, name=kwargs.pop("name", "对象"),
                                 **kwargs)
    return Ratee.objects.select_related("campaign", "community", "unit", "membership", "membership__unit").get(
        pk=ratee.pk)


def _items(evidence: Evidence) -> dict[str, EvidenceItem]:
    return {item.key: item for item in evidence.items}


def _links(item: EvidenceItem) -> list[tuple[str, str]]:
    return [(ex.text, ex.url) for ex in item.examples]


def test_it_shows_a_member_units_record_with_tones_and_links(cast: Cast) -> None:
    scene = build_scene(cast)
    r = scene.records
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=scene.unit, name=scene.unit.name)
    evidence = evidence_for(ratee)
    assert (evidence.name, evidence.period_start, evidence.period_end) == (scene.unit.name, scene.start, scene.end)
    items = _items(evidence)
    assert list(items) == ["projects", "resolutions", "duty_reports", "meetings", "whistles", "cases", "service",
                           "ratings"]
    assert str(items["projects"].label) == "认领项目"
    assert items["projects"].value == "认领 2 个，完成 1 个，逾期 1 个"
    assert items["projects"].tone == "bad"
    public = reverse("lists:public_project", args=[cast.community_a.pk, r["finished"].pk])
    assert _links(items["projects"]) == [
        ("逾期：小区绿化提升", reverse("lists:public_project", args=[cast.community_a.pk, r["late_project"].pk])),
        ("已完成：楼道照明改造", public)]
    assert items["resolutions"].value == "承担 2 项，完成 1 项，逾期 1 项"
    assert items["resolutions"].tone == "bad"
    due = scene.records["late_resolution"].due_on
    assert _links(items["resolutions"]) == [
        (f"逾期：清理楼道堆物（截止 {due:%Y-%m-%d}）", reverse("meetings:resolution", args=[r["late_resolution"].pk])),
        ("已完成：修复小区路灯", reverse("meetings:resolution", args=[r["done_resolution"].pk]))]
    assert items["duty_reports"].value == "应述职 2 次，已述职 1 次，未述职 1 次"
    assert items["duty_reports"].tone == "bad"
    missed, attended = r["missed"], r["attended"]
    assert _links(items["duty_reports"]) == [
        (f"未述职：第四季度联席会议（{missed.starts_at:%Y-%m-%d}）",
         reverse("meetings:meeting", args=[missed.pk]) + "#duty-reports"),
        (f"已述职：第二季度联席会议（{attended.starts_at:%Y-%m-%d}）", reverse("meetings:report", args=[r["report"].pk]))]
    assert items["meetings"].value == "应参会 2 次，出席 1 次，缺席 1 次"
    assert items["meetings"].tone == ""
    assert [url for _text, url in _links(items["meetings"])] == [reverse("meetings:meeting", args=[missed.pk]),
                                                                reverse("meetings:meeting", args=[attended.pk])]
    assert items["whistles"].value == "不适用（仅职能部门接受吹哨）"
    assert (items["whistles"].tone, items["whistles"].examples) == ("", [])
    assert items["cases"].value == "办理 2 件，超期 0 件；响应率 100.0%，解决率 50.0%，满意率 50.0%（回访 2 件）"
    assert items["cases"].tone == "bad"
    assert _links(items["cases"]) == [("工单：电梯异响（已办结）", reverse("appeals:case", args=[r["case_bad"].pk])),
                                      ("工单：楼道灯不亮（已办结）", reverse("appeals:case", args=[r["case_good"].pk]))]
    assert items["service"].value == "1 名在职党员服务 1.5 小时"
    assert items["service"].tone == "good"
    assert _links(items["service"]) == [
        (f"楼道清洁志愿服务（{r['activity'].starts_at:%Y-%m-%d}）：1.5 小时",
         reverse("service:activity", args=[r["activity"].pk]))]
    assert items["ratings"].value == "2 人评价：满意 1，基本满意 1，不满意 0；满意率 95.0%"
    assert items["ratings"].tone == "good"


def test_it_shows_a_departments_whistles(cast: Cast) -> None:
    scene = build_scene(cast)
    r = scene.records
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=cast.department)
    items = _items(evidence_for(ratee))
    assert items["whistles"].value == "被吹哨 2 次，报到 1 次，超时 1 次，平均 2.0 小时报到"
    assert items["whistles"].tone == "bad"
    assert _links(items["whistles"]) == [
        ("违建拆除：未报到", reverse("appeals:whistle", args=[r["whistle_missed"].whistle_id])),
        ("占道经营：2.0 小时报到", reverse("appeals:whistle", args=[r["whistle_answered"].whistle_id]))]
    # It claimed nothing (a department is summoned rather than claims) and was invited to nothing: no examples.
    assert (items["projects"].value, items["projects"].tone) == ("认领 0 个，完成 0 个，逾期 0 个", "")
    assert (items["meetings"].tone, items["meetings"].examples) == ("", [])
    assert items["cases"].value == "办理 0 件，超期 0 件；期内无回访"
    assert (items["service"].value, items["ratings"].value) == ("无经确认的服务时长", "期内无居民评价")


def test_it_shows_a_part_time_members_own_meetings_then_their_units_record(cast: Cast) -> None:
    scene = build_scene(cast)
    r = scene.records
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.MEMBER, cast.community_a, membership=scene.membership,
                   name="李明")
    items = _items(evidence_for(ratee))
    assert list(items)[0] == "member_meetings"
    own = items["member_meetings"]
    assert (str(own.label), own.value) == ("本人参会", "应参会 2 次，出席 1 次，缺席 1 次")
    assert [url for _text, url in _links(own)] == [reverse("meetings:meeting", args=[r["missed"].pk]),
                                                   reverse("meetings:meeting", args=[r["attended"].pk])]
    assert str(items["projects"].label) == "所在单位·认领项目"
    assert items["projects"].value == "认领 2 个，完成 1 个，逾期 1 个"
    assert len(items["projects"].examples) == 2
    assert len(items["duty_reports"].examples) == 2
    # The unit's other facts come without examples (the query budget goes to the member's own duties).
    assert items["cases"].examples == [] and items["meetings"].examples == []
    assert str(items["cases"].label) == "所在单位·接诉即办"


def test_it_shows_the_community_as_the_units_see_it(cast: Cast) -> None:
    scene = build_scene(cast)
    r = scene.records
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.COMMUNITY, cast.community_a, name=cast.community_a.name)
    items = _items(evidence_for(ratee))
    assert list(items) == ["community_projects", "community_meetings", "community_resolutions", "community_cases",
                           "community_service"]
    # Listed in the period: 楼道照明改造, 小区绿化提升 (created 5 days before its claim) and 他人项目.
    assert items["community_projects"].value == "新增 3 个，认领 3 个，完成 1 个，待认领 0 个"
    assert items["community_projects"].tone == "good"
    assert [url for _t, url in _links(items["community_projects"])] == [
        reverse("lists:public_project", args=[cast.community_a.pk, r["finished"].pk])]
    assert items["community_meetings"].value == "召开 2 次，跳过或取消 1 次"
    assert [url for _t, url in _links(items["community_meetings"])] == [
        reverse("meetings:meeting", args=[r["missed"].pk]), reverse("meetings:meeting", args=[r["attended"].pk])]
    # 修复小区路灯 (done), 清理楼道堆物 (late), 他人的决议 (late); the cancelled one does not count.
    assert items["community_resolutions"].value == "形成 3 项，完成 1 项，逾期 2 项"
    assert items["community_resolutions"].tone == "bad"
    assert len(items["community_resolutions"].examples) == 2
    assert items["community_cases"].value == (
        "受理 2 件，办结 2 件；响应率 100.0%，解决率 50.0%，满意率 50.0%（回访 2 件）")
    assert items["community_service"].value == "举办 2 场，2 人服务 3.5 小时"


def test_it_reads_badly_when_a_member_unit_claimed_nothing(cast: Cast) -> None:
    scene = build_scene(cast)
    idle = Unit.objects.create(name="空挂单位", kind=Unit.Kind.ENTERPRISE, area=cast.community_a)
    items = _items(evidence_for(_ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=idle)))
    assert (items["projects"].value, items["projects"].tone) == ("认领 0 个，完成 0 个，逾期 0 个", "bad")
    assert items["projects"].examples == []
    assert (items["resolutions"].tone, items["duty_reports"].tone, items["meetings"].tone) == ("", "", "")


def test_it_never_shows_a_phone_or_id_number_in_an_example(cast: Cast) -> None:
    scene = build_scene(cast)
    Project.objects.filter(pk=scene.records["finished"].pk).update(title="联系13812345678更换楼道灯")
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=scene.unit)
    texts = [ex.text for item in evidence_for(ratee).items for ex in item.examples]
    assert "已完成：联系138****5678更换楼道灯" in texts
    assert not any("13812345678" in t for t in texts)


def test_the_payload_is_plain_data(cast: Cast) -> None:
    scene = build_scene(cast)
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=scene.unit)
    payload = evidence_payload(evidence_for(ratee))
    assert json.loads(json.dumps(payload)) == payload
    first = payload["items"][0]
    assert (first["key"], first["label"], first["tone"]) == ("projects", "认领项目", "bad")
    assert first["examples"][1]["text"] == "已完成：楼道照明改造"
    assert payload["period_start"] == scene.start.isoformat()


def test_it_shows_nothing_for_a_ratee_without_its_record(cast: Cast) -> None:
    scene = build_scene(cast)
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=None)
    assert evidence_for(ratee).items == []


# Every fact of the scene has examples to read: the most a ratee of each kind takes (a department summoned by
# whistles takes one more). None grows with the records.
@pytest.mark.parametrize(("kind", "most"), [("unit", 20), ("member", 19), ("community", 11)])
def test_it_takes_a_bounded_number_of_queries(cast: Cast, kind: str, most: int,
                                              django_assert_max_num_queries: Any) -> None:
    scene = build_scene(cast)
    by_kind: dict[str, dict[str, Any]] = {"unit": {"unit": scene.unit}, "member": {"membership": scene.membership},
                                          "community": {}}
    extra = by_kind[kind]
    ratee = _ratee(_campaign(cast, scene), kind, cast.community_a, **extra)
    with django_assert_max_num_queries(most):
        evidence = evidence_for(ratee)
    assert evidence.items


def test_the_template_shows_the_tones_and_the_links(cast: Cast) -> None:
    scene = build_scene(cast)
    ratee = _ratee(_campaign(cast, scene), Ratee.Kind.UNIT, cast.community_a, unit=scene.unit)
    html = render_to_string("evaluation/_evidence.html", {"evidence": evidence_for(ratee)})
    assert 'data-testid="evidence-projects" data-tone="bad"' in html
    assert 'data-testid="evidence-service" data-tone="good"' in html
    assert "认领 2 个，完成 1 个，逾期 1 个" in html
    finished = reverse("lists:public_project", args=[cast.community_a.pk, scene.records["finished"].pk])
    assert f'<a href="{finished}">已完成：楼道照明改造</a>' in html
    assert "需关注" in html and "表现良好" in html
    assert f"统计期间：{scene.start:%Y-%m-%d} 至 {scene.end:%Y-%m-%d}" in html
    assert "css/evaluation-evidence.css" in html
    assert 'style="' not in html  # CSP: no inline styles


def test_the_template_escapes_and_shows_the_empty_case(cast: Cast) -> None:
    today = timezone.localdate()
    empty = Evidence(name="x", period_start=today, period_end=today)
    assert "本期间没有记录。" in render_to_string("evaluation/_evidence.html", {"evidence": empty})
    item = EvidenceItem(key="k", label="<b>标签</b>", value="<script>x</script>",
                        examples=[Example("<i>例</i>", ""), Example("链接", "/x/?a=1&b=2")])
    html = render_to_string("evaluation/_evidence.html", {"evidence": Evidence("x", today, today, [item])})
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;i&gt;例&lt;/i&gt;" in html
    assert 'href="/x/?a=1&amp;b=2"' in html
    assert 'data-tone=""' in html and "需关注" not in html
