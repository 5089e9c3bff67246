"""Forms of the property part's pages: a contract (its service items are rows of the same form, read by the view),
an inspection (a score and a remark per item, built from the contract's items), a grade, a rectification notice,
its reply and closing, an estate's profile. The rules are the actions' (gongzhi.evaluation.actions.property)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit

from . import grading
from .models import Inspection, ServiceItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Property company"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until (blank: open-ended)"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            kind=Unit.Kind.PROPERTY_COMPANY).order_by("name")


def items_from_post(data: Any) -> list[dict[str, Any]]:
    """The service item rows of the contract form (item_id, item_kind, item_name, item_standard, item_points), blank
    rows left out."""
    keys = ("item_id", "item_kind", "item_name", "item_standard", "item_points")
    columns = [data.getlist(k) for k in keys]
    size = max((len(c) for c in columns), default=0)
    rows = []
    for i in range(size):
        ident, kind, name, standard, points = (c[i] if i < len(c) else "" for c in columns)
        if not (name.strip() or standard.strip()):
            continue
        rows.append({"id": int(ident) if ident.isdigit() else None, "kind": kind or ServiceItem.Kind.OTHER,
                     "name": name, "standard": standard, "points": points})
    return rows


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE)
    by = forms.ChoiceField(label=_("Inspected by"), choices=Inspection.By.choices)
    note = forms.CharField(label=_("Overall note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["by"].choices = [c for c in Inspection.By.choices if c[0] in kinds]  # type: ignore[attr-defined]


def scores_from_post(data: Any, items: list[ServiceItem]) -> dict[int, tuple[Any, str]]:
    return {i.pk: (data.get(f"score_{i.pk}", ""), data.get(f"remark_{i.pk}", "")) for i in items}


def quarter_choices() -> list[tuple[str, str]]:
    return [(f"{y}-{q}", grading.quarter_label(y, q)) for y, q in grading.recent_quarters(count=8)]


class GradeForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Quarter"), choices=())
    survey = forms.TypedChoiceField(label=_("Residents' satisfaction survey"), coerce=int, empty_value=None,
                                    required=False, choices=())

    def __init__(self, *args: Any, surveys: list[tuple[int, str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices()  # type: ignore[attr-defined]
        self.fields["survey"].choices = [("", _("No survey this quarter"))] + [  # type: ignore[attr-defined]
            (str(pk), title) for pk, title, _status in surveys]

    def year_quarter(self) -> tuple[int, int]:
        year, _sep, quarter = self.cleaned_data["quarter"].partition("-")
        return int(year), int(quarter)


def notice_items_from_post(data: Any) -> list[dict[str, str]]:
    names, requirements = data.getlist("notice_item"), data.getlist("notice_requirement")
    return [{"item": n, "requirement": r} for n, r in zip(names, requirements, strict=False)]


class NoticeForm(forms.Form):
    deadline = forms.DateField(label=_("Rectify by"), widget=DATE)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=(("close", _("Rectified: close the notice")),
                                                               ("reopen", _("Not done: send it back"))),
                                 widget=forms.RadioSelect, initial="close")
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProfileForm(forms.Form):
    owners_committee = forms.ModelChoiceField(label=_("Owners' committee"), queryset=Unit.objects.none(),
                                              required=False)
    management_committee = forms.BooleanField(label=_("Property management committee formed"), required=False)
    party_instructor = forms.CharField(label=_("Party-building instructor"), max_length=50, required=False)

    def __init__(self, *args: Any, community: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Unit.objects.filter(kind=Unit.Kind.OWNERS_COMMITTEE)
        if community is not None:
            qs = qs.filter(area__path__startswith=community.path)
        self.fields["owners_committee"].queryset = qs.order_by("name")  # type: ignore[attr-defined]
