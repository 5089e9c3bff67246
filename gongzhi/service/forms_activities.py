"""Forms of the activities pages: an activity, a recurring one, a reason, the read-out code, a correction of hours,
residents' feedback."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area

from .models import ActivityKind

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _when(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class ActivityForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.VOLUNTEER)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What we will do"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("A venue's name or an address."))
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    capacity = forms.IntegerField(label=_("Seats (people)"), min_value=1, max_value=1000, initial=20)
    open_to_party_members = forms.BooleanField(label=_("Party members may join"), required=False, initial=True)
    open_to_volunteers = forms.BooleanField(label=_("Volunteers may join"), required=False, initial=True)
    open_to_residents = forms.BooleanField(label=_("Residents may join"), required=False)
    skills = forms.CharField(label=_("Skills needed"), max_length=200, required=False,
                             help_text=_("For example: first aid, photography, sign language."))


class ActivityEditForm(ActivityForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["community"]


class SeriesForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.PARTY_DAY)
    title = forms.CharField(label=_("Title"), max_length=200, initial="")
    description = forms.CharField(label=_("What we will do"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("A venue's name or an address."))
    first_starts_at = _when(_("First activity starts at"))
    every_months = forms.IntegerField(label=_("Every (months)"), min_value=1, max_value=12, initial=3)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=720, initial=120)
    capacity = forms.IntegerField(label=_("Seats (people)"), min_value=1, max_value=1000, initial=30)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CheckinCodeForm(forms.Form):
    code = forms.CharField(label=_("Six-digit code"), min_length=6, max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}", "class": "mono big"}))


class CorrectHoursForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes served"), min_value=0, max_value=720)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Your score"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)],
                                   widget=forms.RadioSelect, required=False)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    code = forms.CharField(label=_("Code from the text message"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
