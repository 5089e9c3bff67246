"""Errors that actions raise (defined in gongzhi.lib.errors, so that lib's validators can raise them too)."""

from __future__ import annotations

from gongzhi.lib.errors import ActionError, Conflict, InvalidTransition, RateLimited

__all__ = ["ActionError", "Conflict", "InvalidTransition", "RateLimited"]
