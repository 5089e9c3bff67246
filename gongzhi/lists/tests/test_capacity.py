"""Reserving and releasing a resource's capacity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from gongzhi.core.errors import ActionError
from gongzhi.lists import capacity
from gongzhi.lists.models import Project, Resource
from gongzhi.test import Cast

pytestmark = pytest.mark.django_db


def _resource(cast: Cast, amount: str = "100") -> Resource:
    return Resource.objects.create(kind=Resource.Kind.FUNDS, title="共建资金", area=cast.community_a,
                                   capacity_unit="yuan", capacity=Decimal(amount))


def test_reserve_then_release_what_was_not_used(cast: Cast) -> None:
    resource = _resource(cast)
    project = Project.objects.create(title="屋顶防水", area=cast.community_a)
    with transaction.atomic():
        locked = capacity.locked([resource.pk])[resource.pk]
        reservation = capacity.reserve(project, locked, Decimal("60"))
    resource.refresh_from_db()
    assert resource.promised == 60 and capacity.remaining(resource) == 40
    with transaction.atomic():
        with pytest.raises(ActionError) as err:
            capacity.reserve(project, capacity.locked([resource.pk])[resource.pk], Decimal("41"))
    assert "40" in err.value.message
    with transaction.atomic():
        assert capacity.release(reservation, used=Decimal("45")) == 15
    resource.refresh_from_db()
    assert (resource.capacity, resource.promised, capacity.remaining(resource)) == (55, 0, 55)
    with transaction.atomic():
        assert capacity.release(reservation, used=Decimal("45")) == 0  # once only
