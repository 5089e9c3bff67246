"""Search and filter forms of the organization pages, and the login form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Unit


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Area name"), "type": "search"}),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Name, or full phone number"), "type": "search"}),
    )
    area = forms.IntegerField(label=_("Area"), required=False, min_value=1, max_value=10**12)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("", _("By place, then name")), ("name", _("By name")), ("-name", _("By name, reversed")),
        ("-added", _("Newest records first")),
    ])


class UnitFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Unit name"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Unit.Kind.choices]
    )


# Dates are typed and shown in the Chinese order: 2026-12-01 or 2026年12月1日 (never 12/01/2026).
CHINESE_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class AuditFilterForm(forms.Form):
    verb = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "core.pii.reveal", "type": "search"}),
    )
    who = forms.CharField(
        label=_("Who"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or username")}),
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_id = forms.CharField(
        label=_("Object id"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("e.g. 123")}),
    )
    area = forms.IntegerField(label=_("Area"), required=False, min_value=1, max_value=10**12)
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=CHINESE_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter dates as year-month-day, e.g. 2026-12-01 or 2026年12月1日.")},
    )
    date_to = forms.DateField(
        label=_("To"), required=False, input_formats=CHINESE_DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter dates as year-month-day, e.g. 2026-12-01 or 2026年12月1日.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The start date is after the end date."))
        return data
