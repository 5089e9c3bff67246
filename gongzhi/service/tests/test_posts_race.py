"""Two workers fill the last seat of a post at the same moment: one term is created, the other is refused (the
post row is locked; PostgreSQL, skipped on SQLite). Two recomputes at once (the nightly job and a worker's button)
write each rating once (the community's row is locked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import timezone

from gongzhi.core.errors import ActionError
from gongzhi.core.models import PartyMember
from gongzhi.service.actions import commitments as actions
from gongzhi.service.models import Post, PostTerm, StarRating
from gongzhi.test import Cast, race, require_postgresql

from .test_stars_scene import post, registered_member

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.localdate().year


def test_two_workers_racing_for_the_last_seat_never_both_fill_it(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    p = post(cast, seats=1)
    other = registered_member(cast)

    def assign(user: object, member: PartyMember) -> Callable[[], object]:
        return lambda: actions.do_assign_post_term(Post.objects.get(pk=p.pk), acting_user=user,  # type: ignore[arg-type]
                                                   party_member=member, starts_on=date(YEAR, 1, 1),
                                                   ends_on=date(YEAR, 12, 31))

    results = race(assign(cast.worker_a, cast.party_member_a), assign(cast.subdistrict_staff_a, other))
    assert sum(isinstance(r, PostTerm) for r in results) == 1, results
    assert sum(isinstance(r, ActionError) for r in results) == 1, results
    assert PostTerm.objects.filter(post=p).count() == 1


def test_two_recomputes_at_once_write_each_rating_once(cast: Cast) -> None:
    require_postgresql("PostgreSQL row locks")
    registered_member(cast)
    results = race(lambda: actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.worker_a),
                   lambda: actions.do_recompute_star_ratings(cast.community_a, acting_user=cast.subdistrict_staff_a))
    assert results == [2, 2]
    assert StarRating.objects.count() == 2
