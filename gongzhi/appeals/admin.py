from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gongzhi.core.admin import PersonalDataAdminMixin

from .models import (
    Appeal,
    Case,
    CaseEvent,
    Category,
    RatesConfig,
    ReplyTemplate,
    RoutingRule,
    TimeLimitPolicy,
    Whistle,
    WhistleReport,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "level", "code", "time_limit_kind", "active"]
    list_filter = ["level", "time_limit_kind", "active"]
    search_fields = ["name", "code"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "accept_minutes", "response_hours", "handle_hours"]


@admin.register(RatesConfig)
class RatesConfigAdmin(admin.ModelAdmin):
    list_display = ["response_weight", "resolution_weight", "satisfaction_weight", "updated_at"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "area", "lead_unit", "active"]
    filter_horizontal = ["assist_units"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Cases, appeals and whistles change only through actions; the admin only reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "status", "lead_unit", "due_at", "created_at"]
    list_filter = ["status", "urgency", "time_limit_kind"]
    search_fields = ["title"]


@admin.register(Appeal)
class AppealAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    personal_fields = ("address", "callback_name")  # the callback phone is left out of the page
    list_display = ["tracking_code", "title", "channel", "appeal_type", "case", "created_at"]
    list_filter = ["channel", "appeal_type"]
    search_fields = ["tracking_code", "title", "source_ref"]
    exclude = ["callback_phone"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "verb", "actor", "created_at"]
    list_filter = ["verb"]


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ["title", "whistler_area", "urgent", "status", "report_deadline"]


@admin.register(WhistleReport)
class WhistleReportAdmin(ReadOnlyAdmin):
    list_display = ["whistle", "unit", "reported_at", "done_at", "rating"]
