"""What the service needs from a forge, whichever it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from policygen_operator.adapters.git.errors import ForgeError, Kind
from policygen_operator.adapters.git.httpjson import Response, error_text


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    state: str  # open | closed | merged
    head_sha: str | None = None
    title: str = ""
    body: str = ""


class Forge(Protocol):
    git_username: str  # the Basic user name that carries the token over git's HTTPS

    def check_access(self) -> None: ...
    def find_open(self, branch: str) -> PullRequest | None: ...
    def find_closed(self, branch: str) -> PullRequest | None: ...
    def create(
        self, branch: str, base: str, title: str, body: str, labels: tuple[str, ...]
    ) -> PullRequest: ...
    def update(self, number: int, title: str, body: str) -> PullRequest: ...


def repository_path(repository: str) -> str:
    """The clone URL's path without slashes around it or ``.git``: ``owner/repo`` or ``group/sub/project``."""
    return urlsplit(repository).path.strip("/").removesuffix(".git")


def raise_for(response: Response, what: str) -> None:
    """Turns a failed API call into a ForgeError of the right kind, with the forge's own message."""
    status = response.status
    if status < 300:
        return
    text = error_text(response)
    limited = (
        response.headers.get("X-RateLimit-Remaining", response.headers.get("x-ratelimit-remaining")) == "0"
    )
    if status == 429 or (status == 403 and limited) or status >= 500:
        raise ForgeError(
            f"{what}: HTTP {status} {text}", "temporary", status, retry_after=_retry_after(response)
        )
    if status == 401:
        raise ForgeError(
            f"{what}: HTTP 401 {text or 'Unauthorized'}: the token is missing, wrong or expired",
            "auth",
            status,
        )
    if status == 403:
        raise ForgeError(f"{what}: HTTP 403 {text}: the token lacks the permission", "auth", status)
    if status == 404:
        raise ForgeError(
            f"{what}: HTTP 404 {text}: no such repository, or the token cannot see it", "not_found", status
        )
    kind: Kind = "conflict" if status in (409, 422) else "invalid"
    raise ForgeError(f"{what}: HTTP {status} {text}", kind, status)


def _retry_after(response: Response) -> float | None:
    """The ``Retry-After`` header in seconds, when the forge sent one (the HTTP-date form is not used)."""
    value = response.headers.get("Retry-After", response.headers.get("retry-after"))
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
