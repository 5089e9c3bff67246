"""Forms of the commitments part's pages: a post, a term, a pledge and its assessment, the star rules and an
adjustment. The rules themselves are the actions' (gongzhi.service.actions.commitments)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.models import Area, PartyMember

from .actions.commitments import MAX_SEATS, SUGGESTED_POSTS
from .models import Pledge

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostForm(forms.Form):
    name = forms.CharField(label=_("Post"), max_length=50,
                           widget=forms.TextInput(attrs={"list": "post-suggestions", "autocomplete": "off"}),
                           help_text=_("For example: %(names)s") % {"names": "、".join(SUGGESTED_POSTS[:4])})
    duties = forms.CharField(label=_("Duties"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    area = forms.ModelChoiceField(label=_("Serves (blank: the whole community)"), queryset=Area.objects.none(),
                                  required=False)
    seats = forms.IntegerField(label=pgettext_lazy("post", "Seats"), min_value=1, max_value=MAX_SEATS, initial=1)

    def __init__(self, *args: object, community: Area | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if community is not None:
            self.fields["area"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
                path__startswith=community.path).exclude(pk=community.pk).order_by("path")


class PostEditForm(PostForm):
    active = forms.BooleanField(label=_("In use"), required=False)


class TermForm(forms.Form):
    party_member = forms.ModelChoiceField(label=_("Party member"), queryset=PartyMember.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)

    def __init__(self, *args: object, members: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if members is not None:
            self.fields["party_member"].queryset = members  # type: ignore[attr-defined]


class EndTermForm(forms.Form):
    ended_on = forms.DateField(label=_("Left on"), widget=DATE, required=False)


class PledgeForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    text = forms.CharField(label=_("Pledge"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("What you will do for the community this year, in one sentence."))


class PledgeEditForm(forms.Form):
    text = forms.CharField(label=_("Pledge"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class AssessForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("pledge", "Assessment"), widget=forms.RadioSelect, choices=[
        (s.value, s.label) for s in (Pledge.Status.KEPT, Pledge.Status.PARTLY, Pledge.Status.NOT_KEPT)])
    evidence = forms.CharField(label=_("Evidence"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Required when partly kept or not kept."))


class StarRuleForm(forms.Form):
    points_per_hour = forms.DecimalField(label=_("Points per hour served"), min_value=0, max_digits=6,
                                         decimal_places=2)
    points_per_party_day = forms.DecimalField(label=_("Points per party day attended"), min_value=0, max_digits=6,
                                              decimal_places=2)
    points_per_pledge_kept = forms.DecimalField(label=_("Points per pledge kept (partly kept: half)"), min_value=0,
                                                max_digits=6, decimal_places=2)
    points_per_post = forms.DecimalField(label=_("Points per post held"), min_value=0, max_digits=6,
                                         decimal_places=2)
    points_per_feedback = forms.DecimalField(label=_("Points per point of residents' feedback above 3"),
                                             min_value=0, max_digits=6, decimal_places=2)
    two_stars = forms.IntegerField(label=_("Points for 2 stars"), min_value=1)
    three_stars = forms.IntegerField(label=_("Points for 3 stars"), min_value=1)
    four_stars = forms.IntegerField(label=_("Points for 4 stars"), min_value=1)
    five_stars = forms.IntegerField(label=_("Points for 5 stars"), min_value=1)


class AdjustForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Stars"), coerce=int, empty_value=None, required=False,
                                   choices=[("", _("As computed (clear the adjustment)")),
                                            *[(n, "★" * n) for n in range(1, 6)]])
    reason = forms.CharField(label=_("Reason"), max_length=200)
