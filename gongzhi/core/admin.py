"""Django admin for superusers. Day-to-day edits go through the app's pages, which call actions.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .api_keys import forget_api_keys
from .models import (
    Alliance,
    ApiKey,
    Area,
    AuditEvent,
    CommitteeMembership,
    Grant,
    Household,
    ImportJob,
    LeadHousehold,
    Link,
    Notification,
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only actions write (audit, notifications, links): the admin reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "verb", "object_repr"]
    list_filter = ["verb"]
    search_fields = ["object_repr", "verb"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "active", "created_at", "last_used_at"]
    fields = ["name", "user", "active"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        transaction.on_commit(forget_api_keys)
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = ApiKey.issue(user=obj.user, name=obj.name)
        obj.pk = key.pk
        messages.warning(request, _("The new API key is shown only once: %(key)s") % {"key": raw})

    def delete_model(self, request: HttpRequest, obj: ApiKey) -> None:
        transaction.on_commit(forget_api_keys)
        super().delete_model(request, obj)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "verb", "text", "created_at", "read_at"]
    list_filter = ["verb"]
    search_fields = ["text"]


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ["kind", "from_type", "from_id", "to_type", "to_id", "created_by", "created_at"]
    list_filter = ["kind"]
