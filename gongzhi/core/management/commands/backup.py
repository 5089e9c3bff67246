"""`gongzhi backup [ARCHIVE]`: the database and the uploaded files in one archive (see gongzhi/core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.audit import log_operation
from gongzhi.core.backup import BackupError, create_backup, default_archive_name


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar archive (default: var/backups/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", nargs="?", help="Where to write the archive (a .tar path).")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["archive"] or Path(settings.BACKUP_DIR) / default_archive_name())
        if target.exists():
            raise CommandError(f"{target} 已存在：请换一个文件名，备份不会覆盖已有的文件。")
        try:
            manifest = create_backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(s.rows for s in manifest.tables.values())
        files = sum(len(v) for v in manifest.files.values())
        # After the snapshot: the archive does not hold its own event.
        log_operation("core.backup.create", "core.backup", target.name, str(target),
                      after={"engine": manifest.engine, "tables": len(manifest.tables), "rows": rows, "files": files})
        self.stdout.write(
            f"已备份到 {target}：{manifest.engine} 数据库 {len(manifest.tables)} 张表、{rows} 行，文件 {files} 个。"
        )
