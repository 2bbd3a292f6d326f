"""Errors of the git and forge adapters, classified so the service can pick permanent or temporary.

Adapters sit below the services layer and may not import its errors; the service maps ``kind``:
``auth``, ``not_found``, ``invalid``, ``conflict`` are permanent for the request as written,
``temporary`` is worth a retry.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["auth", "not_found", "invalid", "conflict", "temporary"]


class AdapterError(Exception):
    def __init__(self, message: str, kind: Kind, status: int | None = None) -> None:
        super().__init__(message)
        self.kind: Kind = kind
        self.status = status


class GitCommandError(AdapterError):
    """A git command failed; the message is git's stderr with any secret scrubbed."""


class ForgeError(AdapterError):
    """The forge API refused a request or could not be reached."""
