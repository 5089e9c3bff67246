"""Every verb the code writes to the audit log has a name on the audit log page."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongzhi.appeals.views.common import VERB_LABELS as CASE_STEPS
from gongzhi.core.audit import log_event, registered_verbs, verb_label
from gongzhi.test import Cast

SOURCE = Path(__file__).resolve().parents[2]
# log_event(actor, "app.verb", ...) and the case steps, audited as appeals.<step> by _record(case, "step", ...)
LOGGED = re.compile(r"log_event\(\s*[^,()]+,\s*\"([a-z_.]+)\"")
STEPS = re.compile(r"_record\(\s*\w+,\s*\"([a-z_]+)\"")


def written_verbs() -> set[str]:
    verbs: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        verbs |= set(LOGGED.findall(text))
        verbs |= {f"appeals.{step}" for step in STEPS.findall(text)}
    return verbs


def test_every_written_verb_has_a_chinese_name() -> None:
    verbs = written_verbs()
    assert len(verbs) > 40, verbs  # the scan finds them (it would pass vacuously if the patterns broke)
    assert {"appeals.dispatch", "intelligence.finish_training_job", "lists.create_demand"} <= verbs
    assert not verbs - registered_verbs(), sorted(verbs - registered_verbs())
    assert {f"appeals.{step}" for step in CASE_STEPS} <= registered_verbs()
    with translation.override("zh-hans"):
        unnamed = sorted(v for v in verbs if not re.search(r"[\u4e00-\u9fff]", verb_label(v)))
    assert not unnamed, unnamed


def test_the_audit_log_page_names_other_apps_verbs(cast: Cast, client: Client) -> None:
    log_event(cast.city_admin, "appeals.routing_rule.create", cast.community_a, area=cast.community_a)
    client.force_login(cast.city_admin)
    html = client.get(reverse("core:audit_log")).content.decode()
    assert "新增派单规则" in html and "appeals.routing_rule.create" not in html.split("<tbody", 1)[-1]
