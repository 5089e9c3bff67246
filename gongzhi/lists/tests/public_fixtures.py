"""Projects for the public notice and quarter tests, in the states the project actions leave them (the project
pages' own tests drive those actions; here only the rows matter)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import Area, Unit
from gongzhi.lists.models import Demand, Milestone, ProgressPhoto, ProgressUpdate, Project


def png(size: tuple[int, int] = (24, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def make_demand(area: Area, title: str, *, status: str = Demand.Status.OPEN, beneficiaries: int = 0,
                description: str = "", at: datetime | None = None, **fields: Any) -> Demand:
    at = at or timezone.now()
    return Demand.objects.create(area=area, title=title, status=status, beneficiary_count=beneficiaries,
                                 description=description, created_at=at, updated_at=at, **fields)


def make_project(area: Area, title: str, *, status: str = Project.Status.IN_PROGRESS, lead: Unit | None = None,
                 partners: tuple[Unit, ...] = (), demands: tuple[Demand, ...] = (), progress: int = 0,
                 at: datetime | None = None, finished_at: datetime | None = None, **fields: Any) -> Project:
    at = at or timezone.now()
    if status == Project.Status.FINISHED:
        progress = 100
        finished_at = finished_at or at
    project = Project.objects.create(
        area=area, title=title, status=status, lead_unit=lead, progress=progress, created_at=at, updated_at=at,
        claimed_at=at if lead else None, started_at=at if status in ("in_progress", "finished") else None,
        finished_at=finished_at, **fields)
    project.partner_units.set(partners)
    project.demands.set(demands)
    return project


def add_milestone(project: Project, title: str, due_on: date, *, done: bool = False) -> Milestone:
    return Milestone.objects.create(project=project, title=title, due_on=due_on,
                                    done_at=timezone.now() if done else None)


def add_update(project: Project, percent: int, note: str, *, unit: Unit | None = None, by: Any = None,
               photo: bool = False, at: datetime | None = None) -> ProgressUpdate:
    update = ProgressUpdate.objects.create(project=project, percent=percent, note=note, unit=unit, by=by,
                                           at=at or timezone.now())
    if photo:
        p = ProgressPhoto(update=update, width=24, height=24)
        p.image.save("progress.png", ContentFile(png()), save=True)
    return update


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)


MONEY = Decimal("50000")
