"""GitLab REST v4 (gitlab.com and self-managed GitLab through ``apiURL``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from policygen_operator.adapters.git import httpjson as http
from policygen_operator.adapters.git.errors import ForgeError
from policygen_operator.adapters.git.forge import PullRequest, raise_for, repository_path


def project_path(repository: str) -> str:
    path = repository_path(repository)
    if "/" not in path:
        raise ForgeError(f"cannot tell the GitLab project path from {repository!r}", "invalid")
    return path


class GitLab:
    git_username = "oauth2"

    def __init__(self, repository: str, token: str, api_url: str | None = None) -> None:
        self.path = project_path(repository)
        host = urlsplit(repository).netloc
        self.api = (api_url or f"https://{host}/api/v4").rstrip("/")
        self._project = f"{self.api}/projects/{quote(self.path, safe='')}"
        self._headers = {"PRIVATE-TOKEN": token, "Accept": "application/json", "User-Agent": "policygen"}

    def _call(self, method: str, path: str, what: str, body: Any = None) -> Any:
        response = http.call(method, f"{self._project}{path}", self._headers, body)
        raise_for(response, f"GitLab {what}")
        return response.data

    def check_access(self) -> None:
        self._call("GET", "", f"project {self.path}")

    def find_open(self, branch: str) -> PullRequest | None:
        return self._latest(branch, "opened")

    def find_closed(self, branch: str) -> PullRequest | None:
        """The latest closed merge request from ``branch``, if any."""
        return self._latest(branch, "closed")

    def _latest(self, branch: str, state: str) -> PullRequest | None:
        """GitLab lists merge requests newest first."""
        query = urlencode({"source_branch": branch, "state": state})
        data = self._call("GET", f"/merge_requests?{query}", "list merge requests")
        return _merge_request(data[0]) if data else None

    def create(self, branch: str, base: str, title: str, body: str, labels: tuple[str, ...]) -> PullRequest:
        payload: dict[str, Any] = {
            "source_branch": branch,
            "target_branch": base,
            "title": title,
            "description": body,
            "remove_source_branch": True,
        }
        if labels:
            payload["labels"] = ",".join(labels)
        return _merge_request(self._call("POST", "/merge_requests", "create merge request", payload))

    def update(self, number: int, title: str, body: str) -> PullRequest:
        return _merge_request(
            self._call(
                "PUT",
                f"/merge_requests/{number}",
                "update merge request",
                {"title": title, "description": body},
            )
        )


def _merge_request(data: dict[str, Any]) -> PullRequest:
    state = {"opened": "open", "merged": "merged", "closed": "closed", "locked": "open"}.get(
        str(data.get("state")), str(data.get("state"))
    )
    return PullRequest(
        int(data["iid"]),
        str(data.get("web_url", "")),
        state,
        data.get("sha"),
        str(data.get("title", "")),
        str(data.get("description") or ""),
    )
