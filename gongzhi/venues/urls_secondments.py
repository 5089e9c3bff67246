"""The pages of the secondments part: staff exchanges (挂职) between alliance communities."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
