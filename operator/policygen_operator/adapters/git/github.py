"""GitHub REST v3 (github.com and GitHub Enterprise Server through ``apiURL``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from policygen_operator.adapters.git import httpjson as http
from policygen_operator.adapters.git.errors import ForgeError
from policygen_operator.adapters.git.forge import PullRequest, raise_for, repository_path


def owner_repo(repository: str) -> tuple[str, str]:
    parts = repository_path(repository).split("/")
    if len(parts) < 2 or not all(parts[-2:]):
        raise ForgeError(f"cannot tell owner/repository from {repository!r}", "invalid")
    return parts[-2], parts[-1]


def default_api_url(repository: str) -> str:
    host = urlsplit(repository).netloc
    return (
        "https://api.github.com"
        if host.lower() in ("github.com", "www.github.com")
        else f"https://{host}/api/v3"
    )


class GitHub:
    git_username = "x-access-token"

    def __init__(self, repository: str, token: str, api_url: str | None = None) -> None:
        self.owner, self.repo = owner_repo(repository)
        self.api = (api_url or default_api_url(repository)).rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "policygen",
        }

    def _call(self, method: str, path: str, what: str, body: Any = None) -> Any:
        response = http.call(
            method, f"{self.api}/repos/{quote(self.owner)}/{quote(self.repo)}{path}", self._headers, body
        )
        raise_for(response, f"GitHub {what}")
        return response.data

    def check_access(self) -> None:
        data = self._call("GET", "", f"repository {self.owner}/{self.repo}")
        permissions = data.get("permissions") if isinstance(data, dict) else None
        if isinstance(permissions, dict) and permissions.get("push") is False:
            raise ForgeError(
                f"GitHub repository {self.owner}/{self.repo}: the token cannot push", "auth", 403
            )

    def find_open(self, branch: str) -> PullRequest | None:
        return self._latest(branch, "open")

    def find_closed(self, branch: str) -> PullRequest | None:
        """The latest closed (or merged) pull request from ``branch``, if any."""
        return self._latest(branch, "closed")

    def _latest(self, branch: str, state: str) -> PullRequest | None:
        query = urlencode(
            {"head": f"{self.owner}:{branch}", "state": state, "sort": "created", "direction": "desc"}
        )
        data = self._call("GET", f"/pulls?{query}", "list pull requests")
        return _pull(data[0]) if data else None

    def create(self, branch: str, base: str, title: str, body: str, labels: tuple[str, ...]) -> PullRequest:
        data = self._call(
            "POST",
            "/pulls",
            "create pull request",
            {"title": title, "body": body, "head": branch, "base": base},
        )
        pull = _pull(data)
        if labels:
            self._call("POST", f"/issues/{pull.number}/labels", "add labels", {"labels": list(labels)})
        return pull

    def update(self, number: int, title: str, body: str) -> PullRequest:
        return _pull(
            self._call("PATCH", f"/pulls/{number}", "update pull request", {"title": title, "body": body})
        )


def _pull(data: dict[str, Any]) -> PullRequest:
    state = "merged" if data.get("merged_at") else str(data.get("state", "open"))
    return PullRequest(
        int(data["number"]),
        str(data.get("html_url", "")),
        state,
        (data.get("head") or {}).get("sha"),
        str(data.get("title", "")),
        str(data.get("body") or ""),
    )
