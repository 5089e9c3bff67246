"""`gongzhi backup` and `gongzhi restore`: a round trip gives back every table row for row and every file byte for
byte; a bad archive changes nothing. Runs on the engine of the suite (CI: PostgreSQL; the default: SQLite)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.appeals import actions as appeal_actions
from gongzhi.appeals.models import Appeal, Case
from gongzhi.core import backup
from gongzhi.core.models import AuditEvent, Resident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city(cast, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    for i in range(5):
        appeal_actions.do_submit_appeal(
            acting_user=None, channel=Appeal.Channel.WEB, appeal_type=Appeal.Type.COMPLAINT,
            title=f"楼道灯不亮 {i}", body="三单元楼道灯坏了一周", callback_name="张三",
            callback_phone=f"1380000{i:04d}", area=cast.community_a,
        )
    photos = Path(settings.MEDIA_ROOT) / "appeals" / "2026"
    photos.mkdir(parents=True)
    (photos / "a.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    (photos / "b.png").write_bytes(b"\x89PNG" + b"x" * 1000)
    return cast


def _snapshot(settings) -> tuple[dict[str, backup.TableSum], dict[str, bytes]]:  # type: ignore[no-untyped-def]
    media = Path(settings.MEDIA_ROOT)
    files = {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    return backup.current_sums(), files


def test_round_trip_gives_back_every_table_and_file(city, settings, tmp_path):  # type: ignore[no-untyped-def]
    before = _snapshot(settings)
    archive = tmp_path / "city.tar"
    call_command("backup", str(archive))

    manifest = backup.read_manifest(archive)
    assert manifest.tables["appeals_appeal"].rows == 5
    assert manifest.tables == before[0]
    assert set(manifest.files["media"]) == set(before[1])

    # Things change after the backup: rows go, rows come, a file is lost and another is added.
    Appeal.objects.filter(title__endswith="0").delete()
    Resident.objects.all().delete()
    appeal_actions.do_submit_appeal(
        acting_user=None, channel=Appeal.Channel.WEB, appeal_type=Appeal.Type.HELP, title="新诉求", body="后来的",
        callback_name="李四", callback_phone="13900001111", area=city.community_b,
    )
    media = Path(settings.MEDIA_ROOT)
    (media / "appeals" / "2026" / "a.jpg").unlink()
    (media / "stray.txt").write_text("after the backup")
    assert backup.current_sums() != before[0]

    call_command("restore", str(archive), "--yes")

    after = _snapshot(settings)
    # The log says what was done (written after the check, and the backup's own event is not in the archive).
    restored = after[0].pop("core_auditevent")
    assert restored.rows == before[0]["core_auditevent"].rows + 1
    assert list(AuditEvent.objects.filter(verb__startswith="core.backup.").values_list("verb", "object_id")) == [
        ("core.backup.restore", "city.tar")]
    before[0].pop("core_auditevent")
    assert after[0] == before[0], "every table has the same rows as before the backup"
    assert after[1] == before[1], "every uploaded file is back, byte for byte, and nothing else"
    assert Appeal.objects.count() == 5 and Case.objects.count() == 5
    assert not Appeal.objects.filter(title="新诉求").exists()


def test_backup_without_a_path_goes_to_the_backup_dir(city, settings):  # type: ignore[no-untyped-def]
    call_command("backup")
    archives = list(Path(settings.BACKUP_DIR).glob("gongzhi-backup-*.tar"))
    assert len(archives) == 1
    with tarfile.open(archives[0]) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names
    assert {"database.pgdump", "database.sqlite3"} & names
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(archives[0]))


def test_a_bad_archive_changes_nothing(city, settings, tmp_path):  # type: ignore[no-untyped-def]
    good = tmp_path / "good.tar"
    call_command("backup", str(good))
    before = _snapshot(settings)

    # Not an archive at all.
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="不是共治的备份文件"):
        call_command("restore", str(junk), "--yes")

    # The right manifest, but the database copy inside is garbage: the restore fails and nothing is replaced.
    broken = tmp_path / "broken.tar"
    with tarfile.open(good) as src, tarfile.open(broken, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name in {"database.pgdump", "database.sqlite3"}:
                garbage = b"garbage" * 100
                member.size = len(garbage)
                dst.addfile(member, io.BytesIO(garbage))
            else:
                dst.addfile(member, data)
    with pytest.raises(CommandError):
        call_command("restore", str(broken), "--yes")
    assert _snapshot(settings) == before

    # An archive from another engine is refused before anything is touched.
    other = tmp_path / "other.tar"
    with tarfile.open(good) as src, tarfile.open(other, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name == "manifest.json":
                manifest = json.loads(data.read())  # type: ignore[union-attr]
                manifest["engine"] = "sqlite" if manifest["engine"] == "postgresql" else "postgresql"
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                dst.addfile(member, io.BytesIO(raw))
            else:
                dst.addfile(member, data)
    with pytest.raises(CommandError, match="同类数据库"):
        call_command("restore", str(other), "--yes")
    assert _snapshot(settings) == before


def test_restore_is_checked_against_the_manifest(city, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The check after a restore fails loudly when a table differs from what the archive says it holds."""
    archive = tmp_path / "city.tar"
    call_command("backup", str(archive))
    manifest = backup.read_manifest(archive)
    AuditEvent.objects.create(verb="core.link", object_type="x", object_id="1", object_repr="x")
    with pytest.raises(backup.BackupError, match="core_auditevent"):
        backup.verify(manifest)
