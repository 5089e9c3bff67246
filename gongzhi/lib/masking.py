"""Masking of personal data for display: 138****1234, 110***********1234, 幸福路***号."""

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


def mask_address(address: str) -> str:
    """Keep the first part of an address (the district/road) and hide the rest."""
    value = (address or "").strip()
    if not value:
        return ""
    keep = max(2, len(value) // 3)
    return value[:keep] + "*" * min(8, len(value) - keep)
