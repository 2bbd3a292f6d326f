"""Publish a generated policy as a pull request against the team's infrastructure code.

CONTRACT (filled in by the GitOps work, issue #5; the operator (issue #4) calls it from a worker thread):
- ``reconcile_pull_request`` is synchronous and idempotent: same inputs, no new commit, no new pull request.
- raises ``InvalidRequestError`` (role not found, ambiguous file, path outside the repository,
  repository not allowed, bad token) and ``TemporaryError`` (forge or git remote unreachable, rate limited)
  from ``policygen_operator.services.errors``. Messages never contain the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PullRequestSpec:
    """``spec.output.pullRequest`` of a PolicyGeneration (and the flags of ``policygen pr``)."""

    provider: str  # github | gitlab | git
    repository: str
    base_branch: str
    path: str
    format: str  # ack | crossplane | terraform | json
    replace_managed_policies: tuple[str, ...]
    api_url: str | None = None
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Credentials:
    token: str = field(repr=False)
    username: str | None = None


@dataclass(frozen=True)
class PullRequestContext:
    """What a reviewer needs in the description, and what makes the branch name deterministic."""

    name: str  # e.g. the PolicyGeneration's namespace/name, or a CLI-chosen name
    principal: str
    policies: list[dict[str, Any]]
    window_start: str
    window_end: str
    events_scanned: int
    events_matched: int
    findings: list[dict[str, Any]] = field(default_factory=list)
    denied_actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PullRequestStatus:
    url: str | None
    number: int | None
    branch: str
    head_sha: str
    state: str  # open | merged | closed | pushed (provider git)
    changed: bool  # False when nothing needed doing


def reconcile_pull_request(
    spec: PullRequestSpec,
    context: PullRequestContext,
    credentials: Credentials,
    allowed_repositories: tuple[str, ...] = (),
) -> PullRequestStatus:
    raise NotImplementedError("issue #5: the GitOps work fills this in")
