"""The demo city's project list (项目清单), step 42 of `gongzhi demo`: projects in every state at the community worker
`sq_worker`'s community, so that the worker and the unit liaison `unit_liaison` each find work waiting on their
home page.

- waiting to be claimed (the liaison claims it), claimed with the agreement waiting for the liaison's unit to sign,
  agreement signed (another unit, progress still to post), in progress with progress updates and a photo (the
  liaison's unit), overdue (a milestone past due, reminded by the worker's check), finished (demands met, the unused
  capacity given back), cancelled, and one large project (二次供水改造, 2,000,000 yuan) split into weighted
  sub-projects.

The projects the matching step (41) made from its confirmed round are taken from the database first; the others are
put together here through `do_create_project` from the community's open demands and the resources with capacity
left. Everything goes through the actions (audit rows, notifications, capacity), as a real community would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.core.models import Area, Grant, Registration, Role, Unit, User
from gongzhi.core.registry import DemoContext

from . import actions, capacity
from .models import CapacityUnit, Demand, ProgressUpdate, Project, Resource, ResourceKind

# The demands and resources the step needs when the earlier steps left too few open demands or resources with capacity
# (the project's title, what residents need, the resource that meets it: kind, unit, amount).
PLAN = [
    ("楼道照明改造", "3号楼、5号楼楼道灯损坏，老人夜间上下楼不便", "楼道灯具及安装服务", ResourceKind.EQUIPMENT,
     CapacityUnit.ITEMS, 60, 40),
    ("老年助餐服务点", "独居老人就餐难，希望社区有助餐点", "单位食堂助餐服务", ResourceKind.SERVICE,
     CapacityUnit.USES, 2000, 600),
    ("暑期儿童托管班", "双职工家庭暑期孩子无人照看", "活动室（暑期开放）", ResourceKind.VENUE,
     CapacityUnit.PEOPLE, 60, 40),
    ("小区健身器材更新", "小区健身器材老化破损，存在安全隐患", "健身器材更新资金", ResourceKind.FUNDS,
     CapacityUnit.YUAN, 120000, 80000),
    ("雨水管网疏通", "雨后小区主干道积水严重", "管网疏通专业服务", ResourceKind.SERVICE,
     CapacityUnit.HOURS, 200, 120),
    ("社区义诊", "老年人慢病随访和健康咨询需求", "医护志愿服务", ResourceKind.VOLUNTEER_HOURS,
     CapacityUnit.HOURS, 300, 100),
    ("垃圾分类督导", "垃圾分类投放点无人督导，混投严重", "志愿督导服务", ResourceKind.VOLUNTEER_HOURS,
     CapacityUnit.HOURS, 200, 80),
]
LARGE = ("高层住宅二次供水改造", "高层住户水压不足、水箱老旧，居民反映强烈", "二次供水改造专项资金",
         ResourceKind.FUNDS, CapacityUnit.YUAN, 2500000, 2000000)
SUBPROJECTS = [("水箱及泵房更换", Decimal(5), 80), ("供水管道改造", Decimal(3), 40), ("水质检测与公示", Decimal(2), 0)]


@dataclass
class Cast:
    community: Area
    worker: User
    liaison: User
    unit: Unit  # the liaison's unit
    others: list[tuple[Unit, User]]  # other member units registered at the community, each with its liaison

    def other(self, i: int) -> tuple[Unit, User]:
        return self.others[i % len(self.others)] if self.others else (self.unit, self.liaison)


def _cast() -> Cast | None:
    worker_grant = Grant.objects.select_related("user", "area").filter(
        user__username="sq_worker", role=Role.COMMUNITY_WORKER).first()
    liaison_grant = Grant.objects.select_related("user", "unit").filter(
        user__username="unit_liaison", role=Role.UNIT_LIAISON).first()
    if worker_grant is None or liaison_grant is None or liaison_grant.unit is None:
        return None
    community = worker_grant.area
    unit = liaison_grant.unit
    others: list[tuple[Unit, User]] = []
    registered = (Registration.objects.filter(community=community, kind=Registration.Kind.UNIT)
                  .exclude(unit=unit).exclude(unit__kind=Unit.Kind.DEPARTMENT).select_related("unit")
                  .order_by("unit__name")[:2])
    for reg in registered:
        if reg.unit is None:
            continue
        others.append((reg.unit, _liaison_of(reg.unit, community)))
    return Cast(community=community, worker=worker_grant.user, liaison=liaison_grant.user, unit=unit, others=others)


def _liaison_of(unit: Unit, community: Area) -> User:
    """The unit's liaison; the demo has one sign-in account for liaisons, so the other units get a liaison who
    signs in the demo's history (no password: not a sign-in account)."""
    grant = Grant.objects.select_related("user").filter(unit=unit, role=Role.UNIT_LIAISON).first()
    if grant is not None:
        return grant.user
    user = User.objects.create(username=f"liaison-unit-{unit.pk}", display_name=unit.contact_name or unit.name[:10],
                               phone="")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Grant.objects.create(user=user, role=Role.UNIT_LIAISON, area=community, unit=unit)
    return user


def _photo(label: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 320), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 150, 440, 290), fill=(150, 160, 170))  # the ground
    for i in range(5):
        draw.rectangle((70 + i * 75, 90 - i * 6, 120 + i * 75, 150), fill=(178, 34, 34) if i % 2 else (90, 110, 130))
    draw.ellipse((380, 30, 430, 80), fill=(250, 200, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"progress-{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _ingredients(cast: Cast, plan: tuple[Any, ...], provider: Unit) -> tuple[Demand, Resource, Decimal]:
    """An open demand of the community and a resource with capacity left for it (made here when the earlier steps
    left none that fits)."""
    title, need, resource_title, kind, unit, capacity_amount, amount = plan
    demand = (Demand.objects.filter(area__path__startswith=cast.community.path, status=Demand.Status.OPEN,
                                    title=title).first()
              or Demand.objects.create(title=title, description=need, area=cast.community,
                                       source=Demand.Source.MANUAL, created_by=cast.worker,
                                       beneficiaries="本社区居民", beneficiary_count=120,
                                       resource_kinds=[kind]))
    resource = Resource.objects.filter(title=resource_title, provider_unit=provider, status=Resource.Status.ACTIVE).first()
    if resource is None or capacity.remaining(resource) < amount:
        resource = Resource.objects.create(kind=kind, title=resource_title, provider_unit=provider,
                                           area=cast.community, capacity_unit=unit, capacity=capacity_amount,
                                           contact_name=provider.contact_name, created_by=cast.worker)
    return demand, resource, Decimal(amount)


def _project(cast: Cast, plan: tuple[Any, ...], provider: Unit, spare: list[Project]) -> Project:
    """One of the matching step's proposed projects when there is one left, else one made from `plan`."""
    if spare:
        return spare.pop(0)
    demand, resource, amount = _ingredients(cast, plan, provider)
    return actions.do_create_project(
        acting_user=cast.worker, area=cast.community, title=plan[0], description=plan[1], demand_ids=[demand.pk],
        reservations=[actions.Reservation(resource.pk, amount)])


def _claim_and_sign(cast: Cast, project: Project, unit: Unit, liaison: User, *, unit_signs: bool = True,
                    days: int = 60) -> None:
    today = timezone.localdate()
    actions.do_claim_project(project, acting_user=liaison, unit=unit)
    actions.do_add_milestone(project, acting_user=cast.worker, title="方案确定", due_on=today + timedelta(days=days // 3))
    actions.do_add_milestone(project, acting_user=cast.worker, title="完成实施", due_on=today + timedelta(days=days))
    actions.do_add_agreement_item(project, acting_user=cast.worker, unit=unit, due_on=today + timedelta(days=days),
                                  text="按月向社区报告实施情况，并在平台填报进度")
    actions.do_send_agreement(project, acting_user=cast.worker)
    actions.do_sign_agreement(project, acting_user=cast.worker, unit=None)
    if unit_signs:
        actions.do_sign_agreement(project, acting_user=liaison, unit=unit)


def _backdate(project: Project, days: int) -> None:
    """Spread the history: the project and its updates moved back (the steps ran just now)."""
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(created_at=now - timedelta(days=days),
                                                 claimed_at=now - timedelta(days=days - 3))
    for i, update in enumerate(ProgressUpdate.objects.filter(project__in=[project, *project.children.all()])
                               .order_by("at", "pk")):
        ProgressUpdate.objects.filter(pk=update.pk).update(at=now - timedelta(days=max(1, days - 10 - i * 7)))


@transaction.atomic
def build_demo_projects(ctx: DemoContext) -> dict[str, int]:
    cast = _cast()
    if cast is None:
        return {}
    today = timezone.localdate()
    spare = list(Project.objects.filter(area=cast.community, status=Project.Status.PROPOSED, parent__isnull=True,
                                        lead_unit__isnull=True).order_by("pk"))
    unit2, liaison2 = cast.other(0)
    unit3, liaison3 = cast.other(1)

    # Waiting to be claimed: the liaison claims it (home page: 待认领).
    waiting = _project(cast, PLAN[0], cast.unit, spare)

    # Claimed by the liaison's unit; the community has signed, the unit's signature is waiting (待签署).
    signing = _project(cast, PLAN[1], cast.unit, spare)
    _claim_and_sign(cast, signing, cast.unit, cast.liaison, unit_signs=False)

    # Agreement signed by every party, led by another unit; no progress yet.
    agreed = _project(cast, PLAN[2], unit2, spare)
    _claim_and_sign(cast, agreed, unit2, liaison2)

    # In progress, led by the liaison's unit with a partner: two updates, one with a photo.
    running = _project(cast, PLAN[3], cast.unit, spare)
    if unit2.pk != cast.unit.pk:
        actions.do_claim_project(running, acting_user=cast.liaison, unit=cast.unit)
        actions.do_add_partner_units(running, acting_user=cast.worker, units=[unit2])
        actions.do_send_agreement(running, acting_user=cast.worker)
        for who, party in ((cast.worker, None), (cast.liaison, cast.unit), (liaison2, unit2)):
            actions.do_sign_agreement(running, acting_user=who, unit=party)
        actions.do_add_milestone(running, acting_user=cast.worker, title="器材采购", due_on=today - timedelta(days=20))
        actions.do_add_milestone(running, acting_user=cast.worker, title="安装验收", due_on=today + timedelta(days=30))
    else:
        _claim_and_sign(cast, running, cast.unit, cast.liaison)
    actions.do_post_progress(running, acting_user=cast.liaison, percent=30, note="完成器材选型和采购合同签订。")
    first = running.milestones.order_by("due_on").first()
    if first is not None:
        actions.do_complete_milestone(first, acting_user=cast.liaison)
    actions.do_post_progress(running, acting_user=cast.liaison, percent=60, photos=[_photo(1)],
                             note="新器材已到场，完成东区 6 件安装，正在安装西区。")
    _backdate(running, 45)

    # Overdue: in progress, a milestone past its date and not done (flagged on the pages, reminded by the worker).
    late = _project(cast, PLAN[4], unit3, spare)
    _claim_and_sign(cast, late, unit3, liaison3, days=40)
    actions.do_add_milestone(late, acting_user=liaison3, title="完成堵点清掏", due_on=today - timedelta(days=10))
    actions.do_post_progress(late, acting_user=liaison3, percent=30, note="完成主干道管网排查，发现 3 处堵点。")
    _backdate(late, 70)

    # Finished: demands met, the unused capacity given back.
    done = _project(cast, PLAN[5], unit2, spare)
    _claim_and_sign(cast, done, unit2, liaison2, days=20)
    for m in done.milestones.all():
        actions.do_complete_milestone(m, acting_user=liaison2)
    actions.do_post_progress(done, acting_user=liaison2, percent=100, note="完成 4 场义诊，服务居民 260 人次。")
    reservations = list(done.reservations.all())
    actions.do_finish_project(done, acting_user=cast.worker,
                              used={r.pk: (r.amount * Decimal("0.8")).quantize(Decimal(1)) for r in reservations})
    _backdate(done, 100)
    Project.objects.filter(pk=done.pk).update(finished_at=timezone.now() - timedelta(days=15))

    # Cancelled: the resources given back, its demand open again.
    dropped = _project(cast, PLAN[6], unit3, spare)
    actions.do_cancel_project(dropped, acting_user=cast.worker, reason="居民议事会决定并入下季度垃圾分类专项。")

    # The large project: led by the liaison's unit, with partners, split into weighted sub-projects.
    demand, resource, amount = _ingredients(cast, LARGE, cast.unit)
    large = actions.do_create_project(
        acting_user=cast.worker, area=cast.community, title=LARGE[0], description=LARGE[1], demand_ids=[demand.pk],
        reservations=[actions.Reservation(resource.pk, amount)], budget=amount)
    actions.do_claim_project(large, acting_user=cast.liaison, unit=cast.unit)
    partners = [u for u, _l in cast.others if u.pk != cast.unit.pk]
    if partners:
        actions.do_add_partner_units(large, acting_user=cast.worker, units=partners)
    children = [actions.do_add_subproject(large, acting_user=cast.worker, title=title, weight=weight)
                for title, weight, _p in SUBPROJECTS]
    actions.do_add_milestone(large, acting_user=cast.worker, title="完成改造并通水", due_on=today + timedelta(days=90))
    actions.do_send_agreement(large, acting_user=cast.worker)
    actions.do_sign_agreement(large, acting_user=cast.worker, unit=None)
    actions.do_sign_agreement(large, acting_user=cast.liaison, unit=cast.unit)
    for unit, liaison in cast.others:
        if unit.pk != cast.unit.pk:
            actions.do_sign_agreement(large, acting_user=liaison, unit=unit)
    for child, (_t, _w, percent) in zip(children, SUBPROJECTS, strict=True):
        if percent:
            actions.do_post_progress(child, acting_user=cast.liaison, percent=percent,
                                     note=f"{child.title}完成{percent}%。")
    _backdate(large, 80)

    reminded = actions.do_remind_overdue_milestones()
    counts = {"projects": Project.objects.filter(area=cast.community).count(), "reminded": reminded}
    ctx.say(f"  projects: {counts['projects']} at {cast.community.name} (waiting {waiting.pk}, overdue reminded "
            f"{reminded})")
    return counts
