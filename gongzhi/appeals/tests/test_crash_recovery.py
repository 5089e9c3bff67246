"""Nothing acknowledged is lost: appeal intake over HTTP on PostgreSQL while the web server and the worker are
killed with SIGKILL in the middle and started again.

- every appeal that got a 2xx is stored exactly once, under the id it was acknowledged with;
- a retry with the same Idempotency-Key creates nothing new (acknowledged or not, each key ends as one appeal);
- the worker's scheduled checks resume after the kill and remind each case exactly once.

The servers are real processes (gunicorn as `gongzhi serve` runs it, `gongzhi worker`) on the test database;
each gets a process group of its own, and only those groups are killed.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.appeals.models import Appeal, Case
from gongzhi.core.models import ApiKey, Notification
from gongzhi.test import require_postgresql

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
REMINDED_CASES = 40
BATCH = 10  # the worker claims this many per round (DEADLINE_CHECK_BATCH), so it dies between batches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
           "GONGZHI_VAR_DIR": str(tmp_path / "var"), "LOG_LEVEL": "WARNING", "SMS_BACKEND": "none",
           "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache", "PYTHONPATH": str(ROOT),
           "SECRET_KEY": secrets.token_urlsafe(50),
           "DEADLINE_CHECK_BATCH": str(BATCH)}
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = url.replace("@", f":{db['PASSWORD']}@", 1)
    return env


class Procs:
    """Processes started by the test, each in its own process group (killed by group id, nothing else)."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env, self.tmp = env, tmp_path
        self.groups: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.groups.append(proc)
        return proc

    def web(self, port: int) -> subprocess.Popen[bytes]:
        return self.start("web", [sys.executable, "-m", "gunicorn", "gongzhi.wsgi:application",
                                  "--config", "python:gongzhi.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
                                  "--workers", "2", "--threads", "2", "--timeout", "60", "--no-control-socket"])

    def worker(self) -> subprocess.Popen[bytes]:
        return self.start("worker", [sys.executable, "-m", "gongzhi.cli", "worker", "--interval", "0.2",
                                     "--schedule-interval", "0.3"])

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.groups:
            if proc.poll() is None:
                self.kill(proc)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    require_postgresql("real server processes on PostgreSQL")
    p = Procs(_env(tmp_path), tmp_path)
    try:
        yield p
    finally:
        p.stop_all()
        connection.close()


def _post(port: int, key: str, api_key: str, community_id: int) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"title": f"夜间施工扰民 {key}", "body": f"工地夜里还在施工（{key}）", "callback_phone":
                       "13812345678", "callback_name": "王女士", "appeal_type": "complaint", "area_id": community_id})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("POST", "/api/appeals/submit", body=body, headers={
            "Content-Type": "application/json", "X-API-Key": api_key, "Idempotency-Key": key})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data.startswith(b"{") else {}
    finally:
        conn.close()


def _wait_until_serving(port: int, proc: subprocess.Popen[bytes], tmp_path: Path) -> None:
    # Patience: on CI's two cores the other test process keeps both busy, so a worker's first request (imports, the
    # URL registry, the schema) took longer than a 5-second client timeout there, and every retry queued one more
    # behind it. (Not a page: those need the collected static files, which this scratch var dir has none of.)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("the web server did not come up: " + (tmp_path / "web.log").read_text()[-3000:])


def _wait_for(what: str, check: Any, seconds: float = 90, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f": {log.read_text()[-3000:]}" if log else ""))


def test_web_kill_loses_no_acknowledged_appeal_and_retries_create_nothing(cast, procs, tmp_path):  # type: ignore[no-untyped-def]
    _, api_key = ApiKey.issue(user=cast.worker_a, name="12345 对接")
    port = _free_port()
    web = procs.web(port)
    _wait_until_serving(port, web, tmp_path)

    acked: dict[str, int] = {}  # idempotency key -> appeal id in the 2xx answer
    sent: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            key = f"c{n}-{i}"
            i += 1
            with lock:
                sent.append(key)
            try:
                status, data = _post(port, key, api_key, cast.community_a.pk)
            except OSError:
                continue  # the server died under this request: not acknowledged
            if 200 <= status < 300:
                with lock:
                    acked[key] = data["id"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    _wait_for("the first acknowledged appeals", lambda: len(acked) >= 20)
    procs.kill(web)  # SIGKILL to the master and its workers, mid-stream
    stop.set()
    for t in threads:
        t.join(timeout=30)
    acked_before_kill = dict(acked)
    assert acked_before_kill, "some appeals were acknowledged before the kill"

    # Every acknowledged appeal is stored exactly once, under the id it was acknowledged with.
    stored = Counter(Appeal.objects.filter(submitted_by=cast.worker_a).values_list("idempotency_key", flat=True))
    for key, appeal_id in acked_before_kill.items():
        assert stored[key] == 1, key
        assert Appeal.objects.get(submitted_by=cast.worker_a, idempotency_key=key).pk == appeal_id
    assert all(count == 1 for count in stored.values())
    assert set(stored) <= set(sent)

    # Restarted, the clients retry everything they sent: acknowledged keys come back as the same appeal (200)
    # and nothing new is created for them; the ones lost in flight are created once.
    web = procs.web(port)
    _wait_until_serving(port, web, tmp_path)
    for key in sent:
        status, data = _post(port, key, api_key, cast.community_a.pk)
        assert status in (200, 201), (key, status, data)
        if key in acked_before_kill:
            assert status == 200 and data["id"] == acked_before_kill[key]
        acked[key] = data["id"]
    for key in sent[:10]:  # and once more: every retry now is a replay
        status, data = _post(port, key, api_key, cast.community_a.pk)
        assert (status, data["id"]) == (200, acked[key])

    stored = Counter(Appeal.objects.filter(submitted_by=cast.worker_a).values_list("idempotency_key", flat=True))
    assert set(stored) == set(sent)
    assert all(count == 1 for count in stored.values())
    assert Appeal.objects.filter(submitted_by=cast.worker_a).count() == len(sent)
    assert Case.objects.filter(appeals__submitted_by=cast.worker_a).distinct().count() == len(sent)


def test_worker_kill_resumes_the_scheduled_checks_without_a_second_reminder(cast, procs, tmp_path):  # type: ignore[no-untyped-def]
    now = timezone.now()
    Case.objects.bulk_create([
        Case(title=f"路灯不亮 {i}", status=Case.Status.IN_PROGRESS, area=cast.community_a,
             area_path=cast.community_a.path, subdistrict=cast.subdistrict_a, supervising_area=cast.community_a,
             lead_unit=cast.department, dispatched_at=now - timedelta(days=2), due_at=now + timedelta(hours=6),
             remind_at=now - timedelta(minutes=5))
        for i in range(REMINDED_CASES)
    ], batch_size=500)
    reminded = Case.objects.filter(title__startswith="路灯不亮", reminder_sent_at__isnull=False)

    # The check runs when a worker starts and then every minute; each round claims BATCH cases in one
    # transaction. Kill the worker again and again, at varying moments (some during a round), and start it
    # again, until every case has been reminded.
    progress = []
    for attempt in range(60):
        before = reminded.count()
        if before == REMINDED_CASES:
            break
        worker = procs.worker()
        if attempt % 2:
            time.sleep(0.5 + (attempt % 5) * 0.4)  # a kill at some moment of start-up or of the round
        else:
            _wait_for("a round of reminders", lambda b=before: reminded.count() > b, seconds=60,
                      log=tmp_path / "worker.log")
        procs.kill(worker)
        progress.append(reminded.count())
    assert reminded.count() == REMINDED_CASES, progress
    assert len([p for p in progress if 0 < p < REMINDED_CASES]) >= 2, "killed in the middle, more than once"
    worker = procs.worker()  # one more start after all were sent: nothing is sent again
    time.sleep(3)
    procs.kill(worker)

    notes = Notification.objects.filter(verb="appeals.due_soon", text__contains="路灯不亮")
    per_user_and_case = Counter(notes.values_list("user_id", "url"))
    assert len({url for _user, url in per_user_and_case}) == REMINDED_CASES
    assert max(per_user_and_case.values()) == 1, "a reminder was sent twice"
    recipients = {user for user, _url in per_user_and_case}
    assert cast.handler.pk in recipients
    assert notes.count() == REMINDED_CASES * len(recipients)
