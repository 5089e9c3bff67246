"""Masking of personal data for display: 138****1234, 110***********1234, 和平里社区 和平小区 ***."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_number(id_number: str) -> str:
    value = (id_number or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_address(address: str, place: str = "") -> str:
    """Hide the whole free-text address; show at most the place it lies in, which the caller knows from the
    area tree (the community and estate names, never a building or room): "和平里社区 和平小区 ***"."""
    if not (address or "").strip():
        return ""
    place = (place or "").strip()
    return f"{place} ***" if place else "***"
