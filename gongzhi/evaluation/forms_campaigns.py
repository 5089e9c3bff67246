"""Forms of the campaigns part's pages: a campaign's set-up, adding a rater, and a rating. The rules are the
actions' (gongzhi.evaluation.actions.campaigns); the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, PartyOrg

from .actions.campaigns import MAX_NOTICE_DAYS
from .models import Campaign, Grade, RaterGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
GROUP_KINDS = [k for k, _label in RaterGroup.Kind.choices]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("For example: 2026年度锦华街道成员单位和兼职委员双向评议"))
    area = forms.ModelChoiceField(label=_("Organized by"), queryset=Area.objects.none(), empty_label=None)
    period = forms.ChoiceField(label=_("Period kind"), choices=Campaign.Period.choices, widget=forms.RadioSelect,
                               initial=Campaign.Period.ANNUAL)
    period_start = forms.DateField(label=_("Period from"), widget=DATE, required=False,
                                   help_text=_("Leave both dates empty: last year for an annual campaign, last "
                                               "quarter for a quarterly one."))
    period_end = forms.DateField(label=_("Period to"), widget=DATE, required=False)
    deadline = forms.DateTimeField(label=_("Rating deadline"), widget=DATETIME,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    notice_days = forms.IntegerField(label=_("Notice period (days)"), min_value=1, max_value=MAX_NOTICE_DAYS,
                                     initial=5)
    rates_units = forms.BooleanField(label=_("Rate the member units"), required=False, initial=True)
    rates_members = forms.BooleanField(label=_("Rate the part-time committee members"), required=False,
                                       initial=True)
    rates_communities = forms.BooleanField(label=_("The units rate the community party organizations (two-way)"),
                                           required=False)
    uses_scores = forms.BooleanField(label=_("Score each criterion"), required=False)
    criteria = forms.CharField(label=_("Criteria"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("One per line: the name and the maximum score, e.g. 履职尽责 40"))
    weight_subdistrict = forms.IntegerField(label=_("Subdistrict party working committee (%)"), required=False,
                                            min_value=0, max_value=100)
    weight_community = forms.IntegerField(label=_("Community party organizations (%)"), required=False,
                                          min_value=0, max_value=100)
    weight_estate = forms.IntegerField(label=_("Estate party branches (%)"), required=False, min_value=0,
                                       max_value=100)
    weight_residents = forms.IntegerField(label=_("Resident representatives (%)"), required=False, min_value=0,
                                          max_value=100)
    weight_units = forms.IntegerField(label=_("Member units, rating the communities (%)"), required=False,
                                      min_value=0, max_value=100)

    def __init__(self, *args: Any, areas: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        if editing:
            del self.fields["area"]

    def weights(self) -> dict[str, Any]:
        return {kind: self.cleaned_data.get(f"weight_{kind}") for kind in GROUP_KINDS}

    def criteria_rows(self) -> list[tuple[str, str]]:
        """"履职尽责 40" per line → [("履职尽责", "40")]; a line without a number keeps an empty maximum (refused by
        the action with a message)."""
        rows = []
        for line in (self.cleaned_data.get("criteria") or "").splitlines():
            line = line.strip().replace("：", " ").replace(":", " ")
            if not line:
                continue
            name, _sep, top = line.rpartition(" ")
            if not name or not top.strip().isdigit():
                name, top = line, ""
            rows.append((name.strip(), top.strip()))
        return rows

    @property
    def weight_fields(self) -> list[Any]:
        return [self[f"weight_{kind}"] for kind in GROUP_KINDS]


def criteria_text(campaign: Campaign) -> str:
    return "\n".join(f"{c.name} {c.max_score}" for c in campaign.criteria.all())


class RaterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rater group"), choices=())
    username = forms.CharField(label=_("Account (username)"), max_length=150,
                               widget=forms.TextInput(attrs={"list": "rater-candidates", "autocomplete": "off"}))
    community = forms.ModelChoiceField(label=_("Rates in (community)"), queryset=Area.objects.none(), required=False,
                                       help_text=_("Leave empty to take the community from the account's role."))
    party_org = forms.ModelChoiceField(label=_("Speaks for (party organization)"), queryset=PartyOrg.objects.none(),
                                       required=False)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(g.kind, g.get_kind_display()) for g in campaign.groups.all()]  # type: ignore[attr-defined]
        self.fields["community"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            level=Area.Level.COMMUNITY, path__startswith=campaign.area.path).order_by("path")
        self.fields["party_org"].queryset = PartyOrg.objects.filter(  # type: ignore[attr-defined]
            area__path__startswith=campaign.area.path,
            kind__in=[PartyOrg.Kind.COMMUNITY_COMMITTEE, PartyOrg.Kind.BRANCH]).order_by("area__path")


class RateForm(forms.Form):
    grade = forms.ChoiceField(label=_("Rating grade"), choices=Grade.choices, widget=forms.RadioSelect,
                              error_messages={"required": _("Choose 优秀, 合格 or 不合格.")})
    comment = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, criteria: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=_("%(name)s (0–%(max)d)") % {"name": c.name, "max": c.max_score}, min_value=0,
                max_value=c.max_score, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"required": _("Please score %(name)s (0 to %(max)d).") % {"name": c.name,
                                                                                         "max": c.max_score}})

    @property
    def score_fields(self) -> list[Any]:
        return [self[f"score_{c.pk}"] for c in self.criteria]

    def scores(self) -> dict[str, Any]:
        return {str(c.pk): self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}
