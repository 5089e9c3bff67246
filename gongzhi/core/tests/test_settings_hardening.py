"""Settings that a deployment gets right by default (docs/configuration.md): no serving with the built-in
SECRET_KEY outside DEBUG, cookies over HTTPS only and HSTS unless DEBUG, passwords unlike the user's name, and
admin pages with personal data audited like any reveal."""

from __future__ import annotations

import os
import runpy
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from gongzhi.appeals import actions as appeals_actions
from gongzhi.core.models import AuditEvent
from gongzhi.core.startup import insecure_start_reason

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "settings.py"
ENV = ("DEBUG", "SECRET_KEY", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "TRUSTED_PROXIES")


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """gongzhi/settings.py evaluated afresh under the given environment (nothing else is touched)."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GONGZHI_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_cookies_are_secure_and_hsts_on_unless_debug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    default = load_settings(monkeypatch, tmp_path)
    assert default["SESSION_COOKIE_SECURE"] and default["CSRF_COOKIE_SECURE"]
    assert default["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert default["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    debug = load_settings(monkeypatch, tmp_path, DEBUG="true")
    assert not debug["SESSION_COOKIE_SECURE"] and debug["SECURE_HSTS_SECONDS"] == 0
    plain = load_settings(monkeypatch, tmp_path, SECURE_COOKIES="false")  # what `make run` sets
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["CSRF_COOKIE_SECURE"]


def test_a_wrong_trusted_proxy_stops_the_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="TRUSTED_PROXIES"):
        load_settings(monkeypatch, tmp_path, TRUSTED_PROXIES="10.0.0.1,proxy.intranet")


def test_the_key_comes_from_the_environment_or_the_var_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            settings: Any) -> None:
    assert load_settings(monkeypatch, tmp_path)["SECRET_KEY_IS_BUILTIN"]
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    call_command("make_secret_key")
    written = (tmp_path / "secret_key").read_text().strip()
    assert len(written) >= 50 and stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    call_command("make_secret_key")  # a second run keeps the key (sessions survive a restart)
    assert (tmp_path / "secret_key").read_text().strip() == written
    from_file = load_settings(monkeypatch, tmp_path)
    assert from_file["SECRET_KEY"] == written and not from_file["SECRET_KEY_IS_BUILTIN"]
    from_env = load_settings(monkeypatch, tmp_path, SECRET_KEY="k" * 60)
    assert from_env["SECRET_KEY"] == "k" * 60


def test_serve_refuses_the_built_in_key_outside_debug(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    def started(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("gongzhi serve started the server")

    monkeypatch.setattr(os, "execv", started)
    monkeypatch.setattr(subprocess, "Popen", started)
    settings.DEBUG, settings.SECRET_KEY_IS_BUILTIN = False, True
    with pytest.raises(CommandError, match="SECRET_KEY"):
        call_command("serve", "--with-worker")
    settings.DEBUG = True
    assert insecure_start_reason() is None
    settings.DEBUG, settings.SECRET_KEY_IS_BUILTIN = False, False
    assert insecure_start_reason() is None


def test_the_worker_refuses_the_built_in_key_outside_debug(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    from gongzhi.core.management.commands import worker

    ran: list[str] = []
    monkeypatch.setattr(worker, "run_due_checks", lambda: ran.append("checks"))
    monkeypatch.setattr(worker, "call_command", lambda *a, **k: ran.append(a[0]))
    settings.DEBUG, settings.SECRET_KEY_IS_BUILTIN = False, True
    with pytest.raises(CommandError, match="SECRET_KEY"):
        call_command("worker", "--once")
    assert ran == []
    settings.DEBUG, settings.SECRET_KEY_IS_BUILTIN = False, False
    call_command("worker", "--once")
    assert ran == ["checks", "db_worker"]


def test_the_wsgi_application_refuses_the_built_in_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV and k != "DATABASE_URL"}
    env["GONGZHI_VAR_DIR"] = str(tmp_path)
    run = subprocess.run([sys.executable, "-c", "import gongzhi.wsgi"], env=env, capture_output=True, text=True,  # noqa: S603
                         cwd=str(SETTINGS_FILE.parent.parent), timeout=120, check=False)
    assert run.returncode != 0 and "SECRET_KEY is the built-in development key" in run.stderr
    env["SECRET_KEY"] = "a-real-key-" + "x" * 50
    run = subprocess.run([sys.executable, "-c", "import gongzhi.wsgi"], env=env, capture_output=True, text=True,  # noqa: S603
                         cwd=str(SETTINGS_FILE.parent.parent), timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_password_like_the_user_name_is_refused(cast: Any) -> None:
    user = cast.worker_a
    user.username = "hepingli_worker"
    form = SetPasswordForm(user, {"new_password1": "hepingli_worker1", "new_password2": "hepingli_worker1"})
    assert not form.is_valid()
    assert "相似" in " ".join(str(e) for e in form.errors["new_password2"])
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password("13800138000a", user=type(user)(username="x", phone="13800138000"))
    validate_password("Tian-kong-7-lan", user=user)  # an unrelated one passes


def test_admin_pages_with_personal_data_are_audited(cast: Any, client: Any) -> None:
    appeal = appeals_actions.do_submit_appeal(acting_user=None, title="路灯坏了", body="和平小区门口路灯坏了",
                                              callback_phone="13800138000", area=cast.building_a, system=True,
                                              address="和平小区1号楼3单元502", callback_name="王女士")
    client.force_login(cast.superuser)
    pages = {
        "core.resident": f"/admin/core/resident/{cast.resident_a.pk}/change/",
        "core.partymember": f"/admin/core/partymember/{cast.party_member_a.pk}/change/",
        "core.user": f"/admin/core/user/{cast.worker_a.pk}/change/",
        "appeals.appeal": f"/admin/appeals/appeal/{appeal.pk}/change/",
    }
    for object_type, url in pages.items():
        before = AuditEvent.objects.filter(verb="core.pii.reveal").count()
        assert client.get(url).status_code == 200, url
        event = AuditEvent.objects.filter(verb="core.pii.reveal").order_by("-id").first()
        assert AuditEvent.objects.filter(verb="core.pii.reveal").count() == before + 1, url
        assert event is not None and event.actor == cast.superuser and event.object_type == object_type
        assert event.after is not None and event.after["via"] == "admin"
    resident_event = AuditEvent.objects.get(verb="core.pii.reveal", object_type="core.resident")
    assert resident_event.area == cast.resident_a.area
    assert resident_event.after == {"fields": ["phone", "id_number", "address"], "via": "admin"}
    # Lists show no personal data in full and are not logged as reveals.
    before = AuditEvent.objects.filter(verb="core.pii.reveal").count()
    assert client.get("/admin/core/resident/").status_code == 200
    assert AuditEvent.objects.filter(verb="core.pii.reveal").count() == before
