"""Forms of the schedule's pages: a meeting, a series, a move, a skip, an absence, the short code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Alliance, Area

from .models import MeetingKind

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _when(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices, initial=MeetingKind.AD_HOC)
    area = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False,
                                      help_text=_("Only for an alliance meeting."))
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    link = forms.CharField(label=_("Online link"), max_length=300, required=False)
    host_name = forms.CharField(label=_("Host"), max_length=50, required=False)
    recorder_name = forms.CharField(label=_("Recorder"), max_length=50, required=False)
    invite_registered = forms.BooleanField(label=_("Invite the registered member units"), required=False,
                                           initial=True)


class MeetingEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    link = forms.CharField(label=_("Online link"), max_length=300, required=False)
    host_name = forms.CharField(label=_("Host"), max_length=50, required=False)
    recorder_name = forms.CharField(label=_("Recorder"), max_length=50, required=False)


class SeriesForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in MeetingKind.choices if c[0] != MeetingKind.AD_HOC],
                             initial=MeetingKind.COMMITTEE)
    area = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False,
                                      help_text=_("Only for an alliance meeting: the host rotates among its "
                                                  "communities, this community first."))
    title = forms.CharField(label=_("Title"), max_length=200)
    first_starts_at = _when(_("First meeting starts at"))
    every_months = forms.IntegerField(label=_("Every (months)"), min_value=1, max_value=12, required=False,
                                      help_text=_("Committee joint meetings: at most 3; alliance meetings: 2."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=720, initial=90)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class MoveForm(forms.Form):
    starts_at = _when(_("New start"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Sign-in code"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}", "placeholder": "000000"}))
