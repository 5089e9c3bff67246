"""The members part's forms: the flags list's filters, the review (keep with a note; remove with a reason and the
end date) and the check run by hand. The actions check the rules again; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TitleOnlyFlag


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(TitleOnlyFlag.Status.choices))
    community = forms.IntegerField(label=_("Community"), required=False, min_value=1, max_value=2**31 - 1)


class KeepForm(forms.Form):
    note = forms.CharField(label=_("Why the member stays"), max_length=200,
                           error_messages={"required": _("Please say why the member stays on the committee."),
                                           "max_length": _("The note is too long (at most 200 characters).")})


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the removal"), max_length=200,
                             error_messages={"required": _("Please give the reason for the removal."),
                                             "max_length": _("The reason is too long (at most 200 characters).")})
    ended_on = forms.DateField(label=_("Ends on"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": _("Please enter the end date as a date, e.g. 2026-01-15.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        self.fields["ended_on"].initial = today
        self.fields["ended_on"].widget.attrs["max"] = today

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class CheckForm(forms.Form):
    area = forms.IntegerField(min_value=1, max_value=2**31 - 1)
