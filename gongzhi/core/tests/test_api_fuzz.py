"""Issue 17, reliability: schemathesis fuzzes every operation of /api/openapi.json as an anonymous caller, a
resident, a community worker and an administrator: no answer is a 5xx, and every answer (status, content type,
body) is one the document declares. On the test cast plus a few appeals and a whistle, in the test database,
so the fuzzer's writes harm nothing. Few examples per operation here (FUZZ_EXAMPLES); bench/fuzz_api.py runs
many more and prints its figures."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application

pytest.importorskip("schemathesis")

from gongzhi.fuzz import fuzz, identity_for, load_schema  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "2"))


@pytest.fixture
def city(cast: Any, settings: Any, tmp_path: Any) -> Any:
    """The cast with something to find: appeals waiting, dispatched and answered, a whistle."""
    from gongzhi.appeals import actions
    from gongzhi.appeals.models import Category

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    leaf = Category.objects.get(name="垃圾清运")
    for title in ("垃圾没人清", "路灯不亮", "楼道堆物"):
        appeal = actions.do_submit_appeal(acting_user=cast.resident_user, title=title, body=f"{title}，请尽快处理",
                                          callback_phone="13800138000", area=cast.building_a)
    assert appeal.case is not None
    actions.do_dispatch_case(appeal.case, acting_user=cast.worker_a, lead_unit=cast.department, category=leaf)
    actions.do_whistle(acting_user=cast.worker_a, title="小区污水外溢", area=cast.estate_a, units=[cast.department])
    return cast


@pytest.mark.parametrize("who", ["anonymous", "resident_user", "worker_a", "city_admin"])
def test_fuzzing_the_api_finds_no_server_error_and_nothing_undocumented(city: Any, who: str) -> None:
    app = get_wsgi_application()
    identity = identity_for(None if who == "anonymous" else getattr(city, who), who)
    report = fuzz(app, [identity], max_examples=FUZZ_EXAMPLES, schema=load_schema(app))
    assert report.operations >= 60 and report.requests >= report.operations
    assert not report.failures, report.summary()
