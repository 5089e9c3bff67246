"""What intelligence does when other apps send their hooks (subscribed in `apps.IntelligenceConfig.ready`).

    APPEAL_SUBMITTED    store the new appeal's category suggestion; above the threshold, auto-dispatch it
    CASE_DISPATCHED     a person's choice of category against the suggestion (SuggestionFeedback)
    CATEGORIES_CHANGED  forget the cached category names
    PROCESS_STARTED     load the active model before a web process's first appeal

Each runs after the sender's transaction commits, in a transaction of its own, and never fails the sender.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from . import suggestions

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal, Case

logger = logging.getLogger("gongzhi.intelligence")


def on_appeal_submitted(*, appeal: Appeal, **_kwargs: Any) -> None:
    row = suggestions.store_suggestion(appeal)
    if row is not None and row.confidence is not None:
        suggestions.maybe_auto_dispatch(appeal, row)


def on_case_dispatched(*, case: Case, acting_user: Any = None, auto: bool = False, **_kwargs: Any) -> None:
    """A dispatcher's category against the classifier's top suggestion (confirmation or correction);
    auto-dispatch gives none."""
    if auto or acting_user is None or case.category is None:
        return
    try:
        suggestions.record_dispatch_feedback(case, case.category, acting_user=acting_user)
    except Exception as exc:  # noqa: BLE001 - feedback is a by-product; dispatch must not fail for it
        logger.warning("suggestion feedback failed for case %s: %s", case.pk, type(exc).__name__)


def on_categories_changed(**_kwargs: Any) -> None:
    suggestions.active_categories_by_name.clear()


def on_process_started(**_kwargs: Any) -> None:
    suggestions.warm_up()
