"""Projects set up through the actions, for the project tests (项目清单 and agreements)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core import actions as core_actions
from gongzhi.core.models import Area, Role, Unit, User
from gongzhi.lists import actions
from gongzhi.lists.models import Demand, Project, Resource
from gongzhi.test import Cast, make_user


def resource(cast: Cast, *, unit: Unit | None = None, amount: str = "100", area: Area | None = None,
             title: str = "共建资金", capacity_unit: str = "yuan") -> Resource:
    return Resource.objects.create(kind=Resource.Kind.FUNDS, title=title, area=area or cast.community_a,
                                   provider_unit=unit or cast.member_unit, capacity_unit=capacity_unit,
                                   capacity=Decimal(amount))


def demand(cast: Cast, title: str = "楼道照明", area: Area | None = None) -> Demand:
    return actions.do_create_demand(acting_user=cast.district_admin, title=title, area=area or cast.community_a)


def proposed(cast: Cast, *, title: str = "楼道照明改造", area: Area | None = None, amount: str = "60",
             res: Resource | None = None, worker: User | None = None) -> Project:
    area = area or cast.community_a
    res = res or resource(cast, area=area)
    d = demand(cast, f"{title}需求", area)
    return actions.do_create_project(acting_user=worker or (cast.worker_a if area == cast.community_a else
                                                            cast.worker_b),
                                     area=area, title=title, demand_ids=[d.pk],
                                     reservations=[actions.Reservation(res.pk, Decimal(amount))])


def claimed(cast: Cast, **kwargs: object) -> Project:
    project = proposed(cast, **kwargs)  # type: ignore[arg-type]
    actions.do_claim_project(project, acting_user=cast.liaison)
    return Project.objects.get(pk=project.pk)


def agreed(cast: Cast, **kwargs: object) -> Project:
    project = claimed(cast, **kwargs)
    actions.do_send_agreement(project, acting_user=cast.worker_a)
    actions.do_sign_agreement(project, acting_user=cast.worker_a, unit=None)
    actions.do_sign_agreement(project, acting_user=cast.liaison, unit=cast.member_unit)
    return Project.objects.get(pk=project.pk)


@dataclass
class OtherUnit:
    unit: Unit
    liaison: User


def other_unit(cast: Cast, *, name: str = "和平小学", community: Area | None = None,
               username: str = "liaison2") -> OtherUnit:
    """A second member unit registered at community A (or `community`), with its own liaison."""
    community = community or cast.community_a
    unit = core_actions.do_create_unit(acting_user=None, area=community, name=name, kind=Unit.Kind.SCHOOL)
    core_actions.do_register_unit(unit, community=community, acting_user=None)
    user = make_user(username, f"{name}联络员")
    core_actions.do_grant_role(user, role=Role.UNIT_LIAISON, area=community, unit=unit, acting_user=None)
    return OtherUnit(unit=unit, liaison=user)


def jpeg(size: tuple[int, int] = (64, 48), *, exif: bool = False, name: str = "现场.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 60, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def day(offset: int) -> date:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=offset)
