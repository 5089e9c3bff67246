"""How a dispute's parties show to whom (confidentiality stricter than appeals).

- Those who see only the record (area staff over the community, members of a covering body): no party at all —
  neither names nor particulars; at most how many parties there are on each side.
- Those who see the content (`permissions.sees_content`): names, kinds, sides and communities, with the phone,
  ID number and address masked; "show" reveals one party's particulars in full, and each reveal is audited
  ("disputes.party.reveal", `actions.cases.do_reveal_party`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongzhi.lib.masking import mask_address, mask_id_number, mask_phone

from .models import DisputeParty


@dataclass(frozen=True)
class PartyView:
    """One party as a content viewer sees it before "show": the particulars masked."""

    id: int
    kind: str
    kind_label: str
    side: str
    side_label: str
    name: str
    community: str
    phone: str
    id_number: str
    address: str
    has_particulars: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def masked_party(party: DisputeParty) -> PartyView:
    place = party.community.name if party.community_id and party.community else ""
    return PartyView(
        id=party.pk, kind=party.kind, kind_label=str(party.get_kind_display()), side=party.side,
        side_label=str(party.get_side_display()), name=party.name, community=place,
        phone=mask_phone(party.phone), id_number=mask_id_number(party.id_number),
        address=mask_address(party.address, place),
        has_particulars=bool(party.phone or party.id_number or party.address),
    )


def full_particulars(party: DisputeParty) -> dict[str, str]:
    """The particulars in full (only through the audited reveal)."""
    return {"phone": party.phone, "id_number": party.id_number, "address": party.address}


def side_counts(parties: list[DisputeParty]) -> dict[str, int]:
    """What a record-only viewer may know of the parties: how many on each side."""
    counts = {DisputeParty.Side.APPLICANT.value: 0, DisputeParty.Side.RESPONDENT.value: 0}
    for p in parties:
        counts[p.side] = counts.get(p.side, 0) + 1
    return counts
