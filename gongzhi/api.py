"""The JSON API root: each app adds its router here. OpenAPI docs at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from gongzhi.appeals.api import router as appeals_router
from gongzhi.appeals.api_config import router as appeals_config_router
from gongzhi.core.api import router as core_router
from gongzhi.core.api_rosters import router as rosters_router
from gongzhi.core.errors import ActionError
from gongzhi.intelligence.api import router as intelligence_router
from gongzhi.intelligence.api_hot import hot_router

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


api.add_router("/core/", core_router, tags=["组织架构"])
api.add_router("/rosters/", rosters_router, tags=["名册导入导出"])
api.add_router("/appeals/config/", appeals_config_router, tags=["接诉即办设置"])
api.add_router("/appeals/", appeals_router, tags=["接诉即办"])
api.add_router("/intelligence/", intelligence_router, tags=["智能分派"])
api.add_router("/intelligence/hot/", hot_router, tags=["热点"])
