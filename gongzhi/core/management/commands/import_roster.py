"""`gongzhi import_roster KIND FILE --user USERNAME --scope AREA`: import an Excel roster synchronously."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError
from gongzhi.core.models import Area, ImportJob, User
from gongzhi.core.roster_import import do_create_import_job, run_import, split_path


def find_area(value: str) -> Area:
    """An area by id or by its name path from the city down ("示范市/东城区/和平街道")."""
    if value.isdigit():
        area = Area.objects.filter(pk=int(value)).first()
    else:
        area = None
        for name in split_path(value):
            area = Area.objects.filter(parent=area, name=name).first()
            if area is None:
                break
    if area is None:
        raise CommandError(_("No area is found at %(path)s.") % {"path": value})
    return area


class Command(BaseCommand):
    help = "Import an Excel roster (areas, units, party_members, residents) as a user, within a scope area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportJob.Kind.values)
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Username of the uploader; their permissions apply.")
        parser.add_argument("--scope", required=True, help="Scope area: its id or name path.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": options["user"]})
        scope = find_area(options["scope"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("File %(name)s does not exist.") % {"name": str(path)})
        try:
            with path.open("rb") as handle:
                job = do_create_import_job(acting_user=user, kind=options["kind"], scope_area=scope, upload=handle,
                                           name=path.name, size=path.stat().st_size)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

        def progress(done: int, total: int) -> None:
            self.stdout.write(_("Checked %(done)s/%(total)s rows") % {"done": done, "total": total})
            self.stdout.flush()

        job = run_import(job, progress)
        if job.status != ImportJob.Status.SUCCEEDED:
            for error in job.errors:
                self.stderr.write(_("Row %(row)s %(column)s: %(message)s") % error)
            raise CommandError(job.message or _("The import failed."))
        self.stdout.write(self.style.SUCCESS(job.message))
