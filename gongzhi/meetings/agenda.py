"""Agenda proposals (议题): what waits in a meeting's communities, each with the reason it is proposed.

`propose_agenda(meeting, user)` reads, for the meeting's communities (an alliance meeting: every community of the
alliance) and through what `user` (the organizer) may see:

- the top open demands by the residents behind them (`beneficiary_count`, else the appeals linked): "32 位居民反映";
- overdue cases ("超期 12 天") and cases reopened (重办) ("重办 3 次");
- hot issues of the last 30 days ("近 30 天 8 件诉求，6 位居民");
- unfinished resolutions of earlier meetings ("上次会议决议，已逾期 5 天");
- projects with a milestone past due ("里程碑逾期 10 天");
- items raised by member units or residents that wait (RaisedItem, status new): "驻区单位提出", "居民提出".

Each proposal names its record as `source_key` ("lists.demand:12", "appeals.case:7", "meetings.resolution:3",
"lists.project:4", "meetings.raised:9", "intelligence.hot:<appeal id>"); what is already on the meeting's agenda
is left out, and each source gives at most `LIMITS[source]` proposals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.models import Area
from gongzhi.core.policy import path_q
from gongzhi.intelligence import hot_queries
from gongzhi.lists import project_queries
from gongzhi.lists import queries as lists_queries

from . import permissions
from .models import AgendaItem, Meeting, RaisedItem, Resolution

Source = AgendaItem.Source
LIMITS: dict[str, int] = {
    Source.RAISED: 10,
    Source.RESOLUTION: 10,
    Source.OVERDUE_CASE: 5,
    Source.REOPENED_CASE: 5,
    Source.DEMAND: 5,
    Source.HOT_ISSUE: 3,
    Source.PROJECT: 5,
}
HOT_DAYS = 30
OPEN_RESOLUTION = (Resolution.Status.OPEN, Resolution.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Proposal:
    source: str
    source_key: str
    title: str
    reason: str
    description: str = ""
    url: str = ""

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


def meeting_communities(meeting: Meeting) -> list[Area]:
    """The communities a meeting is about: the alliance's for an alliance meeting, else its host community."""
    if meeting.alliance_id is not None:
        found = list(Area.objects.filter(alliances=meeting.alliance_id).order_by("path"))
        if found:
            return found
    return [meeting.area]


def _days(delta_seconds: float) -> int:
    return max(1, int(delta_seconds // 86400))


def _demands(user: Any, paths: list[str], limit: int) -> list[Proposal]:
    from gongzhi.lists.models import Demand

    qs = (lists_queries.demand_list(user, status=Demand.Status.OPEN).filter(path_q(paths, "area__path"))
          .order_by("-beneficiary_count", "-appeal_count", "created_at", "id"))
    out = []
    for d in qs[:limit]:
        people = d.beneficiary_count or d.appeal_count  # type: ignore[attr-defined]
        reason = (_("%(count)d residents raised it") % {"count": people} if people
                  else _("Open on the demand list"))
        out.append(Proposal(Source.DEMAND, f"lists.demand:{d.pk}", d.title, reason, d.description[:500],
                            reverse("lists:demand", args=[d.pk])))
    return out


def _overdue_cases(user: Any, paths: list[str], now: datetime, limit: int) -> list[Proposal]:
    qs = appeals_queries.worklist(user, "overdue", now).filter(appeals_queries.path_q_cases(paths))
    out = []
    for case in qs[:limit]:
        days = _days((now - case.due_at).total_seconds()) if case.due_at else 1
        out.append(Proposal(Source.OVERDUE_CASE, f"appeals.case:{case.pk}", case.title,
                            _("%(days)d days overdue") % {"days": days}, "",
                            reverse("appeals:case", args=[case.pk])))
    return out


def _reopened_cases(user: Any, paths: list[str], limit: int) -> list[Proposal]:
    out = []
    for case in appeals_queries.reopened_cases(user, paths=paths)[:limit]:
        out.append(Proposal(Source.REOPENED_CASE, f"appeals.case:{case.pk}", case.title,
                            _("Reopened %(count)d times") % {"count": case.reopen_count}, "",
                            reverse("appeals:case", args=[case.pk])))
    return out


def _hot_issues(user: Any, communities: list[Area], now: datetime, limit: int) -> list[Proposal]:
    out: list[Proposal] = []
    for community in communities:
        issues = hot_queries.hot_issues_for(user, days=HOT_DAYS, area=community, now=now)
        for group in issues.groups[:limit]:
            ids = sorted(i for i in group.member_ids if isinstance(i, int))
            if not ids:
                continue
            reason = _("%(appeals)d appeals from %(residents)d residents in %(days)d days") % {
                "appeals": group.count, "residents": group.residents, "days": HOT_DAYS}
            out.append(Proposal(Source.HOT_ISSUE, f"intelligence.hot:{ids[0]}", group.title[:200], reason,
                                group.place_label, reverse("intelligence:hot") + f"?area={community.pk}"))
    out.sort(key=lambda p: p.source_key)
    return out[:limit]


def _resolutions(user: Any, meeting: Meeting, paths: list[str], today: Any, limit: int) -> list[Proposal]:
    q = path_q(paths, "area__path")
    if meeting.alliance_id is not None:
        q |= Q(meeting__alliance_id=meeting.alliance_id)
    qs = (permissions.visible_to(user, Resolution).filter(q, status__in=OPEN_RESOLUTION,
                                                           meeting__starts_at__lt=meeting.starts_at)
          .exclude(meeting=meeting).select_related("meeting").order_by("due_on", "id"))
    out = []
    for r in qs[:limit]:
        if r.due_on < today:
            reason = _("Resolution of an earlier meeting, %(days)d days overdue") % {
                "days": (today - r.due_on).days}
        else:
            reason = _("Resolution of an earlier meeting, due on %(date)s, %(percent)d%% done") % {
                "date": r.due_on.isoformat(), "percent": r.progress}
        out.append(Proposal(Source.RESOLUTION, f"meetings.resolution:{r.pk}", r.task[:200], reason,
                            r.approach[:500], reverse("meetings:resolution", args=[r.pk])))
    return out


def _projects(user: Any, communities: list[Area], today: Any, limit: int) -> list[Proposal]:
    qs = (project_queries.project_list(user, overdue=True).filter(area__in=communities)
          .annotate(first_overdue=Min("milestones__due_on", filter=Q(milestones__done_at__isnull=True,
                                                                     milestones__due_on__lt=today)))
          .order_by("first_overdue", "id"))
    out = []
    for p in qs[:limit]:
        first = p.first_overdue  # type: ignore[attr-defined]
        days = (today - first).days if first else 1
        out.append(Proposal(Source.PROJECT, f"lists.project:{p.pk}", p.title,
                            _("Milestone %(days)d days overdue") % {"days": max(days, 1)}, "",
                            reverse("lists:project", args=[p.pk])))
    return out


def _raised(user: Any, communities: list[Area], limit: int) -> list[Proposal]:
    qs = (permissions.visible_to(user, RaisedItem).filter(area__in=communities, status=RaisedItem.Status.NEW)
          .select_related("raised_by_unit").order_by("created_at", "id"))
    out = []
    for item in qs[:limit]:
        if item.raised_by_unit is not None:
            reason = _("Raised by a member unit: %(unit)s") % {"unit": item.raised_by_unit.name}
        else:
            reason = _("Raised by a resident: %(name)s") % {"name": item.raised_by_name or _("anonymous")}
        out.append(Proposal(Source.RAISED, raised_key(item), item.title, reason, item.description[:500]))
    return out


def raised_key(item: RaisedItem) -> str:
    return f"meetings.raised:{item.pk}"


def propose_agenda(meeting: Meeting, user: Any, *, now: datetime | None = None) -> list[Proposal]:
    """What could go on the meeting's agenda, in source order (raised items first, then earlier resolutions,
    overdue and reopened cases, demands, hot issues, projects), none already on it and none twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    communities = meeting_communities(meeting)
    paths = [c.path for c in communities]
    proposals = [
        *_raised(user, communities, LIMITS[Source.RAISED]),
        *_resolutions(user, meeting, paths, today, LIMITS[Source.RESOLUTION]),
        *_overdue_cases(user, paths, now, LIMITS[Source.OVERDUE_CASE]),
        *_reopened_cases(user, paths, LIMITS[Source.REOPENED_CASE]),
        *_demands(user, paths, LIMITS[Source.DEMAND]),
        *_hot_issues(user, communities, now, LIMITS[Source.HOT_ISSUE]),
        *_projects(user, communities, today, LIMITS[Source.PROJECT]),
    ]
    seen = set(meeting.agenda_items.exclude(source_key="").values_list("source_key", flat=True))
    out = []
    for p in proposals:
        if p.source_key in seen:
            continue
        seen.add(p.source_key)
        out.append(p)
    return out
