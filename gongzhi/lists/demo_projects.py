"""The demo city's project list (项目清单), step 42 of `gongzhi demo`: projects in every state at the community worker
`sq_worker`'s community, so that the worker and the unit liaison `unit_liaison` each find work waiting on their
home page.

- waiting to be claimed (the liaison claims it), claimed with the agreement waiting for the liaison's unit to sign,
  agreement signed (another unit, progress still to post), in progress with progress updates and a photo (the
  liaison's unit), overdue (a milestone past due, reminded by the worker's check), finished (demands met, the unused
  capacity given back), cancelled, and one large project (二次供水改造, 2,000,000 yuan) split into weighted
  sub-projects.

The projects are those the matching step (41) made from its confirmed round, waiting to be claimed; each state
takes one whose resource the unit that leads it provides where there is one. Those left over stay waiting. Everything
goes through the actions (audit rows, notifications, capacity), as a real community would.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from gongzhi.core.models import Area, Grant, Registration, Role, Unit, User
from gongzhi.core.registry import DemoContext

from . import actions
from .models import ProgressUpdate, Project

SUBPROJECTS = [("水箱及泵房更换", Decimal(5), 80), ("供水管道改造", Decimal(3), 40), ("水质检测与公示", Decimal(2), 0)]
LARGE_TITLE = "二次供水"


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
    registered = (Registration.objects.confirmed().filter(community=community, kind=Registration.Kind.UNIT)
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


def _take(spare: list[Project], unit: Unit | None = None, *, title: str | None = None) -> Project | None:
    """One of the matching round's projects waiting to be claimed: the one whose title has `title`, else one whose
    resource the unit provides, else the first left."""
    if not spare:
        return None
    if title is not None:
        chosen = next((p for p in spare if title in p.title), None)
        if chosen is None:
            return None
    else:
        chosen = next((p for p in spare if unit is not None and p.reservations.filter(
            resource__provider_unit=unit).exists()), spare[0])
    spare.remove(chosen)
    return chosen


def _lead_for(cast: Cast, project: Project, fallback: tuple[Unit, User]) -> tuple[Unit, User]:
    """The unit whose resource the project uses, when it is a member unit registered at the community (not the
    liaison's own unit, which leads its own projects above), with its liaison; else `fallback`."""
    for reservation in project.reservations.select_related("resource__provider_unit"):
        unit = reservation.resource.provider_unit
        if unit is not None and unit.pk != cast.unit.pk and unit.kind != Unit.Kind.DEPARTMENT and \
                Registration.objects.confirmed().filter(community=cast.community, unit=unit).exists():
            return unit, _liaison_of(unit, cast.community)
    return fallback


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
    if not spare:
        ctx.say("  projects: none (the matching step confirmed no round)")
        return {}
    unit2, liaison2 = cast.other(0)
    unit3, liaison3 = cast.other(1)
    states: dict[str, int] = {}
    # The large project first: led by the liaison's unit, with partners, split into weighted sub-projects.
    large = _take(spare, title=LARGE_TITLE)
    if large is not None:
        actions.do_claim_project(large, acting_user=cast.liaison, unit=cast.unit)
        partners = [u for u, _l in cast.others if u.pk != cast.unit.pk]
        if partners:
            actions.do_add_partner_units(large, acting_user=cast.worker, units=partners)
        children = [actions.do_add_subproject(large, acting_user=cast.worker, title=title, weight=weight)
                    for title, weight, _p in SUBPROJECTS]
        actions.do_add_milestone(large, acting_user=cast.worker, title="完成改造并通水",
                                 due_on=today + timedelta(days=90))
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
        states["large"] = large.pk

    # In progress, led by the liaison's unit with a partner: two updates, one with a photo.
    running = _take(spare, cast.unit)
    if running is not None:
        if unit2.pk != cast.unit.pk:
            actions.do_claim_project(running, acting_user=cast.liaison, unit=cast.unit)
            actions.do_add_partner_units(running, acting_user=cast.worker, units=[unit2])
            actions.do_send_agreement(running, acting_user=cast.worker)
            for who, party in ((cast.worker, None), (cast.liaison, cast.unit), (liaison2, unit2)):
                actions.do_sign_agreement(running, acting_user=who, unit=party)
            actions.do_add_milestone(running, acting_user=cast.worker, title="方案及采购",
                                     due_on=today - timedelta(days=20))
            actions.do_add_milestone(running, acting_user=cast.worker, title="安装验收",
                                     due_on=today + timedelta(days=30))
        else:
            _claim_and_sign(cast, running, cast.unit, cast.liaison)
        actions.do_post_progress(running, acting_user=cast.liaison, percent=30, note="完成方案确定和采购合同签订。")
        first = running.milestones.order_by("due_on").first()
        if first is not None:
            actions.do_complete_milestone(first, acting_user=cast.liaison)
        actions.do_post_progress(running, acting_user=cast.liaison, percent=60, photos=[_photo(1)],
                                 note="设备已到场，完成东区 6 个单元安装，正在安装西区。")
        _backdate(running, 45)
        states["running"] = running.pk

    # Claimed by the liaison's unit; the community has signed, the unit's signature is waiting (待签署).
    signing = _take(spare, cast.unit)
    if signing is not None:
        _claim_and_sign(cast, signing, cast.unit, cast.liaison, unit_signs=False)
        states["signing"] = signing.pk

    # Finished: demands met, the unused capacity given back.
    done = _take(spare, unit2)
    if done is not None:
        lead, lead_liaison = _lead_for(cast, done, (unit2, liaison2))
        _claim_and_sign(cast, done, lead, lead_liaison, days=20)
        for m in done.milestones.all():
            actions.do_complete_milestone(m, acting_user=lead_liaison)
        actions.do_post_progress(done, acting_user=lead_liaison, percent=100, note="按协议完成全部服务，居民验收满意。")
        reservations = list(done.reservations.all())
        actions.do_finish_project(done, acting_user=cast.worker,
                                  used={r.pk: (r.amount * Decimal("0.8")).quantize(Decimal(1)) for r in reservations})
        _backdate(done, 100)
        Project.objects.filter(pk=done.pk).update(finished_at=timezone.now() - timedelta(days=15))
        states["done"] = done.pk

    # Overdue: in progress, a milestone past its date and not done (flagged on the pages, reminded by the worker).
    late = _take(spare, unit3)
    if late is not None:
        lead, lead_liaison = _lead_for(cast, late, (unit3, liaison3))
        _claim_and_sign(cast, late, lead, lead_liaison, days=40)
        actions.do_add_milestone(late, acting_user=lead_liaison, title="完成第一阶段",
                                 due_on=today - timedelta(days=10))
        actions.do_post_progress(late, acting_user=lead_liaison, percent=30, note="完成现场排查，制定实施方案。")
        _backdate(late, 70)
        states["late"] = late.pk

    # Agreement signed by every party, led by another unit; no progress yet.
    agreed = _take(spare, unit2)
    if agreed is not None:
        lead, lead_liaison = _lead_for(cast, agreed, (unit2, liaison2))
        _claim_and_sign(cast, agreed, lead, lead_liaison)
        states["agreed"] = agreed.pk

    # Cancelled: the resources given back, its demand open again.
    # (Not one on the housing bureau's fund: the matching step left that fund nearly exhausted on purpose.)
    dropped = next((p for p in spare if not p.reservations.filter(
        resource__provider_unit__kind=Unit.Kind.DEPARTMENT).exists()), None)
    if dropped is not None:
        spare.remove(dropped)
        actions.do_cancel_project(dropped, acting_user=cast.worker, reason="居民议事会决定并入下季度专项统筹实施。")
        states["dropped"] = dropped.pk
    # What is left waits to be claimed (the liaison's home page: 待认领).

    reminded = actions.do_remind_overdue_milestones()
    counts = {"projects": Project.objects.filter(area=cast.community).count(), "reminded": reminded,
              "waiting": len(spare)}
    missing = {"large", "running", "signing", "done", "late", "agreed", "dropped"} - set(states)
    ctx.say(f"  projects: {counts['projects']} at {cast.community.name} ({len(spare)} waiting, overdue reminded "
            f"{reminded})" + (f"; too few matched projects for: {', '.join(sorted(missing))}" if missing else ""))
    return counts
