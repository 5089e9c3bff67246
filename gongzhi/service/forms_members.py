"""The members part's forms: they parse what the pages post; the actions check the rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area


def community_choices() -> list[tuple[int, str]]:
    """Every community, named with its subdistrict (where one lives may lie outside one's own area)."""
    subdistricts = dict(Area.objects.filter(level=Area.Level.SUBDISTRICT).values_list("pk", "name"))
    out = []
    for pk, name, parent_id in (Area.objects.filter(level=Area.Level.COMMUNITY).order_by("path")
                                .values_list("pk", "name", "parent_id")):
        out.append((pk, f"{subdistricts.get(parent_id, '')} {name}".strip()))
    return out


class RegisterForm(forms.Form):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    unit = forms.TypedChoiceField(label=_("Register"), coerce=int, required=False, choices=())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, units: list[tuple[int, str]] | None = None, has_member: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = community_choices()  # type: ignore[attr-defined]
        who: list[tuple[Any, Any]] = [(0, _("Myself (party member)"))] if has_member else []
        who += [(pk, _("The unit: %(unit)s") % {"unit": name}) for pk, name in (units or [])]
        self.fields["unit"].choices = who  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    do = forms.ChoiceField(choices=(("confirm", "confirm"), ("decline", "decline")))
    reason = forms.CharField(max_length=200, required=False)


class ProfileForm(forms.Form):
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)


def _year_start() -> date:
    return timezone.localdate().replace(month=1, day=1)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def period(self) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or _year_start()
        end = data.get("end") or timezone.localdate()
        return start, end


class CertificateForm(forms.Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    content = forms.CharField(label=_("Service content"), max_length=2000, required=False, widget=forms.Textarea)
