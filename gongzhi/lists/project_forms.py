"""The project pages' forms (项目清单 and the agreement). Views fill the choices from what the user may use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit

from .models import Demand, Resource

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0, max_digits=14,
                                decimal_places=2)
    demands = forms.ModelMultipleChoiceField(label=_("Demands it meets"), queryset=Demand.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, resources: list[Resource] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.resources = list(resources)
        for r in self.resources:
            self.fields[f"amount_{r.pk}"] = forms.DecimalField(
                label=r.title, required=False, min_value=0, max_digits=14, decimal_places=2,
                help_text=_("%(left)s %(unit)s left") % {"left": _number(r.remaining),
                                                         "unit": r.get_capacity_unit_display()})

    def resource_rows(self) -> list[tuple[Resource, Any]]:
        return [(r, self[f"amount_{r.pk}"]) for r in self.resources]

    def reservations(self) -> list[tuple[int, Decimal]]:
        return [(r.pk, self.cleaned_data[f"amount_{r.pk}"]) for r in self.resources
                if self.cleaned_data.get(f"amount_{r.pk}")]


class ClaimForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Claim for"), queryset=Unit.objects.none(), empty_label=None)


class PartnersForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label=_("Partner units"), queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)


class BudgetForm(forms.Form):
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0, max_digits=14,
                                decimal_places=2)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)


class SubprojectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    weight = forms.DecimalField(label=_("Weight"), initial=1, min_value=Decimal("0.01"), max_digits=8,
                                decimal_places=2,
                                help_text=_("The project's progress is its sub-projects' progress averaged by "
                                            "weight."))
    lead_unit = forms.ModelChoiceField(label=_("Led by"), queryset=Unit.objects.none(), required=False,
                                       empty_label=_("The project's lead unit"))


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("What was done"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class FinishForm(forms.Form):
    """One field per open reservation: how much of it the project used (the rest goes back to the resource)."""

    def __init__(self, *args: Any, reservations: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.reservations = [r for r in reservations if r.released_at is None]
        for r in self.reservations:
            self.fields[f"used_{r.pk}"] = forms.DecimalField(
                label=_("%(resource)s used (of %(amount)s %(unit)s)") % {
                    "resource": r.resource.title, "amount": _number(r.amount),
                    "unit": r.resource.get_capacity_unit_display()},
                min_value=0, max_digits=14, decimal_places=2, initial=r.amount)

    def used(self) -> dict[int, Decimal]:
        return {r.pk: self.cleaned_data[f"used_{r.pk}"] for r in self.reservations}


class AgreementItemForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"))
    text = forms.CharField(label=_("What"), max_length=300)
    due_on = forms.DateField(label=_("By"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, parties: list[Unit | None] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in parties if u is not None}
        choices = [("community", _("The community (Party A)")), *[(str(u.pk), u.name) for u in parties if u]]
        self.fields["party"].choices = choices  # type: ignore[attr-defined]

    def unit(self) -> Unit | None:
        return self.units.get(self.cleaned_data["party"])


class TermsForm(forms.Form):
    terms = forms.CharField(label=_("Other terms"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("One term a line. Empty: the usual terms are printed."))


def _number(value: Any) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
