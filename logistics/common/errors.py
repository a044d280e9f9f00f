"""Errors raised by services; views and the API turn them into translated messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. ``message`` is user-facing and translated."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidTransition(DomainError):
    """A workflow was asked to move to a state it cannot reach from where it is."""

    status_code = 409


class Conflict(DomainError):
    """Someone else changed or holds the object; reload and try again."""

    status_code = 409
