"""`gongzhi export_roster KIND OUT.xlsx --user USERNAME [--area ID] [--full]`: export a roster as a user sees it."""

from __future__ import annotations

import shutil
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.exports import export_roster, get_export_area_for_user
from gongzhi.core.models import ImportJob, User


class Command(BaseCommand):
    help = "Export a roster to .xlsx, scoped to a user; personal data masked unless --full is allowed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportJob.Kind.values)
        parser.add_argument("out")
        parser.add_argument("--user", required=True)
        parser.add_argument("--area", help="Only this area's subtree (area id).")
        parser.add_argument("--full", action="store_true", help="Unmasked personal data (audited).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": options["user"]})
        try:
            area = get_export_area_for_user(user, options["area"])
            export = export_roster(user, options["kind"], area=area, full=options["full"])
        except Http404:
            raise CommandError(_("No area is found at %(path)s.") % {"path": options["area"]}) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        with open(options["out"], "wb") as out:
            shutil.copyfileobj(export.file, out)
        self.stdout.write(_("Exported %(count)s rows to %(name)s.") % {"count": export.count, "name": options["out"]})
