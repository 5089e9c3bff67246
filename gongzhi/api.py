"""The JSON API root: each app registers its routers (`registry.api_router`). OpenAPI docs at /api/docs.

Every error is JSON in Chinese (`gongzhi.core.api_errors`, the contract in docs/architecture.md, "Hardening: the
API's answers"), and every operation's OpenAPI entry lists its error answers.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from gongzhi.core import api_errors
from gongzhi.core.registry import registry

api = NinjaAPI(
    title="共治 Gongzhi API",
    version="1",
    description=(
        "党建引领基层治理平台接口。所有接口按当前用户的授权范围返回数据。"
        "出错时一律返回 JSON：{\"detail\": \"中文说明\", \"field\": 出错字段, \"errors\": [逐项校验错误]}；"
        "400 请求无法执行，401 未登录，403 无权限或 CSRF 校验失败，404 不存在或无权查看，409 与当前状态冲突，"
        "422 参数校验不通过，429 请求过于频繁。使用会话登录时，写操作须在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值。"
    ),
    auth=django_auth,
    urls_namespace="api",
)
api_errors.install(api)

# Every app's routers, as their AppConfig.ready() registered them.
for item in registry.api_routers:
    api.add_router(item.prefix, item.router, tags=list(item.tags))

api_errors.add_error_responses(api)
