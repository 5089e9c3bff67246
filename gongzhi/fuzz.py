"""Fuzzing the JSON API with schemathesis: generated requests from /api/openapi.json, sent through the WSGI app
in this process (so on the test database), each answer checked: no 5xx, a documented status, the documented
content type, a body that matches the document.

Used by gongzhi/core/tests/test_api_fuzz.py (a few examples per operation, in `make test`) and bench/fuzz_api.py
(many more, with figures). Who asks: anonymous, or a user signed in with a session cookie and the CSRF header
(`identity_for`), as a browser would; API keys cover only the routers that take them, the session all.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings

OPENAPI_PATH = "/api/openapi.json"


@dataclass(frozen=True)
class Identity:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    who: str
    operation: str
    kind: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.who:<14} {self.operation:<55} {self.kind} (HTTP {self.status}): {self.detail[:300]}"


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    unsatisfiable: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def kinds(self) -> Counter[str]:
        return Counter(f.kind for f in self.failures)

    def summary(self) -> str:
        lines = [f"{self.operations} operations, {self.requests} requests in {self.seconds:.1f} s, "
                 f"{len(self.failures)} failures",
                 "statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))]
        lines += [f"  {kind}: {n}" for kind, n in self.kinds().most_common()]
        seen: set[tuple[str, str, str]] = set()
        for failure in self.failures:  # one line per (who, operation, kind)
            key = (failure.who, failure.operation, failure.kind)
            if key not in seen:
                seen.add(key)
                lines.append(str(failure))
        return "\n".join(lines)


def identity_for(user: Any | None, name: str) -> Identity:
    """The cookies and header a signed-in browser sends: the session, and the CSRF token as cookie and header."""
    if user is None:
        return Identity(name)
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    return Identity(name, headers={"X-CSRFToken": token},
                    cookies={django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                             django_settings.CSRF_COOKIE_NAME: token})


@contextmanager
def keeping_connection() -> Iterator[None]:
    """As Django's test client does: the in-process requests share the caller's connection (a test's
    transaction), which the start and end of each request must not close (Django's `close_old_connections`
    closes a connection that is inside a transaction, as a test's is)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(app: Any) -> Any:
    import schemathesis

    with keeping_connection():
        return schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)


def fuzz(app: Any, identities: Iterable[Identity], *, max_examples: int, seed: int = 17,
         negative: bool = True, schema: Any = None) -> Report:
    """Every operation of the document, for each identity: `max_examples` generated requests with valid data and,
    if `negative`, as many with invalid data (which must be refused with a 4xx, never a 5xx)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given
    from hypothesis import seed as hypothesis_seed
    from hypothesis import settings as hypothesis_settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schema if schema is not None else load_schema(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if negative else [])]
    report = Report(operations=len(operations))

    def make_sender(strategy: Any, identity: Identity, label: str) -> Any:
        @hypothesis_seed(seed)
        @hypothesis_settings(max_examples=max_examples, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
                             verbosity=Verbosity.quiet)
        @given(case=strategy)
        def send(case: Any) -> None:
            response = case.call(headers=identity.headers, cookies=identity.cookies)
            report.requests += 1
            report.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=checks, headers=identity.headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    report.failures.append(Failure(identity.name, label, failure.title, response.status_code,
                                                   failure.message.strip()))

        return send

    started = time.perf_counter()
    with keeping_connection():
        _run(identities, operations, modes, make_sender, report, Unsatisfiable)
    report.seconds = time.perf_counter() - started
    return report


def _run(identities: Iterable[Identity], operations: list[Any], modes: list[Any], make_sender: Any, report: Report,
         unsatisfiable: type[Exception]) -> None:
    for identity in identities:
        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            for mode in modes:
                try:
                    make_sender(operation.as_strategy(generation_mode=mode), identity, label)()
                except unsatisfiable:  # nothing invalid to send (an operation without parameters)
                    report.unsatisfiable += 1
