"""Errors that actions raise; every message is a whole Chinese sentence telling the user what to fix."""

from __future__ import annotations


class ActionError(Exception):
    """The request cannot be carried out as asked (bad input, wrong state). Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(ActionError):
    """The object is not in a state that allows this action."""


class Conflict(ActionError):
    """The request collides with work already under way (e.g. a training already waiting): the API answers 409."""


class RateLimited(ActionError):
    """Too many requests of this kind in the current window; nothing was done (HTTP 429)."""
