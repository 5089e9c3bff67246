"""The one registry every app fills from its `AppConfig.ready()` (as Wagtail's hooks and Decidim's manifests).

An app declares here what it adds to the platform, so that no other app has to import it:

- `nav(entry, before=...)`: an entry of the navigation shell (`gongzhi.core.navigation.NavEntry`);
- `verbs({...})`: the Chinese names of its audit verbs;
- `api_router(prefix, router, tags=...)`: a django-ninja router mounted under /api/;
- `urls(prefix, module)`: its pages, included under /<prefix>;
- `scheduled(every_seconds)`: a check `gongzhi worker` runs every so often;
- `demo_builder(name, fn, order=...)`: a step of the demo city, `fn(DemoContext) -> counts | None`, run in
  ascending order after core's tree and people (order 0);
- `seed(name, fn)`: default rows (categories, time limits) a fresh or flushed database needs;
- `stat(key, label, fn)`: a figure the app publishes for dashboards, `fn(area) -> int | float`;
- `panel(page, name, fn, order=...)`: a block the app adds to another app's page, `fn(request, obj) -> str`;
- `api_extra(resource, name, fn)`: a key the app adds to another app's API resource, `fn(request, obj) -> data`;
- `hook(name, fn, order=...)`: a subscriber to a named event another app sends (`send_on_commit`);
- `task(name, fn, order=...)`: what waits for a user (待办), `fn(user) -> list[Task]`, shown first on the home page
  in ascending order (core's unread notifications come last, order 100). An app returns only the tasks of the roles
  the user holds that can act on them, with the count and the link to the page listing exactly those items (with a
  count of one, the item itself); a task with a count of 0 is still returned, and shown greyed: the role's
  routine at a glance. `registry.tasks(user)` collects them; keep each `fn` to a few bounded queries
  (`gongzhi.core.paging.capped_count`), as the home page's query count is pinned in the tests.

Hooks run after the sender's transaction commits, each in a transaction of its own; a subscriber that fails is
logged and does not undo the sender's write, nor stop the other subscribers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("gongzhi.registry")

# Named hooks the apps send today. The sender documents the keyword arguments it passes.
AREAS_CREATED = "core.areas_created"  # areas=list[Area], acting_user=User | None (one area, or a roster import's)
APPEAL_SUBMITTED = "appeals.appeal_submitted"  # appeal=Appeal, acting_user=User | None
# case=Case, acting_user=User | None, category_id=int | None, auto=bool (dispatched by auto-dispatch)
CASE_DISPATCHED = "appeals.case_dispatched"
CASE_CLOSED = "appeals.case_closed"  # case=Case, acting_user=User | None
CATEGORIES_CHANGED = "appeals.categories_changed"  # no arguments
# A web process is ready to serve (gongzhi/gunicorn_conf.py sends it with `send`, before the first request).
PROCESS_STARTED = "core.process_started"  # no arguments


@dataclass(order=True)
class _Ordered:
    order: int
    name: str
    fn: Any = field(compare=False)


@dataclass(frozen=True)
class DemoContext:
    """What `gongzhi demo` passes to each demo builder."""

    seed: int
    train_classifier: bool = False
    stdout: Any = None

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)


@dataclass(frozen=True)
class ApiRouter:
    prefix: str
    router: Any
    tags: tuple[str, ...]


@dataclass(frozen=True)
class UrlInclude:
    prefix: str
    module: str


@dataclass(frozen=True)
class Stat:
    key: str
    label: Any
    fn: Callable[[Any], float | int]


@dataclass(frozen=True)
class Task:
    """One kind of work waiting for a user: "待签收 3", linking to the list of those three.

    `kind` says how it is shown: "overdue" (red: a deadline has passed), "soon" (orange: one is near), "" (plain).
    `count` may be COUNT_CAP + 1 (gongzhi.core.paging), shown as "1000+"."""

    key: str
    label: Any
    count: int
    url: str
    kind: str = ""


@dataclass(frozen=True)
class ScheduledCheck:
    fn: Callable[[], object]
    every_seconds: float

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


class Registry:
    def __init__(self) -> None:
        self.nav_entries: list[Any] = []
        self.verb_labels: dict[str, Any] = {}
        self.api_routers: list[ApiRouter] = []
        self.url_includes: list[UrlInclude] = []
        self.scheduled_checks: list[ScheduledCheck] = []
        self._demo_builders: list[_Ordered] = []
        self._seeds: list[_Ordered] = []
        self.stats: dict[str, Stat] = {}
        self._panels: dict[str, list[_Ordered]] = {}
        self._hooks: dict[str, list[_Ordered]] = {}
        self._api_extras: dict[str, list[_Ordered]] = {}
        self._tasks: list[_Ordered] = []

    # --- navigation and audit verbs -------------------------------------------------------------------
    def nav(self, entry: Any, *, before: str | None = None) -> None:
        if any(e.key == entry.key for e in self.nav_entries):
            return
        keys = [e.key for e in self.nav_entries]
        self.nav_entries.insert(keys.index(before) if before in keys else len(self.nav_entries), entry)

    def verbs(self, labels: dict[str, Any]) -> None:
        self.verb_labels.update(labels)

    # --- API and pages --------------------------------------------------------------------------------
    def api_router(self, prefix: str, router: Any, *, tags: list[str] | tuple[str, ...] = ()) -> None:
        if any(r.prefix == prefix for r in self.api_routers):
            return
        self.api_routers.append(ApiRouter(prefix, router, tuple(tags)))

    def urls(self, prefix: str, module: str) -> None:
        if any(u.prefix == prefix for u in self.url_includes):
            return
        self.url_includes.append(UrlInclude(prefix, module))

    # --- the worker -----------------------------------------------------------------------------------
    def scheduled(self, every_seconds: float) -> Callable[[Callable[[], object]], Callable[[], object]]:
        def register(fn: Callable[[], object]) -> Callable[[], object]:
            check = ScheduledCheck(fn, every_seconds)
            if all(c.name != check.name for c in self.scheduled_checks):
                self.scheduled_checks.append(check)
            return fn

        return register

    # --- demo city and seed data ----------------------------------------------------------------------
    def demo_builder(self, name: str, fn: Callable[[DemoContext], dict[str, int] | None], *, order: int) -> None:
        if all(b.name != name for b in self._demo_builders):
            self._demo_builders.append(_Ordered(order, name, fn))

    def demo_builders(self) -> list[tuple[str, Callable[[DemoContext], dict[str, int] | None]]]:
        return [(b.name, b.fn) for b in sorted(self._demo_builders)]

    def seed(self, name: str, fn: Callable[[], None], *, order: int = 0) -> None:
        if all(s.name != name for s in self._seeds):
            self._seeds.append(_Ordered(order, name, fn))

    def seeds(self) -> list[tuple[str, Callable[[], None]]]:
        return [(s.name, s.fn) for s in sorted(self._seeds)]

    # --- what an app publishes and shows elsewhere ----------------------------------------------------
    def stat(self, key: str, label: Any, fn: Callable[[Any], float | int]) -> None:
        self.stats.setdefault(key, Stat(key, label, fn))

    def panel(self, page: str, name: str, fn: Callable[[Any, Any], str], *, order: int = 0) -> None:
        panels = self._panels.setdefault(page, [])
        if all(p.name != name for p in panels):
            panels.append(_Ordered(order, name, fn))

    def panels(self, page: str) -> list[tuple[str, Callable[[Any, Any], str]]]:
        return [(p.name, p.fn) for p in sorted(self._panels.get(page, []))]

    def api_extra(self, resource: str, name: str, fn: Callable[[Any, Any], Any], *, order: int = 0) -> None:
        """`name` is added to the resource's JSON (e.g. "appeals.case") with the value `fn(request, obj)`."""
        extras = self._api_extras.setdefault(resource, [])
        if all(e.name != name for e in extras):
            extras.append(_Ordered(order, name, fn))

    def api_extras(self, resource: str, request: Any, obj: Any) -> dict[str, Any]:
        return {e.name: e.fn(request, obj) for e in sorted(self._api_extras.get(resource, []))}

    # --- what waits for a user (the home page's 待办) -------------------------------------------------------
    def task(self, name: str, fn: Callable[[Any], list[Task]], *, order: int = 0) -> None:
        if all(t.name != name for t in self._tasks):
            self._tasks.append(_Ordered(order, name, fn))

    def tasks(self, user: Any) -> list[Task]:
        """Every registered app's tasks for `user`, in the registrations' order."""
        found: list[Task] = []
        for t in sorted(self._tasks):
            found.extend(t.fn(user))
        return found

    # --- hooks ----------------------------------------------------------------------------------------
    def hook(self, name: str, fn: Callable[..., None], *, order: int = 0) -> None:
        subscribers = self._hooks.setdefault(name, [])
        if all(h.fn is not fn for h in subscribers):
            subscribers.append(_Ordered(order, f"{fn.__module__}.{fn.__qualname__}", fn))

    def hooks(self, name: str) -> list[Callable[..., None]]:
        return [h.fn for h in sorted(self._hooks.get(name, []))]

    def send(self, name: str, **kwargs: Any) -> None:
        """Run the subscribers now, each in its own transaction (a failure is logged, never raised)."""
        for fn in self.hooks(name):
            try:
                with transaction.atomic():
                    fn(**kwargs)
            except Exception:
                logger.exception("hook %s: subscriber %s failed", name, getattr(fn, "__qualname__", fn))

    def send_on_commit(self, name: str, **kwargs: Any) -> None:
        """Send the hook once the current transaction commits (at once when there is none).

        With the setting GONGZHI_HOOKS_EAGER (the test suite's, whose tests run inside a transaction that never
        commits) the subscribers run at once, in a savepoint each, and their errors are raised."""
        if not self.hooks(name):
            return
        if getattr(settings, "GONGZHI_HOOKS_EAGER", False):
            for fn in self.hooks(name):
                with transaction.atomic():
                    fn(**kwargs)
            return
        transaction.on_commit(lambda: self.send(name, **kwargs), robust=True)


registry = Registry()


def render_panels(page: str, request: Any, obj: Any) -> list[str]:
    """The HTML blocks other apps registered for `page`, in order (empty ones left out)."""
    blocks = []
    for _name, fn in registry.panels(page):
        html = fn(request, obj)
        if html:
            blocks.append(html)
    return blocks
