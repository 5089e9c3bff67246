"""The members part's pages.

- /service/registrations/ (双报到): a party member or a unit's liaison registers (and sees their registrations);
  the community's staff see the registrations at their communities, pending first, with filters, and confirm or
  decline them (a reason is required) — a decision someone else made first is reported, nothing changes.
- /service/members/: the party members registered at a community (filter: registered and never served);
  /service/members/<id>/?year=: a member's year (registered, confirmed, posts, pledges, hours, activities, stars).
- /service/reports/ (双报告): a community's report per unit per year (page, Word, "send to the unit"); a liaison
  sees and downloads the reports sent to its unit.
- /service/volunteers/: volunteers' profiles with their hours, the hours export (Excel), certificates issued by
  staff (Word) and the public check page /service/certificates/<code>/ (no sign-in, rate-limited).

A refused POST shows the page again with the message (400); out of scope is 404, not allowed 403."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, PartyMember, Registration, Unit
from gongzhi.lib.masking import mask_id_number, mask_phone

from .. import permissions
from .. import queries_members as queries
from ..actions import members as actions
from ..certificate_docx import certificate_document, certificate_filename
from ..downloads_members import check_url, docx_response, hours_workbook_response, over_check_limit
from ..forms_members import CertificateForm, DecideForm, PeriodForm, ProfileForm, RegisterForm
from ..models import Certificate, VolunteerProfile
from ..report_docx import report_document, report_filename

signed_in = login_required(login_url="core:login")
LIST_LIMIT = 300


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _year(request: HttpRequest) -> int:
    this = timezone.localdate().year
    year = _int(request.GET.get("year"))
    return year if year is not None and 2000 <= year <= this else this


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


# --- registrations ---------------------------------------------------------------------------------------------


def _register_form(request: HttpRequest, data: Any = None) -> RegisterForm | None:
    user = request.user
    if not permissions.area_policy.can_somewhere(user, "register"):
        return None
    units = list(Unit.objects.filter(pk__in=permissions.liaison_unit_ids(user)).order_by("name")
                 .values_list("pk", "name"))
    member = permissions.own_member(user)
    initial = {"community": member.home_area_id} if member is not None else {}
    return RegisterForm(data, units=units, has_member=member is not None, initial=initial)


def _registrations_page(request: HttpRequest, *, form: RegisterForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    communities = list(queries.staff_communities(user))
    f_status = request.GET.get("status", "")
    f_kind = request.GET.get("kind", "")
    f_community = _int(request.GET.get("community"))
    term = (request.GET.get("q") or "").strip()[:50]
    qs = permissions.visible_to(user, Registration).select_related(
        "community", "unit", "party_member", "party_member__work_unit", "decided_by")
    if f_status in Registration.Status.values:
        qs = qs.filter(status=f_status)
    if f_kind in Registration.Kind.values:
        qs = qs.filter(kind=f_kind)
    if f_community:
        qs = qs.filter(community_id=f_community)
    if term:
        qs = qs.filter(Q(party_member__name__icontains=term) | Q(unit__name__icontains=term))
    qs = qs.annotate(pending_first=Case(When(status=Registration.Status.PENDING, then=Value(0)), default=Value(1),
                                        output_field=IntegerField())).order_by("pending_first", "-registered_at",
                                                                               "-pk")
    rows = list(qs[:LIST_LIMIT])
    own = permissions.own_member(user)
    units = permissions.liaison_unit_ids(user)
    for r in rows:
        r.can_decide = r.status == Registration.Status.PENDING and permissions.registration_policy.can(  # type: ignore[attr-defined]
            user, "decide", r)
        r.is_mine = (own is not None and r.party_member_id == own.pk) or (r.unit_id in units)  # type: ignore[attr-defined]
    pending = sum(1 for r in rows if r.status == Registration.Status.PENDING)
    return render(request, "service/registration_list.html", {
        "rows": rows, "form": form if form is not None else _register_form(request),
        "communities": communities, "statuses": Registration.Status.choices, "kinds": Registration.Kind.choices,
        "f_status": f_status, "f_kind": f_kind, "f_community": f_community, "q": term, "pending": pending,
        "is_staff": bool(communities), "limited": len(rows) >= LIST_LIMIT,
    }, status=status)


@signed_in
@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    if permissions.own_member(request.user) is None:  # a party-member record without the role still registers
        permissions.registration_policy.require_somewhere(request.user, "browse")
    return _registrations_page(request)


@signed_in
@require_POST
def registration_new(request: HttpRequest) -> HttpResponse:
    form = _register_form(request, request.POST)
    if form is None:
        raise PermissionDenied(_("Only a party member or a unit's liaison registers at a community."))
    if not form.is_valid():
        messages.error(request, _("Please choose the community."))
        return _registrations_page(request, form=form, status=400)
    community = get_object_or_404(Area, pk=form.cleaned_data["community"], level=Area.Level.COMMUNITY)
    unit_id = form.cleaned_data.get("unit") or 0
    try:
        if unit_id:
            unit = get_object_or_404(Unit, pk=unit_id)
            actions.do_register_unit(acting_user=request.user, unit=unit, community=community,  # type: ignore[arg-type]
                                     note=form.cleaned_data.get("note", ""))
        else:
            actions.do_register_member(acting_user=request.user, community=community)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return _registrations_page(request, form=form, status=400)
    messages.success(request, _("Registered at %(community)s: the community will confirm it.")
                     % {"community": community.name})
    return redirect("service:registrations")


@signed_in
@require_POST
def registration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = permissions.get_registration_for_user(request.user, pk)
    if not permissions.registration_policy.can(request.user, "decide", registration):
        raise PermissionDenied(_("Only the community's workers confirm registrations."))
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the reason for declining (at most 200 characters)."))
        return _registrations_page(request, status=400)
    confirm = form.cleaned_data["do"] == "confirm"
    try:
        actions.do_decide_registration(registration, acting_user=request.user,  # type: ignore[arg-type]
                                       confirm=confirm, reason=form.cleaned_data.get("reason", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _registrations_page(request, status=400)
    who = registration.unit.name if registration.unit else registration.party_member.name  # type: ignore[union-attr]
    messages.success(request, (_("%(who)s's registration was confirmed.") if confirm else
                               _("%(who)s's registration was declined.")) % {"who": who})
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/service/registrations/") else reverse("service:registrations"))


# --- members -----------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    """Staff: a community's registered members (filters). A liaison: its unit's members. A member: their year."""
    user = request.user
    communities = list(queries.staff_communities(user))
    units = permissions.liaison_unit_ids(user)
    if not communities and not units:
        member = permissions.own_member(user)
        if member is not None:
            return redirect("service:member_year", pk=member.pk)
        raise PermissionDenied(_("This page is not available to your role."))
    year = _year(request)
    ctx: dict[str, Any] = {"year": year, "years": _years(), "communities": communities}
    if communities:
        chosen = _int(request.GET.get("community"))
        community = next((c for c in communities if c.pk == chosen), communities[0])
        f_status = request.GET.get("status", "")
        never = request.GET.get("never", "")
        rows = list(queries.member_registrations(
            community, status=f_status if f_status in Registration.Status.values else "",
            never_served=never, year=year)[:LIST_LIMIT])
        start, end = queries.year_bounds(year)
        minutes = queries.minutes_by_user([r.party_member.user_id for r in rows if r.party_member.user_id],  # type: ignore[union-attr]
                                          community, start, end)
        for r in rows:
            r.hours = queries.hours_of(minutes.get(r.party_member.user_id or 0, 0))  # type: ignore[attr-defined, union-attr]
            r.phone = mask_phone(r.party_member.phone)  # type: ignore[attr-defined, union-attr]
        ctx.update({"community": community, "rows": rows, "f_status": f_status, "never": never,
                    "statuses": Registration.Status.choices, "limited": len(rows) >= LIST_LIMIT})
    if units:
        members = list(PartyMember.objects.filter(work_unit_id__in=units).select_related("home_area", "work_unit")
                       .prefetch_related("registrations__community").order_by("name")[:LIST_LIMIT])
        for m in members:
            m.masked_phone = mask_phone(m.phone)  # type: ignore[attr-defined]
        ctx["unit_members"] = members
    return render(request, "service/member_list.html", ctx)


@signed_in
@require_GET
def member_year(request: HttpRequest, pk: int) -> HttpResponse:
    member = permissions.get_member_for_user(request.user, pk)
    year = _year(request)
    return render(request, "service/member_year.html", {
        "y": queries.member_year(member, year), "member": member, "year": year, "years": _years(),
        "is_self": member.user_id == request.user.pk,
    })


# --- unit reports (双报告) ----------------------------------------------------------------------------------------


@signed_in
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = list(queries.staff_communities(user))
    units = permissions.liaison_unit_ids(user)
    if not communities and not units:
        raise PermissionDenied(_("This page is not available to your role."))
    year = _year(request)
    ctx: dict[str, Any] = {"year": year, "years": _years(), "communities": communities}
    if communities:
        chosen = _int(request.GET.get("community"))
        community = next((c for c in communities if c.pk == chosen), communities[0])
        report_units = list(queries.report_units(community))
        sent = set(queries.ServiceReport.objects.filter(community=community, year=year)
                   .values_list("unit_id", flat=True))
        for u in report_units:
            u.sent = u.pk in sent  # type: ignore[attr-defined]
        ctx.update({"community": community, "units": report_units,
                    "can_send": permissions.area_policy.can(user, "manage_service", community)})
    if units:
        ctx["received"] = list(queries.reports_for_liaison(user)[:LIST_LIMIT])
    return render(request, "service/report_list.html", ctx)


def _report_scope(request: HttpRequest, community_id: int, unit_id: int, year: int) -> tuple[Area, Unit]:
    community = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    this = timezone.localdate().year
    if community is None or unit is None or not (2000 <= year <= this) or not queries.can_see_unit_report(
            request.user, community, unit):
        raise Http404(_("Not found, or outside your area."))
    return community, unit


@signed_in
@require_GET
def unit_report(request: HttpRequest, community_id: int, unit_id: int, year: int) -> HttpResponse:
    community, unit = _report_scope(request, community_id, unit_id, year)
    return render(request, "service/report_detail.html", {
        "report": queries.unit_report(community, unit, year), "community": community, "unit": unit, "year": year,
        "can_send": permissions.area_policy.can(request.user, "manage_service", community),
    })


@signed_in
@require_GET
def unit_report_docx(request: HttpRequest, community_id: int, unit_id: int, year: int) -> HttpResponse:
    community, unit = _report_scope(request, community_id, unit_id, year)
    report = queries.unit_report(community, unit, year)
    return docx_response(report_document(report), report_filename(report))


@signed_in
@require_POST
def unit_report_send(request: HttpRequest, community_id: int, unit_id: int, year: int) -> HttpResponse:
    community, unit = _report_scope(request, community_id, unit_id, year)
    if not permissions.area_policy.can(request.user, "manage_service", community):
        raise PermissionDenied(_("Only the community's workers send the reports to the units."))
    try:
        actions.do_send_unit_report(acting_user=request.user, community=community, unit=unit, year=year)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return render(request, "service/report_detail.html", {
            "report": queries.unit_report(community, unit, year), "community": community, "unit": unit,
            "year": year, "can_send": True}, status=400)
    messages.success(request, _("The report was sent to %(unit)s.") % {"unit": unit.name})
    return redirect("service:unit_report", community_id=community.pk, unit_id=unit.pk, year=year)


# --- volunteers ---------------------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[date, date, PeriodForm]:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if end < start:
        start, end = end, start
    return start, end, form


@signed_in
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = list(queries.staff_communities(user))
    if not communities:
        return redirect("service:volunteer_me")
    chosen = _int(request.GET.get("community"))
    community = next((c for c in communities if c.pk == chosen), communities[0])
    start, end, form = _period(request)
    first, last = queries.period_bounds(start, end)
    return render(request, "service/volunteer_list.html", {
        "community": community, "communities": communities, "profiles": queries.volunteers_at(community, first, last),
        "start": start, "end": end, "form": form,
        "can_manage": permissions.area_policy.can(user, "manage_service", community),
    })


@signed_in
@require_GET
def volunteer_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    community = get_object_or_404(Area, pk=_int(request.GET.get("community")) or 0, level=Area.Level.COMMUNITY)
    queries.require_manage_service(user, community, _("Only the community's workers export volunteers' hours."))
    start, end, _form = _period(request)
    return hours_workbook_response(user, community, start, end)  # type: ignore[arg-type]


def _profile_page(request: HttpRequest, profile: VolunteerProfile | None, *, form: ProfileForm | None = None,
                  cert_form: CertificateForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    owner = profile.user if profile is not None else user
    community = profile.community if profile is not None else queries.home_community(user)
    can_edit = profile is None or permissions.volunteer_profile_policy.can(user, "edit", profile)
    can_issue = community is not None and permissions.area_policy.can(user, "manage_service", community)
    if form is None:
        form = ProfileForm(initial={
            "skills": profile.skills, "availability": profile.availability, "organisation": profile.organisation,
            "id_number": mask_id_number(profile.id_number)} if profile is not None else None)
    certs = list(permissions.visible_to(user, Certificate).filter(user=owner).order_by("-issued_at")[:50])
    start, end = timezone.localdate().replace(month=1, day=1), timezone.localdate()
    hours = queries.hours_of(sum(s.minutes for s in queries.served_signups(
        owner.pk, community=community, start=queries.day_start(start)))) if community else 0
    return render(request, "service/volunteer_detail.html", {
        "profile": profile, "owner": owner, "community": community, "form": form, "can_edit": can_edit,
        "can_issue": can_issue, "certificates": certs, "hours": hours, "is_self": owner.pk == user.pk,
        "masked_id": mask_id_number(profile.id_number) if profile else "",
        "cert_form": cert_form or CertificateForm(initial={"start": start, "end": end,
                                                          "organisation": profile.organisation if profile else ""}),
    }, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def volunteer_me(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = VolunteerProfile.objects.select_related("community", "user").filter(user_id=user.pk or 0).first()
    if request.method == "GET":
        return _profile_page(request, profile)
    return _save_profile(request, profile)


@signed_in
@require_http_methods(["GET", "POST"])
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = permissions.get_volunteer_profile_for_user(request.user, pk)
    if request.method == "GET":
        return _profile_page(request, profile)
    if not permissions.volunteer_profile_policy.can(request.user, "edit", profile):
        raise PermissionDenied(_("Only the volunteer or the community's workers edit this profile."))
    return _save_profile(request, profile)


def _save_profile(request: HttpRequest, profile: VolunteerProfile | None) -> HttpResponse:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the fields marked."))
        return _profile_page(request, profile, form=form, status=400)
    community = profile.community if profile is not None else queries.home_community(request.user)
    if community is None:
        raise PermissionDenied(_("Your account belongs to no community: ask the community to add you."))
    data = form.cleaned_data
    try:
        profile = actions.do_update_volunteer_profile(
            profile, acting_user=request.user, user=request.user if profile is None else None,  # type: ignore[arg-type]
            community=community, id_number=data.get("id_number"), skills=data.get("skills"),
            availability=data.get("availability"), organisation=data.get("organisation"))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _profile_page(request, profile, form=form, status=400)
    messages.success(request, _("The volunteer profile was saved."))
    if profile.user_id == request.user.pk:
        return redirect("service:volunteer_me")
    return redirect("service:volunteer", pk=profile.pk)


# --- certificates -------------------------------------------------------------------------------------------------


@signed_in
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    qs = permissions.visible_to(request.user, Certificate).select_related("community", "user", "issued_by")
    return render(request, "service/certificate_list.html", {"certificates": list(qs[:LIST_LIMIT])})


@signed_in
@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a certificate for the volunteer of profile `pk` (staff of the profile's community)."""
    profile = permissions.get_volunteer_profile_for_user(request.user, pk)
    if not permissions.area_policy.can(request.user, "manage_service", profile.community):
        raise PermissionDenied(_("Only the community's workers issue service certificates."))
    form = CertificateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the period's dates."))
        return _profile_page(request, profile, cert_form=form, status=400)
    data = form.cleaned_data
    try:
        cert = actions.do_issue_certificate(acting_user=request.user, user=profile.user,  # type: ignore[arg-type]
                                            community=profile.community, start=data["start"], end=data["end"],
                                            content=data.get("content"), organisation=data.get("organisation"))
    except ActionError as exc:
        messages.error(request, exc.message)
        return _profile_page(request, profile, cert_form=form, status=400)
    messages.success(request, _("The certificate was issued: %(hours)s hours.") % {"hours": cert.hours})
    return redirect("service:volunteer", pk=profile.pk)


@signed_in
@require_GET
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    cert = permissions.get_certificate_for_user(request.user, pk)
    actions.record_certificate_download(cert, request.user)  # type: ignore[arg-type]
    return docx_response(certificate_document(cert, check_url(request, cert)), certificate_filename(cert))


@require_GET
def certificate_check(request: HttpRequest, code: str) -> HttpResponse:
    """Public: what the certificate stated and whether it still stands (valid or superseded)."""
    if over_check_limit(request):
        return render(request, "service/certificate_too_many.html", status=429)
    code = (code or "").strip().upper()
    cert = (Certificate.objects.select_related("community").filter(code=code).first()
            if len(code) == actions.CODE_LENGTH else None)
    if cert is None:
        raise Http404(_("No certificate has this verification code."))
    return render(request, "service/certificate_check.html", {"cert": cert})

