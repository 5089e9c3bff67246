"""A meeting that decides and follows up, walked through on phone-sized screens (390 × 844), as issue 20 checks it:

1. the community worker schedules an alliance meeting series (和平里社区 and 安定门社区): the first meeting is hosted
   by the first community of the rotation, the registered member units and the part-time committee member invited;
2. the agenda is proposed from what waits (an overdue case, the top demand), each item with its reason;
3. attendees sign in on a phone: the unit's liaison with the short code, the partner community's worker from the
   QR code's link; the part-time member is recorded absent with a reason;
4. a resolution assigns a task to the member unit with a deadline;
5. the meeting is held, the minutes are written and signed off, and the .docx holds the resolution;
6. the series' next meeting is hosted by the next community of the rotation; its duty reports are prepared, the
   unit's is prefilled with the task;
7. the liaison marks the task done in the duty report and submits it: the resolution ends done (the reports part
   completes it through the resolutions part's `do_complete_resolution`, the item's note as the evidence).

The background world (the alliance, a second member unit, the part-time seat, the case and the demand) is set up
directly; every step a person takes goes through the pages. Every page is checked for sideways scrolling at 390 px;
screenshots go to GONGZHI_SHOTS_DIR.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Alliance, CommitteeMembership, Unit
from gongzhi.lists.models import Demand
from gongzhi.meetings.models import (
    AgendaItem,
    DutyReport,
    DutyReportItem,
    Invitation,
    Meeting,
    MeetingKind,
    Minutes,
    Resolution,
)
from gongzhi.test import PHONE, SHOTS, Cast, signed_in

from . import agenda_scene

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "在和平里社区开设老年助餐点"


def fits(page: Any, where: str) -> None:
    """Nothing wider than the phone: on a mobile browser an overflowing page widens the layout viewport (and is
    shown zoomed out), so the page's width is compared with the phone's, not only with the window's."""
    width = PHONE["viewport"]["width"]  # type: ignore[index]
    inner, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    if inner <= width + 1 and scroll <= inner + 1:
        return
    culprits = page.evaluate("""[...document.querySelectorAll("main *")].filter(e => e.scrollWidth > e.clientWidth + 1
        && ![...e.children].some(c => c.scrollWidth > c.clientWidth + 1)).slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.dataset.testid ? `[${e.dataset.testid}]` : "") + ": "
             + e.textContent.trim().slice(0, 60))""")
    raise AssertionError(f"{where} is wider than the phone ({scroll} px): {culprits}")


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"meeting-flow-{name}.png"), full_page=True)


def flash(page: Any) -> str:
    return str(page.locator(".messages").inner_text()) if page.locator(".messages").count() else ""


def phone_page(browser: Any, user: Any, live_server: Any, errors: list[str]) -> Any:
    page = signed_in(browser, live_server, user, **PHONE)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # confirm() before submitting and signing off
    return page


def open_details(page: Any, testid: str) -> Any:
    box = page.get_by_test_id(testid)
    if box.get_attribute("open") is None:
        box.locator("summary").first.click()
    return box


def docx_text(path: Any) -> str:
    from docx import Document

    document = Document(str(path))
    return "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])


@pytest.fixture
def scene(cast: Cast, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.SMS_BACKEND = "memory"
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    alliance = Alliance.objects.create(name="和平安定党建联盟", description="和平里社区与安定门社区轮值联席")
    alliance.communities.set([cast.community_a, cast.community_b])
    # A member unit registered (双报到) on the partner community's side, and the member unit's part-time seat on
    # community A's party committee: both are invited with the alliance's meetings.
    clinic = core_actions.do_create_unit(acting_user=None, area=cast.community_b, name="安定门社区卫生服务站",
                                         kind=Unit.Kind.HOSPITAL)
    core_actions.do_register_unit(clinic, community=cast.community_b, acting_user=None)
    CommitteeMembership.objects.create(party_org=cast.committee_a, unit=cast.member_unit, person_name="赵志刚",
                                       role=CommitteeMembership.Role.PART_TIME_MEMBER)
    # What waits in community A: a case 12 days overdue and the demand most residents are behind.
    overdue = agenda_scene.case(cast, "和平小区3号楼下水道堵塞", overdue_days=12)
    demand = Demand.objects.create(title="老年助餐点", area=cast.community_a, beneficiary_count=32,
                                   description="独居老人吃饭难，希望就近开设助餐点。")
    return {"alliance": alliance, "clinic": clinic, "case": overdue, "demand": demand, "tmp": tmp_path}


def test_an_alliance_meeting_decides_and_the_unit_reports_it_done_on_a_phone(
        browser: Any, live_server: Any, cast: Cast, scene: dict[str, Any]) -> None:
    errors: list[str] = []
    url = live_server.url
    worker = phone_page(browser, cast.worker_a, live_server, errors)

    # 1. The alliance series: its first meeting is hosted by the rotation's first community.
    worker.goto(f"{url}/meetings/")
    fits(worker, "my meetings")
    worker.get_by_test_id("new-series").click()
    form = worker.get_by_test_id("series-form")
    form.wait_for()
    worker.select_option("#id_kind", MeetingKind.ALLIANCE)
    worker.select_option("#id_area", str(cast.community_a.pk))
    worker.select_option("#id_alliance", str(scene["alliance"].pk))
    worker.fill("#id_title", "和平安定党建轮值联席会议")
    starts = timezone.localtime(timezone.now() - timedelta(minutes=30)).replace(second=0, microsecond=0)
    worker.fill("#id_first_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    worker.fill("#id_place", "和平里社区党群服务中心")
    fits(worker, "the series form")
    shot(worker, "1-series-form")
    form.get_by_role("button", name="创建周期会议并安排第一次会议").click()
    worker.wait_for_load_state()
    worker.wait_for_selector("[data-testid=meeting-title]")
    meeting = Meeting.objects.get(series__title="和平安定党建轮值联席会议", number=1)
    assert meeting.kind == MeetingKind.ALLIANCE and meeting.alliance == scene["alliance"]
    assert meeting.series is not None and meeting.series.every_months == 2
    assert worker.url.rstrip("/").endswith(f"/meetings/{meeting.pk}")
    assert worker.get_by_test_id("meeting-host-area").inner_text().strip() == cast.community_a.name
    rotation = worker.get_by_test_id("rotation")
    assert rotation.inner_text().strip() == f"{cast.community_a.name} → {cast.community_b.name}"
    assert rotation.locator("strong").inner_text().strip() == cast.community_a.name
    invited = {(i.role, i.name) for i in meeting.invitations.all()}
    assert invited == {(Invitation.Role.UNIT, cast.member_unit.name), (Invitation.Role.UNIT, scene["clinic"].name),
                       (Invitation.Role.PART_TIME_MEMBER, "赵志刚")}
    shot(worker, "1-meeting")
    fits(worker, "the meeting page")

    # 2. The agenda, proposed from what waits, with the reasons.
    worker.get_by_test_id("agenda-edit").click()
    proposals = worker.get_by_test_id("proposal")
    proposals.first.wait_for()
    shown = {proposals.nth(i).locator("strong").inner_text().strip():
             proposals.nth(i).get_by_test_id("proposal-reason").inner_text().strip()
             for i in range(proposals.count())}
    assert shown.get("和平小区3号楼下水道堵塞") == "超期 12 天", shown
    assert shown.get("老年助餐点") == "32 位居民反映", shown
    fits(worker, "the agenda proposals")
    shot(worker, "2-proposals")
    worker.get_by_test_id("propose").click()
    worker.wait_for_selector("[data-testid=agenda-items]")
    items = worker.get_by_test_id("agenda-item")
    on_agenda = {items.nth(i).locator("strong").inner_text().strip():
                 items.nth(i).get_by_test_id("agenda-reason").inner_text().strip() for i in range(items.count())}
    assert on_agenda["和平小区3号楼下水道堵塞"] == "超期 12 天" and on_agenda["老年助餐点"] == "32 位居民反映"
    assert set(meeting.agenda_items.values_list("source", flat=True)) >= {AgendaItem.Source.OVERDUE_CASE,
                                                                          AgendaItem.Source.DEMAND}
    fits(worker, "the agenda")
    shot(worker, "2-agenda")

    # 3. Sign-in on phones: the liaison types the short code, the partner community's worker opens the QR link.
    worker.goto(f"{url}/meetings/{meeting.pk}/")
    box = worker.get_by_test_id("checkin-box")
    code = box.get_by_test_id("checkin-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code) and code == meeting.checkin_code
    assert worker.evaluate("document.querySelector('[data-testid=checkin-box] img.qr').naturalWidth") > 0
    qr_link = str(box.get_by_test_id("checkin-url").get_attribute("href"))
    assert qr_link.endswith(f"/meetings/checkin/{meeting.checkin_token}/")

    liaison = phone_page(browser, cast.liaison, live_server, errors)
    liaison.goto(f"{url}/meetings/")
    liaison.get_by_test_id("checkin-code-link").click()
    liaison.fill("#id_code", code)
    fits(liaison, "the sign-in code form")
    liaison.get_by_test_id("submit-code").click()
    liaison.wait_for_selector("[data-testid=checked-in]")
    assert cast.member_unit.name in liaison.get_by_test_id("checked-in").inner_text()
    fits(liaison, "the liaison signed in")
    shot(liaison, "3-liaison-signed-in")

    partner = phone_page(browser, cast.worker_b, live_server, errors)
    partner.goto(qr_link)
    partner.get_by_test_id("confirm-checkin").click()
    partner.wait_for_selector("[data-testid=checked-in]")
    assert cast.worker_b.display_name in partner.get_by_test_id("checked-in").inner_text()
    fits(partner, "the QR sign-in")

    worker.reload()
    seat = worker.locator("[data-testid=invitation]", has_text="赵志刚")
    seat.locator("input[name=reason]").fill("出差")
    seat.get_by_test_id("mark-absent").click()
    worker.wait_for_selector("[data-testid=absence-reason]")
    counts = worker.get_by_test_id("attendance-counts").inner_text()
    assert counts.strip() == "出席 2，缺席 1，未签到 1", counts
    attendance = {i.name: (i.attendance, i.absence_reason) for i in meeting.invitations.all()}
    assert attendance[cast.member_unit.name][0] == Invitation.Attendance.PRESENT
    assert attendance[cast.worker_b.display_name][0] == Invitation.Attendance.PRESENT
    assert attendance["赵志刚"] == (Invitation.Attendance.ABSENT, "出差")
    assert attendance[scene["clinic"].name][0] == Invitation.Attendance.INVITED
    fits(worker, "the attendance")
    shot(worker, "3-attendance")

    # 4. A resolution on the demand's item: the member unit's task, with a deadline.
    worker.goto(f"{url}/meetings/{meeting.pk}/agenda/")
    worker.locator("[data-testid=agenda-item]", has_text="老年助餐点").get_by_test_id("item-resolution").click()
    resolution_form = worker.get_by_test_id("resolution-form")
    resolution_form.wait_for()
    assert worker.input_value("#id_task") == "老年助餐点"
    worker.fill("#id_approach", "利用物业用房开设助餐点，物业负责场地改造，社区对接餐饮企业。")
    worker.fill("#id_task", TASK)
    resolution_form.get_by_label(cast.member_unit.name).check()
    due = timezone.localdate() + timedelta(days=30)
    worker.fill("#id_due_on", due.isoformat())
    fits(worker, "the resolution form")
    shot(worker, "4-resolution-form")
    resolution_form.get_by_role("button", name="保存决议").click()
    worker.wait_for_selector("[data-testid=resolution-status]")
    resolution = Resolution.objects.get(meeting=meeting)
    assert resolution.task == TASK and resolution.due_on == due and resolution.status == Resolution.Status.OPEN
    assert list(resolution.units.all()) == [cast.member_unit]
    assert resolution.demand_id == scene["demand"].pk
    assert worker.get_by_test_id("units").inner_text().strip() == cast.member_unit.name
    assert worker.get_by_test_id("due").inner_text().strip() == due.isoformat()
    fits(worker, "the resolution")
    shot(worker, "4-resolution")

    # 5. Held; the minutes written, signed off, and downloaded as .docx with the resolution.
    worker.goto(f"{url}/meetings/{meeting.pk}/")
    open_details(worker, "manage-meeting")
    worker.get_by_test_id("mark-held").click()
    worker.wait_for_selector("[data-testid=meeting-status]")
    assert worker.get_by_test_id("meeting-status").inner_text().strip() == "已召开"
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD
    worker.get_by_test_id("start-minutes").click()
    minutes_form = worker.get_by_test_id("minutes-form")
    minutes_form.wait_for()
    minutes_form.locator("[name=summary]").fill("会议讨论了下水道堵塞和老年助餐点两项议题，形成决议一项。")
    demand_item = meeting.agenda_items.get(source=AgendaItem.Source.DEMAND)
    minutes_form.locator(f"[name=item-{demand_item.pk}]").fill("与会单位同意利用物业用房开设助餐点。")
    fits(worker, "the minutes form")
    worker.get_by_test_id("save-minutes").click()
    worker.wait_for_selector("[data-testid=sign-off]")
    worker.get_by_test_id("sign-off").click()
    worker.wait_for_selector("[data-testid=minutes-resolutions]")
    assert worker.get_by_test_id("minutes-status").first.inner_text().strip() == "已审定"
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.SIGNED_OFF and minutes.version == 1
    table = worker.get_by_test_id("minutes-resolutions").inner_text()
    assert TASK in table and cast.member_unit.name in table
    fits(worker, "the signed-off minutes")
    shot(worker, "5-minutes")
    with worker.expect_download() as download_info:
        worker.get_by_test_id("minutes-docx").first.click()
    assert download_info.value.suggested_filename.endswith(".docx")
    docx_path = scene["tmp"] / "minutes.docx"
    download_info.value.save_as(docx_path)
    text = docx_text(docx_path)
    assert "会议纪要" in text and meeting.title in text
    assert TASK in text and cast.member_unit.name in text and due.isoformat() in text, text
    assert "老年助餐点" in text and "与会单位同意利用物业用房开设助餐点。" in text
    assert "赵志刚" in text and "出差" in text, text

    # 6. The series' next meeting: the next community's turn; its duty reports prefilled with the task.
    worker.goto(f"{url}/meetings/")
    worker.get_by_test_id("series").get_by_test_id("schedule-next").click()
    worker.wait_for_selector("[data-testid=meeting-title]")
    assert cast.community_b.name in flash(worker)
    following = Meeting.objects.get(series=meeting.series, number=2)
    assert following.area == cast.community_b and following.starts_at > timezone.now()
    assert worker.get_by_test_id("meeting-host-area").inner_text().strip() == cast.community_b.name
    assert worker.get_by_test_id("rotation").locator("strong").inner_text().strip() == cast.community_b.name
    worker.get_by_test_id("prepare-reports").click()
    worker.wait_for_selector("[data-testid=duty-column]")
    report = DutyReport.objects.get(meeting=following, unit=cast.member_unit)
    assert report.period_start == meeting.starts_at
    assert DutyReport.objects.filter(meeting=following, unit=scene["clinic"]).exists()
    column = worker.locator("[data-testid=duty-column]", has_text=cast.member_unit.name)
    assert TASK in column.inner_text()
    fits(worker, "the duty reports")
    shot(worker, "6-reports-prepared")

    # 7. The liaison's report: the task prefilled; marked done, submitted; then the resolution completed.
    liaison.goto(f"{url}/meetings/reports/")
    liaison.locator("[data-testid=report-row]", has_text=following.title).get_by_role("link").click()
    liaison.wait_for_selector("[data-testid=report-form]")
    task_item = liaison.locator("[data-testid=report-item][data-kind=resolution]", has_text=TASK)
    assert task_item.count() == 1
    summary = task_item.get_by_test_id("item-summary").inner_text()
    assert due.isoformat() in summary, summary
    item = DutyReportItem.objects.get(report=report, kind=DutyReportItem.Kind.RESOLUTION)
    assert item.source_key == f"meetings.resolution:{resolution.pk}" and not item.done
    fits(liaison, "the duty report")
    shot(liaison, "7-duty-report")
    task_item.locator("textarea").fill("助餐点场地已改造完成，12月1日起开餐，每天服务约40位老人。")
    task_item.locator("input[type=checkbox]").check()
    liaison.fill("#report-notes", "本期认领任务已全部完成。")
    liaison.get_by_test_id("submit-report").click()
    liaison.wait_for_selector("[data-testid=report-status]")
    assert "已提交" in liaison.get_by_test_id("report-status").inner_text()
    report.refresh_from_db()
    item.refresh_from_db()
    assert report.status == DutyReport.Status.SUBMITTED and report.submitted_by == cast.liaison
    assert item.done and "12月1日起开餐" in item.progress_note
    # Submitting the item marked done completes the resolution (the reports part calls do_complete_resolution, the
    # item's note as the evidence); the liaison sees it done on the resolution's page.
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE and resolution.completed_at is not None
    assert "12月1日起开餐" in resolution.evidence
    shot(liaison, "7-report-submitted")
    liaison.goto(f"{url}/meetings/resolutions/{resolution.pk}/")
    assert liaison.get_by_test_id("resolution-status").inner_text().strip() == "已完成"
    assert "12月1日起开餐" in liaison.get_by_test_id("evidence").inner_text()
    assert liaison.get_by_test_id("complete-form").count() == 0
    fits(liaison, "the completed resolution")
    shot(liaison, "7-resolution-done")

    # The next meeting's page shows the unit's submitted report side by side.
    worker.goto(f"{url}/meetings/{following.pk}/")
    column = worker.locator("[data-testid=duty-column]", has_text=cast.member_unit.name)
    assert column.get_by_test_id("duty-status").inner_text().strip() == "已提交"
    assert "12月1日起开餐" in column.inner_text()
    assert errors == []
