from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area


class DemandForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())


class ThemeForm(DemandForm):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    area = forms.ModelChoiceField(label=_("Proposing area"), queryset=Area.objects.none())
