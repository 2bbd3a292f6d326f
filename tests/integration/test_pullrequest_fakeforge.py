"""The fake forge rejects what GitHub and GitLab reject, so tests against it fail for the right reasons."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from policygen_operator.adapters.git import httpjson
from tests.fakeforge import FakeForge
from tests.fakeforge.fixtures import forge_fixture

TOKEN = "fixture-token"
GH = {
    "Authorization": f"Bearer {TOKEN}",
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}
GL = {"PRIVATE-TOKEN": TOKEN}


bare_forge = forge_fixture(TOKEN, name="bare_forge")


@pytest.fixture(scope="module")
def forge(bare_forge: FakeForge) -> FakeForge:
    """The forge with repository acme/infra and a pushed branch ``feature`` to open pull requests from."""
    server = bare_forge
    server.create_repository("acme/infra", {"README.md": "x\n"})
    work = server.root / ".work" / "acme/infra"
    subprocess.run(["git", "-C", str(work), "checkout", "-qb", "feature"], check=True)
    (work / "a.txt").write_text("a\n")
    subprocess.run(["git", "-C", str(work), "add", "a.txt"], check=True)
    subprocess.run(
        ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(work), "push", "-q", str(server.bare("acme/infra")), "feature"], check=True
    )
    return server


def gh(
    forge: FakeForge,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> httpjson.Response:
    return httpjson.call(
        method, f"{forge.url}/api/v3/repos/acme/infra{path}", GH if headers is None else headers, body
    )


def gl(
    forge: FakeForge,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> httpjson.Response:
    return httpjson.call(
        method, f"{forge.url}/api/v4/projects/acme%2Finfra{path}", GL if headers is None else headers, body
    )


def test_github_authentication(forge: FakeForge) -> None:
    bad = gh(forge, "GET", "", headers={**GH, "Authorization": "Bearer nope"})
    assert bad.status == 401 and bad.data["message"] == "Bad credentials"
    anonymous_write = gh(
        forge,
        "POST",
        "/pulls",
        {"title": "t", "head": "feature", "base": "main"},
        headers={"Accept": "application/vnd.github+json"},
    )
    assert anonymous_write.status == 401 and anonymous_write.data["message"] == "Requires authentication"
    anonymous_read = gh(forge, "GET", "", headers={})
    assert anonymous_read.status == 404  # private repositories are invisible without a token
    assert gh(forge, "GET", "").status == 200


def test_github_unknown_repository_and_api_version(forge: FakeForge) -> None:
    unknown = httpjson.call("GET", f"{forge.url}/api/v3/repos/acme/nope", GH)
    assert unknown.status == 404 and unknown.data["message"] == "Not Found"
    old = gh(forge, "GET", "", headers={**GH, "X-GitHub-Api-Version": "2019-01-01"})
    assert old.status == 400 and "2019-01-01" in old.data["message"]
    no_accept = gh(forge, "GET", "", headers={"Authorization": f"Bearer {TOKEN}"})
    assert no_accept.status == 200  # GitHub serves its default media type


def test_github_pull_request_validation(forge: FakeForge) -> None:
    missing_head = gh(forge, "POST", "/pulls", {"title": "t", "head": "no-such-branch", "base": "main"})
    assert missing_head.status == 422 and missing_head.data["message"] == "Validation Failed"
    assert missing_head.data["errors"] == [{"resource": "PullRequest", "field": "head", "code": "invalid"}]
    same = gh(forge, "POST", "/pulls", {"title": "t", "head": "main", "base": "main"})
    assert same.status == 422 and same.data["errors"][0]["message"] == "No commits between main and main"
    untitled = gh(forge, "POST", "/pulls", {"head": "feature", "base": "main"})
    assert untitled.status == 422 and "title" in untitled.data["message"]

    created = gh(forge, "POST", "/pulls", {"title": "t", "head": "feature", "base": "main", "body": "b"})
    assert created.status == 201 and created.data["head"]["sha"] == forge.branch_sha("acme/infra", "feature")
    duplicate = gh(forge, "POST", "/pulls", {"title": "t", "head": "feature", "base": "main"})
    assert duplicate.status == 422
    assert duplicate.data["errors"][0]["message"] == "A pull request already exists for acme:feature."

    listed = gh(forge, "GET", "/pulls?head=acme%3Afeature&state=open")
    assert [p["number"] for p in listed.data] == [created.data["number"]]
    patched = gh(forge, "PATCH", f"/pulls/{created.data['number']}", {"body": "new"})
    assert patched.status == 200 and patched.data["body"] == "new"
    assert gh(forge, "PATCH", "/pulls/999", {"body": "x"}).status == 404
    labels = gh(forge, "POST", f"/issues/{created.data['number']}/labels", {"labels": ["iam"]})
    assert labels.status == 200 and [label["name"] for label in labels.data] == ["iam"]
    forge.pulls["acme/infra"].clear()


def test_gitlab_authentication_and_projects(forge: FakeForge) -> None:
    assert gl(forge, "GET", "", headers={}).data == {"message": "401 Unauthorized"}
    assert gl(forge, "GET", "", headers={"PRIVATE-TOKEN": "nope"}).status == 401
    unknown = httpjson.call("GET", f"{forge.url}/api/v4/projects/acme%2Fnope", GL)
    assert unknown.status == 404 and unknown.data == {"message": "404 Project Not Found"}
    assert gl(forge, "GET", "").status == 200


def test_gitlab_merge_request_validation(forge: FakeForge) -> None:
    untitled = gl(forge, "POST", "/merge_requests", {"source_branch": "feature", "target_branch": "main"})
    assert untitled.status == 400 and untitled.data == {"error": "title is missing"}
    missing = gl(
        forge, "POST", "/merge_requests", {"source_branch": "nope", "target_branch": "main", "title": "t"}
    )
    assert missing.status == 422
    same = gl(
        forge, "POST", "/merge_requests", {"source_branch": "main", "target_branch": "main", "title": "t"}
    )
    assert same.status == 409

    created = gl(
        forge,
        "POST",
        "/merge_requests",
        {"source_branch": "feature", "target_branch": "main", "title": "t", "labels": "iam,least-privilege"},
    )
    assert created.status == 201 and created.data["labels"] == ["iam", "least-privilege"]
    duplicate = gl(
        forge, "POST", "/merge_requests", {"source_branch": "feature", "target_branch": "main", "title": "t"}
    )
    assert duplicate.status == 409
    assert duplicate.data["message"] == [
        f"Another open merge request already exists for this source branch: !{created.data['iid']}"
    ]
    listed = gl(forge, "GET", "/merge_requests?source_branch=feature&state=opened")
    assert [m["iid"] for m in listed.data] == [created.data["iid"]]
    updated = gl(forge, "PUT", f"/merge_requests/{created.data['iid']}", {"description": "d"})
    assert updated.status == 200 and updated.data["description"] == "d"
    forge.merge_requests["acme/infra"].clear()


def test_git_over_http_needs_the_token(forge: FakeForge, tmp_path: Any) -> None:
    env = {"PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0", "HOME": str(tmp_path)}
    anonymous = subprocess.run(
        ["git", "ls-remote", f"{forge.url}/acme/infra.git"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert anonymous.returncode != 0
    import base64

    header = "Authorization: Basic " + base64.b64encode(f"x:{TOKEN}".encode()).decode()
    authorized = subprocess.run(
        ["git", "-c", f"http.extraHeader={header}", "ls-remote", f"{forge.url}/acme/infra.git"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert authorized.returncode == 0 and "refs/heads/main" in authorized.stdout
