"""`gongzhi make_secret_key`: write a random SECRET_KEY to $GONGZHI_VAR_DIR/secret_key unless there is one.

`make run` runs it first, so a fresh machine serves without the built-in key. A deployment of several hosts sets
SECRET_KEY in the environment instead (the same on every host); then this command does nothing.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write a random secret key to $GONGZHI_VAR_DIR/secret_key unless SECRET_KEY is set or the file exists."

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.SECRET_KEY_FILE
        if os.environ.get("SECRET_KEY"):
            self.stdout.write("SECRET_KEY is set in the environment; nothing written.")
            return
        if path.exists():
            self.stdout.write(f"{path} exists; kept.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only the owner may read it; O_EXCL: two runs at once cannot both write.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(50) + "\n")
        self.stdout.write(f"Wrote a random secret key to {path}.")
