"""The JSON API root: each app registers its routers (`registry.api_router`). OpenAPI docs at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from gongzhi.core.errors import ActionError
from gongzhi.core.registry import registry

api = NinjaAPI(
    title="共治 Gongzhi API",
    version="1",
    description="党建引领基层治理平台接口。所有接口按当前用户的授权范围返回数据。",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "您没有权限执行此操作。"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到该对象，或您无权查看。"}, status=404)


# Every app's routers, as their AppConfig.ready() registered them.
for item in registry.api_routers:
    api.add_router(item.prefix, item.router, tags=list(item.tags))
