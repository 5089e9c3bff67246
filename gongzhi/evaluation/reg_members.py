"""What the members part registers (called from gongzhi.evaluation.registration): its hub card, audit verbs, the
daily title-only check, the committee page's panel and the demo step. `flag_tasks` (open flags to review, for the
subdistrict) is written here for the lead to register with the home page's tasks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paging import capped_count
from gongzhi.core.policy import is_active_user
from gongzhi.core.registry import Task

from .hub import Card, add_card

DAY = 24 * 3600


def _open_to_review(user: Any) -> Any:
    """Open flags where the user reviews (subdistrict staff and up); None for other roles."""
    from .models import TitleOnlyFlag
    from .permissions import flag_policy

    if not flag_policy.can_somewhere(user, "review"):
        return None
    from gongzhi.core.policy import is_superuser, path_q, scope_paths

    qs = TitleOnlyFlag.objects.filter(status=TitleOnlyFlag.Status.OPEN)
    if is_superuser(user):
        return qs
    return qs.filter(path_q(scope_paths(user, flag_policy.rules["review"]), "community__path"))


def flag_tasks(user: Any) -> list[Task]:
    """The subdistrict: title-only flags waiting for review (one item: the list filtered to open)."""
    if not is_active_user(user):
        return []
    qs = _open_to_review(user)
    if qs is None:
        return []
    count = capped_count(qs)
    return [Task("evaluation.flags_open", _("Title-only flags to review"), count,
                 reverse("evaluation:flags") + "?status=open", "soon" if count else "")]


def members_card(user: Any) -> Card | None:
    """The subdistrict: flags to review; the community: its flags; a liaison: the removals of its unit's members."""
    from gongzhi.core.permissions import liaison_unit_ids

    from .models import TitleOnlyFlag
    from .permissions import flag_policy

    if not is_active_user(user) or not flag_policy.can_somewhere(user, "browse"):
        return None
    url = reverse("evaluation:flags")
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = []
    to_review = _open_to_review(user)
    if to_review is not None:
        lines.append((_("Flags to review"), capped_count(to_review)))
        links.append((_("Review the flags"), url + "?status=open"))
    elif liaison_unit_ids(user) and not flag_policy.can_somewhere(user, "review"):
        removed = flag_policy.visible_to(user).filter(status=TitleOnlyFlag.Status.REMOVED)
        lines.append((_("Your unit's members removed"), capped_count(removed)))
    else:
        lines.append((_("Open flags"), capped_count(flag_policy.visible_to(user).filter(
            status=TitleOnlyFlag.Status.OPEN))))
    links.append((_("All flags"), url))
    return Card("members", _("Part-time committee members (兼职委员)"), url, lines=lines, links=links, order=30)


def register() -> None:
    from gongzhi.core.registry import registry

    from .demo_members import build
    from .members_check import daily_check
    from .views.members import committee_panel

    add_card(members_card)
    registry.scheduled(DAY)(daily_check)
    registry.panel("core.party_org", "evaluation.title_only", committee_panel, order=60)
    registry.demo_builder("evaluation.members", build, order=72)
    registry.verbs({
        "evaluation.flag": _("Flagged a part-time committee member as possibly title-only"),
        "evaluation.check": _("Ran the title-only check"),
        "evaluation.keep_member": _("Kept a flagged part-time committee member"),
        "evaluation.remove_member": _("Removed a part-time committee member (title only)"),
        "evaluation.letter_download": _("Downloaded a removal letter"),
    })
