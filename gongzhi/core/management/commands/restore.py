"""`gongzhi restore ARCHIVE --yes`: replace the database and the uploaded files with a backup's, then check them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.audit import log_operation
from gongzhi.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore a `gongzhi backup` archive: everything in the database and the uploaded files is replaced."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="Do it without asking (scripts).")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            manifest = read_manifest(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if not options["yes"]:
            answer = input(
                f"将用 {manifest.created_at} 的备份替换当前数据库和上传文件，现有数据全部丢弃。输入 yes 继续："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，什么也没有改。")
        try:
            report = restore_backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        # Written after the check, so the restored data is the backup's exactly, and then the log says it was put back.
        log_operation("core.backup.restore", "core.backup", archive.name, str(archive),
                      after={"created_at": manifest.created_at, "tables": report.tables, "rows": report.rows,
                             "files": report.files})
        self.stdout.write(
            f"已恢复 {archive}：{report.tables} 张表、{report.rows} 行，文件 {report.files} 个，均与备份核对一致。"
            "若备份来自旧版本，请再运行 gongzhi migrate。"
        )
