"""Backup and restore of a whole Gongzhi: the database and the uploaded files, in one archive.

`gongzhi backup` writes a tar archive holding

- `database.pgdump` (PostgreSQL: `pg_dump --format=custom` of a snapshot) or `database.sqlite3` (the embedded
  default: SQLite's online-backup API, which copies a consistent picture while the site keeps running);
- `files/<name>/...`: every directory of uploaded files (`backup_file_dirs()`);
- `manifest.json`: when, from which engine and schema (the last migration of each app), and for every table its
  row count and a SHA-256 over its rows, and for every file its size and SHA-256.

`gongzhi restore ARCHIVE` puts all of it back: the database in one transaction (PostgreSQL: the public schema is
dropped and the dump replayed by `psql --single-transaction`, so a failure leaves the old database as it was),
then the files (unpacked beside the old directory and swapped in), and then checks every table's count and
checksum, and every file, against the manifest. A mismatch is an error.

The table checksums are taken in the same snapshot as the dump (PostgreSQL: `pg_export_snapshot()` handed to
`pg_dump --snapshot`; SQLite: read from the copy itself), so writes during a backup cannot make it disagree.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_NAME = "database.pgdump"
SQLITE_NAME = "database.sqlite3"
CHUNK = 2000


class BackupError(Exception):
    """Something about a backup or a restore that the operator must fix; the message says what."""


@dataclass
class TableSum:
    rows: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    engine: str
    migrations: dict[str, str]
    tables: dict[str, TableSum]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        data = {
            "format": self.format, "created_at": self.created_at, "engine": self.engine,
            "migrations": self.migrations,
            "tables": {name: {"rows": s.rows, "sha256": s.sha256} for name, s in sorted(self.tables.items())},
            "files": self.files,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT_VERSION:
            raise BackupError(f"备份格式 {data.get('format')} 无法识别（本版本读取格式 {FORMAT_VERSION}）。")
        return cls(
            created_at=data["created_at"], engine=data["engine"], migrations=data["migrations"],
            tables={name: TableSum(int(v["rows"]), v["sha256"]) for name, v in data["tables"].items()},
            files=data.get("files", {}), format=data["format"],
        )


# ---------------------------------------------------------------------------------------------------
# what is backed up


def backup_file_dirs() -> dict[str, Path]:
    """The directories of uploaded files, by the name they have inside an archive."""
    return {"media": Path(settings.MEDIA_ROOT)}


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"不支持的数据库：{vendor}（支持 PostgreSQL 和 SQLite）。")
    return vendor


def _canon(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value == value else "NaN"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_sums(cursor: Any, tables: Iterable[str]) -> dict[str, TableSum]:
    """Row count and SHA-256 of every table, rows in the order of all their columns (works with or without a
    primary key). `cursor` is a DB-API cursor on the database (or the copy) to read."""
    sums: dict[str, TableSum] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # noqa: S608 - names come from introspection
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
        digest = hashlib.sha256()
        rows = 0
        while True:
            chunk = cursor.fetchmany(CHUNK)
            if not chunk:
                break
            for row in chunk:
                digest.update(json.dumps([_canon(v) for v in row], ensure_ascii=False).encode())
                digest.update(b"\n")
            rows += len(chunk)
        sums[table] = TableSum(rows, digest.hexdigest())
    return sums


def list_tables(cursor: Any, kind: str) -> list[str]:
    """Every table of the application's database (PostgreSQL: the public schema; SQLite: all but its own)."""
    if kind == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [r[0] for r in cursor.fetchall()]


def _migration_state(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return {app: name for app, name in cursor.fetchall()}


def _file_sums(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not root.is_dir():
        return out
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023
                digest.update(block)
        out[path.relative_to(root).as_posix()] = {"size": path.stat().st_size, "sha256": digest.hexdigest()}
    return out


# ---------------------------------------------------------------------------------------------------
# PostgreSQL helpers


def _pg_env_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"找不到 {argv[0]}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client）。")
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what}失败：{result.stderr.strip()[-2000:]}")


def _pg_connect() -> Any:
    """A plain psycopg connection of its own (sums are always read through one, so they compare alike)."""
    import psycopg

    db = dict(connection.settings_dict)
    conninfo = {"dbname": db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None,
                "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    return psycopg.connect(**{k: v for k, v in conninfo.items() if v})


@contextmanager
def _pg_snapshot() -> Iterator[tuple[str, dict[str, TableSum], dict[str, str]]]:
    """A repeatable-read transaction on its own connection: its exported snapshot, and the sums read in it."""
    import psycopg

    with _pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            snapshot = str(row[0])
            sums = table_sums(cursor, list_tables(cursor, "postgresql"))
            migrations = _migration_state(cursor)
            yield snapshot, sums, migrations


# ---------------------------------------------------------------------------------------------------
# backup


def default_archive_name() -> str:
    return f"gongzhi-backup-{timezone.localtime().strftime('%Y%m%d-%H%M%S')}.tar"


def create_backup(target: Path) -> Manifest:
    """Write one archive to `target` (a .tar path); return its manifest."""
    kind = engine()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-", dir=target.parent) as tmp_name:
        tmp = Path(tmp_name)
        if kind == "postgresql":
            db = dict(connection.settings_dict)
            env, args = _pg_env_args(db)
            dump = tmp / PG_DUMP_NAME
            with _pg_snapshot() as (snapshot, sums, migrations):
                _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
                      f"--snapshot={snapshot}", f"--file={dump}", str(db["NAME"])], env, "pg_dump ")
            db_file = dump
        else:
            db_file = tmp / SQLITE_NAME
            sums, migrations = _sqlite_copy_sums(db_file)
        files = {name: _file_sums(root) for name, root in backup_file_dirs().items()}
        manifest = Manifest(
            created_at=timezone.now().isoformat(), engine=kind, migrations=migrations, tables=sums, files=files,
        )
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = manifest.to_json().encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for name, root in backup_file_dirs().items():
                for rel in files[name]:
                    tar.add(root / rel, arcname=f"files/{name}/{rel}")
        os.replace(partial, target)
    return manifest


# ---------------------------------------------------------------------------------------------------
# restore


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read().decode())
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {archive}。") from None
    except (tarfile.TarError, KeyError, ValueError):
        raise BackupError(f"{archive} 不是共治的备份文件（缺少或无法读取 {MANIFEST}）。") from None


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int


def restore_backup(archive: Path) -> RestoreReport:
    """Replace the database and the uploaded files with the archive's, then check both against its manifest."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    kind = engine()
    if manifest.engine != kind:
        raise BackupError(
            f"这份备份来自 {manifest.engine}，当前数据库是 {kind}：请在同类数据库上恢复"
            "（跨数据库迁移请用 dumpdata/loaddata）。"
        )
    with tempfile.TemporaryDirectory(prefix="gongzhi-restore-") as tmp_name:
        tmp = Path(tmp_name)
        with tarfile.open(archive, "r") as tar:
            tar.extractall(tmp, filter="data")
        connections.close_all()
        if kind == "postgresql":
            _restore_postgresql(tmp / PG_DUMP_NAME, tmp)
        else:
            _restore_sqlite(tmp / SQLITE_NAME, manifest.tables)
        connections.close_all()
        restored_files = _restore_files(tmp / "files", manifest)
    return verify(manifest, restored_files)


def _restore_postgresql(dump: Path, tmp: Path) -> None:
    if not dump.is_file():
        raise BackupError(f"备份中缺少 {PG_DUMP_NAME}。")
    db = dict(connection.settings_dict)
    env, args = _pg_env_args(db)
    script = tmp / "restore.sql"
    _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env, "读取备份")
    # One transaction: the old schema goes and the backup's comes, or (on any error) nothing changes.
    _run(["psql", *args, "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
          "-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public",
          "-f", str(script), str(db["NAME"])], env, "恢复数据库")


def _restore_sqlite(copy_path: Path, expected: dict[str, TableSum]) -> None:
    if not copy_path.is_file():
        raise BackupError(f"备份中缺少 {SQLITE_NAME}。")
    source = sqlite3.connect(copy_path)
    try:
        try:
            cursor = source.cursor()
            ok = cursor.execute("PRAGMA integrity_check").fetchone()
            sums = table_sums(cursor, list_tables(cursor, "sqlite"))
        except sqlite3.DatabaseError:
            raise BackupError(f"备份中的 {SQLITE_NAME} 已损坏，无法读取：请换一份备份。") from None
        if not ok or ok[0] != "ok" or sums != expected:
            raise BackupError(f"备份中的 {SQLITE_NAME} 与其清单不符（文件可能损坏）：请换一份备份。")
        # Checked before anything is touched; the copy then replaces the live database in one step.
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_files(unpacked: Path, manifest: Manifest) -> dict[str, dict[str, Any]]:
    restored: dict[str, dict[str, Any]] = {}
    for name, root in backup_file_dirs().items():
        incoming = unpacked / name
        root.parent.mkdir(parents=True, exist_ok=True)
        staged = root.with_name(f".{root.name}.restoring")
        old = root.with_name(f".{root.name}.old")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        if incoming.is_dir():
            shutil.copytree(incoming, staged)
        else:
            staged.mkdir()
        if root.exists():
            os.replace(root, old)
        os.replace(staged, root)
        shutil.rmtree(old, ignore_errors=True)
        restored[name] = _file_sums(root)
    return restored


def current_sums() -> dict[str, TableSum]:
    """The sums of the database as it is now, read the way a backup reads them."""
    if engine() == "postgresql":
        with _pg_connect() as conn, conn.cursor() as cursor:
            return table_sums(cursor, list_tables(cursor, "postgresql"))
    # Django's SQLite connection converts dates and booleans on the way out; a backup reads a plain copy.
    with tempfile.TemporaryDirectory(prefix="gongzhi-verify-") as tmp:
        return _sqlite_copy_sums(Path(tmp) / SQLITE_NAME)[0]


def _sqlite_copy_sums(copy_path: Path) -> tuple[dict[str, TableSum], dict[str, str]]:
    """Copy the live SQLite database to `copy_path` (online-backup API) and read its sums and migrations."""
    connection.ensure_connection()
    copy = sqlite3.connect(copy_path)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return table_sums(cursor, list_tables(cursor, "sqlite")), _migration_state(cursor)
    finally:
        copy.close()


def verify(manifest: Manifest, files: dict[str, dict[str, Any]] | None = None) -> RestoreReport:
    """Compare the database (and files) with a manifest; BackupError naming what differs."""
    now = current_sums()
    problems = []
    for table, expected in sorted(manifest.tables.items()):
        got = now.get(table)
        if got is None:
            problems.append(f"表 {table} 不见了")
        elif got.rows != expected.rows:
            problems.append(f"表 {table} 应有 {expected.rows} 行，实有 {got.rows} 行")
        elif got.sha256 != expected.sha256:
            problems.append(f"表 {table} 的内容与备份不一致")
    for table in sorted(set(now) - set(manifest.tables)):
        problems.append(f"多出了备份中没有的表 {table}")
    files = files if files is not None else {name: _file_sums(root) for name, root in backup_file_dirs().items()}
    for name, expected_files in sorted(manifest.files.items()):
        if files.get(name, {}) != expected_files:
            problems.append(f"文件目录 {name} 与备份不一致")
    if problems:
        raise BackupError("恢复后的核对不通过：" + "；".join(problems[:20]))
    return RestoreReport(
        tables=len(now), rows=sum(s.rows for s in now.values()),
        files=sum(len(v) for v in manifest.files.values()),
    )
