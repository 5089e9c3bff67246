"""Excel rosters in: validate every row (all errors, with their Excel row numbers), then write all or nothing.

An import runs in three phases: read every row (rosters.read_sheet), validate every row, then — only if
no row is bad — write everything in one transaction with one audit event. Imports run as background
jobs (ImportJob) with progress, or from the `gongzhi import_roster` command.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.lib.validators import (
    validate_area_code,
    validate_credit_code,
    validate_id_number,
    validate_phone,
    validate_single_line,
)

from .actions import require
from .audit import log_event
from .errors import ActionError
from .models import Area, Household, ImportJob, PartyMember, PartyOrg, Registration, Resident, Unit, User
from .permissions import area_policy, visible_to
from .registry import AREAS_CREATED, registry
from .rosters import (
    GENDER_NAMES,
    LEVEL_NAMES,
    NO_WORDS,
    UNIT_KIND_NAMES,
    YES_WORDS,
    RosterSpec,
    RowError,
    Sheet,
    _lookup,
    _text,
    check_upload,
    check_workbook,
    get_spec,
    level_name,
    read_sheet,
)

logger = logging.getLogger("gongzhi.rosters")

Kind = ImportJob.Kind
PROGRESS_EVERY = 500
PATH_SEPARATORS = re.compile(r"\s*[/／]\s*")
MULTI_SEPARATORS = re.compile(r"\s*[;；]\s*")

# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def split_path(value: str) -> tuple[str, ...]:
    return tuple(part for part in PATH_SEPARATORS.split(value.strip()) if part)


@dataclass
class NewArea:
    """An area a row of an areas roster will create."""

    row: int
    name: str
    level: str
    code: str
    parent: Area | NewArea
    names: tuple[str, ...]
    created: Area | None = None

    @property
    def generation(self) -> int:
        return 0 if isinstance(self.parent, Area) else self.parent.generation + 1


class AreaIndex:
    """Areas by their name path, loaded once: the scope's subtree and the scope's ancestors."""

    def __init__(self, user: User, scope: Area) -> None:
        self.user = user
        self.scope = scope
        ancestor_ids = scope.ancestor_ids()
        areas = list(
            Area.objects.filter(path__startswith=scope.path).only("id", "name", "level", "parent_id", "path")
        ) + list(Area.objects.filter(pk__in=ancestor_ids).exclude(pk=scope.pk).only(
            "id", "name", "level", "parent_id", "path"))
        self.by_id: dict[int, Area] = {a.pk: a for a in areas}
        self.by_names: dict[tuple[str, ...], Area | NewArea] = {}
        self.names_of: dict[int, tuple[str, ...]] = {}
        for area in sorted(areas, key=lambda a: a.path.count("/")):
            parent_names = self.names_of.get(area.parent_id, ()) if area.parent_id else ()
            names = (*parent_names, area.name)
            self.names_of[area.pk] = names
            self.by_names[names] = area
        self.scope_names = self.names_of[scope.pk]
        self._elsewhere: dict[tuple[str, ...], str] = {}

    def in_scope(self, area: Area | NewArea) -> bool:
        return isinstance(area, NewArea) or area.path.startswith(self.scope.path)

    def path_text(self, area: Area | NewArea) -> str:
        names = area.names if isinstance(area, NewArea) else self.names_of[area.pk]
        return "/".join(names)

    def add(self, new: NewArea) -> None:
        self.by_names[new.names] = new

    def resolve(self, value: str, errors: list[RowError], row: int, column: str) -> Area | NewArea | None:
        """The area a path names; appends a Chinese error and returns None when it is unknown or out of scope."""
        names = split_path(value)
        if not names:
            errors.append(RowError(row, column, _("Please fill in the area path.")))
            return None
        area = self.by_names.get(names) or self.by_names.get((*self.scope_names, *names))
        if area is not None and self.in_scope(area):
            return area
        if area is not None or self._exists_elsewhere(names):
            errors.append(RowError(row, column, _(
                "The area %(path)s is outside the scope of this import (%(scope)s). Choose a wider scope or remove "
                "the row.") % {"path": value, "scope": "/".join(self.scope_names)}))
        else:
            errors.append(RowError(row, column, _(
                "No area is found at %(path)s within your permissions. Check that each level's name is exactly as "
                "in the system, separated by /.") % {"path": value}))
        return None

    def _exists_elsewhere(self, names: tuple[str, ...]) -> bool:
        """Does the path name an area the user may see outside the scope? (Only for the error message.)"""
        key = names
        if key not in self._elsewhere:
            parent: Area | None = None
            for name in names:
                parent = Area.objects.filter(parent=parent, name=name).first()
                if parent is None:
                    break
            visible = parent is not None and visible_to(self.user, Area).filter(pk=parent.pk).exists()
            self._elsewhere[key] = "yes" if visible else "no"
        return self._elsewhere[key] == "yes"


@dataclass
class Plan:
    """What an import will write, after every row passed validation."""

    kind: str
    total: int
    records: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]


def _required(values: dict[str, Any], spec: RosterSpec, row: int, errors: list[RowError]) -> bool:
    ok = True
    for column in spec.columns:
        if column.required and _text(values[column.key]) == "":
            errors.append(RowError(row, column.header, _("%(column)s is required; please fill it in.")
                                   % {"column": column.header}))
            ok = False
    return ok


def _phone(value: Any, row: int, column: str, errors: list[RowError]) -> str:
    text = _text(value).replace(" ", "")
    if text:
        try:
            validate_phone(text)
        except ActionError as exc:
            errors.append(RowError(row, column, exc.message))
    return text


def _validated(check: Callable[[str], str], value: str, row: int, column: str, errors: list[RowError]) -> str:
    """The value as one of the validators shared with the API (gongzhi.lib.validators) cleans it; its error as
    the row's."""
    try:
        return check(value)
    except ActionError as exc:
        errors.append(RowError(row, column, exc.message))
        return value


def _line(value: str, row: int, column: str, errors: list[RowError]) -> str:
    return _validated(lambda v: validate_single_line(v, field="name"), value, row, column, errors)


def _id_number(value: Any, row: int, column: str, errors: list[RowError]) -> str:
    text = _text(value).replace(" ", "").upper()
    if text:
        try:
            validate_id_number(text)
        except ActionError as exc:
            errors.append(RowError(row, column, exc.message))
    return text


def _choice(value: Any, table: dict[str, str], row: int, column: str, allowed: Sequence[str],
            errors: list[RowError]) -> str:
    text = _text(value)
    if not text:
        return ""
    if text in table:
        return table[text]
    errors.append(RowError(row, column, _("%(value)s is not an allowed value for %(column)s; use one of: %(allowed)s.")
                           % {"value": text, "column": column, "allowed": "、".join(allowed)}))
    return ""


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _date(value: Any, row: int, column: str, errors: list[RowError]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        if parsed > timezone.localdate():
            break
        return parsed
    errors.append(RowError(row, column, _("%(value)s is not a valid date; write it like 2001-07-01.")
                           % {"value": text}))
    return None


def _duplicate(seen: dict[Any, int], key: Any, row: int, column: str, value: str, errors: list[RowError]) -> None:
    if key in seen:
        errors.append(RowError(row, column, _("%(value)s repeats row %(first)s of this file; keep only one of them.")
                               % {"value": value, "first": seen[key]}))
    else:
        seen[key] = row


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Validator:
    def __init__(self, job: ImportJob, sheet: Sheet, progress: ProgressCallback | None) -> None:
        self.job = job
        self.user = job.created_by
        self.spec = get_spec(job.kind)
        self.sheet = sheet
        self.index = AreaIndex(self.user, job.scope_area)
        self.plan = Plan(kind=job.kind, total=len(sheet.rows))
        self.progress = progress
        self.unit_names: dict[str, int] = {}
        self.area_codes: dict[str, int] = {}
        self.id_numbers: dict[str, int] = {}
        self.units_by_name: dict[str, Unit | None] = {}

    @property
    def errors(self) -> list[RowError]:
        return self.plan.errors

    def run(self) -> Plan:
        check_row = getattr(self, f"row_{self.job.kind}")
        total = len(self.sheet.rows)
        for done, (row, values) in enumerate(self.sheet.rows, start=1):
            record = check_row(row, values)
            if record is not None:
                self.plan.records.append(record)
            if self.progress and (done % PROGRESS_EVERY == 0 or done == total):
                self.progress(done, total)
        finish = getattr(self, f"finish_{self.job.kind}", None)
        if finish is not None:
            finish()
        self.errors.sort(key=lambda e: e.row)
        return self.plan

    def header(self, key: str) -> str:
        return next(c.header for c in self.spec.columns if c.key == key)

    # -- areas ------------------------------------------------------------------------------------

    def row_areas(self, row: int, values: dict[str, Any]) -> NewArea | None:
        before = len(self.errors)
        if not _required(values, self.spec, row, self.errors):
            return None
        parent = self.index.resolve(_text(values["parent_path"]), self.errors, row, self.header("parent_path"))
        name = _line(_text(values["name"]), row, self.header("name"), self.errors)
        code = _validated(validate_area_code, _text(values["code"]), row, self.header("code"), self.errors)
        if code:
            _duplicate(self.area_codes, code, row, self.header("code"), code, self.errors)
        level = _choice(values["level"], _lookup(LEVEL_NAMES, ((v, lbl) for v, lbl in Area.Level.choices)), row,
                        self.header("level"), [n[0] for n in LEVEL_NAMES.values()], self.errors)
        if len(name) > 100:
            self.errors.append(RowError(row, self.header("name"), _("The name is too long (at most 100 characters).")))
        if parent is None or not level:
            return None
        expected = Area.CHILD_LEVEL.get(parent.level)
        if expected != level:
            message = (_("An area under %(parent)s must be a %(level)s.") % {
                "parent": parent.name, "level": level_name(expected)} if expected
                else _("No area can be created under a building."))
            self.errors.append(RowError(row, self.header("level"), message))
            return None
        names = (*(parent.names if isinstance(parent, NewArea) else self.index.names_of[parent.pk]), name)
        existing = self.index.by_names.get(names)
        if isinstance(existing, NewArea):
            self.errors.append(RowError(row, self.header("name"), _(
                "%(value)s repeats row %(first)s of this file; keep only one of them.")
                % {"value": name, "first": existing.row}))
            return None
        if existing is not None:
            self.errors.append(RowError(row, self.header("name"), _(
                "%(parent)s already has an area named %(name)s.") % {"parent": parent.name, "name": name}))
            return None
        if len(self.errors) > before:
            return None
        new = NewArea(row=row, name=name, level=level, code=code, parent=parent, names=names)
        self.index.add(new)
        return new

    def finish_areas(self) -> None:
        codes = list(self.area_codes.items())
        for chunk in _chunks(codes):
            rows = dict(chunk)
            for existing in Area.objects.filter(code__in=list(rows)).values_list("code", flat=True):
                self.errors.append(RowError(rows[existing], self.header("code"), _(
                    "Another area already has the code %(code)s.") % {"code": existing}))

    # -- units ------------------------------------------------------------------------------------

    def row_units(self, row: int, values: dict[str, Any]) -> dict[str, Any] | None:
        before = len(self.errors)
        _required(values, self.spec, row, self.errors)
        seen = self.unit_names
        name = _line(_text(values["name"]), row, self.header("name"), self.errors)
        if name:
            if len(name) > 100:
                self.errors.append(RowError(row, self.header("name"), _("The name is too long (at most 100 characters).")))
            _duplicate(seen, name, row, self.header("name"), name, self.errors)
        kind = _choice(values["kind"], _lookup(UNIT_KIND_NAMES, Unit.Kind.choices), row, self.header("kind"),
                       [n[0] for n in UNIT_KIND_NAMES.values()], self.errors)
        area = None
        if _text(values["area_path"]):
            area = self.index.resolve(_text(values["area_path"]), self.errors, row, self.header("area_path"))
        credit_code = _validated(validate_credit_code, _text(values["credit_code"]), row, self.header("credit_code"),
                                 self.errors)
        phone = _phone(values["contact_phone"], row, self.header("contact_phone"), self.errors)
        communities: list[Area] = []
        for part in MULTI_SEPARATORS.split(_text(values["registration_paths"])):
            if not part:
                continue
            community = self.index.resolve(part, self.errors, row, self.header("registration_paths"))
            if community is None:
                continue
            if community.level != Area.Level.COMMUNITY:
                self.errors.append(RowError(row, self.header("registration_paths"), _(
                    "A unit registers at a community; %(path)s is not a community.") % {"path": part}))
            elif isinstance(community, Area) and community not in communities:
                communities.append(community)
        if len(self.errors) > before or area is None:
            return None
        return {"row": row, "name": name, "kind": kind, "area": area, "credit_code": credit_code,
                "contact_name": _text(values["contact_name"])[:50], "contact_phone": phone,
                "address": _text(values["address"])[:200], "communities": communities}

    def finish_units(self) -> None:
        names = list(self.unit_names.items())
        for chunk in _chunks(names):
            rows = dict(chunk)
            for existing in Unit.objects.filter(name__in=list(rows)).values_list("name", flat=True):
                self.errors.append(RowError(rows[existing], self.header("name"), _(
                    "A unit named %(name)s already exists.") % {"name": existing}))

    # -- people -----------------------------------------------------------------------------------

    def _person(self, row: int, values: dict[str, Any]) -> dict[str, Any]:
        name = _line(_text(values["name"]), row, self.header("name"), self.errors)
        if len(name) > 50:
            self.errors.append(RowError(row, self.header("name"), _("The name is too long (at most 50 characters).")))
        gender = _choice(values["gender"], _lookup(GENDER_NAMES, Resident.Gender.choices), row, self.header("gender"),
                         ["男", "女"], self.errors)
        phone = _phone(values["phone"], row, self.header("phone"), self.errors)
        id_number = _id_number(values["id_number"], row, self.header("id_number"), self.errors)
        if id_number:
            _duplicate(self.id_numbers, id_number, row, self.header("id_number"), id_number[:3] + "…" + id_number[-4:],
                       self.errors)
        return {"row": row, "name": name, "gender": gender, "phone": phone, "id_number": id_number}

    def _finish_id_numbers(self, model: type[Resident] | type[PartyMember]) -> None:
        """ID numbers already in the roster *of this import's scope* are refused. Records outside the scope are
        never looked at: a number that exists only elsewhere in the city is imported as a new record in the scope
        like any other, so the row errors tell the uploader nothing about people outside it (the same person
        can then be on two communities' rosters, e.g. after moving; someone whose scope covers both may merge
        them)."""
        area_path = "area__path" if model is Resident else "home_area__path"
        in_scope = model.objects.filter(**{f"{area_path}__startswith": self.job.scope_area.path})
        numbers = list(self.id_numbers.items())
        for chunk in _chunks(numbers):
            rows = dict(chunk)
            for existing in in_scope.filter(id_number__in=list(rows)).values_list("id_number", flat=True):
                self.errors.append(RowError(rows[existing], self.header("id_number"), _(
                    "A person with the ID number %(value)s is already in the roster of %(scope)s; remove the row "
                    "or correct the number.") % {"value": existing[:3] + "…" + existing[-4:],
                                                  "scope": "/".join(self.index.scope_names)}))

    def row_party_members(self, row: int, values: dict[str, Any]) -> dict[str, Any] | None:
        before = len(self.errors)
        _required(values, self.spec, row, self.errors)
        person = self._person(row, values)
        person["joined_on"] = _date(values["joined_on"], row, self.header("joined_on"), self.errors)
        home = None
        if _text(values["home_path"]):
            home = self.index.resolve(_text(values["home_path"]), self.errors, row, self.header("home_path"))
            if home is not None and home.level != Area.Level.COMMUNITY:
                self.errors.append(RowError(row, self.header("home_path"), _(
                    "The path must end at a community; %(path)s is not a community.")
                    % {"path": _text(values["home_path"])}))
        in_service_text = _text(values["in_service"]).lower()
        if in_service_text not in YES_WORDS | NO_WORDS:
            self.errors.append(RowError(row, self.header("in_service"), _(
                "%(value)s is not an allowed value for %(column)s; use one of: %(allowed)s.")
                % {"value": _text(values["in_service"]), "column": self.header("in_service"), "allowed": "是、否"}))
        unit_name = _text(values["work_unit"])
        unit = None
        if unit_name:
            units = self.units_by_name
            if unit_name not in units:
                units[unit_name] = visible_to(self.user, Unit).filter(name=unit_name).first()
            unit = units[unit_name]
            if unit is None:
                self.errors.append(RowError(row, self.header("work_unit"), _(
                    "No unit named %(name)s is found among the units you can see; import the unit first or leave "
                    "the cell empty.") % {"name": unit_name}))
        if len(self.errors) > before or home is None:
            return None
        return {**person, "home_area": home, "in_service": in_service_text in YES_WORDS, "work_unit": unit}

    def finish_party_members(self) -> None:
        self._finish_id_numbers(PartyMember)

    def row_residents(self, row: int, values: dict[str, Any]) -> dict[str, Any] | None:
        before = len(self.errors)
        _required(values, self.spec, row, self.errors)
        person = self._person(row, values)
        birth_year: int | None = None
        raw_year = _text(values["birth_year"])
        if raw_year:
            if re.fullmatch(r"\d{4}", raw_year) and 1900 <= int(raw_year) <= timezone.localdate().year:
                birth_year = int(raw_year)
            else:
                self.errors.append(RowError(row, self.header("birth_year"), _(
                    "%(value)s is not a valid birth year; write four digits like 1956.") % {"value": raw_year}))
        id_number = person["id_number"]
        if id_number and len(self.errors) == before:
            birth_year = birth_year or int(id_number[6:10])
            person["gender"] = person["gender"] or ("male" if int(id_number[16]) % 2 else "female")
        area = None
        if _text(values["area_path"]):
            area = self.index.resolve(_text(values["area_path"]), self.errors, row, self.header("area_path"))
        room = _text(values["room"])[:30]
        if room and area is not None and area.level != Area.Level.BUILDING:
            self.errors.append(RowError(row, self.header("room"), _(
                "A room number can only be given when the path ends at a building.")))
        if len(self.errors) > before or area is None:
            return None
        return {**person, "birth_year": birth_year, "area": area, "room": room,
                "address": _text(values["address"])[:200]}

    def finish_residents(self) -> None:
        self._finish_id_numbers(Resident)


# ---------------------------------------------------------------------------------------------
# Jobs and the import action
# ---------------------------------------------------------------------------------------------


def check_import_allowed(user: User, kind: str, scope: Area) -> None:
    get_spec(kind)
    if not area_policy.visible_to(user).filter(pk=scope.pk).exists():
        raise PermissionDenied(_("You do not have permission to do this here."))
    require(user, "import", scope)
    if kind == Kind.AREAS:
        require(user, "manage_areas", scope)


@transaction.atomic
def do_create_import_job(*, acting_user: User, kind: str, scope_area: Area, upload: IO[bytes], name: str,
                         size: int | None = None) -> ImportJob:
    """Check an uploaded file (name, size, that Excel can open it) and record the import job."""
    check_import_allowed(acting_user, kind, scope_area)
    check_upload(name, size)
    upload.seek(0)
    check_workbook(upload)
    upload.seek(0)
    job = ImportJob(kind=kind, original_name=Path(name).name[:200], created_by=acting_user, scope_area=scope_area)
    job.file.save("upload.xlsx", File(upload), save=False)
    job.save()
    return job


def _set_job(job: ImportJob, **values: Any) -> None:
    """A short write of a job's progress, outside any import transaction, visible to the job page at once."""
    ImportJob.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)


def validate_job(job: ImportJob, progress: ProgressCallback | None = None) -> Plan:
    with job.file.open("rb") as handle:
        sheet = read_sheet(job.kind, handle)
    _set_job(job, total_rows=len(sheet.rows), processed_rows=0)
    if not sheet.rows:
        raise ActionError(_("The file has no data rows. Fill in the rows below the header and upload it again."),
                          field="file")
    return Validator(job, sheet, progress).run()


def run_import(job: ImportJob, progress: ProgressCallback | None = None) -> ImportJob:
    """Validate and then import a job's file; the job records the outcome (never raises for bad files). The
    file is deleted afterwards, whatever the outcome: it holds full personal data."""
    try:
        return _run_import(job, progress)
    finally:
        discard_import_file(job)


def discard_import_file(job: ImportJob) -> None:
    """Delete a job's uploaded file from storage and forget its name."""
    name = job.file.name
    if name:
        job.file.storage.delete(name)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        job.file.name = ""


STALE_IMPORT_AGE = timedelta(hours=24)


def discard_stale_import_files(now: datetime | None = None) -> int:
    """Jobs that have not finished a day after their upload (the worker was down, or died in the middle): the
    job is marked as rejected and its file deleted, so that no roster stays in storage. Returns how many."""
    cutoff = (now or timezone.now()) - STALE_IMPORT_AGE
    stale = ImportJob.objects.filter(status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING],
                                     created_at__lt=cutoff)
    count = 0
    for job in stale:
        _set_job(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                 message=_("The import did not finish within a day, so the uploaded file was deleted. Please "
                           "upload the file again."))
        discard_import_file(job)
        count += 1
    return count


def _run_import(job: ImportJob, progress: ProgressCallback | None = None) -> ImportJob:
    _set_job(job, status=ImportJob.Status.RUNNING, errors=[], message="")

    def report(done: int, total: int) -> None:
        _set_job(job, processed_rows=done)
        if progress is not None:
            progress(done, total)

    try:
        check_import_allowed(job.created_by, job.kind, job.scope_area)
        plan = validate_job(job, report)
        if plan.errors:
            bad_rows = len({e.row for e in plan.errors})
            _set_job(job, status=ImportJob.Status.FAILED, errors=[e.as_dict() for e in plan.errors],
                     message=_("%(count)s rows have errors; nothing was imported. Fix them and upload the file "
                               "again.") % {"count": bad_rows},
                     finished_at=timezone.now())
            return job
        _set_job(job, message=_("Checked; writing…"))
        created = do_import_roster(job, plan)
        _set_job(job, status=ImportJob.Status.SUCCEEDED, created_rows=created, processed_rows=plan.total,
                 message=_("Imported %(count)s rows.") % {"count": created}, finished_at=timezone.now())
    except PermissionDenied as exc:
        _set_job(job, status=ImportJob.Status.FAILED, message=str(exc)[:300] or _("Permission denied."),
                 finished_at=timezone.now())
    except ActionError as exc:
        _set_job(job, status=ImportJob.Status.FAILED, message=exc.message[:300],
                 errors=[{"row": 1, "column": "", "message": exc.message}], finished_at=timezone.now())
    except Exception:
        logger.exception("roster import %s failed", job.pk)
        _set_job(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                 message=_("The import failed because of a system error; nothing was imported. Please try again "
                           "or contact the administrator."))
    return job


@transaction.atomic
def do_import_roster(job: ImportJob, plan: Plan) -> int:
    """Write every validated record of an import at once, with one audit event. Any failure writes nothing."""
    user = job.created_by
    check_import_allowed(user, job.kind, job.scope_area)
    if plan.errors:
        raise ActionError(_("%(count)s rows have errors; nothing was imported. Fix them and upload the file again.")
                          % {"count": len({e.row for e in plan.errors})})
    writers: dict[str, Callable[[list[Any]], int]] = {
        Kind.AREAS: _write_areas, Kind.UNITS: _write_units, Kind.PARTY_MEMBERS: _write_party_members,
        Kind.RESIDENTS: _write_residents,
    }
    writer = writers[job.kind]
    try:
        with transaction.atomic():
            count = writer(plan.records)
    except IntegrityError:
        raise ActionError(_("The data changed while the file was being checked (for example a unit with the same "
                            "name was added). Nothing was imported; please upload the file again.")) from None
    log_event(user, "core.roster.import", job, area=job.scope_area, after={"kind": job.kind, "rows": count})
    if job.kind == Kind.AREAS:
        registry.send_on_commit(AREAS_CREATED, areas=[new.created for new in plan.records], acting_user=user)
    return count


def _bulk_create_with_ids(model: Any, objects: list[Any]) -> list[Any]:
    if connection.features.can_return_rows_from_bulk_insert:
        return list(model.objects.bulk_create(objects, batch_size=1000))
    for obj in objects:  # pragma: no cover - old databases without RETURNING
        obj.save(force_insert=True)
    return objects


def _write_areas(records: list[NewArea]) -> int:
    generations: dict[int, list[NewArea]] = {}
    for new in records:
        generations.setdefault(new.generation, []).append(new)
    for generation in sorted(generations):
        batch = generations[generation]
        objects = []
        for new in batch:
            parent = new.parent if isinstance(new.parent, Area) else new.parent.created
            assert parent is not None
            objects.append(Area(name=new.name, level=new.level, code=new.code, parent=parent))
        _bulk_create_with_ids(Area, objects)
        for new, area in zip(batch, objects, strict=True):
            area.path = f"{area.parent.path if area.parent else '/'}{area.pk}/"
            new.created = area
        Area.objects.bulk_update(objects, ["path"], batch_size=1000)
    return len(records)


def _write_units(records: list[dict[str, Any]]) -> int:
    units = [Unit(name=r["name"], kind=r["kind"], area=r["area"], credit_code=r["credit_code"],
                  contact_name=r["contact_name"], contact_phone=r["contact_phone"], address=r["address"])
             for r in records]
    _bulk_create_with_ids(Unit, units)
    now = timezone.now()
    registrations = [Registration(kind=Registration.Kind.UNIT, unit=unit, community=community, registered_at=now,
                                  status=Registration.Status.CONFIRMED, decided_at=now)
                     for unit, r in zip(units, records, strict=True) for community in r["communities"]]
    Registration.objects.bulk_create(registrations, batch_size=1000)
    return len(units)


def _write_party_members(records: list[dict[str, Any]]) -> int:
    committees = dict(
        PartyOrg.objects.filter(kind=PartyOrg.Kind.COMMUNITY_COMMITTEE,
                                area_id__in={r["home_area"].pk for r in records}).values_list("area_id", "pk")
    )
    members = [PartyMember(name=r["name"], gender=r["gender"], phone=r["phone"], id_number=r["id_number"],
                           joined_on=r["joined_on"], home_area=r["home_area"], in_service=r["in_service"],
                           work_unit=r["work_unit"], party_org_id=committees.get(r["home_area"].pk))
               for r in records]
    PartyMember.objects.bulk_create(members, batch_size=1000)
    return len(members)


def _write_residents(records: list[dict[str, Any]]) -> int:
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for r in records:
        if r["room"]:
            wanted.setdefault((r["area"].pk, r["room"]), r)
    households: dict[tuple[int, str], int] = {}
    building_ids = sorted({key[0] for key in wanted})
    for chunk in _chunks(building_ids):
        for pk, building_id, number in Household.objects.filter(building_id__in=chunk).values_list(
                "pk", "building_id", "number"):
            households[(building_id, number)] = pk
    missing = [Household(building=r["area"], number=key[1], address=r["address"] or f"{r['area'].name}{key[1]}")
               for key, r in wanted.items() if key not in households]
    for household in _bulk_create_with_ids(Household, missing):
        households[(household.building_id, household.number)] = household.pk
    residents = [Resident(name=r["name"], gender=r["gender"], birth_year=r["birth_year"], phone=r["phone"],
                          id_number=r["id_number"], address=r["address"], area=r["area"],
                          household_id=households.get((r["area"].pk, r["room"])) if r["room"] else None)
                 for r in records]
    Resident.objects.bulk_create(residents, batch_size=1000)
    return len(residents)
