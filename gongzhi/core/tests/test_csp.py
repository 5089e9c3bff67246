"""The content security policy (django-csp, settings.CONTENT_SECURITY_POLICY): `default-src 'self'` and nothing
inline. Every template is scanned for inline scripts, styles, style attributes and event handlers, and the main
pages are opened in Debian's Chromium, which reports any violation (`securitypolicyviolation`, console errors);
the charts must still be drawn (screenshots in GONGZHI_SHOTS_DIR)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals.models import Appeal, Category
from gongzhi.test import DESKTOP, SHOTS, signed_in

TEMPLATE_ROOT = Path(settings.BASE_DIR)
# <script> without src other than json_script's data blocks, <style>, style="…", onclick= and the like, hx-on.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "inline style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute (evaluated code)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_carries_inline_script_or_style() -> None:
    found = []
    for path in sorted(TEMPLATE_ROOT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATE_ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_every_page_is_served_with_the_policy(client: Any, db: Any) -> None:
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


# Listens before any page script runs; the browser fires the event for every blocked script, style or handler.
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.add_init_script(COLLECT)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def _visit(page: Any, url: str, problems: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), url
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # htmx and ECharts start after load; violations are reported asynchronously
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__csp"))


def _submit(cast: Any, title: str, body: str, area: Any, phone: str) -> Appeal:
    return appeals_actions.do_submit_appeal(acting_user=None, title=title, body=body, callback_phone=phone,
                                            area=area, system=True)


def _followed_up_case(cast: Any, phone: str) -> None:
    appeal = _submit(cast, "垃圾没人清", "小区门口垃圾三天没清运了", cast.building_a, phone)
    assert appeal.case is not None
    case = appeals_actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department,
                                            category=Category.objects.get(name="垃圾清运"))
    lead = case.assignments.get(role="lead")
    appeals_actions.do_accept_assignment(lead, acting_user=cast.handler)
    case.refresh_from_db()
    appeals_actions.do_reply_case(case, acting_user=cast.handler, body="已清运完毕")
    case.refresh_from_db()
    # Recorded as the follow-up desk (the system): dispatchers no longer record follow-ups (issue 17, finding 1).
    appeals_actions.do_follow_up_case(case, acting_user=None, contacted=True, solved=True,
                                      satisfaction="satisfied")


@pytest.mark.django_db(transaction=True)
def test_the_main_pages_break_no_rule_of_the_policy(browser: Any, live_server: Any, cast: Any) -> None:
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, (title, area) in enumerate([("和平小区路灯坏了", cast.building_a), ("小区路灯不亮", cast.estate_a),
                                       ("路灯坏了没人修", cast.grid_a)]):
        _submit(cast, title, f"和平小区1号楼前的路灯坏了好几天，晚上很黑，请尽快修理路灯。{i}", area,
                f"1380000000{i}")
    _followed_up_case(cast, "13900000001")
    case_id = Appeal.objects.filter(title="和平小区路灯坏了").values_list("case_id", flat=True).get()
    problems: list[str] = []

    anonymous = browser.new_context(**DESKTOP).new_page()
    problems += _watch(anonymous)
    for url in ("/accounts/login/", "/appeals/submit/", "/appeals/track/"):
        _visit(anonymous, live_server.url + url, problems)

    worker = signed_in(browser, live_server, cast.worker_a, **DESKTOP)
    problems += _watch(worker)
    for url in ("/", f"/appeals/cases/{case_id}/", "/appeals/", "/areas/", "/lists/demands/"):
        _visit(worker, live_server.url + url, problems)
    # The status filter submits itself (data-autosubmit in gongzhi.js, no onchange attribute).
    _visit(worker, live_server.url + "/lists/projects/", problems)
    worker.select_option("#status", index=1)
    worker.wait_for_url("**/lists/projects/?status=*")
    _visit(worker, live_server.url + "/intelligence/hot/", problems)
    chart = worker.locator("#hot-chart")
    assert chart.locator("canvas").count() >= 1, "the hot-issue chart was not drawn"
    chart.hover()  # the tooltip renders inside the canvas (renderMode richText), not as HTML with style attributes
    worker.wait_for_timeout(300)
    worker.screenshot(path=str(SHOTS / "csp-hot-issues.png"), full_page=True)
    problems.extend(f"hot hover: {v}" for v in worker.evaluate("window.__csp"))

    _visit(worker, live_server.url + "/appeals/rates/", problems)
    bars = worker.locator("#chart-departments")
    assert bars.locator("canvas").count() >= 1, "the ranking chart was not drawn"
    bars.hover()
    worker.wait_for_timeout(300)
    worker.screenshot(path=str(SHOTS / "csp-rates.png"), full_page=True)
    problems.extend(f"rates hover: {v}" for v in worker.evaluate("window.__csp"))

    admin = signed_in(browser, live_server, cast.city_admin, **DESKTOP)
    problems += _watch(admin)
    for url in ("/appeals/config/", "/appeals/config/routing/", "/intelligence/classifier/",
                "/appeals/config/time-limits/"):
        _visit(admin, live_server.url + url, problems)
    # data-confirm asks before a destructive button submits (no onclick attribute); dismissed, nothing is sent.
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    admin.once("dialog", dismiss)
    admin.locator("button[name=restore]").click()
    admin.wait_for_timeout(300)
    assert asked and "北京" in asked[0] and not admin.locator(".messages").count()
    problems.extend(f"time limits: {v}" for v in admin.evaluate("window.__csp"))

    # Django's admin and the API's documentation page (django-ninja's own Swagger files) live under the policy too.
    root = signed_in(browser, live_server, cast.superuser, **DESKTOP)
    problems += _watch(root)
    for url in ("/admin/", f"/admin/core/resident/{cast.resident_a.pk}/change/", "/api/docs"):
        _visit(root, live_server.url + url, problems)
    assert not problems, "\n".join(problems)
