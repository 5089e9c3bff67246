"""Property contracts, inspections, grades and rectification notices (物业履约评价): the actions' rules, the pages,
404 out of scope, 403 for a role that may only look, the audit rows and notifications, bad input changing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.errors import ActionError, InvalidTransition
from gongzhi.core.models import AuditEvent, Notification
from gongzhi.evaluation.actions import property as actions
from gongzhi.evaluation.models import (
    Inspection,
    InspectionPhoto,
    PropertyContract,
    PropertyGrade,
    RectificationNotice,
    ServiceItem,
)
from gongzhi.evaluation.reg_property import rectification_tasks
from gongzhi.test import Cast

from .test_property_scene import QUARTER, TODAY, YEAR, contract, full_scores, grade, inspect, notice, png

pytestmark = pytest.mark.django_db


# --- contracts ---------------------------------------------------------------------------------------------------


def test_a_worker_records_a_contract_with_the_default_items(cast: Cast) -> None:
    c = actions.do_create_contract(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.member_unit,
                                   starts_on=date(YEAR, 1, 1), ends_on=date(YEAR + 2, 12, 31))
    names = list(c.items.values_list("name", flat=True))
    assert names == ["保洁", "秩序维护（安保）", "绿化养护", "维修养护", "共用设施设备", "投诉处理"]
    assert sum(c.items.values_list("points", flat=True)) == 100
    event = AuditEvent.objects.get(verb="evaluation.contract.create")
    assert event.actor == cast.worker_a and event.area == cast.estate_a and "保洁" in (event.after or {})["items"]


def test_a_contract_is_refused_with_a_clear_message(cast: Cast) -> None:
    make = actions.do_create_contract
    with pytest.raises(ActionError) as err:
        make(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.department, starts_on=TODAY)
    assert err.value.field == "company"
    with pytest.raises(ActionError) as err:
        make(acting_user=cast.worker_a, estate=cast.community_a, company=cast.member_unit, starts_on=TODAY)
    assert err.value.field == "estate"
    with pytest.raises(ActionError) as err:
        make(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.member_unit, starts_on=TODAY,
             ends_on=TODAY - timedelta(days=1))
    assert err.value.field == "ends_on"
    with pytest.raises(ActionError) as err:
        make(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.member_unit, starts_on=TODAY,
             items=[{"name": "保洁", "standard": "每日清扫", "points": 0}])
    assert "1" in err.value.message and err.value.field == "items"
    with pytest.raises(ActionError):
        make(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.member_unit, starts_on=TODAY,
             items=[{"name": "保洁", "standard": "", "points": 10}])
    for user in (cast.worker_b, cast.grid_worker_a, cast.liaison, cast.resident_user, cast.handler):
        with pytest.raises(PermissionDenied):
            make(acting_user=user, estate=cast.estate_a, company=cast.member_unit, starts_on=TODAY)
    contract(cast)
    with pytest.raises(ActionError) as err:  # overlapping the one in force
        make(acting_user=cast.worker_a, estate=cast.estate_a, company=cast.member_unit, starts_on=TODAY)
    assert "和平物业" in err.value.message
    assert PropertyContract.objects.count() == 1 and ServiceItem.objects.count() == 6


def test_the_items_are_edited_but_a_scored_one_stays(cast: Cast) -> None:
    c = contract(cast)
    items = [{"id": i.pk, "kind": i.kind, "name": i.name, "standard": i.standard, "points": i.points}
             for i in c.items.all()]
    items[0]["standard"] = "楼道每日两次清扫"
    actions.do_update_contract(c, acting_user=cast.worker_a, items=[*items[:-1], {
        "kind": "other", "name": "垃圾分类", "standard": "分类准确率 90% 以上", "points": 15}])
    assert list(c.items.values_list("name", flat=True))[-1] == "垃圾分类"
    assert c.items.get(name="保洁").standard == "楼道每日两次清扫"
    assert not c.items.filter(name="投诉处理").exists()
    inspect(cast, c)
    kept = [{"id": i.pk, "name": i.name, "standard": i.standard, "points": i.points, "kind": i.kind}
            for i in c.items.all()]
    with pytest.raises(ActionError) as err:
        actions.do_update_contract(c, acting_user=cast.worker_a, items=kept[1:])
    assert "保洁" in err.value.message
    assert c.items.count() == 6
    assert AuditEvent.objects.filter(verb="evaluation.contract.update").count() == 1
    with pytest.raises(PermissionDenied):
        actions.do_update_contract(c, acting_user=cast.liaison, note="改")


# --- inspections -------------------------------------------------------------------------------------------------


def test_an_inspection_keeps_its_percent_score(cast: Cast) -> None:
    c = contract(cast)
    ins = inspect(cast, c, off=3, user=cast.worker_a)  # 6 items × 3 points off of 100
    assert ins.score == Decimal("82.00") and ins.scores.count() == 6 and ins.inspector == cast.worker_a
    event = AuditEvent.objects.get(verb="evaluation.inspection.record")
    assert (event.after or {})["score"] == "82.00" and event.area == cast.estate_a


def test_an_inspection_needs_every_score_in_range_and_a_remark_when_points_are_off(cast: Cast) -> None:
    c = contract(cast)
    items = list(c.items.all())
    scores = full_scores(c)

    def record(**changes: object) -> Inspection:
        args: dict[str, object] = {"acting_user": cast.worker_a, "inspected_on": TODAY, "by": "community",
                                   "scores": scores}
        args.update(changes)
        return actions.do_record_inspection(c, **args)  # type: ignore[arg-type]

    with pytest.raises(ActionError) as err:
        record(scores={**scores, items[0].pk: ("", "")})
    assert err.value.field == f"score_{items[0].pk}" and "保洁" in err.value.message
    with pytest.raises(ActionError):
        record(scores={**scores, items[0].pk: (items[0].points + 1, "")})
    with pytest.raises(ActionError):
        record(scores={**scores, items[0].pk: ("-1", "x")})
    with pytest.raises(ActionError):
        record(scores={**scores, items[0].pk: ("abc", "x")})
    with pytest.raises(ActionError) as err:
        record(scores={**scores, items[0].pk: (items[0].points - 5, "")})
    assert err.value.field == f"remark_{items[0].pk}"
    with pytest.raises(ActionError):
        record(inspected_on=TODAY + timedelta(days=1))
    with pytest.raises(ActionError):
        record(inspected_on=date(YEAR - 2, 1, 1))  # before the contract
    with pytest.raises(ActionError):
        record(by="nobody")
    with pytest.raises(PermissionDenied):
        record(acting_user=cast.liaison)  # the company does not inspect itself
    with pytest.raises(PermissionDenied):
        record(acting_user=cast.worker_b)
    assert Inspection.objects.count() == 0 and not AuditEvent.objects.filter(verb__startswith="evaluation.insp")


def test_the_owners_committee_inspects_for_itself(cast: Cast) -> None:
    from gongzhi.core import actions as core_actions
    from gongzhi.core.models import Role, Unit

    c = contract(cast)
    owners = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平小区业主委员会",
                                         kind=Unit.Kind.OWNERS_COMMITTEE)
    actions.do_update_estate_profile(cast.estate_a, acting_user=cast.worker_a, owners_committee=owners,
                                     management_committee=False)
    from gongzhi.test import make_user

    chair = make_user("owners_chair", "业委会主任")
    core_actions.do_grant_role(chair, role=Role.UNIT_LIAISON, area=cast.community_a, unit=owners, acting_user=None)
    with pytest.raises(ActionError) as err:
        actions.do_record_inspection(c, acting_user=chair, inspected_on=TODAY, by="community", scores=full_scores(c))
    assert err.value.field == "by"
    ins = actions.do_record_inspection(c, acting_user=chair, inspected_on=TODAY, by="owners", scores=full_scores(c))
    assert ins.by == "owners" and ins.score == 100


def test_photos_are_reencoded_and_a_bad_file_saves_nothing(cast: Cast) -> None:
    c = contract(cast)
    ins = inspect(cast, c, photos=[png("楼道.png")])
    photo = InspectionPhoto.objects.get(inspection=ins)
    assert photo.image.name.endswith(".png") and "楼道" not in photo.image.name
    bad = SimpleUploadedFile("report.png", b"%PDF-1.4 not a picture", content_type="image/png")
    with pytest.raises(ActionError) as err:
        inspect(cast, c, photos=[bad])
    assert "report.png" in err.value.message and "JPEG" in err.value.message
    big = SimpleUploadedFile("big.jpg", b"x" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(ActionError) as err:
        inspect(cast, c, photos=[big])
    assert "5 MB" in err.value.message
    with pytest.raises(ActionError):
        inspect(cast, c, photos=[png() for _i in range(6)])
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 1


def test_the_inspection_page_on_a_phone_refuses_a_bad_photo(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    c = contract(cast)
    client.force_login(cast.worker_a)
    url = reverse("evaluation:property_inspect", args=[c.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count('data-testid="score-item"') == 6
    data: dict[str, object] = {"inspected_on": TODAY.isoformat(), "by": "community", "note": "例行检查"}
    for item in c.items.all():
        data[f"score_{item.pk}"] = item.points
    bad = SimpleUploadedFile("bad.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = client.post(url, {**data, "photos": [bad]})
    assert response.status_code == 400 and "不是JPEG" in response.content.decode()
    assert Inspection.objects.count() == 0
    response = client.post(url, {**data, "photos": [png()]})
    assert response.status_code == 302
    ins = Inspection.objects.get()
    photo = ins.photos.get()
    assert client.get(reverse("evaluation:property_inspection_photo", args=[photo.pk])).status_code == 200
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:property_inspection_photo", args=[photo.pk])).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(cast.liaison)
    assert client.get(url).status_code == 403
    assert client.get(reverse("evaluation:property_inspection", args=[ins.pk])).status_code == 200


# --- grades ------------------------------------------------------------------------------------------------------


def test_a_grade_is_unique_per_quarter_and_replaced(cast: Cast) -> None:
    c = contract(cast)
    g = grade(cast, c, off=10)  # 40 → fail
    assert (g.score, g.level) == (Decimal("40.00"), "fail")
    inspect(cast, c, off=0)
    again = actions.do_compute_grade(c, YEAR, QUARTER, None, cast.worker_a)
    assert again.pk == g.pk and again.score == Decimal("70.00") and again.level == "pass"
    assert PropertyGrade.objects.count() == 1
    events = AuditEvent.objects.filter(verb="evaluation.grade.compute").order_by("id")
    assert events.count() == 2 and (events[1].before or {})["score"] == "40.00"
    assert Notification.objects.filter(user=cast.liaison, verb="evaluation.grade.compute").count() == 2


def test_a_grade_needs_something_to_grade_and_a_started_quarter(cast: Cast) -> None:
    c = contract(cast)
    with pytest.raises(ActionError) as err:
        actions.do_compute_grade(c, YEAR, QUARTER, None, cast.worker_a)
    assert err.value.field == "quarter"
    with pytest.raises(ActionError):
        actions.do_compute_grade(c, YEAR + 1, 1, None, cast.worker_a)
    with pytest.raises(ActionError):
        actions.do_compute_grade(c, YEAR, 5, None, cast.worker_a)
    inspect(cast, c)
    from .test_property_scene import survey

    other = survey(cast, [0], community=cast.community_b)
    with pytest.raises(ActionError) as err:
        actions.do_compute_grade(c, YEAR, QUARTER, other, cast.worker_a)
    assert err.value.field == "survey_id"
    with pytest.raises(PermissionDenied):
        actions.do_compute_grade(c, YEAR, QUARTER, None, cast.liaison)
    assert PropertyGrade.objects.count() == 0


def test_the_grade_page_shows_the_threshold_and_the_notice_form(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    c = contract(cast)
    inspect(cast, c, off=6)  # 64
    client.force_login(cast.worker_a)
    estate_page = client.get(reverse("evaluation:property_estate", args=[cast.estate_a.pk]))
    assert estate_page.status_code == 200 and 'data-testid="grade-form"' in estate_page.content.decode()
    response = client.post(reverse("evaluation:property_grade_compute", args=[c.pk]),
                           {"quarter": f"{YEAR}-{QUARTER}", "survey": ""})
    g = PropertyGrade.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:property_grade", args=[g.pk])
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="below-threshold"' in body and 'data-testid="rectify-form"' in body
    client.force_login(cast.liaison)
    body = client.get(reverse("evaluation:property_grade", args=[g.pk])).content.decode()
    assert 'data-testid="below-threshold"' in body and 'data-testid="rectify-form"' not in body
    assert client.post(reverse("evaluation:property_rectify", args=[g.pk]), {}).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:property_grade", args=[g.pk])).status_code == 404


# --- rectification -----------------------------------------------------------------------------------------------


def test_a_notice_is_issued_replied_and_closed(cast: Cast) -> None:
    c = contract(cast)
    g = grade(cast, c)
    with pytest.raises(ActionError):
        actions.do_issue_rectification(g, acting_user=cast.worker_a, items=[], deadline=TODAY + timedelta(days=7))
    with pytest.raises(ActionError):
        actions.do_issue_rectification(g, acting_user=cast.worker_a, items=[{"item": "保洁", "requirement": ""}],
                                       deadline=TODAY + timedelta(days=7))
    with pytest.raises(ActionError):
        actions.do_issue_rectification(g, acting_user=cast.worker_a, items=[{"item": "保洁", "requirement": "清扫"}],
                                       deadline=TODAY)
    with pytest.raises(PermissionDenied):
        actions.do_issue_rectification(g, acting_user=cast.liaison, items=[{"item": "保洁", "requirement": "清扫"}],
                                       deadline=TODAY + timedelta(days=7))
    assert RectificationNotice.objects.count() == 0
    n = actions.do_issue_rectification(g, acting_user=cast.worker_a, deadline=TODAY + timedelta(days=7), items=[
        {"item": "保洁", "requirement": "楼道每日清扫两次"}, {"item": "", "requirement": ""},
        {"item": "绿化养护", "requirement": "补种枯死草坪"}])
    assert n.items == [{"item": "保洁", "requirement": "楼道每日清扫两次"}, {"item": "绿化养护", "requirement": "补种枯死草坪"}]
    assert Notification.objects.filter(user=cast.liaison, verb="evaluation.rectification.issue").exists()
    with pytest.raises(InvalidTransition):  # one open notice per grade
        actions.do_issue_rectification(g, acting_user=cast.worker_a, items=[{"item": "保洁", "requirement": "x"}],
                                       deadline=TODAY + timedelta(days=7))
    with pytest.raises(PermissionDenied):
        actions.do_reply_rectification(n, acting_user=cast.worker_a, reply="已整改")
    with pytest.raises(ActionError):
        actions.do_reply_rectification(n, acting_user=cast.liaison, reply=" ")
    n = actions.do_reply_rectification(n, acting_user=cast.liaison, reply="已增派保洁员，楼道每日两次清扫")
    assert n.status == "replied" and n.replied_by == cast.liaison
    assert Notification.objects.filter(user=cast.worker_a, verb="evaluation.rectification.reply").exists()
    with pytest.raises(InvalidTransition):
        actions.do_reply_rectification(n, acting_user=cast.liaison, reply="again")
    with pytest.raises(ActionError):  # sending back needs a note
        actions.do_close_rectification(n, acting_user=cast.worker_a, accept=False)
    n = actions.do_close_rectification(n, acting_user=cast.worker_a, accept=False, note="草坪尚未补种")
    assert n.status == "open" and n.closing_note == "草坪尚未补种"
    assert Notification.objects.filter(user=cast.liaison, verb="evaluation.rectification.reopen").exists()
    n = actions.do_reply_rectification(n, acting_user=cast.liaison, reply="草坪已补种")
    with pytest.raises(PermissionDenied):
        actions.do_close_rectification(n, acting_user=cast.liaison)
    with pytest.raises(PermissionDenied):
        actions.do_close_rectification(n, acting_user=cast.worker_b)
    n = actions.do_close_rectification(n, acting_user=cast.worker_a, note="复查合格")
    assert n.status == "closed" and n.closed_by == cast.worker_a
    with pytest.raises(InvalidTransition):
        actions.do_close_rectification(n, acting_user=cast.worker_a)
    verbs = list(AuditEvent.objects.filter(verb__startswith="evaluation.rectification").order_by("id")
                 .values_list("verb", flat=True))
    assert verbs == ["evaluation.rectification.issue", "evaluation.rectification.reply",
                     "evaluation.rectification.reopen", "evaluation.rectification.reply",
                     "evaluation.rectification.close"]
    # A new notice may follow once the first is closed.
    actions.do_issue_rectification(g, acting_user=cast.worker_a, items=[{"item": "保洁", "requirement": "x"}],
                                   deadline=TODAY + timedelta(days=7))


def test_overdue_notices_are_flagged_once_and_the_community_told(cast: Cast) -> None:
    c = contract(cast)
    n = notice(cast, c)
    assert actions.do_flag_overdue_rectifications(TODAY) == 0
    later = n.deadline + timedelta(days=1)
    assert actions.do_flag_overdue_rectifications(later) == 1
    assert actions.do_flag_overdue_rectifications(later + timedelta(days=3)) == 0
    assert Notification.objects.filter(user=cast.worker_a, verb="evaluation.rectification.overdue").count() == 1
    assert AuditEvent.objects.filter(verb="evaluation.rectification.overdue", object_id=str(n.pk)).count() == 1
    RectificationNotice.objects.filter(pk=n.pk).update(deadline=TODAY - timedelta(days=1))
    n.refresh_from_db()
    assert n.overdue


def test_the_notice_pages_and_tasks(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    c = contract(cast)
    n = notice(cast, c)
    assert [(t.count, t.key) for t in rectification_tasks(cast.liaison)] == [(1, "evaluation.rectifications.reply")]
    assert [(t.count, t.kind) for t in rectification_tasks(cast.worker_a)] == [(1, "")]
    assert rectification_tasks(cast.worker_b)[0].count == 0 and rectification_tasks(cast.resident_user) == []
    client.force_login(cast.liaison)
    listing = client.get(reverse("evaluation:property_notices")).content.decode()
    assert listing.count('data-testid="notice-row"') == 1
    page = client.get(reverse("evaluation:property_notice", args=[n.pk])).content.decode()
    assert 'data-testid="reply-form"' in page and 'data-testid="close-form"' not in page
    assert client.post(reverse("evaluation:property_notice_reply", args=[n.pk]), {"reply": ""}).status_code == 400
    assert client.post(reverse("evaluation:property_notice_reply", args=[n.pk]),
                       {"reply": "已整改"}).status_code == 302
    assert client.post(reverse("evaluation:property_notice_close", args=[n.pk]),
                       {"decision": "close"}).status_code == 403
    client.force_login(cast.worker_a)
    assert client.post(reverse("evaluation:property_notice_close", args=[n.pk]),
                       {"decision": "close", "note": "复查合格"}).status_code == 302
    n.refresh_from_db()
    assert n.status == "closed"
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:property_notice", args=[n.pk])).status_code == 404
    client.force_login(cast.resident_user)
    assert client.get(reverse("evaluation:property_notices")).status_code == 403


def test_the_contract_pages(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.worker_a)
    new = reverse("evaluation:property_contract_new", args=[cast.estate_a.pk])
    page = client.get(new).content.decode()
    assert page.count('data-testid="item-row"') == 8 and "保洁" in page
    data = {"company": cast.member_unit.pk, "starts_on": f"{YEAR}-01-01", "ends_on": "", "note": "",
            "item_id": ["", ""], "item_kind": ["cleaning", "other"], "item_name": ["保洁", ""],
            "item_standard": ["每日清扫", ""], "item_points": ["100", ""]}
    assert client.post(new, {**data, "item_points": ["0", ""]}).status_code == 400
    assert client.post(new, data).status_code == 302
    c = PropertyContract.objects.get()
    assert list(c.items.values_list("name", "points")) == [("保洁", 100)]
    assert client.get(reverse("evaluation:property_list")).content.decode().count('data-testid="contract-row"') == 1
    client.force_login(cast.liaison)
    assert client.get(reverse("evaluation:property_contract_edit", args=[c.pk])).status_code == 403
    assert client.get(reverse("evaluation:property_estate", args=[cast.estate_a.pk])).status_code == 200
    assert client.get(new).status_code == 403
    client.force_login(cast.worker_b)
    assert client.get(reverse("evaluation:property_contract_edit", args=[c.pk])).status_code == 404
    assert client.get(reverse("evaluation:property_estate", args=[cast.estate_a.pk])).status_code == 404


def test_the_ranking(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    a = contract(cast)
    b = contract(cast, estate=cast.estate_b)
    grade(cast, a, off=2)  # 88
    grade(cast, b, off=10)  # 40
    client.force_login(cast.city_admin)
    body = client.get(reverse("evaluation:property_ranking")).content.decode()
    assert body.count('data-testid="rank-row"') == 2 and body.index("和平物业") < body.index("安定物业")
    client.force_login(cast.subdistrict_staff_a)
    body = client.get(reverse("evaluation:property_ranking") + f"?quarter={YEAR}-{QUARTER}").content.decode()
    assert body.count('data-testid="rank-row"') == 1 and "安定物业" not in body
    from gongzhi.evaluation import queries_property

    rows = queries_property.ranking(cast.city_admin, YEAR, QUARTER)
    assert [(r.rank, str(r.mean), r.estates, r.below_threshold) for r in rows] == [(1, "88.00", 1, 0),
                                                                                 (2, "40.00", 1, 1)]


def test_the_hub_card_and_the_area_panel(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    from gongzhi.evaluation.reg_property import property_card

    c = contract(cast)
    notice(cast, c)
    card = property_card(cast.worker_a)
    assert card is not None and dict((str(k), v) for k, v in card.lines)["物业服务合同"] == 1
    assert property_card(cast.resident_user) is None
    liaison_card = property_card(cast.liaison)
    assert liaison_card is not None
    client.force_login(cast.worker_a)
    hub = client.get(reverse("evaluation:home")).content.decode()
    assert 'data-testid="hub-property"' in hub and "物业履约评价" in hub
    assert 'data-testid="coverage-panel"' in client.get(reverse("core:area_detail", args=[cast.community_a.pk])).content.decode()
    client.force_login(cast.liaison)
    assert 'data-testid="coverage-panel"' not in client.get(reverse("core:area_detail",
                                                                    args=[cast.community_a.pk])).content.decode()
