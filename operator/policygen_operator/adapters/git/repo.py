"""git on disk through subprocess, on a temporary clone.

The token never appears in a URL, an argument or a file: it travels as an ``http.extraHeader`` set through
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` in the environment of the git process only.
The clone's ``.git/config`` holds the plain repository URL. Global and system git configuration are
ignored so that a credential helper or an ``insteadOf`` on the host cannot change what we do.
"""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from policygen_operator.adapters.git.errors import GitCommandError, Kind
from policygen_operator.adapters.git.masking import masked

AUTHOR_NAME = "policygen"
AUTHOR_EMAIL = "policygen@users.noreply.policygen.io"
_TIMEOUT = 300


def basic_auth_header(username: str, token: str) -> str:
    """GitHub (``x-access-token``) and GitLab (``oauth2``) both take a token as the Basic password."""
    raw = f"{username}:{token}".encode()
    return "Authorization: Basic " + base64.b64encode(raw).decode()


def _classify(stderr: str) -> Kind:
    text = stderr.lower()
    if any(
        s in text
        for s in (
            "authentication failed",
            " 401",
            " 403",
            "could not read username",
            "could not read password",
            "permission denied",
            "access denied",
        )
    ):
        return "auth"
    if any(
        s in text
        for s in (
            "not found",
            "does not appear to be a git repository",
            "repository not found",
            "couldn't find remote ref",
            "remote branch",
            "no such file or directory",
        )
    ):
        return "not_found"
    if any(
        s in text
        for s in (
            "could not resolve host",
            "connection refused",
            "timed out",
            "operation timed",
            "failed to connect",
            "connection reset",
            "the remote end hung up",
            " 50",
        )
    ):
        return "temporary"
    if "non-fast-forward" in text or "stale info" in text or "fetch first" in text:
        return "conflict"
    return "invalid"


@dataclass
class Workspace:
    """A working copy of one branch of ``url`` in ``directory`` (which the caller creates and removes)."""

    url: str
    directory: Path
    auth_header: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)  # scrubbed from every message, just in case

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            {
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ASKPASS": "/bin/false",
                "SSH_ASKPASS": "/bin/false",
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_AUTHOR_NAME": AUTHOR_NAME,
                "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
                "GIT_COMMITTER_NAME": AUTHOR_NAME,
                "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
                "LC_ALL": "C",
            }
        )
        # http.followRedirects=false: git would otherwise follow the first request's redirect to another
        # host with the extra header (the token) attached; protocol.allow limits remotes to https/http/file.
        config = [
            ("credential.helper", ""),
            ("core.hooksPath", os.devnull),
            ("commit.gpgSign", "false"),
            ("http.followRedirects", "false"),
            ("protocol.allow", "never"),
            ("protocol.https.allow", "always"),
            ("protocol.http.allow", "always"),
            ("protocol.file.allow", "always"),
        ]
        if self.auth_header:
            config.append(("http.extraHeader", self.auth_header))
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        return env

    def _scrub(self, text: str) -> str:
        """``masking.masked``: the token, the header and its base64 credentials, and any URL's userinfo."""
        credentials = (self.auth_header or "").partition(" Basic ")[2]
        return masked(text, self.secret, self.auth_header, credentials)

    def git(self, *args: str, cwd: Path | None = None) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd or self.directory,
                env=self._env(),
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise GitCommandError(f"git {args[0]} timed out after {_TIMEOUT}s", "temporary") from exc
        if done.returncode != 0:
            stderr = self._scrub(done.stderr.strip())
            raise GitCommandError(f"git {args[0]} failed: {stderr}", _classify(stderr))
        return done.stdout

    def remote_branch(self, branch: str) -> str | None:
        """The commit of ``branch`` on the remote, or None when it does not exist."""
        out = self.git(
            "ls-remote", "--heads", "--", self.url, f"refs/heads/{branch}", cwd=self.directory.parent
        )
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def clone(self, branch: str) -> str:
        """Clones the tip of ``branch`` only (infrastructure monorepos can be large); returns its commit."""
        self.git(
            "clone",
            "--quiet",
            "--no-tags",
            "--single-branch",
            "--depth=1",
            "--branch",
            branch,
            "--",
            self.url,
            str(self.directory),
            cwd=self.directory.parent,
        )
        return self.head()

    def fetch_branch(self, branch: str) -> None:
        """Fetches ``branch`` and checks it out (it exists on the remote)."""
        self.git(
            "fetch",
            "--quiet",
            "--no-tags",
            "--depth=1",
            "origin",
            f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
        )
        self.git("checkout", "--quiet", "-B", branch, f"refs/remotes/origin/{branch}")

    def new_branch(self, branch: str) -> None:
        self.git("checkout", "--quiet", "-B", branch)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit_all(self, message: str) -> str | None:
        """Commits every change in the working tree; None when there is nothing to commit."""
        self.git("add", "--all", "--", ".")
        if not self.git("status", "--porcelain").strip():
            return None
        self.git("commit", "--quiet", "--no-verify", "-m", message)
        return self.head()

    def push(self, branch: str, expected: str | None) -> None:
        """Pushes HEAD to ``branch``; ``expected`` is the remote commit we built on (None: must not exist).

        ``--force-with-lease`` with an explicit expected value makes the push fail instead of overwriting
        a commit somebody else pushed to our branch since we looked.
        """
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.git("push", "--quiet", "--porcelain", lease, "origin", f"HEAD:refs/heads/{branch}")
