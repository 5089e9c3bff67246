"""Forms of the agreements part's pages: the agreement, a follow-up visit's date, a visit's record. The rules are the
actions' (gongzhi.disputes.actions.agreements)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.agreements import MAX_FACTS, MAX_NOTE, MAX_PERFORMANCE, MAX_TERMS


class AgreementForm(forms.Form):
    facts = forms.CharField(label=_("Main facts of the dispute and what is in dispute"), max_length=MAX_FACTS,
                            widget=forms.Textarea(attrs={"rows": 5}))
    terms = forms.CharField(label=_("What the parties agreed (one term a line)"), max_length=MAX_TERMS,
                            widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("Each line becomes one numbered term of the agreement."))
    performance = forms.CharField(label=_("How and by when it is carried out"), max_length=MAX_PERFORMANCE,
                                  required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signed_on = forms.DateField(label=_("Signed on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("Leave empty to keep a draft; give the date the parties signed to sign "
                                            "it. A signed agreement can no longer be changed."))


class FollowUpDateForm(forms.Form):
    due_on = forms.DateField(label=_("Visit on"), widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpRecordForm(forms.Form):
    visited_at = forms.DateTimeField(label=_("Visited at"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     help_text=_("Leave empty for now."))
    holds = forms.ChoiceField(label=_("Does the agreement hold?"), widget=forms.RadioSelect,
                              choices=[("yes", _("Yes, it holds")), ("no", _("No, it does not hold"))])
    note = forms.CharField(label=_("What the visit found"), max_length=MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
