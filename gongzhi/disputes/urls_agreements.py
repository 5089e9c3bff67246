"""The pages of the agreements part: mediation agreements (人民调解协议书, Word), follow-up visits, statistics."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
