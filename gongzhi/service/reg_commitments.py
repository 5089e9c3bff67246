"""What the commitments part registers (called from gongzhi.service.registration): its hub card, audit verbs,
the nightly star recompute and the demo steps."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def commitments_card(user: Any) -> Any:
    """A member: this year's stars and pledges. Staff who manage a community: pledges to assess, the stars'
    distribution (a few bounded queries)."""
    from . import stars
    from .hub import Card
    from .models import Pledge, StarRating
    from .permissions import area_policy, own_member

    year = timezone.localdate().year
    lines: list[tuple[Any, Any]] = []
    links: list[tuple[Any, str]] = []
    member = own_member(user)
    if member is not None:
        rating = StarRating.objects.filter(party_member=member, year=year).order_by("-points").first()
        lines.append((_("My stars this year"), "★" * rating.stars if rating else _("not computed yet")))
        lines.append((_("My pledges this year"), Pledge.objects.filter(party_member=member, year=year).count()))
        links.append((_("My stars and their breakdown"), reverse("service:stars")))
        links.append((_("My pledges"), reverse("service:pledges")))
    community = area_policy.areas_where(user, "manage_service").filter(level="community").order_by("path").first() \
        if getattr(user, "is_authenticated", False) else None
    if community is not None:
        to_assess = Pledge.objects.filter(community=community, status=Pledge.Status.OPEN, year__lt=year).count()
        if timezone.localdate().month == 12:
            to_assess += Pledge.objects.filter(community=community, status=Pledge.Status.OPEN, year=year).count()
        lines.append((_("Pledges to assess"), to_assess))
        counts = stars.distribution(community, year)
        lines.append((_("Stars (1 to 5)"), " / ".join(str(n) for n in counts)))
        links.append((_("Assess pledges"), reverse("service:pledges") + f"?community={community.pk}&year={year - 1}"
                      if timezone.localdate().month != 12 else reverse("service:pledges")))
        links.append((_("Star ratings"), reverse("service:stars") + f"?community={community.pk}"))
        links.append((_("Posts and duties"), reverse("service:posts") + f"?community={community.pk}"))
    if not lines:
        return None
    return Card(key="commitments", title=_("Posts, pledges and stars"), url=reverse("service:stars"), lines=lines,
                links=links, order=20)


def register() -> None:
    from gongzhi.core.registry import registry

    from . import scheduled_commitments  # noqa: F401  (registers the nightly star recompute)
    from .demo_commitments import build_demo_commitments, build_demo_stars
    from .hub import add_card

    add_card(commitments_card)
    registry.demo_builder("service.commitments", build_demo_commitments, order=61)
    registry.demo_builder("service.stars", build_demo_stars, order=64)
    registry.verbs({
        "service.post.create": _("Created a post"),
        "service.post.update": _("Changed a post"),
        "service.post.assign": _("Assigned a party member to a post"),
        "service.post.end_term": _("Ended a post term early"),
        "service.pledge.create": _("Made a service pledge"),
        "service.pledge.update": _("Changed a service pledge"),
        "service.pledge.assess": _("Assessed a service pledge"),
        "service.stars.rule": _("Changed the star rules"),
        "service.stars.recompute": _("Recomputed the star ratings"),
        "service.stars.adjust": _("Adjusted a member's stars"),
    })
