"""A fake GitHub + GitLab on 127.0.0.1 that behaves like the real APIs where our code depends on it.

Why a real HTTP server and real git: the token path is exercised end to end. Bare repositories live under
``root/<owner>/<repo>.git``; ``git http-backend`` serves them over smart HTTP behind Basic authentication,
so a push with a wrong token fails exactly as it would against a forge, and the API checks that a pull
request's head branch really exists in that bare repository.

Responses follow the real ones (bodies as documented or as seen in public bug reports):
- GitHub: 401 ``Bad credentials`` for a wrong token, 401 ``Requires authentication`` for a write without
  one, 404 ``Not Found`` for an unknown repository (and for reads without a token, as for private
  repositories), 400 for an unsupported ``X-GitHub-Api-Version``, 422 ``Validation Failed`` with
  ``{"resource": "PullRequest", "field": "head", "code": "invalid"}`` when the head branch does not exist,
  422 ``A pull request already exists for owner:branch.``, 422 ``No commits between base and head``,
  422 ``Invalid request`` when ``title`` is missing.
- GitLab: 401 ``{"message": "401 Unauthorized"}``, 404 ``{"message": "404 Project Not Found"}``,
  400 ``{"error": "title is missing"}``, 409 ``Another open merge request already exists for this source
  branch: !N``, 409 for the same source and target branch, 422 for a source branch that does not exist.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

GITHUB_VERSIONS = {"2022-11-28"}
DOC = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased; without Authorization / PRIVATE-TOKEN (see ``authorized``)
    body: Any
    status: int
    authorized: bool


@dataclass
class FakeForge:
    root: Path
    token: str
    host: str = "127.0.0.1"
    requests: list[RecordedRequest] = field(default_factory=list)
    pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "owner/repo" -> GitHub PRs
    merge_requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "group/proj" -> MRs
    labels: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    git_auth_headers: list[str] = field(default_factory=list)
    git_paths: list[str] = field(default_factory=list)
    # (method, path suffix) -> status: the next matching API request fails with it, once (a flaky forge)
    fail_next: dict[tuple[str, str], int] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> str:
        forge = self

        class Handler(_Handler):
            pass

        Handler.forge = forge
        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- repositories ----------------------------------------------------------------------------------
    def create_repository(self, full_name: str, files: dict[str, str], branch: str = "main") -> Path:
        """A bare repository with one commit on ``branch`` holding ``files``."""
        bare = self.root / f"{full_name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(bare))
        _git("config", "http.receivepack", "true", cwd=bare)
        work = self.root / ".work" / full_name
        work.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", f"--initial-branch={branch}", str(work))
        for path, text in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        _git("add", "--all", cwd=work)
        _git(
            "-c",
            "user.name=fixture",
            "-c",
            "user.email=fixture@example.com",
            "commit",
            "--quiet",
            "-m",
            "infrastructure",
            cwd=work,
        )
        _git("push", "--quiet", str(bare), f"HEAD:refs/heads/{branch}", cwd=work)
        return bare

    def bare(self, full_name: str) -> Path:
        return self.root / f"{full_name}.git"

    def branches(self, full_name: str) -> dict[str, str]:
        out = _git(
            "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads", cwd=self.bare(full_name)
        )
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        return self.branches(full_name).get(branch)

    def commits(self, full_name: str, ref: str) -> list[str]:
        return _git("rev-list", ref, cwd=self.bare(full_name)).split()

    def diff(self, full_name: str, base: str, head: str) -> str:
        return _git(
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--diff-algorithm=patience",
            f"{base}...{head}",
            cwd=self.bare(full_name),
        )

    def show(self, full_name: str, ref: str, path: str) -> str:
        return _git("show", f"{ref}:{path}", cwd=self.bare(full_name))

    def api_calls(self, method: str | None = None, contains: str = "") -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and contains in r.path
            and not r.path.endswith(("/info/refs", "git-upload-pack", "git-receive-pack"))
        ]


def _git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "GIT_CONFIG_NOSYSTEM": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout


class _Handler(BaseHTTPRequestHandler):
    forge: FakeForge
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -- plumbing ----------------------------------------------------------------------------------------
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        raw = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _record(self, body: Any, status: int, authorized: bool) -> None:
        headers = {
            k.lower(): v
            for k, v in self.headers.items()
            if k.lower() not in ("authorization", "private-token")
        }
        with self.forge._lock:
            self.forge.requests.append(
                RecordedRequest(self.command, self.path, headers, body, status, authorized)
            )

    def _dispatch(self) -> None:
        raw = self._body()
        path = urlsplit(self.path).path
        if path.startswith("/api/v3/"):
            self._github(raw)
        elif path.startswith("/api/v4/"):
            self._gitlab(raw)
        else:
            self._git(raw)

    do_GET = do_POST = do_PATCH = do_PUT = _dispatch

    # -- git smart HTTP ----------------------------------------------------------------------------------
    def _git(self, raw: bytes) -> None:
        header = self.headers.get("Authorization", "")
        user = None
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            if password != self.forge.token:
                user = None
        with self.forge._lock:
            self.forge.git_auth_headers.append(header.split(" ", 1)[0] if header else "")
            self.forge.git_paths.append(self.path)
        if user is None:
            self._record(None, 401, False)
            body = b"Unauthorized"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="fakeforge"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        parts = urlsplit(self.path)
        env = {
            "PATH": "/usr/bin:/bin",
            "GIT_PROJECT_ROOT": str(self.forge.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": unquote(parts.path),
            "QUERY_STRING": parts.query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(raw)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_HTTP_MAX_REQUEST_BUFFER": "100M",
            "HOME": "/nonexistent",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        done = subprocess.run(["git", "http-backend"], input=raw, env=env, capture_output=True, check=False)
        head, _, body = done.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, body = done.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key, value.strip()))
        self._record(None, status, True)
        self.send_response(status)
        for key, value in headers:
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _branch_exists(self, full_name: str, branch: str) -> bool:
        try:
            return branch in self.forge.branches(full_name)
        except RuntimeError:
            return False

    # -- GitHub REST v3 ----------------------------------------------------------------------------------
    def _injected_failure(self) -> tuple[int, Any] | None:
        path = urlsplit(self.path).path
        with self.forge._lock:
            for (method, suffix), status in list(self.forge.fail_next.items()):
                if method == self.command and path.endswith(suffix):
                    del self.forge.fail_next[(method, suffix)]
                    return status, {"message": "Server Error"}
        return None

    def _github(self, raw: bytes) -> None:
        body = json.loads(raw) if raw else None
        status, payload = self._injected_failure() or self._github_route(body)
        self._record(body, status, self._github_token() == "ok")
        self._send(status, payload)

    def _github_token(self) -> str:
        header = self.headers.get("Authorization", "")
        if not header:
            return "missing"
        scheme, _, value = header.partition(" ")
        return "ok" if scheme.lower() in ("bearer", "token") and value == self.forge.token else "bad"

    def _github_route(self, body: Any) -> tuple[int, Any]:
        token = self._github_token()
        if token == "bad":
            return 401, {
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            }
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in GITHUB_VERSIONS:
            return 400, {
                "message": f"API version {version} is not supported.",
                "documentation_url": "https://docs.github.com/rest/overview/api-versions",
                "status": "400",
            }
        parts = urlsplit(self.path)
        segments = [unquote(s) for s in parts.path.split("/")[3:]]  # after /api/v3
        if len(segments) < 3 or segments[0] != "repos":
            return 404, {
                "message": "Not Found",
                "documentation_url": "https://docs.github.com/rest",
                "status": "404",
            }
        full_name = f"{segments[1]}/{segments[2]}"
        if not self.forge.bare(full_name).exists() or (token == "missing" and self.command == "GET"):
            return 404, {
                "message": "Not Found",
                "documentation_url": "https://docs.github.com/rest",
                "status": "404",
            }
        if token == "missing":
            return 401, {
                "message": "Requires authentication",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            }
        rest = segments[3:]
        with self.forge._lock:
            return self._github_repo(full_name, rest, parse_qs(parts.query), body)

    def _github_repo(
        self, full_name: str, rest: list[str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        pulls = self.forge.pulls.setdefault(full_name, [])
        owner = full_name.split("/")[0]
        if not rest and self.command == "GET":
            return 200, {
                "full_name": full_name,
                "private": True,
                "default_branch": "main",
                "permissions": {"admin": False, "push": True, "pull": True},
            }
        if rest == ["pulls"] and self.command == "GET":
            state = (query.get("state") or ["open"])[0]
            head = (query.get("head") or [None])[0]
            found = [
                self._github_pull(full_name, p)
                for p in pulls
                if (state == "all" or p["state"] == state)
                and (head is None or f"{owner}:{p['head']['ref']}" == head)
            ]
            sort = (query.get("sort") or ["created"])[0]
            desc = (query.get("direction") or ["desc" if sort == "created" else "asc"])[0] == "desc"
            return 200, found[::-1] if desc else found  # GitHub: newest first by default
        if rest == ["pulls"] and self.command == "POST":
            return self._github_create(full_name, owner, pulls, body or {})
        if len(rest) == 2 and rest[0] == "pulls" and self.command == "PATCH":
            pull = next((p for p in pulls if str(p["number"]) == rest[1]), None)
            if pull is None:
                return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            for key in ("title", "body", "state"):
                if key in (body or {}):
                    pull[key] = body[key]
            pull["updates"] = pull.get("updates", 0) + 1
            return 200, self._github_pull(full_name, pull)
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "labels" and self.command == "POST":
            number = int(rest[1])
            if not any(p["number"] == number for p in pulls):
                return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            names = self.forge.labels.setdefault((full_name, number), [])
            names.extend(n for n in (body or {}).get("labels", []) if n not in names)
            return 200, [{"name": n, "color": "ededed", "default": False} for n in names]
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _github_create(
        self, full_name: str, owner: str, pulls: list[dict[str, Any]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        for name in ("title", "head", "base"):
            if not body.get(name):
                return 422, {
                    "message": f'Invalid request.\n\n"{name}" wasn\'t supplied.',
                    "documentation_url": DOC,
                    "status": "422",
                }
        head = str(body["head"]).split(":", 1)[-1]
        base = str(body["base"])

        def invalid(field_name: str) -> tuple[int, Any]:
            return 422, {
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "field": field_name, "code": "invalid"}],
                "documentation_url": DOC,
                "status": "422",
            }

        def custom(message: str) -> tuple[int, Any]:
            return 422, {
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "code": "custom", "message": message}],
                "documentation_url": DOC,
                "status": "422",
            }

        if not self._branch_exists(full_name, base):
            return invalid("base")
        if not self._branch_exists(full_name, head):
            return invalid("head")
        if head == base or not self.forge.commits(full_name, f"{base}..{head}"):
            return custom(f"No commits between {base} and {head}")
        if any(p["state"] == "open" and p["head"]["ref"] == head for p in pulls):
            return custom(f"A pull request already exists for {owner}:{head}.")
        number = len(pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "head": {"ref": head},
            "base": {"ref": base},
            "merged_at": None,
            "updates": 0,
        }
        pulls.append(pull)
        return 201, self._github_pull(full_name, pull)

    def _github_pull(self, full_name: str, pull: dict[str, Any]) -> dict[str, Any]:
        head = pull["head"]["ref"]
        return {
            "number": pull["number"],
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "html_url": f"{self.forge.url}/{full_name}/pull/{pull['number']}",
            "head": {
                "ref": head,
                "sha": self.forge.branch_sha(full_name, head),
                "label": f"{full_name.split('/')[0]}:{head}",
            },
            "base": {"ref": pull["base"]["ref"]},
            "merged_at": pull["merged_at"],
        }

    # -- GitLab REST v4 ----------------------------------------------------------------------------------
    def _gitlab(self, raw: bytes) -> None:
        body = json.loads(raw) if raw else None
        ok = self.headers.get("PRIVATE-TOKEN") == self.forge.token
        status, payload = (
            (401, {"message": "401 Unauthorized"})
            if not ok
            else self._injected_failure() or self._gitlab_route(body)
        )
        self._record(body, status, ok)
        self._send(status, payload)

    def _gitlab_route(self, body: Any) -> tuple[int, Any]:
        parts = urlsplit(self.path)
        raw_segments = parts.path.split("/")[3:]  # after /api/v4
        if len(raw_segments) < 2 or raw_segments[0] != "projects":
            return 404, {"error": "404 Not Found"}
        full_name = unquote(raw_segments[1])
        if "/" in raw_segments[1] or not self.forge.bare(full_name).exists():
            return 404, {"message": "404 Project Not Found"}
        rest = raw_segments[2:]
        query = parse_qs(parts.query)
        with self.forge._lock:
            mrs = self.forge.merge_requests.setdefault(full_name, [])
            if not rest and self.command == "GET":
                return 200, {"id": 1, "path_with_namespace": full_name, "default_branch": "main"}
            if rest == ["merge_requests"] and self.command == "GET":
                state = (query.get("state") or ["all"])[0]
                source = (query.get("source_branch") or [None])[0]
                return 200, [  # GitLab lists newest first (order_by=created_at, sort=desc)
                    self._gitlab_mr(full_name, m)
                    for m in reversed(mrs)
                    if (state == "all" or m["state"] == state) and source in (None, m["source_branch"])
                ]
            if rest == ["merge_requests"] and self.command == "POST":
                return self._gitlab_create(full_name, mrs, body or {})
            if len(rest) == 2 and rest[0] == "merge_requests" and self.command == "PUT":
                mr = next((m for m in mrs if str(m["iid"]) == rest[1]), None)
                if mr is None:
                    return 404, {"message": "404 Not found"}
                for key in ("title", "description"):
                    if key in (body or {}):
                        mr[key] = body[key]
                mr["updates"] = mr.get("updates", 0) + 1
                return 200, self._gitlab_mr(full_name, mr)
        return 404, {"error": "404 Not Found"}

    def _gitlab_create(
        self, full_name: str, mrs: list[dict[str, Any]], body: dict[str, Any]
    ) -> tuple[int, Any]:
        for name in ("source_branch", "target_branch", "title"):
            if not body.get(name):
                return 400, {"error": f"{name} is missing"}
        source, target = body["source_branch"], body["target_branch"]
        if source == target:
            return 409, {"message": ["You can't use same project/branch for source and target"]}
        if not self._branch_exists(full_name, source):
            return 422, {"message": [f'Source branch "{source}" does not exist']}
        if not self._branch_exists(full_name, target):
            return 422, {"message": [f'Target branch "{target}" does not exist']}
        existing = next((m for m in mrs if m["state"] == "opened" and m["source_branch"] == source), None)
        if existing:
            return 409, {
                "message": [
                    f"Another open merge request already exists for this source branch: !{existing['iid']}"
                ]
            }
        mr = {
            "iid": len(mrs) + 1,
            "state": "opened",
            "title": body["title"],
            "description": body.get("description"),
            "source_branch": source,
            "target_branch": target,
            "labels": [s for s in str(body.get("labels") or "").split(",") if s],
            "updates": 0,
        }
        mrs.append(mr)
        return 201, self._gitlab_mr(full_name, mr)

    def _gitlab_mr(self, full_name: str, mr: dict[str, Any]) -> dict[str, Any]:
        return {
            "iid": mr["iid"],
            "state": mr["state"],
            "title": mr["title"],
            "description": mr["description"],
            "source_branch": mr["source_branch"],
            "target_branch": mr["target_branch"],
            "labels": mr["labels"],
            "sha": self.forge.branch_sha(full_name, mr["source_branch"]),
            "web_url": f"{self.forge.url}/{full_name}/-/merge_requests/{mr['iid']}",
        }
