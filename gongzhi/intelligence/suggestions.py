"""Glue between the appeals workflow and the category classifier.

    store_suggestion(appeal)             # a new appeal: its top 3 in an AppealSuggestion row (never raises)
    suggestions_for_case(case)           # the dispatch screen: label, confidence, category, lead unit
    record_dispatch_feedback(case, ...)  # a dispatcher's choice → SuggestionFeedback (confirmation or correction)
    maybe_auto_dispatch(appeal, row)     # above the configured threshold, dispatch with acting_user=None

The appeals app knows none of this: it sends hooks (`gongzhi.core.registry`), which `hooks.py` subscribes to
(a new appeal → store its suggestion, then maybe auto-dispatch; a dispatch by a person → feedback; categories
changed → forget the cached names), and reads and writes appeals only through `appeals.queries` and
`appeals.actions`.

Labels and categories. The classifier predicts the labels it was trained on. A label maps to an appeals
`Category` in this order:
1. the active category whose name equals the label, at any level (the highest level wins). A model
   trained from the platform's own history (`history_rows`) learns first-level category names, so its
   labels map directly;
2. else `LABEL_TO_CATEGORY` below, for the first-level labels of the public training file (train.csv);
3. else the label stays unmapped: it is shown without a category and never auto-dispatched.
A label of the leaf layer is a category path ("住房/物业管理/楼道照明", `actions.category_path`); it maps to the
active category with that path. It comes first when the leaf layer is confident enough (`actions.model_suggestions`);
a first-level label that maps to one of its ancestors is then left out (it says less).

Dispatch needs one category. For a suggestion that maps to an inner node (a first-level category,
usually), the category used is, in order: the category the resident chose if it lies under that node;
the node itself if it is a leaf; the leaf under it whose name (and its parent's name) shares the most
character pairs with the appeal's text, when any; else the node itself.

Feedback labels are written in the appeals' own names (the first-level category name), so that retraining
from history (`history_rows`) sees one set of labels whatever model was active.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appeals import actions as appeals_actions
from gongzhi.appeals import queries as appeals_queries
from gongzhi.core.audit import log_event
from gongzhi.core.models import Unit
from gongzhi.lib.ttl import ttl_cached

from . import actions as intelligence_actions
from .duplicates import find_duplicates
from .models import AppealSuggestion, ClassifierVersion, SuggestionFeedback

if TYPE_CHECKING:
    from gongzhi.appeals.models import Appeal, Case, Category

logger = logging.getLogger("gongzhi.intelligence")

TOP_K = 3

# First-level labels of the public training file (shared/data/messages/train.csv, 7 classes) → the name of
# the appeals category they correspond to (gongzhi/appeals/seed.py). Only used when no category has the
# label's own name.
LABEL_TO_CATEGORY: dict[str, str] = {
    "城乡建设": "城市管理",
    "劳动和社会保障": "社会保障",
    "教育文体": "教育",
    "商贸旅游": "市场监管",
    "卫生计生": "医疗卫生",
    "环境保护": "生态环境",
    "交通运输": "交通",
}


@dataclass
class Suggestion:
    label: str
    confidence: float
    category: Category | None = None  # the label's appeals category (any level), None when unmapped
    dispatch_category: Category | None = None  # what "adopt" and auto-dispatch use
    lead_unit: Unit | None = None
    assist_units: list[Unit] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        """The suggested category's names from the top ([] when unmapped)."""
        return self.category.full_name().split(" / ") if self.category is not None else []

    @property
    def from_history(self) -> bool:
        """A path of the leaf layer (learnt from closed cases), not a first-level label."""
        return "/" in self.label

    @property
    def level(self) -> int | None:
        """The suggested category's level: 3 when the leaf layer supports a leaf, 1 for a first-level label."""
        return self.category.level if self.category is not None else None

    @property
    def dispatch_path_text(self) -> str:
        """What the panel shows: the dispatch category's path, "住房 › 物业管理 › 楼道照明"."""
        node = self.dispatch_category or self.category
        return node.full_name().replace(" / ", " › ") if node is not None else self.label

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def percent_text(self) -> str:
        """The confidence as shown: "<1" rather than "0" for an unlikely but possible category."""
        return "<1" if self.percent == 0 else str(self.percent)


# --- mapping ------------------------------------------------------------------------------------------

@ttl_cached(5)
def active_categories_by_name() -> dict[str, Category]:
    """Every active category by name, the highest level winning, and by path ("住房/物业管理/楼道照明"; read on
    every intake; ~100 rows). The CATEGORIES_CHANGED hook clears it (hooks.py)."""
    by_name: dict[str, Category] = {}
    for category in appeals_queries.active_categories():
        by_name.setdefault(category.name, category)
        if category.parent_id is not None:
            by_name[intelligence_actions.category_path(category)] = category
    return by_name


def categories_for_labels(labels: list[str]) -> dict[str, Category]:
    """label → active appeals Category; unmapped labels are left out. The categories are read once per
    process every few seconds (`active_categories_by_name`), as intake asks this for every appeal."""
    by_name = active_categories_by_name()
    found: dict[str, Category] = {}
    for label in labels:
        match = by_name.get(label) or by_name.get(LABEL_TO_CATEGORY.get(label, ""))
        if match is not None:
            found[label] = match
    return found


def category_for_label(label: str) -> Category | None:
    return categories_for_labels([label]).get(label)


def top_level_name(category: Category) -> str:
    node = category
    while node.parent_id is not None and node.parent is not None:
        node = node.parent  # type: ignore[assignment]
    return node.name


def _pairs(text: str) -> set[str]:
    return {text[i: i + 2] for i in range(len(text) - 1)}


def dispatch_category_for(node: Category, text: str, chosen: Category | None = None) -> Category:
    """The category to dispatch with when the suggestion maps to `node` (see the module docstring)."""
    if chosen is not None and chosen.active and node.pk in chosen.ancestor_ids():
        return chosen
    leaves = appeals_queries.active_leaves_under(node)
    if not leaves:
        return node
    pairs = _pairs(text)
    parents = appeals_queries.categories_by_id({leaf.parent_id for leaf in leaves if leaf.parent_id is not None})

    def overlap(leaf: Category) -> tuple[int, int, int]:
        parent = parents.get(leaf.parent_id or 0)
        return (2 * len(_pairs(leaf.name) & pairs) + (len(_pairs(parent.name) & pairs) if parent else 0),
                -(parent.sort_order if parent else 0), -leaf.sort_order)

    best = max(leaves, key=overlap)
    return best if overlap(best)[0] > 0 else node


# --- computing and storing ----------------------------------------------------------------------------

def warm_up() -> bool:
    """Load the active model (and jieba's dictionary) once, so a new web process's first appeal does not
    wait ~0.5 s for them. Called when a gunicorn worker starts (gongzhi/gunicorn_conf.py); never raises."""
    try:
        number, pairs = compute("路灯不亮", "小区门口路灯坏了")
        return bool(pairs)
    except Exception as exc:  # noqa: BLE001 - a web process must start even without a usable model
        _log_failure("warm-up", None, exc)
        return False


def compute(title: str, body: str, top_k: int = TOP_K) -> tuple[int | None, list[tuple[str, float]]]:
    """(version number, [(label, confidence), ...]); (None, []) when no version is active."""
    version = intelligence_actions.active_version()
    if version is None:
        return None, []
    model = intelligence_actions.load_model(version)
    return version.number, intelligence_actions.model_suggestions(model, title, body, top_k)


def _log_failure(what: str, appeal_id: int | None, exc: BaseException) -> None:
    # Never log the text, the phone or the exception message (it may quote input): the kind and place only.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
    logger.warning("%s failed for appeal %s: %s at %s", what, appeal_id, type(exc).__name__, where)


def store_suggestion(appeal: Appeal) -> AppealSuggestion | None:
    """Compute the category suggestion of a new appeal and store it (one INSERT); None when no version is
    active or anything fails (never raises: intake does not wait for nor depend on it)."""
    try:
        number, pairs = compute(appeal.title, appeal.body, TOP_K + 1)  # one more: suggestions_for_case may drop one
        if not pairs:
            return None
        top_label, top_confidence = pairs[0]
        # No savepoint of its own (two more statements on every intake): the hook's transaction is this write's,
        # and a failure marks it for rollback.
        with transaction.atomic(savepoint=False):
            return AppealSuggestion.objects.create(
                appeal=appeal, suggestions=[{"label": label, "confidence": confidence} for label, confidence in pairs],
                category=category_for_label(top_label), confidence=top_confidence, version=number,
            )
    except Exception as exc:  # noqa: BLE001 - intake must never fail because of the classifier
        _log_failure("category suggestion", appeal.pk, exc)
        return None


def suggestions_for_case(case: Case, top_k: int = TOP_K) -> list[Suggestion]:
    """The stored suggestions of the case's first appeal (computed now if none were stored), with the
    category each maps to, the category dispatch would use and the routing rule's lead unit."""
    appeal = appeals_queries.first_appeal(case)
    if appeal is None:
        return []
    stored = AppealSuggestion.objects.filter(appeal_id=appeal.pk).values_list("suggestions", flat=True).first()
    pairs = [(str(s["label"]), float(s["confidence"])) for s in (stored or [])]
    if not pairs:
        try:
            _number, pairs = compute(appeal.title, appeal.body, top_k + 1)
        except Exception as exc:  # noqa: BLE001 - the case page must show even if the model is broken
            _log_failure("category suggestion", appeal.pk, exc)
            return []
    mapped = categories_for_labels([label for label, _c in pairs])
    text = f"{appeal.title} {appeal.body}"
    area = case.area or case.supervising_area
    result: list[Suggestion] = []
    covered: set[int] = set()  # ancestors of a deeper suggestion above: a first-level label mapping there says less
    for label, confidence in pairs:
        if len(result) >= top_k:
            break
        suggestion = Suggestion(label=label, confidence=confidence, category=mapped.get(label))
        if suggestion.category is not None and suggestion.category.pk in covered:
            continue
        if suggestion.category is not None:
            covered.update(suggestion.category.ancestor_ids()[:-1])
            suggestion.dispatch_category = dispatch_category_for(suggestion.category, text, appeal.category)
            route = appeals_queries.suggest_route(suggestion.dispatch_category, area)
            suggestion.lead_unit, suggestion.assist_units = route.lead, route.assists
        result.append(suggestion)
    return result


def suggestion_rows(case: Case) -> list[dict[str, Any]]:
    """The suggestions as plain data (API)."""
    rows = []
    for s in suggestions_for_case(case):
        rows.append({
            "label": s.label, "confidence": s.confidence, "path": s.path, "level": s.level,
            "category_id": s.category.pk if s.category else None,
            "category_name": s.category.full_name() if s.category else None,
            "dispatch_category_id": s.dispatch_category.pk if s.dispatch_category else None,
            "dispatch_category_name": s.dispatch_category.full_name() if s.dispatch_category else None,
            "lead_unit_id": s.lead_unit.pk if s.lead_unit else None,
            "lead_unit_name": s.lead_unit.name if s.lead_unit else None,
            "assist_unit_ids": [u.pk for u in s.assist_units],
        })
    return rows


# --- feedback -----------------------------------------------------------------------------------------

def _normalized_label(label: str, mapped: Category | None) -> str:
    """A suggested label in the appeals' own names: its category's first-level name when it maps."""
    return top_level_name(mapped) if mapped is not None else label


def record_dispatch_feedback(case: Case, category: Category, *, acting_user: Any) -> int:
    """After a person dispatched `case` with `category`: one SuggestionFeedback per appeal of the case that
    had a stored suggestion (a confirmation when the first-level categories agree, else a correction).
    Returns how many were written. A re-dispatch with the same category writes nothing new."""
    final = top_level_name(category)
    written = 0
    rows = AppealSuggestion.objects.filter(appeal__case_id=case.pk).select_related(
        "appeal", "category__parent__parent").order_by("appeal_id")
    for row in rows:
        if not row.suggestions:
            continue
        latest = SuggestionFeedback.objects.filter(appeal_id=row.appeal_id).order_by("-created_at", "-id").first()
        if latest is not None and latest.final_label == final:
            continue
        top_label = str(row.suggestions[0]["label"])
        version = (ClassifierVersion.objects.filter(number=row.version).first()
                   if row.version is not None else None)
        intelligence_actions.do_record_suggestion_feedback(
            row.appeal, suggested_label=_normalized_label(top_label, row.category), final_label=final,
            acting_user=acting_user, version=version,
        )
        written += 1
    return written


# --- auto-dispatch ------------------------------------------------------------------------------------

def maybe_auto_dispatch(appeal: Appeal, suggestion: AppealSuggestion) -> bool:
    """Dispatch a new appeal's case without a person when the configured threshold allows it.

    Conditions, all needed: a threshold is set; the top suggestion's confidence is at least the threshold;
    its label maps to a category; routing gives a lead unit; the case still waits for dispatch; and no
    earlier open appeal at the same place looks like a duplicate (those are left for a dispatcher to merge).
    Never raises; True when the case was dispatched.
    """
    try:
        threshold = intelligence_actions.auto_dispatch_threshold()
        if threshold is None or appeal.case_id is None or suggestion.confidence is None:
            return False
        if suggestion.confidence < threshold or suggestion.category_id is None:
            return False
        case = appeals_queries.case_to_dispatch(appeal.case_id)
        if case is None or not appeals_queries.waits_for_dispatch(case):
            return False
        suggestions = suggestions_for_case(case, top_k=1)
        if not suggestions or suggestions[0].dispatch_category is None or suggestions[0].lead_unit is None:
            return False
        if find_duplicates(appeal):
            return False
        top = suggestions[0]
        lead, category = top.lead_unit, top.dispatch_category
        assert lead is not None and category is not None
        with transaction.atomic():
            note = _("Dispatched automatically (suggested category %(category)s, confidence %(percent)d%%)") % {
                "category": category.full_name(), "percent": top.percent}
            case = appeals_actions.do_dispatch_case(
                case, acting_user=None, lead_unit=lead, assist_units=top.assist_units, category=category,
                note=note, auto=True,
            )
            log_event(None, "appeals.auto_dispatch", case, area=case.area or case.supervising_area,
                      after={"label": top.label, "confidence": top.confidence, "threshold": threshold,
                             "version": suggestion.version, "category": category.full_name(),
                             "lead_unit": lead.name})
        return True
    except Exception as exc:  # noqa: BLE001 - intake must never fail because of auto-dispatch
        _log_failure("auto-dispatch", appeal.pk, exc)
        return False
