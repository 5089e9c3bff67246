"""Django admin for superusers. Day-to-day edits go through the app's pages, which call actions.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from .models import (
    Alliance,
    Area,
    AuditEvent,
    CommitteeMembership,
    Grant,
    Household,
    ImportJob,
    LeadHousehold,
    PartyMember,
    PartyOrg,
    Registration,
    Resident,
    Unit,
    User,
)


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0
    autocomplete_fields = ["area", "unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "display_name"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("共治", {"fields": ["display_name", "phone"]}))
    inlines = [GrantInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "code", "province"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    raw_id_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["area"]


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["area", "parent"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "area"]
    search_fields = ["name"]
    raw_id_fields = ["area", "household", "user"]


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "home_area", "in_service", "work_unit"]
    list_filter = ["in_service"]
    search_fields = ["name"]
    raw_id_fields = ["home_area", "party_org", "work_unit", "resident", "user"]


for model in (Alliance, Household, CommitteeMembership, LeadHousehold, Registration, ImportJob):
    admin.site.register(model)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "object_repr"]
    list_filter = ["verb"]
    search_fields = ["object_repr", "verb"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
