"""What the meetings app registers with core: navigation, pages, API, verbs, tasks, scheduled checks, demo steps.
Each part of the app adds its own lines here in its own function, called from register()."""

from __future__ import annotations


def register() -> None:
    pass
