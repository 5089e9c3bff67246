"""Certificates (志愿服务记录证明) that a correction of hours supersedes. The activities part calls
`supersede_for_signups` inside its correction's transaction; the members part issues and shows certificates."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from .models import Certificate, SignUp


def supersede_for_signups(signups: Iterable[SignUp], reason: str) -> int:
    """Mark every current certificate that counts one of `signups` as superseded (the hours it states changed);
    returns how many. Runs in the caller's transaction."""
    ids = [s.pk for s in signups]
    if not ids:
        return 0
    return Certificate.objects.filter(signups__in=ids, superseded_at__isnull=True).distinct().update(
        superseded_at=timezone.now(), superseded_reason=reason[:200])
