"""Forms of the results part's pages: an objection, and the organizer's answer to it. The rules are the actions'
(gongzhi.evaluation.actions.results)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.results import MAX_ANSWER, MAX_REASON
from .models import Grade


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the objection"), max_length=MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Say what the result misses: the work done, the records that show it."))


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision on the objection"), widget=forms.RadioSelect,
                                 choices=[("dismiss", _("Dismiss the objection")), ("uphold", _("Uphold it"))])
    answer = forms.CharField(label=_("Answer"), max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 3}))
    new_outcome = forms.ChoiceField(label=_("New outcome (when upheld)"), required=False,
                                    choices=[("", _("Unchanged")), *Grade.choices])
