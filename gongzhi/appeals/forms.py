"""Forms of the appeals pages. They only parse input; every rule that matters is checked again in actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Area, Unit

from .models import Appeal, Case, Category, ReplyTemplate, Urgency, WhistleReport

REQUIRED_PHONE = _("Please enter a phone number we can call you back on.")
REQUIRED_BODY = _("Please describe your problem.")


class PhotoInput(forms.ClearableFileInput):
    """<input type=file multiple>; the view reads request.FILES.getlist(name) and the action validates."""

    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one field; type and size are checked by `actions.validate_photos`."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _photo_field() -> forms.FileField:
    return MultiplePhotoField(
        label=_("Photos (up to 5, JPEG/PNG/WebP, 5 MB each)"),
        required=False,
        widget=PhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
    )


def leaf_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True, level=3)
        .select_related("parent__parent")
        .order_by(
            "parent__parent__sort_order",
            "parent__parent_id",
            "parent__sort_order",
            "parent_id",
            "sort_order",
            "id",
        )
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PlaceFields(forms.Form):
    """Community → estate → building, or a free address. The deepest chosen level is the place."""

    community = forms.ModelChoiceField(
        label=_("Community"),
        required=False,
        queryset=Area.objects.none(),
        empty_label=_("Choose a community"),
    )
    estate = forms.ModelChoiceField(
        label=_("Estate"), required=False, queryset=Area.objects.none(), empty_label=_("Choose an estate")
    )
    building = forms.ModelChoiceField(
        label=_("Building"), required=False, queryset=Area.objects.none(), empty_label=_("Choose a building")
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Or write the address, e.g. road and number")}),
    )

    def __init__(self, *args: Any, communities: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = (
            communities if communities is not None else Area.objects.filter(level=Area.Level.COMMUNITY)
        )
        self.fields["community"].queryset = communities.order_by("path")  # type: ignore[attr-defined]
        community_id = self._raw_int("community")
        estate_id = self._raw_int("estate")
        estates = Area.objects.filter(level=Area.Level.ESTATE, parent_id=community_id or 0).order_by("path")
        self.fields["estate"].queryset = estates  # type: ignore[attr-defined]
        estate = estates.filter(pk=estate_id or 0).first()
        buildings = (
            Area.objects.filter(level=Area.Level.BUILDING, path__startswith=estate.path).order_by("path")
            if estate
            else Area.objects.none()
        )
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]
        # htmx cascade: choosing a community reloads the estates, choosing an estate reloads the buildings.
        cascade = {
            "hx-get": reverse("appeals:place_options"),
            "hx-target": "#place-children",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
        self.fields["community"].widget.attrs.update(cascade)
        self.fields["estate"].widget.attrs.update({**cascade, "hx-include": "[name='community']"})

    def _raw_int(self, name: str) -> int | None:
        value = (self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)) or ""
        try:
            return int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            return None

    def place(self) -> Area | None:
        data = self.cleaned_data
        place: Area | None = data.get("building") or data.get("estate") or data.get("community")
        return place

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("community") or (data.get("address") or "").strip()):
            self.add_error("community", _("Please choose the place or enter an address."))
        return data


class PublicAppealForm(PlaceFields):
    appeal_type = forms.ChoiceField(
        label=_("Type of appeal"), choices=Appeal.Type.choices, initial=Appeal.Type.HELP
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("In a few words, e.g. the lift in building 1 is broken")}
        ),
    )
    body = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        error_messages={"required": REQUIRED_BODY},
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("Where, since when, what you would like done")}
        ),
    )
    callback_name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        error_messages={"required": _("Please tell us how to address you.")},
    )
    callback_phone = forms.CharField(
        label=_("Phone for the call back"),
        max_length=20,
        error_messages={"required": REQUIRED_PHONE},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photos = _photo_field()
    # Honeypot: hidden from people by CSS; bots fill every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = [
        "appeal_type",
        "title",
        "body",
        "community",
        "estate",
        "building",
        "address",
        "callback_name",
        "callback_phone",
        "photos",
        "website",
    ]


class HotlineAppealForm(PublicAppealForm):
    """An operator types in a hotline call: as the public form, plus category, urgency and the 12345 number."""

    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("Classify later")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    source_ref = forms.CharField(label=_("12345 work order number"), required=False, max_length=50)
    field_order = [
        "appeal_type",
        "urgency",
        "category",
        "source_ref",
        "title",
        "body",
        "community",
        "estate",
        "building",
        "address",
        "callback_name",
        "callback_phone",
        "photos",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("website", None)
        self.fields["category"].queryset = leaf_categories()  # type: ignore[attr-defined]


class PatrolReportForm(forms.Form):
    """社区发现: a grid worker reports a problem found on patrol, in a place inside their grid."""

    appeal_type = forms.ChoiceField(
        label=_("Type of appeal"), choices=Appeal.Type.choices, initial=Appeal.Type.HELP
    )
    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Area.objects.none(),
        empty_label=_("Choose the place"),
        error_messages={"required": _("Please choose the place.")},
    )
    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("Classify later")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = forms.CharField(
        label=_("What you found"),
        max_length=5000,
        error_messages={"required": REQUIRED_BODY},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    callback_phone = forms.CharField(
        label=_("Phone for the call back"),
        max_length=20,
        error_messages={"required": REQUIRED_PHONE},
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    photos = _photo_field()

    def __init__(self, *args: Any, places: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["category"].queryset = leaf_categories()  # type: ignore[attr-defined]

    def label_place(self) -> None:
        field = self.fields["place"]
        field.label_from_instance = lambda a: f"{'　' * max(0, a.depth - 4)}{a.name}"  # type: ignore[attr-defined]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        error_messages={"required": _("Please enter the tracking code.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    last4 = forms.RegexField(
        label=_("Last 4 digits of your phone"),
        regex=r"^\d{4}$",
        error_messages={
            "required": _("Please enter the last 4 digits of your phone number."),
            "invalid": _("Please enter the last 4 digits of your phone number."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper().replace(" ", "")


class PublicRatingForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Is your problem solved?"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Solved")), ("no", _("Not solved"))],
        error_messages={"required": _("Please tell us whether your problem is solved.")},
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how satisfied you are.")},
    )
    note = forms.CharField(
        label=_("Anything to add"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    code = forms.RegexField(
        label=_("Code sent to your phone"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": _("Please enter the 6-digit code sent to your phone.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6, "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, need_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.need_code = need_code
        if not need_code:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = str(self.cleaned_data.get("code") or "").strip()
        if self.need_code and not code:
            raise forms.ValidationError(_("Please enter the 6-digit code sent to your phone."))
        return code


# --- Case actions -------------------------------------------------------------------------------------------


class DispatchForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        error_messages={"required": _("Please choose a category before dispatching.")},
    )
    lead_unit = UnitChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Please choose the lead unit.")},
    )
    assist_units = UnitMultipleChoiceField(
        label=_("Assisting units"),
        required=False,
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = leaf_categories()  # type: ignore[attr-defined]
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["assist_units"].queryset = units  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    lead_unit = UnitChoiceField(
        label=_("New lead unit"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Please choose the lead unit.")},
    )
    assist_units = UnitMultipleChoiceField(
        label=_("Assisting units"),
        required=False,
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["assist_units"].queryset = units  # type: ignore[attr-defined]


class AssignmentForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(AssignmentForm):
    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=500,
        error_messages={"required": _("Please give the reason for returning this case.")},
    )


class ExtensionRequestForm(forms.Form):
    new_due_at = forms.DateTimeField(
        label=_("New deadline"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Please choose the new deadline."),
            "invalid": _("Please choose the new deadline."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give the reason for the extension.")},
    )


class ExtensionDecisionForm(forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please write a note.")},
    )


class OptionalNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(NoteForm):
    photos = _photo_field()


class ReplyForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Reply template"),
        required=False,
        queryset=ReplyTemplate.objects.filter(active=True),
        empty_label=_("No template"),
    )
    body = forms.CharField(
        label=_("Answer to the resident"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ReplyTemplate.objects.filter(active=True)  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    contacted = forms.TypedChoiceField(
        label=_("Was the resident reached?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Reached")), ("no", _("Could not be reached"))],
    )
    solved = forms.TypedChoiceField(
        label=_("Solved, in the resident's words?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Solved")), ("no", _("Not solved"))],
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), required=False, choices=[("", "—"), *Case.Satisfaction.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class MergeForm(forms.Form):
    codes = forms.CharField(
        label=_("Tracking codes of the appeals to merge"),
        max_length=500,
        error_messages={"required": _("Please choose the appeals to merge.")},
        widget=forms.TextInput(attrs={"placeholder": _("Separate several codes with spaces or commas")}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_codes(self) -> list[str]:
        raw = str(self.cleaned_data["codes"]).upper().replace("，", ",").replace(",", " ")
        return [code for code in raw.split() if code]


class WhistleForm(forms.Form):
    title = forms.CharField(
        label=_("What is the problem"),
        max_length=200,
        error_messages={"required": _("Please give the whistle a title.")},
    )
    description = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = UnitMultipleChoiceField(
        label=_("Departments to summon"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages={"required": _("Please choose the departments to summon.")},
    )
    urgent = forms.BooleanField(label=_("Urgent: report within 30 minutes"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


class StandaloneWhistleForm(WhistleForm):
    area = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Area.objects.none(),
        empty_label=_("Choose the place"),
        error_messages={"required": _("Please choose the place.")},
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class WhistleDoneForm(forms.Form):
    action_taken = forms.CharField(
        label=_("What your department did"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please record what your department did.")},
    )


class WhistleRatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=WhistleReport.Rating.choices,
        error_messages={"required": _("Please choose a rating.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
