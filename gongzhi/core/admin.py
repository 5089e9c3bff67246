"""Django admin for superusers. Day-to-day edits go through the app's pages, which call actions.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .actions import do_grant_role, do_record_admin_view, do_revoke_role
from .api_keys import forget_api_keys
from .errors import ActionError
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


class PersonalDataAdminMixin(admin.ModelAdmin):
    """For admin classes whose change page shows personal data in full (`personal_fields`): every time one
    record's page is shown, an audit event is written, as when a page reveals it (core.pii.reveal)."""

    personal_fields: tuple[str, ...] = ()

    def personal_data_area(self, obj: Any) -> Area | None:
        return getattr(obj, "area", None)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and request.user.is_authenticated:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                do_record_admin_view(obj, acting_user=request.user, fields=self.personal_fields,  # type: ignore[arg-type]
                                     area=self.personal_data_area(obj))
        return response


class GrantInline(admin.TabularInline):
    """A user's roles. Saved through the actions (`do_grant_role`, `do_revoke_role`: the higher-role rule and an
    audit event each); read-only on one's own user page, since nobody grants themselves anything."""

    model = Grant
    extra = 0
    autocomplete_fields = ["area", "unit"]

    def _own(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and obj.pk == request.user.pk

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_delete_permission(request, obj)


# Fields by which a user account gains rights; never editable on one's own account.
RIGHTS_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(PersonalDataAdminMixin, BaseUserAdmin):
    personal_fields = ("phone",)
    list_display = ["username", "display_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "display_name"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("共治", {"fields": ["display_name", "phone"]}))
    inlines = [GrantInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [f for f in RIGHTS_FIELDS if f not in fields]
        elif not getattr(request.user, "is_superuser", False) and "is_superuser" not in fields:
            fields.append("is_superuser")
        return fields

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Grant:
            super().save_formset(request, form, formset, change)
            return
        acting: User = request.user  # type: ignore[assignment]
        grants = formset.save(commit=False)
        try:
            with transaction.atomic():
                for grant in formset.deleted_objects:
                    do_revoke_role(grant, acting_user=acting)
                for grant in grants:
                    if grant.pk is not None:  # a changed row: take the old role back, grant the new one
                        do_revoke_role(Grant.objects.get(pk=grant.pk), acting_user=acting)
                    do_grant_role(form.instance, role=grant.role, area=grant.area, unit=grant.unit,
                                  acting_user=acting)
        except (PermissionDenied, ActionError) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))


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
class ResidentAdmin(PersonalDataAdminMixin):
    personal_fields = ("phone", "id_number", "address")
    list_display = ["name", "gender", "area"]
    search_fields = ["name"]
    raw_id_fields = ["area", "household", "user"]


@admin.register(PartyMember)
class PartyMemberAdmin(PersonalDataAdminMixin):
    personal_fields = ("phone", "id_number")

    def personal_data_area(self, obj: PartyMember) -> Area | None:
        return obj.home_area
    list_display = ["name", "home_area", "in_service", "work_unit"]
    list_filter = ["in_service"]
    search_fields = ["name"]
    raw_id_fields = ["home_area", "party_org", "work_unit", "resident", "user"]


@admin.register(Household)
class HouseholdAdmin(PersonalDataAdminMixin):
    personal_fields = ("address",)

    def personal_data_area(self, obj: Household) -> Area | None:
        return obj.building


for model in (Alliance, CommitteeMembership, LeadHousehold, Registration):
    admin.site.register(model)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only actions write (audit, notifications, links): the admin reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Jobs are made by the upload pages; their file (a roster with full personal data) is never offered here,
    and is deleted once the job has run."""

    list_display = ["created_at", "kind", "status", "created_by", "scope_area"]
    list_filter = ["kind", "status"]
    exclude = ["file"]


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
