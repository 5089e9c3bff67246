"""The cases part's forms: the list's filters, the dispute (its parties come as numbered rows, `party-<n>-<field>`),
the assignment, a session, the outcome. The actions check every rule again; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import Dispute, DisputeParty

PARTY_FIELDS = ("id", "kind", "side", "name", "resident", "unit", "community", "phone", "id_number", "address")
PARTY_ROWS = 4


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_all([("open", _("Open")), *Dispute.Status.choices]))
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=_all(Dispute.Kind.choices))
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=_all(Dispute.Urgency.choices))
    risk = forms.ChoiceField(label=_("Risk"), required=False, choices=_all(Dispute.Risk.choices))
    community = forms.IntegerField(label=_("Community"), required=False, min_value=1, max_value=2**31 - 1)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=50)


class DisputeForm(forms.Form):
    """The dispute's own fields (the community is checked against `community_choices_for` in the view)."""

    community = forms.IntegerField(required=False)
    alliance = forms.IntegerField(required=False)
    source = forms.ChoiceField(choices=Dispute.Source.choices, required=False)
    title = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=Dispute.Kind.choices, required=False)
    stakes = forms.CharField(required=False)
    urgency = forms.ChoiceField(choices=Dispute.Urgency.choices, required=False)
    risk = forms.ChoiceField(choices=Dispute.Risk.choices, required=False)
    appeal = forms.IntegerField(required=False)


def party_rows(data: QueryDict | dict[str, Any], rows: int = 20) -> list[dict[str, str]]:
    """The numbered party rows of a POST (`party-1-name`, …), as the actions take them."""
    out: list[dict[str, str]] = []
    for n in range(1, rows + 1):
        row = {f: str(data.get(f"party-{n}-{f}", "") or "").strip() for f in PARTY_FIELDS}
        if any(row[f] for f in ("name", "resident", "unit", "phone", "id_number", "address")):
            out.append(row)
    return out


def blank_rows(rows: list[dict[str, Any]], *, total: int = PARTY_ROWS) -> list[dict[str, Any]]:
    """The rows a form shows: those given, then empty ones (an applicant and a respondent first)."""
    shown = [dict(r) for r in rows]
    sides = [DisputeParty.Side.APPLICANT, DisputeParty.Side.RESPONDENT]
    while len(shown) < max(total, len(rows) + 1):
        side = sides[len(shown)] if len(shown) < 2 else DisputeParty.Side.RESPONDENT
        shown.append({"kind": DisputeParty.Kind.RESIDENT, "side": side})
    for n, row in enumerate(shown, start=1):
        row["n"] = n
    return shown


class AssignForm(forms.Form):
    assignee = forms.CharField(error_messages={"required": _("Please choose one mediator or one mediation body.")})

    def target(self) -> tuple[str, int]:
        """("user" | "body", id) from a value like "user:12"."""
        kind, _sep, pk = str(self.cleaned_data.get("assignee") or "").partition(":")
        try:
            return kind, int(pk)
        except ValueError:
            return "", 0


class SessionForm(forms.Form):
    held_at = forms.CharField(required=False)
    place = forms.CharField(required=False, max_length=200)
    attendees = forms.CharField(required=False)
    notes = forms.CharField(required=False)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(required=False)
    referred_to = forms.CharField(required=False)
    referred_unit = forms.IntegerField(required=False)
    reason = forms.CharField(required=False)
