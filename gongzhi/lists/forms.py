from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit

from .models import Demand, ResourceKind, SurveyQuestion, Urgency


class _TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())


class DemandForm(_TitleForm):
    """A demand's fields (the category choices and the areas are set by the view)."""

    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    beneficiaries = forms.CharField(label=_("Who benefits"), max_length=200, required=False,
                                    help_text=_("E.g. elderly residents of buildings 3 to 5."))
    beneficiary_count = forms.IntegerField(label=_("People who benefit"), min_value=0, max_value=1_000_000,
                                           required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False)
    resource_kinds = forms.MultipleChoiceField(label=_("Resource kinds needed"), choices=ResourceKind.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)
    cost_estimate = forms.DecimalField(label=_("Cost estimate (yuan)"), min_value=0, max_digits=14,
                                       decimal_places=2, required=False)
    need_quantity = forms.IntegerField(label=_("Quantity needed"), min_value=0, max_value=1_000_000,
                                       required=False,
                                       help_text=_("Hours, items or uses it needs, when it needs such a resource."))

    def __init__(self, *args: object, categories: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", _("Not set")), *(categories or [])]  # type: ignore[attr-defined]


# The sources a staff member picks on the "new demand" form (hot issues and surveys come from their pages).
STAFF_SOURCES = [(Demand.Source.MANUAL, Demand.Source.MANUAL.label), (Demand.Source.COUNCIL, Demand.Source.COUNCIL.label),
                 (Demand.Source.UNIT, Demand.Source.UNIT.label)]


class NewDemandForm(DemandForm):
    """The full "new demand" form: staff entry, a residents' council proposal, or a member unit's own need."""

    source = forms.ChoiceField(label=_("Source"), choices=STAFF_SOURCES, initial=Demand.Source.MANUAL)
    source_ref = forms.CharField(label=_("Source reference"), max_length=200, required=False,
                                 help_text=_("For a council proposal: which meeting and proposal."))
    source_unit = forms.ModelChoiceField(label=_("Requesting unit"), queryset=Unit.objects.none(), required=False)

    field_order = ["source", "source_ref", "source_unit", "title", "description", "area"]


class CloseDemandForm(forms.Form):
    reason = forms.CharField(label=_("Reason for closing"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("E.g. solved by the property company")}))


class ThemeForm(_TitleForm):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    area = forms.ModelChoiceField(label=_("Proposing area"), queryset=Area.objects.none())


class SurveyForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(label=_("Introduction"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What the survey is for, shown above the questions."))
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyQuestion.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(label=_("Options, one per line"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("For choice and priority questions; leave empty for free text."))
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]
