"""Propose a generated policy as a pull request against the team's infrastructure code.

CONTRACT (filled in by the GitOps work, issue #5; the operator (issue #4) calls it from a worker thread):
- ``reconcile_pull_request`` is synchronous and idempotent: same inputs, no new commit, no new pull request.
- raises ``InvalidRequestError`` (role not found, ambiguous file, path outside the repository,
  repository not allowed, bad token) and ``TemporaryError`` (forge or git remote unreachable, rate limited)
  from ``policygen_operator.services.errors``. Messages never contain the token.

How a run goes (docs/gitops.md has the why): check the request (allow-list, path, provider), check the
token against the forge API before touching git, clone the base branch into a temporary folder, build on
our branch when it has an open pull request (else afresh from the base), edit the files with the pure
``domain.gitops`` editors, commit only when the tree changed, push with a lease, then open or update the
pull request. The temporary clone is deleted whatever happens.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import logging
import os
import posixpath
import re
import tempfile
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from policygen_operator.adapters.git.errors import ForgeError, GitError
from policygen_operator.adapters.git.forge import Forge, PullRequest
from policygen_operator.adapters.git.github import GitHub
from policygen_operator.adapters.git.gitlab import GitLab
from policygen_operator.adapters.git.masking import masked
from policygen_operator.adapters.git.repo import Workspace, basic_auth_header
from policygen_operator.domain.gitops import kustomize
from policygen_operator.domain.gitops.description import (
    DescriptionInput,
    GroupDescription,
    GroupMember,
    body,
    group_body,
    group_title,
    title,
)
from policygen_operator.domain.gitops.description import PullRequestContext as PullRequestContext
from policygen_operator.domain.gitops.editor import FORMATS, edit_files
from policygen_operator.domain.gitops.model import EditRequest, EditResult, GitOpsEditError
from policygen_operator.domain.gitops.yamldocs import KUSTOMIZATIONS
from policygen_operator.domain.timeutil import iso
from policygen_operator.services.errors import InvalidRequestError, PolicygenError, classify
from policygen_operator.services.generation import GenerationRequest, GenerationResult, PrincipalResult
from policygen_operator.services.reasons import Reason

FIELD = "spec.output.pullRequest"
logger = logging.getLogger(__name__)


def scan_context(
    name: str,
    principal: str,
    found: PrincipalResult,
    request: GenerationRequest,
    result: GenerationResult,
    files_skipped: dict[str, int],
    unused_actions: list[str] | None = None,
    bad_records: int | None = None,
) -> PullRequestContext:
    """The pull request's text for a scan that just ran (its window, counts and findings): PolicyGeneration
    and Rightsizing describe a fresh scan the same way."""
    return PullRequestContext(
        name=name,
        principal=principal,
        policies=found.policies,
        window_start=iso(request.start),
        window_end=iso(request.end),
        events_scanned=result.summary.events_scanned,
        events_matched=result.summary.events_matched,
        findings=found.findings,
        denied_actions=found.denied_actions,
        unused_actions=unused_actions or [],
        files_skipped=files_skipped,
        bad_records=result.summary.bad_records if bad_records is None else bad_records,
    )


PROVIDERS = ("github", "gitlab", "git")
# .tfvars: a module's definitions files set its variables (terraform.tfvars, *.auto.tfvars, -var-files):
# read to know a variable's value (domain/gitops/hcl.variable), edited to take out a broad ARN or the value
# of a removed variable
# .template: a CloudFormation template, YAML or JSON, as the User Guide's sample templates are named; the
# cloudformation format reads it, the others skip it by its name
_EDITABLE = (".yaml", ".yml", ".tf", ".json", ".tfvars", ".template")
# and a kustomization, which kustomize also reads from a file named ``Kustomization`` (no extension)
_MAX_FILE = 1024 * 1024
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


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
    # ``dryRun``: the same clone and edit, nothing pushed and no forge called; the answer is a preview
    # (``PREVIEW`` state, the diff in ``PullRequestStatus.preview``), so a team sees the change to its code
    # before it lets the operator push anything
    dry_run: bool = False


@dataclass(frozen=True)
class Credentials:
    token: str = field(repr=False)
    username: str | None = None


@dataclass(frozen=True)
class PullRequestStatus:
    url: str | None
    number: int | None
    branch: str
    head_sha: str
    # open | merged | closed (forge states); pushed (provider git); current: the base branch already has
    # this policy, so there is nothing to propose; preview (``dry_run``: ``head_sha`` is then the base
    # branch's commit the diff is against).
    state: str
    changed: bool  # False when nothing needed doing
    notes: tuple[str, ...] = ()  # what the edit changed, one line per change (empty when nothing changed)
    preview: PullRequestPreview | None = None  # set in the ``PREVIEW`` state


PREVIEW = "preview"


Done = TypeVar("Done")


@dataclass(frozen=True)
class PullRequestPreview:
    """What a pull request would propose against the base branch, nothing pushed nor opened
    (``preview_pull_request``)."""

    branch: str
    base_sha: str
    diff: str  # unified diff of each file the edit changes ("" when the base already has the policy)
    title: str  # the pull request's title ("" with no diff)
    notes: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the paths the diff changes


_CANONICAL = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?")


def branch_name(name: str) -> str:
    """One branch per PolicyGeneration, the same on every run, and never the same for two of them.

    A Kubernetes ``namespace/name`` (a DNS label, a slash, a DNS subdomain) is a valid ref as it is:
    ``policygen/<namespace>/<name>``, so ``team/a-prod`` and ``team-a/prod`` stay apart (a slug that turned
    ``/`` into ``-`` gave both ``policygen/team-a-prod``). Any other name (the CLI's) becomes a slug plus
    ``_`` and 8 hex digits of its sha256; ``_`` never occurs in a namespace or name, so the two forms can
    neither be equal nor clash as a ref and a ref folder (``policygen/x`` next to ``policygen/x/y``).
    """
    if _CANONICAL.fullmatch(name) and ".." not in name and not name.endswith(".lock") and len(name) <= 200:
        return f"policygen/{name}"
    slug = re.sub(r"[^a-z0-9.-]+", "-", name.lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-.") or "policy"
    slug = re.sub(r"\.{2,}", ".", slug)
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"policygen/{slug[:100].rstrip('-.')}_{digest}"


@dataclass(frozen=True)
class FileEdit:
    """One role's file (or folder) in a grouped pull request, and the text that role's edit is made of."""

    path: str
    context: PullRequestContext


@dataclass(frozen=True)
class GroupRequest:
    """One pull request for several roles (Rightsizing's ``grouping: namespace``): ``name`` makes the branch
    (``branch_name``, deterministic), ``edits`` are made in order, all of them or none."""

    name: str
    namespace: str
    edits: tuple[FileEdit, ...]


def reconcile_pull_request(
    spec: PullRequestSpec,
    context: PullRequestContext,
    credentials: Credentials,
    allowed_repositories: tuple[str, ...] = (),
) -> PullRequestStatus:
    edits = (FileEdit(spec.path, context),)
    return _reconcile(spec, edits, None, context.name, credentials, allowed_repositories, _Run.act(spec))


def preview_pull_request(
    spec: PullRequestSpec,
    context: PullRequestContext,
    credentials: Credentials,
    allowed_repositories: tuple[str, ...] = (),
) -> PullRequestPreview:
    """The edit ``reconcile_pull_request`` would make, as a diff against the base branch, and its
    description: the same checks, clone and editors, but no branch is pushed and the forge is not called.
    A platform engineer sees what would change in their code before a token may push anything; a token is
    then needed only to clone a private repository."""
    edits = (FileEdit(spec.path, context),)
    return _reconcile(spec, edits, None, context.name, credentials, allowed_repositories, _Run.preview)


def reconcile_group_pull_request(
    spec: PullRequestSpec,
    group: GroupRequest,
    credentials: Credentials,
    allowed_repositories: tuple[str, ...] = (),
) -> PullRequestStatus:
    """One branch and one pull request editing every file of ``group`` (``spec.path`` is not used).

    Idempotent like ``reconcile_pull_request`` (the editors compare documents, not text: no commit when
    nothing changed). All or nothing: when one role's file cannot be edited (role not found, a policy of
    ``replaceManagedPolicies`` not attached there), nothing is pushed and the error names that file.
    """
    if not group.edits:
        raise InvalidRequestError(f"no file to edit for namespace {group.namespace}", field=f"{FIELD}.path")
    return _reconcile(
        spec, group.edits, group.namespace, group.name, credentials, allowed_repositories, _Run.act(spec)
    )


def _reconcile(
    spec: PullRequestSpec,
    edits: tuple[FileEdit, ...],
    namespace: str | None,
    name: str,
    credentials: Credentials,
    allowed_repositories: tuple[str, ...],
    act: Callable[[_Run], Done],
) -> Done:
    """``act`` (``_Run.run``, or ``_Run.preview`` / ``_Run.preview_status``, which push nothing and call
    no forge) after the checks that need no network call, every error classified with the token masked."""
    token = credentials.token
    preview = act is not _Run.run  # pushes nothing, calls no forge
    try:
        for item in edits:
            check_request(
                replace(spec, path=item.path), allowed_repositories, token, token_needed=not preview
            )
        branch = branch_name(name)
        forge = _forge(spec, token)  # a preview calls no forge: its git user name only
        if forge is not None and not preview:
            forge.check_access()
        with tempfile.TemporaryDirectory(prefix="policygen-pr-") as tmp:
            return act(_Run(spec, edits, namespace, credentials, forge, branch, Path(tmp)))
    except GitError as exc:
        raise _service_error(exc, token) from None
    except GitOpsEditError as exc:
        raise InvalidRequestError(
            _scrub(str(exc), token), field=f"{FIELD}.path", reason=Reason.ROLE_DEFINITION_NOT_EDITABLE
        ) from None
    except PolicygenError as exc:  # a check's refusal may echo what it refused: a URL with credentials
        exc.args = (_scrub(str(exc), token),)
        raise exc from None
    except Exception as exc:
        # Unforeseen, so classified by the rule (InternalError, temporary), but never with the token in it:
        # http.client's ValueError for a header value with a newline (a token read from a file) repeats the
        # value. Its traceback is logged here, masked; the exception is not chained to the unmasked one.
        logger.error(
            "pull request failed unexpectedly: %s", _scrub("".join(traceback.format_exception(exc)), token)
        )
        raise classify(exc, field=FIELD, message=_scrub(str(exc), token)) from None


def check_request(
    spec: PullRequestSpec, allowed_repositories: tuple[str, ...], token: str, *, token_needed: bool = True
) -> None:
    """Everything we can refuse before any network call; ``token_needed``: a forge's token is required
    (a preview clones only, which a public repository allows without one)."""
    if spec.provider not in PROVIDERS:
        raise InvalidRequestError(
            f"provider {spec.provider!r} is not one of {', '.join(PROVIDERS)}", field=f"{FIELD}.provider"
        )
    if spec.format not in FORMATS:
        raise InvalidRequestError(
            f"format {spec.format!r} is not one of {', '.join(FORMATS)}", field=f"{FIELD}.format"
        )
    check_repository(spec.repository, allowed_repositories)
    safe_relative_path(spec.path)
    if not re.fullmatch(r"[A-Za-z0-9._][A-Za-z0-9._/-]*", spec.base_branch) or ".." in spec.base_branch:
        raise InvalidRequestError(
            f"baseBranch {spec.base_branch!r} is not a valid branch name", field=f"{FIELD}.baseBranch"
        )
    if spec.base_branch.startswith("policygen/"):
        raise InvalidRequestError(
            "baseBranch may not be a policygen/ branch: we never push to the base branch",
            field=f"{FIELD}.baseBranch",
        )
    if any("," in label or not label.strip() for label in spec.labels):
        raise InvalidRequestError("labels may not be empty or contain commas", field=f"{FIELD}.labels")
    if spec.provider != "git" and not token and token_needed:
        raise InvalidRequestError(
            f"a token is required for provider {spec.provider}",
            field=f"{FIELD}.credentialsSecretRef",
            reason=Reason.CREDENTIALS_MISSING,
        )
    if spec.api_url:
        check_api_url(spec.api_url, spec.repository)


def normalise_repository(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/").removesuffix(".git")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def check_repository(url: str, allowed_repositories: tuple[str, ...]) -> None:
    """Only HTTPS (HTTP on the loopback, for tests) or file URLs, without credentials, on the allow-list.

    Allow-list entries are glob patterns over the normalised URL (scheme and host lower-cased, no trailing
    ``.git`` or ``/``), e.g. ``https://github.com/acme/*``. An empty allow-list allows nothing.
    """
    parts = urlsplit(url.strip())
    field_name = f"{FIELD}.repository"
    if parts.scheme not in ("https", "http", "file"):
        raise InvalidRequestError(
            f"repository {masked(url)!r}: only https:// (or file://) URLs are supported; the token "
            "is sent as an HTTP header, so ssh and git@ URLs cannot be used",
            field=field_name,
        )
    if parts.username or parts.password or "@" in parts.netloc:
        raise InvalidRequestError(
            "repository URL may not contain credentials: the token is given apart from the URL",
            field=field_name,
        )
    if parts.query or parts.fragment:
        raise InvalidRequestError("repository URL may not have a query or fragment", field=field_name)
    check_url_path(parts.path, field_name)
    if parts.scheme == "http" and (parts.hostname or "") not in _LOOPBACK:
        raise InvalidRequestError(
            "repository URL must use https:// (http:// would send the token in clear)", field=field_name
        )
    normalised = normalise_repository(url)
    if not any(
        fnmatch.fnmatchcase(normalised, normalise_repository(p)) or fnmatch.fnmatchcase(normalised, p)
        for p in allowed_repositories
    ):
        hint = " (the allow-list is empty: pull requests are disabled)" if not allowed_repositories else ""
        raise InvalidRequestError(
            f"repository {normalised} is not in the allowed repositories{hint}",
            field=field_name,
            reason=Reason.REPOSITORY_NOT_ALLOWED,
        )


def check_url_path(path: str, field_name: str) -> None:
    """Refuses ``.``/``..``, empty and percent-encoded segments and backslashes before any matching.

    ``https://github.com/acme/../victim/infra`` matches the pattern ``https://github.com/acme/*`` as text
    while git and the forge resolve it to ``victim/infra``; ``%2e%2e`` and ``%2f`` do the same once decoded.
    """
    segments = path.strip("/").split("/")
    if (
        "%" in path
        or "\\" in path
        or any(seg in ("", ".", "..") for seg in segments)
        or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in path)
    ):
        raise InvalidRequestError(
            f"URL path {path!r} has an empty, '.' or '..' segment, a percent-encoded character or a "
            "backslash; write the repository's plain URL",
            field=field_name,
        )


def check_api_url(api_url: str, repository: str) -> None:
    """The token goes only to the repository's own host (or its ``api.`` host, as github.com has it).

    A free ``apiURL`` would let whoever writes the spec point the operator at a host of their own and
    receive ``Authorization: Bearer <token>``; GitHub Enterprise (``/api/v3``) and GitLab (``/api/v4``)
    serve their API on the repository's host, github.com on api.github.com.
    """
    parts = urlsplit(api_url)
    field_name = f"{FIELD}.apiURL"
    if parts.scheme != "https" and not (parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK):
        raise InvalidRequestError("apiURL must use https:// (the token is sent to it)", field=field_name)
    if parts.username or parts.password or "@" in parts.netloc:
        raise InvalidRequestError("apiURL may not contain credentials", field=field_name)
    if parts.query or parts.fragment:
        raise InvalidRequestError("apiURL may not have a query or fragment", field=field_name)
    if parts.path.strip("/"):
        check_url_path(parts.path, field_name)
    repo = urlsplit(repository.strip())
    api_host, repo_host = (parts.hostname or "").lower(), (repo.hostname or "").lower()
    if (api_host not in (repo_host, f"api.{repo_host}")) or parts.port != repo.port or not repo_host:
        raise InvalidRequestError(
            f"apiURL {parts.scheme}://{parts.netloc} is not on the repository's host {repo.netloc or '?'} "
            f"(nor api.{repo.netloc or '?'}): the token is only sent to the repository's own forge",
            field=field_name,
            reason=Reason.API_HOST_NOT_ALLOWED,
        )


def safe_relative_path(path: str) -> str:
    """The repository-relative POSIX form of ``path``; refuses anything that could leave the repository."""
    if (
        not path
        or path.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", path)
        or "\\" in path
        or "\0" in path
    ):
        raise InvalidRequestError(
            f"path {path!r} must be relative to the repository root", field=f"{FIELD}.path"
        )
    if any(part == ".." for part in path.split("/")):
        raise InvalidRequestError(f"path {path!r} may not contain '..'", field=f"{FIELD}.path")
    normalised = posixpath.normpath(path)
    if normalised == ".git" or normalised.startswith(".git/"):
        raise InvalidRequestError("path may not point into .git", field=f"{FIELD}.path")
    return "" if normalised == "." else normalised


def clean_token(raw: str, provider: str, where: str, field_name: str) -> str:
    """The token ``where`` holds (a Secret's key, an environment variable), without the whitespace around it.

    ``kubectl create secret generic --from-file=token=FILE`` keeps the file's trailing newline, and a token
    pasted into an editor gets one; sent as ``Bearer TOKEN\\n``, Python's http.client refused the header
    value in an error nobody classified (a temporary ``InternalError``, retried for ever). A GitHub or GitLab
    token is one word (GitHub Docs, "About authentication to GitHub", token prefixes; GitLab Docs, "Token
    overview", token prefixes): whitespace around it is removed; whitespace or a control character inside
    it, or nothing left, cannot be fixed by a retry, so it is refused as ``CredentialsInvalid`` (permanent),
    saying what is wrong and where, never what the token holds. A ``git`` provider's password travels only
    inside Basic credentials (base64, RFC 7617), where a space is fine; a control character is not."""
    token = raw.strip()
    if not token:
        problem = "is empty once the whitespace around it is removed"
    elif any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in token):
        problem = "holds a control character inside the token"
    elif provider != "git" and any(ch.isspace() for ch in token):
        problem = f"holds whitespace inside the token, which a {provider} token never has"
    elif provider != "git" and not token.isascii():
        problem = f"holds a non-ASCII character, which a {provider} token never has"
    else:
        return token
    raise InvalidRequestError(
        f"{where} {problem}: set it to the token alone (whitespace around it is ignored)",
        field=field_name,
        reason=Reason.CREDENTIALS_INVALID,
    )


def _forge(spec: PullRequestSpec, token: str) -> Forge | None:
    if spec.provider == "github":
        return GitHub(spec.repository, token, spec.api_url)
    if spec.provider == "gitlab":
        return GitLab(spec.repository, token, spec.api_url)
    return None


def _scrub(text: str, token: str) -> str:
    """Every form of the token, and any URL's userinfo whatever it holds (``adapters.git.masking``)."""
    return masked(text, token)


def _service_error(exc: GitError, token: str) -> PolicygenError:
    """The adapter's permanence as it is; the kind names what was refused; the token never shows."""
    message = _scrub(str(exc), token)
    if not exc.permanent and exc.kind == "conflict":
        message += " (the branch moved while we worked; retrying rebuilds it)"
    reason = _REFUSED.get(exc.kind, Reason.PULL_REQUEST_REJECTED)
    return classify(exc, field=FIELD, reason=reason, message=message)


_REFUSED = {"auth": Reason.UNAUTHORIZED, "not_found": Reason.REPOSITORY_NOT_FOUND}


@dataclass
class _Run:
    spec: PullRequestSpec
    edits: tuple[FileEdit, ...]  # one (a PolicyGeneration's) or several (a namespace's roles)
    namespace: str | None  # set for a grouped pull request
    credentials: Credentials
    forge: Forge | None
    branch: str
    tmp: Path

    def run(self) -> PullRequestStatus:
        workspace = self._workspace()
        existing = workspace.remote_branch(self.branch)
        open_pr = self.forge.find_open(self.branch) if self.forge and existing else None
        on_branch = existing is not None and (open_pr is not None or self.forge is None)
        base_sha = workspace.clone(self.spec.base_branch)
        # The description always tells the whole change against the base, even when this run only adds a
        # commit on top of the branch; computing it first also refuses a bad role before any branch work.
        whole = self._edit(workspace.directory, write=not on_branch)
        if on_branch:
            workspace.fetch_branch(self.branch)
            edit = self._edit(workspace.directory, write=True)
        else:
            workspace.new_branch(self.branch)
            edit = whole
        changed = any(result.changes for result in edit)
        commit = workspace.commit_all(self._commit_message(edit)) if changed else None
        if commit is None:
            return self._unchanged(existing if on_branch else None, base_sha, open_pr)
        if existing and not on_branch and self._same_tree(workspace):
            return self._existing_branch(existing, whole)
        workspace.push(self.branch, existing)
        return self._propose(open_pr, commit, whole)

    @staticmethod
    def act(spec: PullRequestSpec) -> Callable[[_Run], PullRequestStatus]:
        """What a reconcile does with the clone: push and propose, or (``dry_run``) only say what it would."""
        return _Run.preview_status if spec.dry_run else _Run.run

    def preview_status(self) -> PullRequestStatus:
        """``preview`` as the status a pushed pull request has, so the operator's callers need no second
        path: no URL, the base branch's commit as the head, ``PREVIEW`` state, the diff."""
        shown = self.preview()
        return PullRequestStatus(
            None, None, shown.branch, shown.base_sha, PREVIEW, bool(shown.diff), shown.notes, shown
        )

    def preview(self) -> PullRequestPreview:
        """The whole change against the base branch, as ``run`` would commit it on a new branch."""
        workspace = self._workspace()
        base_sha = workspace.clone(self.spec.base_branch)
        root = workspace.directory
        whole = self._edit(root, write=False)
        changed: dict[str, str | None] = {}
        for result in whole:
            changed.update(result.changes)
        diffs = {path: _file_diff(root, path, text) for path, text in sorted(changed.items())}
        diff = "".join(diffs.values())
        if not diff:
            return PullRequestPreview(self.branch, base_sha, "", "")
        notes = tuple(note for result in whole for note in result.notes)
        files = tuple(path for path, text in diffs.items() if text)
        return PullRequestPreview(self.branch, base_sha, diff, self._description(whole)[0], notes, files)

    def _workspace(self) -> Workspace:
        token = self.credentials.token
        header = None
        if token:
            username = self.credentials.username or (
                self.forge.git_username if self.forge else "x-access-token"
            )
            header = basic_auth_header(username, token)
        return Workspace(self.spec.repository, self.tmp / "repo", header, token or None)

    def _edit(self, root: Path, write: bool) -> list[EditResult]:
        """Every file's edit, in order, before anything is written: an edit that fails leaves no partial
        change. A later edit sees the earlier ones' changes (two roles may be defined in one file)."""
        overlay: dict[str, str | None] = {}
        results: list[EditResult] = []
        for item in self.edits:
            relative = safe_relative_path(item.path)
            files = read_files(root, relative)
            for path, text in overlay.items():
                if not relative or path == relative or path.startswith(f"{relative}/"):
                    if text is None:
                        files.pop(path, None)
                    else:
                        files[path] = text
            request = EditRequest(
                item.context.principal,
                tuple(item.context.policies),
                tuple(self.spec.replace_managed_policies),
            )
            try:
                beside: dict[str, str] = {}
                if self.spec.format in _KUSTOMIZED:
                    beside = read_kustomize_references(root, files, overlay)
                result = edit_files(self.spec.format, {**files, **beside}, request, relative)
                refuse_changes_beside(result, beside, relative)
            except GitOpsEditError as exc:
                if self.namespace is None:
                    raise
                raise GitOpsEditError(
                    f"{item.path} (role {request.role_name}): {exc}. No pull request for namespace "
                    f"{self.namespace}: its roles' files are edited all together or not at all"
                ) from None
            overlay.update(result.changes)
            results.append(result)
        if write:
            write_files(root, overlay)
        return results

    def _existing_branch(self, existing: str, whole: list[EditResult]) -> PullRequestStatus:
        """Our branch already holds exactly this change, and no pull request is open for it.

        If a reviewer closed the pull request for this very commit, respect that until the policy changes
        rather than reopening it on every run. Otherwise the last run pushed but could not open the pull
        request (the forge failed after the push): open it now, without a new commit.
        """
        assert self.forge is not None
        closed = self.forge.find_closed(self.branch)
        if closed is not None and closed.head_sha in (None, existing):
            return PullRequestStatus(closed.url, closed.number, self.branch, existing, closed.state, False)
        return self._propose(None, existing, whole)

    def _same_tree(self, workspace: Workspace) -> bool:
        remote = f"refs/remotes/origin/{self.branch}"
        workspace.git(
            "fetch", "--quiet", "--no-tags", "--depth=1", "origin", f"+refs/heads/{self.branch}:{remote}"
        )
        return workspace.git("rev-parse", f"{remote}^{{tree}}") == workspace.git("rev-parse", "HEAD^{tree}")

    def _unchanged(self, head: str | None, base_sha: str, open_pr: PullRequest | None) -> PullRequestStatus:
        if head is None:
            return PullRequestStatus(None, None, self.branch, base_sha, "current", False)
        if open_pr is not None:
            return PullRequestStatus(open_pr.url, open_pr.number, self.branch, head, open_pr.state, False)
        return PullRequestStatus(None, None, self.branch, head, "pushed", False)

    def _propose(self, open_pr: PullRequest | None, commit: str, edit: list[EditResult]) -> PullRequestStatus:
        notes = tuple(note for result in edit for note in result.notes)
        if self.forge is None:
            return PullRequestStatus(None, None, self.branch, commit, "pushed", True, notes)
        text_title, text_body = self._description(edit)
        if open_pr is not None:
            pull = self.forge.update(open_pr.number, text_title, text_body)
        else:
            try:
                pull = self.forge.create(
                    self.branch, self.spec.base_branch, text_title, text_body, self.spec.labels
                )
            except ForgeError as exc:
                found = self.forge.find_open(self.branch) if exc.kind == "conflict" else None
                if found is None:
                    raise
                pull = self.forge.update(found.number, text_title, text_body)  # opened by a concurrent run
        return PullRequestStatus(pull.url, pull.number, self.branch, commit, pull.state, True, notes)

    def _description(self, edit: list[EditResult]) -> tuple[str, str]:
        if self.namespace is not None:
            group = self._group(edit)
            return group_title(group), group_body(group)
        data = self._description_input(self.edits[0].context, edit[0])
        return title(data), body(data)

    def _description_input(self, context: PullRequestContext, edit: EditResult) -> DescriptionInput:
        return DescriptionInput(context, tuple(self.spec.replace_managed_policies), edit)

    def _group(self, edit: list[EditResult]) -> GroupDescription:
        members = tuple(
            GroupMember(item.path, self._description_input(item.context, result))
            for item, result in zip(self.edits, edit, strict=True)
        )
        return GroupDescription(self.namespace or "", members)

    def _commit_message(self, edit: list[EditResult]) -> str:
        ctx = self.edits[0].context
        if self.namespace is not None:
            lines = [group_title(self._group(edit)), ""]
            lines += [
                f"- {item.path}: {note}" for item, r in zip(self.edits, edit, strict=True) for note in r.notes
            ]
        else:
            lines = [title(self._description_input(ctx, edit[0])), ""]
            lines += [f"- {note}" for note in edit[0].notes]
        lines += [
            "",
            f"Generated by policygen for {ctx.name if self.namespace is None else self.namespace} from "
            f"CloudTrail events between {ctx.window_start} and {ctx.window_end}.",
        ]
        return "\n".join(lines) + "\n"


def _file_diff(root: Path, relative: str, text: str | None) -> str:
    """A unified diff of one file's edit (``text`` None: deleted), as ``git diff`` names the sides; ""
    when the text is the same."""
    path = root / relative
    old = _read(path, "replace") if path.is_file() else None
    if old == text:
        return ""
    before, after = _git_lines(old or ""), _git_lines(text or "")
    lines = difflib.unified_diff(
        before,
        after,
        "/dev/null" if old is None else f"a/{relative}",
        "/dev/null" if text is None else f"b/{relative}",
    )
    # a last line without a newline ends the diff's line as git's does, so that the next file starts anew
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def _git_lines(text: str) -> list[str]:
    """The lines as git counts them, each ending at ``\\n``: ``str.splitlines`` also ends one at a form feed,
    U+2028, U+0085 and other separators (Python docs, "str.splitlines"), a line git then finds nowhere in
    the file, so ``git apply`` refused the diff."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def _inside(root: Path, candidate: Path) -> bool:
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def read_files(root: Path, relative: str) -> dict[str, str]:
    """The editable files under ``relative`` (a file or a folder), by repository-relative path.

    Symbolic links are not followed out of the repository: a ``path`` that resolves outside is refused,
    and linked files inside a folder are skipped.
    """
    target = root / relative if relative else root
    if not _inside(root, target):
        raise InvalidRequestError(
            f"path {relative!r} leaves the repository (through a symbolic link)", field=f"{FIELD}.path"
        )
    if not target.exists():
        raise InvalidRequestError(
            f"path {relative!r} does not exist on the base branch", field=f"{FIELD}.path"
        )
    if target.is_file():
        beside = {**_definitions_beside(root, target), **_parts_beside(root, target)}
        return {relative: _read(target, "strict"), **beside}
    files: dict[str, str] = {}
    for folder, dirs, names in os.walk(target):
        dirs[:] = sorted(d for d in dirs if d != ".git" and not (Path(folder) / d).is_symlink())
        for name in sorted(names):
            path = Path(folder) / name
            editable = name.endswith(_EDITABLE) or name in KUSTOMIZATIONS
            if path.is_symlink() or not editable or path.stat().st_size > _MAX_FILE:
                continue
            files[path.relative_to(root).as_posix()] = _read(path, "replace")
    return files


# the formats whose files a kustomization may patch (an ACK or Crossplane Role, a Composition)
_KUSTOMIZED = ("ack", "crossplane")


def read_kustomize_references(
    root: Path, files: Mapping[str, str], overlay: Mapping[str, str | None]
) -> dict[str, str]:
    """The patch files and kustomizations that the kustomizations among ``files`` name outside them (a
    shared patch file, a component, an intermediate layer beside the path, and what those name in turn),
    by repository-relative path; ``overlay`` holds the texts an earlier edit of the run gave files.

    Kustomize reads a kustomization's patches and layers wherever its paths lead (the Kustomization
    reference at kubectl.docs.kubernetes.io; a patch file outside the kustomization's folder needs
    ``--load-restrictor LoadRestrictionsNone``, which Flux's kustomize-controller builds with), so an overlay
    under the path may keep the broad policy through a patch lying beside it: read, that patch is judged as
    one under the path. Never outside the repository, as for ``path`` (``read_files``): a path leading out,
    through ``..`` or a symbolic link, into ``.git``, or to a file too large to read, is refused naming the
    kustomization and the entry. A resource file is read too, as one under the path would be
    (``_resource_file``): an attachment of the broad policy there is composed in that overlay whatever the
    base says, and the edit, finding it, is refused rather than change it (``refuse_changes_beside``). A
    missing file is not read (``kustomize build`` of that overlay fails)."""
    found: dict[str, str] = {}
    looked = set(files)
    while True:
        pending = [r for r in kustomize.references({**files, **found}) if r.path not in looked]
        if not pending:
            return found
        for reference in pending:
            if reference.path in looked:
                continue
            looked.add(reference.path)
            candidate = root / reference.path
            _refuse_outside(root, reference, reference.path)
            if candidate.is_dir() and reference.kind != "patch":
                names = [posixpath.join(reference.path, n) for n in KUSTOMIZATIONS]
                wanted = next((n for n in names if n in overlay or (root / n).is_file()), None)
            elif reference.kind == "patch" and (reference.path in overlay or candidate.is_file()):
                wanted = reference.path
            elif reference.path in overlay or (candidate.is_file() and _resource_file(candidate)):
                wanted = reference.path  # a resource file the overlay composes
            else:
                continue
            if wanted is None or wanted in files or wanted in found:
                continue
            looked.add(wanted)
            _refuse_outside(root, reference, wanted)
            if wanted in overlay:
                text = overlay[wanted]
                if text is not None:
                    found[wanted] = text
                continue
            if (root / wanted).stat().st_size > _MAX_FILE:
                raise GitOpsEditError(
                    f"{reference.kustomization}: {reference.entry} names {wanted}, larger than policygen "
                    f"reads ({_MAX_FILE} bytes): whether it patches the Role cannot be told. Nothing was "
                    "changed"
                )
            found[wanted] = _read(root / wanted, "replace")


def _resource_file(path: Path) -> bool:
    """A resource file beside the path is read as a file under it would be (``read_files``): one of the
    editable kinds, within the size read; a larger one (a bundle of CRDs) is left as it is left there."""
    return path.name.endswith(_EDITABLE) and path.stat().st_size <= _MAX_FILE


def _refuse_outside(root: Path, reference: kustomize.Reference, relative: str) -> None:
    """Refuses ``relative``, which ``reference`` leads to (the path it names, or the kustomization file in
    the folder it names), when reading it would read outside the repository: its own path leaving it, a
    symbolic link on the way or the file itself leading out (checked on the file read, not only on the
    folder named), or the way ending in ``.git``."""
    candidate = root / relative
    how = ""
    if relative == ".." or relative.startswith(("../", "/")):
        how = "leaves the repository"  # by its own path: "..", or an absolute one
    elif not _inside(root, candidate):
        how = "leaves the repository through a symbolic link"
    elif ".git" in (*relative.split("/"), *candidate.resolve().relative_to(root.resolve()).parts):
        how = "is inside .git"  # the clone's git data, reached by its name or through a link (read_files)
    if how:
        raise GitOpsEditError(
            f"{reference.kustomization}: {reference.entry} names {relative!r}, which {how}: policygen reads "
            "what a kustomization under the path refers to (a patch there may keep the broad policy in that "
            "overlay), never outside the repository. Move it into the repository, then run again. Nothing "
            "was changed"
        )


def refuse_changes_beside(result: EditResult, beside: Mapping[str, str], relative: str) -> None:
    """An edit changes files under the path only: one read because a kustomization refers to it is there
    to be judged, and a pull request changing it would reach outside what the user pointed at."""
    changed = sorted(p for p in result.changes if p in beside)
    if changed:
        raise GitOpsEditError(
            f"{changed[0]}: this edit would change it, but it lies outside path {relative!r} and was read "
            "only because a kustomization under the path refers to it: policygen changes files under the "
            "path only. Point path at a folder holding both, or change that file by hand, then run again. "
            "Nothing was changed"
        )


def _parts_beside(root: Path, target: Path) -> dict[str, str]:
    """The other parts of a split policy file (``NAME-2.json``, ``NAME-3.json`` beside ``NAME.json``: the
    json format's names), read with a ``path`` naming the file so that an unchanged part changes nothing and
    an existing one is not said to be added."""
    if target.suffix != ".json":
        return {}
    part = re.compile(re.escape(target.stem) + r"-[0-9]+\.json")
    return {
        path.relative_to(root).as_posix(): _read(path, "replace")
        for path in sorted(target.parent.iterdir())
        if part.fullmatch(path.name)
        and path.is_file()
        and not path.is_symlink()
        and path.stat().st_size <= _MAX_FILE
    }


def _definitions_beside(root: Path, target: Path) -> dict[str, str]:
    """The Terraform definitions files of a file's module: those of its directory (``hcl.definitions_order``:
    terraform.tfvars, terraform.tfvars.json, *.auto.tfvars, *.auto.tfvars.json, and any other .tfvars a
    pipeline gives with -var-file) and the .tfvars of its subfolders that hold no .tf file (``hcl.var_files``,
    ``envs/prod.tfvars``): a ``path`` naming one .tf file still gets the values they give its module's
    variables (Terraform language docs, "Input Variables"), which override the defaults the file may
    declare."""
    if not target.name.endswith(".tf"):
        return {}
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(target.parent):
        here = Path(folder)
        if here != target.parent and any(n.endswith((".tf", ".tf.json")) for n in names):
            dirs[:] = []
            continue  # another module's directory, and its subfolders: its own definitions
        dirs[:] = sorted(d for d in dirs if d != ".git" and not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            if not name.endswith((".tfvars", ".tfvars.json")) or path.is_symlink():
                continue
            if path.is_file() and path.stat().st_size <= _MAX_FILE:
                found[path.relative_to(root).as_posix()] = _read(path, "replace")
    return found


def _read(path: Path, errors: str) -> str:
    """The text as it is, line endings included (``read_text`` would turn CRLF into LF, and the file we
    write back would change on every line)."""
    with path.open(encoding="utf-8", errors=errors, newline="") as handle:
        return handle.read()


def write_files(root: Path, changes: dict[str, str | None]) -> None:
    for relative, text in changes.items():
        path = root / safe_relative_path(relative)
        if path.is_symlink() or not _inside(root, path.parent):
            raise InvalidRequestError(
                f"refusing to write {relative}: it is a symbolic link or outside the repository",
                field=f"{FIELD}.path",
            )
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
