"""Read-side helpers on posts (设岗定责) for other apps: who holds a post of a given name at a community today.

The disputes app reads the holders of the mediator post (矛盾调解员) to offer them as mediators."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.core.models import Area, User

from .models import PostTerm

MEDIATOR_POST = "矛盾调解员"


def post_holder_users(community: Area, name: str, *, on: date | None = None) -> QuerySet[User]:
    """Active accounts of the party members holding an active post called `name` at `community` on the day."""
    day = on or timezone.localdate()
    terms = PostTerm.objects.filter(post__community=community, post__name=name, post__active=True,
                                    starts_on__lte=day, ends_on__gte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    return User.objects.filter(is_active=True, party_member__post_terms__in=terms).distinct().order_by("pk")


def mediator_users(community: Area, *, on: date | None = None) -> QuerySet[User]:
    """The holders of the community's mediator post (矛盾调解员) on the day (today by default)."""
    return post_holder_users(community, MEDIATOR_POST, on=on)
