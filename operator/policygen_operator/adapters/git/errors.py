"""Errors of the git and forge adapters: a ``kind`` that names what went wrong, and its permanence.

``kind`` picks the condition reason (``auth`` -> Unauthorized, ``not_found`` -> RepositoryNotFound); the
permanence (``adapters.errors.Permanence``) follows from it here, in the adapter that knows git: ``temporary``
is worth a retry, and so is a git ``conflict`` (the branch moved while we worked; a new run rebuilds it);
``auth``, ``not_found``, ``invalid`` and a forge's ``conflict`` are permanent for the request as written.
"""

from __future__ import annotations

from typing import Literal

from policygen_operator.adapters.errors import AdapterError, Permanence

Kind = Literal["auth", "not_found", "invalid", "conflict", "temporary"]


class GitError(AdapterError):
    _temporary_kinds: tuple[Kind, ...] = ("temporary",)

    def __init__(
        self, message: str, kind: Kind, status: int | None = None, *, retry_after: float | None = None
    ) -> None:
        temporary = kind in self._temporary_kinds
        super().__init__(
            message,
            permanence=Permanence.TEMPORARY if temporary else Permanence.PERMANENT,
            retry_after=retry_after,
        )
        self.kind: Kind = kind
        self.status = status


class GitCommandError(GitError):
    """A git command failed; the message is git's stderr with any secret scrubbed."""

    _temporary_kinds = ("temporary", "conflict")


class ForgeError(GitError):
    """The forge API refused a request or could not be reached."""
