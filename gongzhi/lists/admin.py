from __future__ import annotations

from django.contrib import admin

from .models import Demand, MonthlyTheme


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ("title", "area", "source", "status", "created_at")
    list_filter = ("source", "status")
    search_fields = ("title",)
    readonly_fields = ("appeal_ids", "created_by", "created_at")


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(admin.ModelAdmin):
    list_display = ("month", "title", "area", "status")
    list_filter = ("status",)
    readonly_fields = ("appeal_ids", "proposed_by", "created_at")
