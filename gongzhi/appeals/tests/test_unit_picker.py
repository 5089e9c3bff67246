"""The dispatch form's unit pickers: grouped by kind and district, the usual units of the category first,
searchable, and assisting units chosen with checkboxes (no multi-select box, which a phone cannot use)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gongzhi.appeals import actions
from gongzhi.core import actions as core_actions
from gongzhi.core.models import Unit

from .conftest import AppealsCast, submit

pytestmark = pytest.mark.django_db


def _dispatch_form(html: str) -> str:
    match = re.search(r'<form method="post" action="[^"]*/dispatch/".*?</form>', html, re.S)
    assert match is not None
    return match.group(0)


def test_the_usual_units_come_first_and_the_rest_are_grouped(cast: Any, ac: AppealsCast) -> None:
    actions.do_create_routing_rule(acting_user=None, lead_unit=ac.department2, category=ac.leaf)
    school = core_actions.do_create_unit(acting_user=None, area=cast.community_a, name="和平里小学",
                                         kind=Unit.Kind.SCHOOL)
    appeal = submit(cast)
    assert appeal.case is not None
    actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=ac.department2, category=ac.leaf)
    second = submit(cast, title="垃圾又没人清", category=ac.leaf)
    assert second.case is not None
    client = Client()
    client.force_login(cast.worker_a)
    response = client.get(f"/appeals/cases/{second.case.pk}/", {})
    html = _dispatch_form(response.content.decode())
    assert "<select multiple" not in html and 'multiple' not in re.sub(r"<option[^>]*>", "", html)
    groups = re.findall(r'<optgroup label="([^"]+)"', html)
    assert groups[0] == "本分类常用单位"
    assert "职能部门 · 东城区" in groups and "学校 · 东城区" in groups
    first_group = html.split('<optgroup label="本分类常用单位"', 1)[1].split("</optgroup>", 1)[0]
    assert ac.department2.name in first_group
    assert re.search(rf'<option value="{ac.department2.pk}" data-filter-item selected>', html)
    assert html.count(f'<option value="{ac.department2.pk}" data-filter-item') == 1  # not again in its kind's group
    assert html.count(f'name="assist_units" value="{ac.department2.pk}"') == 1
    assert f'type="checkbox" name="assist_units" value="{school.pk}"' in html
    assert 'data-filter-input="id_lead_unit"' in html and 'data-filter-input="id_assist_units-list"' in html


def test_assisting_units_chosen_with_checkboxes_are_dispatched(cast: Any, ac: AppealsCast) -> None:
    appeal = submit(cast)
    assert appeal.case is not None
    client = Client()
    client.force_login(cast.worker_a)
    response = client.post(f"/appeals/cases/{appeal.case.pk}/dispatch/", {
        "category": ac.leaf.pk, "lead_unit": cast.department.pk, "assist_units": [ac.department2.pk, cast.member_unit.pk],
        "urgency": "normal", "version": appeal.case.version,
    })
    assert response.status_code == 302
    roles = set(appeal.case.assignments.values_list("unit_id", "role"))
    assert roles == {(cast.department.pk, "lead"), (ac.department2.pk, "assist"), (cast.member_unit.pk, "assist")}
