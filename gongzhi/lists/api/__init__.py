"""The lists over JSON, mounted at /api/lists/: one router per part. Errors: 400 invalid (a Chinese message),
403 not allowed, 404 out of scope."""

from __future__ import annotations

from ninja import Router

from . import demands, public, surveys, transfer

router = Router()
router.add_router("", demands.router)
router.add_router("", transfer.router)
router.add_router("", surveys.router)
router.add_router("", public.router)

# --- Projects (项目清单) and agreements
from . import projects  # noqa: E402

router.add_router("", projects.router)

# Resources (资源清单) and matching (点对点匹配).
from . import resources  # noqa: E402

router.add_router("", resources.router)
