"""Run with the PREVIOUS code (before issue 16) after `gongzhi demo --train-classifier`: adds what the demo alone
lacks so that a migration check sees every kind of row that moved (stored suggestions, an auto-dispatched case,
an API key, a demand and a monthly theme with appeals). Used by the migration check in docs/benchmarks.md."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from gongzhi.appeals import actions  # noqa: E402
from gongzhi.appeals.models import ApiKey, Appeal, Case, Notification  # noqa: E402
from gongzhi.core.models import Area, User  # noqa: E402
from gongzhi.lists import actions as list_actions  # noqa: E402

admin = User.objects.get(username="city_admin")
actions.do_configure_auto_dispatch(acting_user=None, threshold=0.6)
building = Area.objects.filter(level="building").order_by("path").first()
for title, body in [("小区门口垃圾三天没人清运", "垃圾桶满了，臭气熏天，希望尽快清运"),
                    ("施工工地夜间噪音扰民", "晚上十一点以后还在施工，噪音很大，影响休息"),
                    ("路灯不亮", "小区东门路灯坏了一个星期，晚上出行不便")]:
    actions.do_submit_appeal(acting_user=None, system=True, title=title, body=body,
                             callback_phone="10012345678", area=building)
ApiKey.issue(user=admin, name="热线系统")
appeals = list(Appeal.objects.filter(area__path__startswith=building.path).order_by("pk")[:3])
community = Area.objects.get(pk__in=building.ancestor_ids(), level="community")
subdistrict = Area.objects.get(pk=community.parent_id)
list_actions.do_create_demand(acting_user=admin, area=community, title="路灯维修", description="热点转需求",
                              source="hot_issue", source_ref=appeals[0].title, appeal_ids=[a.pk for a in appeals])
list_actions.do_propose_monthly_theme(acting_user=admin, area=subdistrict, month=timezone.localdate().replace(day=1),
                                      title="夜间施工噪音", source_summary="3件", appeal_ids=[a.pk for a in appeals])
print("appeals", Appeal.objects.count(), "with suggestions", Appeal.objects.exclude(suggestions=[]).count(),
      "auto_dispatched", Case.objects.filter(auto_dispatched=True).count(), "notifications", Notification.objects.count(),
      "api_keys", ApiKey.objects.count())
