"""Forms of the rooms part's pages: a venue, a room and its rules, a photo, a closure. The rules are the actions'
(gongzhi.venues.actions.rooms); the forms only parse and show them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Area

from .models import Room, Venue

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})
WEEKDAYS = [("1", pgettext_lazy("weekday", "Mon")), ("2", pgettext_lazy("weekday", "Tue")),
            ("3", pgettext_lazy("weekday", "Wed")), ("4", pgettext_lazy("weekday", "Thu")),
            ("5", pgettext_lazy("weekday", "Fri")), ("6", pgettext_lazy("weekday", "Sat")),
            ("7", pgettext_lazy("weekday", "Sun"))]


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_level_display()}）"


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Venue name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Venue.Level.choices)
    area = AreaChoice(label=_("Area it serves"), queryset=Area.objects.none(),
                      help_text=_("A centre serves a subdistrict or town, a station a community, a point an estate "
                                  "or grid."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, areas: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Room name"), max_length=100)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=2000, widget=NUMBER)
    facilities = forms.CharField(label=_("Equipment and facilities"), max_length=300, required=False,
                                 help_text=_("e.g. projector, 20 chairs, sound system"))
    open_days = forms.MultipleChoiceField(label=_("Open on"), choices=WEEKDAYS,
                                          widget=forms.CheckboxSelectMultiple)
    opens_at = forms.TimeField(label=_("Opening time"), widget=TIME)
    closes_at = forms.TimeField(label=_("Closing time"), widget=TIME)
    who_may_book = forms.ChoiceField(label=_("Who may book"), choices=Room.WhoMayBook.choices)
    approver = forms.ChoiceField(label=_("Approval"), choices=Room.Approver.choices)
    min_minutes = forms.IntegerField(label=_("Shortest booking (minutes)"), widget=NUMBER)
    max_minutes = forms.IntegerField(label=_("Longest booking (minutes)"), widget=NUMBER)
    max_days_ahead = forms.IntegerField(label=_("Bookable at most (days ahead)"), widget=NUMBER)
    min_hours_ahead = forms.IntegerField(label=_("Bookable at least (hours ahead)"), widget=NUMBER)
    buffer_minutes = forms.IntegerField(label=_("Buffer between bookings (minutes)"), widget=NUMBER,
                                        required=False)
    limit_period = forms.ChoiceField(label=_("Limit per booker"), choices=Room.LimitPeriod.choices)
    limit_count = forms.IntegerField(label=_("Bookings per period at most (blank: no limit)"), required=False,
                                     widget=NUMBER)
    limit_hours = forms.IntegerField(label=_("Hours per period at most (blank: no limit)"), required=False,
                                     widget=NUMBER)

    @staticmethod
    def initial_for(room: Room | None) -> dict[str, Any]:
        room = room or Room()
        return {"name": room.name, "capacity": room.capacity, "facilities": room.facilities,
                "open_days": list(room.open_days), "opens_at": room.opens_at, "closes_at": room.closes_at,
                "who_may_book": room.who_may_book, "approver": room.approver, "min_minutes": room.min_minutes,
                "max_minutes": room.max_minutes, "max_days_ahead": room.max_days_ahead,
                "min_hours_ahead": room.min_hours_ahead, "buffer_minutes": room.buffer_minutes,
                "limit_period": room.limit_period, "limit_count": room.limit_count,
                "limit_hours": room.limit_hours}


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo (JPEG or PNG, at most 5 MB)"),
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("First closed day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last closed day"), widget=DATE)
    reason = forms.CharField(label=_("Reason (the bookers read it)"), max_length=200)
