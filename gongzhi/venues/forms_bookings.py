"""Forms of the booking pages: a booking (a date, the times, what for, how many; optionally repeating with the choice
of skipping taken dates), the same for a resident without an account (name, phone, code, community), a refusal's
reason and a cancellation's. The rules are the actions' (gongzhi.venues.actions.bookings, gongzhi.venues.rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit

from .models import BookingSeries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
ONCE = ""


class BookingForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    starts = forms.TimeField(label=_("Starts at"), widget=TIME)
    ends = forms.TimeField(label=_("Ends at"), widget=TIME)
    purpose = forms.CharField(label=_("Purpose"), max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": _("e.g. a residents' council meeting")}))
    attendees = forms.IntegerField(label=_("Number of attendees"), min_value=1, max_value=10000, initial=1)
    unit = forms.ModelChoiceField(label=_("Book as"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("Myself"))
    repeat = forms.ChoiceField(label=_("Repeats"), required=False,
                               choices=[(ONCE, _("Once")), *BookingSeries.Frequency.choices])
    until = forms.DateField(label=_("Repeat until"), widget=DATE, required=False)
    skip_taken = forms.ChoiceField(label=_("If a date is taken"), required=False, initial="skip",
                                   choices=[("skip", _("Skip the taken dates and book the rest")),
                                            ("cancel", _("Book nothing if any date is taken"))],
                                   widget=forms.RadioSelect)

    def __init__(self, *args: Any, units: Any = None, recurring: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None and units.exists():
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        else:
            del self.fields["unit"]
        if not recurring:
            for name in ("repeat", "until", "skip_taken"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat") and not data.get("until"):
            self.add_error("until", _("Please choose until when it repeats."))
        return data

    def times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        return (datetime.combine(data["day"], data["starts"], tzinfo=tz),
                datetime.combine(data["day"], data["ends"], tzinfo=tz))


class PublicBookingForm(BookingForm):
    """A resident without an account: their name, the community they come from, their phone and its code."""

    contact_name = forms.CharField(label=_("Your name"), max_length=50)
    community = forms.ModelChoiceField(label=_("Your community"), queryset=Area.objects.none(), required=False,
                                       empty_label=_("Please choose"))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    code = forms.CharField(label=_("The code sent to your phone"), max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        kwargs["recurring"] = False
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities if communities is not None else Area.objects.none()  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (told to the booker)"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    rest = forms.BooleanField(label=_("Also cancel the later dates of this recurring booking"), required=False)
