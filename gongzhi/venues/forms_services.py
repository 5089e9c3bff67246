"""The services part's forms: the list's filters, a service (set up, change), a session, the rating, and the public
page's form (name, community, phone, code). The actions check the rules again; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ServiceSession, SharedService

MAX_INT = 2**31 - 1


class ServiceFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + list(SharedService.Kind.choices))
    venue = forms.IntegerField(label=_("Venue"), required=False, min_value=1, max_value=MAX_INT)
    mine = forms.BooleanField(required=False)


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            error_messages={"required": _("Please give the service a title."),
                                            "max_length": _("Too long: at most 200 characters.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=SharedService.Kind.choices,
                             error_messages={"required": _("Please choose what kind of service this is."),
                                             "invalid_choice": _("Please choose what kind of service this is.")})
    who_may_use = forms.ChoiceField(label=_("Who may use it"), choices=SharedService.WhoMayUse.choices,
                                    initial=SharedService.WhoMayUse.ALLIANCE,
                                    error_messages={"required": _("Please choose who may use the service."),
                                                    "invalid_choice": _("Please choose who may use the service.")})
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"max_length": _("Too long: at most 2000 characters.")})


class NewServiceForm(ServiceForm):
    venue = forms.TypedChoiceField(label=_("Venue"), coerce=int,
                                   error_messages={"required": _("Please choose the venue."),
                                                   "invalid_choice": _("Please choose the venue.")})
    provider = forms.ChoiceField(label=_("Provided by"),
                                 error_messages={"required": _("Please say who provides the service: a community or "
                                                               "a member unit."),
                                                 "invalid_choice": _("Please say who provides the service: a "
                                                                     "community or a member unit.")})

    def __init__(self, *args: Any, venues: list[tuple[int, str]], providers: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", "—")] + venues  # type: ignore[attr-defined]
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                    error_messages={"required": _("Please give the start of the session."),
                                                    "invalid": _("Please enter the start as a date and time.")})
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  error_messages={"required": _("Please give the end of the session."),
                                                  "invalid": _("Please enter the end as a date and time.")})
    capacity = forms.IntegerField(label=ServiceSession._meta.get_field("capacity").verbose_name, initial=20,
                                  min_value=1, max_value=500,
                                  error_messages={"required": _("Places: between 1 and %(max)d.") % {"max": 500},
                                                  "invalid": _("Places: between 1 and %(max)d.") % {"max": 500},
                                                  "min_value": _("Places: between 1 and %(max)d.") % {"max": 500},
                                                  "max_value": _("Places: between 1 and %(max)d.") % {"max": 500}})


class SessionRoomForm(SessionForm):
    room = forms.TypedChoiceField(label=_("Book a room of the venue (optional)"), coerce=int, required=False,
                                  empty_value=None)

    def __init__(self, *args: Any, rooms: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", "—")] + rooms  # type: ignore[attr-defined]


class CancelSessionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             error_messages={"required": _("Please say why the session is cancelled (the people "
                                                           "booked are told)."),
                                             "max_length": _("Too long: at most 200 characters.")})


SCORES = [(str(n), str(n)) for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("Your rating"), choices=SCORES, widget=forms.RadioSelect,
                              error_messages={"required": _("Please choose a rating from 1 to 5 stars."),
                                              "invalid_choice": _("Please choose a rating from 1 to 5 stars.")})
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"max_length": _("Too long: at most 300 characters.")})


class PublicPlaceForm(forms.Form):
    """The public session page: one form, four buttons (send the code, book, cancel, rate)."""

    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    community = forms.IntegerField(label=_("The community you live in"), required=False, min_value=1, max_value=MAX_INT)
    phone = forms.CharField(label=_("Your mobile number"), max_length=20,
                            error_messages={"required": _("Please enter your mobile number.")},
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                                          "placeholder": _("11-digit mobile number")}))
    code = forms.CharField(label=_("Code sent to your phone"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6,
                                                         "autocomplete": "one-time-code"}))
    score = forms.ChoiceField(label=_("Your rating"), choices=SCORES, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"max_length": _("Too long: at most 300 characters.")})


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""
