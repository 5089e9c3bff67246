"""The secondments part's forms: the list's filter, the proposal, the cancellation and the report. The actions
check the rules again; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Secondment

DATE = {"type": "date"}


class SecondmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(Secondment.Status.choices))


class ProposeForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Seconded person"), coerce=int,
                                    error_messages={"required": _("Please choose the person to second."),
                                                    "invalid_choice": _("Please choose the person to second.")})
    from_community = forms.TypedChoiceField(
        label=_("Sending community"), coerce=int,
        error_messages={"required": _("Please choose the community the person comes from."),
                        "invalid_choice": _("Please choose the community the person comes from.")})
    to_community = forms.TypedChoiceField(label=_("Receiving community"), coerce=int,
                                          error_messages={"required": _("Please choose the host community."),
                                                          "invalid_choice": _("Please choose the host community.")})
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=DATE),
                                error_messages={"required": _("Please give the first day of the secondment."),
                                                "invalid": _("Please enter the date as a date, e.g. 2026-03-01.")})
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=DATE),
                              error_messages={"required": _("Please give the last day of the secondment."),
                                              "invalid": _("Please enter the date as a date, e.g. 2026-03-01.")})
    role_title = forms.CharField(label=_("Role in the host community"), max_length=100,
                                 error_messages={"required": _("Please give the role the person takes in the host "
                                                               "community."),
                                                 "max_length": _("Too long: at most 100 characters.")})
    work = forms.CharField(label=_("What they will work on"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"max_length": _("Too long: at most 2000 characters.")})

    def __init__(self, *args: Any, people: list[tuple[int, str]], communities: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + people  # type: ignore[attr-defined]
        self.fields["from_community"].choices = [("", "—")] + communities  # type: ignore[attr-defined]
        self.fields["to_community"].choices = [("", "—")] + communities  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             error_messages={"required": _("Please say why it is cancelled."),
                                             "max_length": _("Too long: at most 200 characters.")})


class ReportForm(forms.Form):
    learned = forms.CharField(label=_("What you learned"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": _("Please write what you learned."),
                                              "max_length": _("Too long: at most 3000 characters.")})
    brought = forms.CharField(label=_("What you brought back"), max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": _("Please write what you brought back."),
                                              "max_length": _("Too long: at most 3000 characters.")})
