"""Volunteers' profiles: the volunteer creates and edits their own (the ID number masked, kept when sent back
masked), staff of the community edit it and list the community's volunteers with their hours; another community is
404, a volunteer editing someone else's 404; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEvent
from gongzhi.service.actions import members as actions
from gongzhi.service.models import VolunteerProfile
from gongzhi.test import Cast

from .members_scene import serve

pytestmark = pytest.mark.django_db
ID_NUMBER = "110101199003077571"


def _client(user):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_a_volunteer_keeps_their_profile(cast: Cast) -> None:
    me = _client(cast.volunteer)
    page = me.get(reverse("service:volunteer_me"))
    assert page.status_code == 200 and page.context["profile"] is None
    saved = me.post(reverse("service:volunteer_me"), {"skills": "助老、摄影", "availability": "周末",
                                                      "organisation": "和平里志愿服务队", "id_number": ID_NUMBER})
    assert saved.status_code == 302
    profile = VolunteerProfile.objects.get(user=cast.volunteer)
    assert profile.community == cast.community_a and profile.id_number == ID_NUMBER
    html = me.get(reverse("service:volunteer_me")).content.decode()
    assert "110***********7571" in html and ID_NUMBER not in html
    event = AuditEvent.objects.get(verb="service.volunteer.update")
    assert ID_NUMBER not in str(event.after)
    # The masked value sent back keeps the number; a bad number changes nothing.
    assert me.post(reverse("service:volunteer_me"), {"skills": "助老", "id_number": "110***********7571"}).status_code == 302
    profile.refresh_from_db()
    assert profile.id_number == ID_NUMBER and profile.skills == "助老"
    bad = me.post(reverse("service:volunteer_me"), {"skills": "改了", "id_number": "110101199003077578"})
    assert bad.status_code == 400
    too_long = me.post(reverse("service:volunteer_me"), {"skills": "长" * 201})
    assert too_long.status_code == 400
    profile.refresh_from_db()
    assert profile.skills == "助老" and profile.id_number == ID_NUMBER


def test_staff_list_and_edit_the_community_s_volunteers(cast: Cast) -> None:
    profile = actions.do_update_volunteer_profile(None, acting_user=cast.volunteer, user=cast.volunteer,
                                                  community=cast.community_a, skills="助老", id_number=ID_NUMBER)
    serve(cast.volunteer, cast.community_a, days_ago=2, minutes=150)
    worker = _client(cast.worker_a)
    listing = worker.get(reverse("service:volunteers"))
    assert listing.status_code == 200
    assert [(p.user, str(p.hours)) for p in listing.context["profiles"]] == [(cast.volunteer, "2.50")]
    assert ID_NUMBER not in listing.content.decode()
    url = reverse("service:volunteer", args=[profile.pk])
    assert worker.post(url, {"skills": "助老、心理疏导", "availability": "工作日晚上", "organisation": "",
                             "id_number": ""}).status_code == 302
    profile.refresh_from_db()
    assert profile.skills == "助老、心理疏导" and profile.id_number == ID_NUMBER
    assert _client(cast.worker_b).get(url).status_code == 404
    assert _client(cast.worker_b).post(url, {"skills": "x"}).status_code == 404
    assert _client(cast.resident_user).post(url, {"skills": "x"}).status_code == 404
    assert _client(cast.subdistrict_staff_a).get(url).status_code == 200
    assert _client(cast.district_admin).post(url, {"skills": "区里改"}).status_code == 302
    assert _client(cast.worker_b).get(reverse("service:volunteers")).context["profiles"] == []
    profile.refresh_from_db()
    assert profile.skills == "区里改"
    # A volunteer without staff roles lands on their own profile.
    assert _client(cast.volunteer).get(reverse("service:volunteers")).status_code == 302
