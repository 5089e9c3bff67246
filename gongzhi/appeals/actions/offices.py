"""Subdistrict offices: the unit a case falls back to when no routing rule matches.

A subdistrict has no `Unit` of its own in core, so appeals gives each one a `Unit(kind=institution)` named
"<街道>办事处" and a `SubdistrictOffice` row linking the two. They are made when the subdistrict is created (core
sends `AREAS_CREATED`; `AppealsConfig.ready` subscribes), when the demo city is built and, for subdistricts that
existed before, by a data migration; routing only reads them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from gongzhi.core.audit import log_event
from gongzhi.core.models import Area, Unit, User

from ..models import SubdistrictOffice


@transaction.atomic
def do_open_subdistrict_offices(areas: Iterable[Area], *, acting_user: User | None) -> list[SubdistrictOffice]:
    """Give every subdistrict among `areas` that has none its office unit; return the offices created."""
    subdistricts = [a for a in areas if a.level == Area.Level.SUBDISTRICT]
    if not subdistricts:
        return []
    have = set(
        SubdistrictOffice.objects.filter(subdistrict__in=subdistricts).values_list("subdistrict_id", flat=True)
    )
    created = []
    for subdistrict in subdistricts:
        if subdistrict.pk in have:
            continue
        name = f"{subdistrict.name}办事处"
        unit = Unit.objects.filter(name=name, appeals_office__isnull=True).first()
        if unit is None:
            unit = Unit.objects.create(name=name, kind=Unit.Kind.INSTITUTION, area=subdistrict)
        office = SubdistrictOffice.objects.create(subdistrict=subdistrict, unit=unit)
        log_event(acting_user, "appeals.subdistrict_office.open", office, area=subdistrict,
                  after={"subdistrict": subdistrict.name, "unit": unit.name})
        created.append(office)
    return created


def open_offices_for_new_areas(*, areas: list[Area], acting_user: User | None = None) -> None:
    """The AREAS_CREATED subscriber."""
    do_open_subdistrict_offices(areas, acting_user=acting_user)
