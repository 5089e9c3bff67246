"""Forms of the time bank's pages (the actions validate again; these shape the input for a phone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Reward

# The model's "Service" reads as the app's name (党员志愿服务) in Chinese; a reward's kind has its own words.
REWARD_KINDS = [(Reward.Kind.SERVICE.value, pgettext_lazy("reward kind", "Service")),
                (Reward.Kind.GOODS.value, pgettext_lazy("reward kind", "Goods"))]


def reward_kind_label(kind: str) -> str:
    return str(dict(REWARD_KINDS).get(kind, kind))


class TransferForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient's username or phone number"), max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none",
                                      "placeholder": _("e.g. 13800138000")}))
    amount = forms.CharField(label=_("Credits"), max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1.5"}))
    note = forms.CharField(label=_("Note"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. for Mum's home care")}))


class RewardForm(forms.Form):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    provider = forms.ChoiceField(label=_("Provider"))
    kind = forms.ChoiceField(label=_("Kind"), choices=REWARD_KINDS)
    title = forms.CharField(label=_("Reward"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    price = forms.CharField(label=_("Price (credits)"), max_length=12,
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=100_000,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    active = forms.BooleanField(label=_("On offer"), required=False, initial=True)

    def __init__(self, *args: Any, communities: list[tuple[int, str]], providers: list[tuple[str, str]],
                 editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities  # type: ignore[attr-defined]
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]
        if editing:
            del self.fields["community"]
            del self.fields["provider"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
