"""What the members part registers (called from gongzhi.service.registration): its hub card, audit verbs and demo
steps. `registration_tasks` (registrations awaiting confirmation, for community staff) is written here for the
lead to register with the home page's tasks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card


def _pending_for_staff(user: Any) -> Any:
    """Pending registrations at the communities the user confirms (community workers and up)."""
    from gongzhi.core.models import Registration
    from gongzhi.core.permissions import MANAGE_ROLES
    from gongzhi.core.policy import is_superuser, path_q, scope_paths

    qs = Registration.objects.filter(status=Registration.Status.PENDING)
    if is_superuser(user):
        return qs
    paths = scope_paths(user, MANAGE_ROLES)
    return qs.filter(path_q(paths, "community__path")) if paths else None


def registration_tasks(user: Any) -> list[Task]:
    """Community staff: registrations awaiting confirmation (one item: the list filtered to pending)."""
    if not is_active_user(user):
        return []
    qs = _pending_for_staff(user)
    if qs is None:
        return []
    count = capped_count(qs)
    return [Task("service.registrations_pending", _("Registrations awaiting confirmation"), count,
                 reverse("service:registrations") + "?status=pending", "soon" if count else "")]


def members_card(user: Any) -> Card | None:
    """A member: their registration status and their year; staff: pending registrations; a liaison: its reports."""
    from django.utils import timezone

    from gongzhi.core.models import Registration, Role
    from gongzhi.core.policy import has_role

    from .permissions import liaison_unit_ids, own_member

    if not is_active_user(user):
        return None
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = []
    member = own_member(user)
    if member is not None:
        regs = list(Registration.objects.filter(party_member=member).select_related("community")
                    .order_by("registered_at")[:3])
        for r in regs:
            lines.append((r.community.name, r.get_status_display()))
        if not regs:
            lines.append((_("Registration"), _("Not registered yet")))
        links.append((_("My service this year (%(year)d)") % {"year": timezone.localdate().year},
                      reverse("service:member_year", args=[member.pk])))
    pending = _pending_for_staff(user)
    if pending is not None:
        lines.append((_("Awaiting confirmation"), capped_count(pending)))
        links += [(_("Registered members"), reverse("service:members")),
                  (_("Reports to the units"), reverse("service:reports")),
                  (_("Volunteers"), reverse("service:volunteers"))]
    if liaison_unit_ids(user):
        links += [(_("Your unit's members"), reverse("service:members")),
                  (_("Reports sent to your unit"), reverse("service:reports"))]
    volunteer = has_role(user, {Role.VOLUNTEER})
    if member is not None or volunteer:
        links.append((_("My volunteer profile and certificates"), reverse("service:volunteer_me")))
    if member is None and pending is None and not volunteer and not liaison_unit_ids(user):
        return None
    return Card("members", _("Registration (双报到)"), reverse("service:registrations"), lines=lines, links=links,
                order=10)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_members import build_demo_members, build_demo_records

    add_card(members_card)
    registry.demo_builder("service.members", build_demo_members, order=60)
    registry.demo_builder("service.records", build_demo_records, order=65)
    registry.verbs({
        "service.registration.register": _("Registered at a community (awaiting confirmation)"),
        "service.registration.reopen": _("Registered again after a decline"),
        "service.registration.confirm": _("Confirmed a registration"),
        "service.registration.decline": _("Declined a registration"),
        "service.report.send": _("Sent the yearly service report to a unit"),
        "service.certificate.issue": _("Issued a service certificate"),
        "service.certificate.download": _("Downloaded a service certificate"),
        "service.volunteer.update": _("Updated a volunteer profile"),
        "service.volunteer.export": _("Exported volunteers' hours"),
    })
