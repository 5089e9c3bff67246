"""The intelligence policy, declared on core's base policy (`gongzhi.core.policy`).

The classifier is city-wide: city and district administrators (and superusers) manage it (train, roll back,
set the auto-dispatch threshold's page); anyone signed in with a staff role may ask for suggestions and see
the versions and the hot issues. Suggestion feedback is seen with the appeals it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.appeals import queries as appeal_queries
from gongzhi.core.models import Area
from gongzhi.core.permissions import ADMIN_ROLES, STAFF_ROLES
from gongzhi.core.policy import Policy, PolicySet

from .models import ClassifierVersion, SuggestionFeedback, TrainingJob

MANAGE_ROLES = ADMIN_ROLES
SUGGEST_ROLES = STAFF_ROLES
HOT_ROLES = STAFF_ROLES

CLASSIFIER_RULES: dict[str, frozenset[str]] = {"manage": MANAGE_ROLES, "suggest": SUGGEST_ROLES}


class ClassifierVersionPolicy(Policy[ClassifierVersion]):
    """City-wide records: the roles hold anywhere."""

    model = ClassifierVersion
    noun = "classifier_version"
    view_roles = SUGGEST_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = CLASSIFIER_RULES
    actions = ("view", "manage", "suggest")
    select_related = ("created_by",)


class TrainingJobPolicy(Policy[TrainingJob]):
    model = TrainingJob
    noun = "training_job"
    view_roles = MANAGE_ROLES
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"manage": MANAGE_ROLES}
    actions = ("view", "manage")
    select_related = ("created_by", "version")


class SuggestionFeedbackPolicy(Policy[SuggestionFeedback]):
    """Feedback on the appeals the user sees."""

    model = SuggestionFeedback
    noun = "suggestion_feedback"
    actions = ("view",)

    def visible_q(self, user: Any) -> Q:
        return Q(appeal__in=appeal_queries.visible_appeals(user))


class HotIssuesPolicy(Policy[Area]):
    """Hot issues are read over an area (the filter) by staff roles."""

    model = Area
    noun = "area"
    area_path = "path"
    answers_visibility = False
    rules: ClassVar[Mapping[str, frozenset[str]]] = {"view_hot": HOT_ROLES}


classifier_version_policy = ClassifierVersionPolicy()
training_job_policy = TrainingJobPolicy()
suggestion_feedback_policy = SuggestionFeedbackPolicy()
hot_issues_policy = HotIssuesPolicy()
policies = PolicySet(classifier_version_policy, training_job_policy, suggestion_feedback_policy, hot_issues_policy)

get_classifier_version_for_user = classifier_version_policy.get_for_user
get_training_job_for_user = training_job_policy.get_for_user

visible_to = policies.visible_to
can = policies.can


def can_manage_classifier(user: Any) -> bool:
    return classifier_version_policy.can_somewhere(user, "manage")


def can_request_suggestions(user: Any) -> bool:
    return classifier_version_policy.can_somewhere(user, "suggest")


def can_view_hot(user: Any) -> bool:
    return hot_issues_policy.can_somewhere(user, "view_hot")


def require_manage_classifier(user: Any) -> None:
    """403 unless the user may manage the classifier (None: the system itself, e.g. the scheduled retraining)."""
    if user is not None:
        classifier_version_policy.require_somewhere(
            user, "manage", _("Only city or district administrators may manage the classifier."))


def require_view_hot(user: Any) -> None:
    hot_issues_policy.require_somewhere(user, "view_hot", _("You do not have permission to see hot issues."))
