"""Forms of the agenda and resolutions pages (the actions validate again; these shape the input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Unit

from .models import Resolution


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class DiscussionForm(forms.Form):
    discussion = forms.CharField(label=_("Discussion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RaiseForm(forms.Form):
    title = forms.CharField(label=_("What should the meeting discuss?"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class ResidentRaiseForm(RaiseForm):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Your mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": _("11-digit mobile number")}))
    code = forms.CharField(
        label=_("Code sent to your phone"), max_length=6, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6, "autocomplete": "one-time-code"}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=200)


CREATE_CHOICES = [("", _("Nothing else")), ("demand", _("Also add it to the demand list")),
                  ("project", _("Also create a demand and a project"))]


class ResolutionForm(forms.Form):
    agenda_item = forms.TypedChoiceField(label=_("Agenda item"), required=False, coerce=int, empty_value=None)
    approach = forms.CharField(label=_("How it will be solved"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    task = forms.CharField(label=_("Task"), max_length=300)
    units = forms.ModelMultipleChoiceField(label=_("Responsible units"), queryset=Unit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    create = forms.ChoiceField(label=_("Also"), choices=CREATE_CHOICES, required=False)


class UpdateForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=99)
    note = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo (JPEG, PNG or WebP, 5 MB at most)"), required=False)


class CompleteForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence that it is done"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo (JPEG, PNG or WebP, 5 MB at most)"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class ResolutionFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *Resolution.Status.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
