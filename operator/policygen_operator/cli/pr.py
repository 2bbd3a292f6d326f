"""``policygen pr``: open (or update) a pull request that swaps broad managed policies for a policy file.

For teams without the operator: the same ``reconcile_pull_request`` call, with the policy from a file
(``policygen generate --output``) and the token from an environment variable, never from a flag (flags
end up in shell history and in ``ps``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from policygen_operator.cli.main import EXIT_ERROR, EXIT_OK, EXIT_USAGE, add_command
from policygen_operator.domain.gitops.editor import FORMATS
from policygen_operator.domain.gitops.model import GitOpsEditError, role_name_from_principal
from policygen_operator.domain.iam.validate import Finding
from policygen_operator.services.errors import InvalidRequestError, PolicygenError
from policygen_operator.services.pullrequest import (
    FIELD,
    PROVIDERS,
    Credentials,
    PullRequestContext,
    PullRequestPreview,
    PullRequestSpec,
    clean_token,
    normalise_repository,
    preview_pull_request,
    reconcile_pull_request,
)
from policygen_operator.services.reasons import Reason
from policygen_operator.services.status import incomplete_refusal, skipped_counts

if TYPE_CHECKING:
    from policygen_operator.cli.main import Subparsers

DESCRIPTION = """\
Edit the infrastructure code that defines an IAM role so that it attaches the given least-privilege
policy and detaches the broad managed policies named with --replace-managed-policy, commit on the branch
policygen/<name>_<hash> (hash: 8 hex digits of the name's sha256), push, and open the pull request (GitHub),
merge request (GitLab) or only push the branch (--provider git). Running it again with the same policy
changes nothing; with a changed policy it adds a commit to the same branch and updates the same pull
request.

Formats (--format), the role found by its IAM name among the files under --path:
  ack         an ACK iam.services.k8s.aws Role: an ACK Policy added, spec.policies edited
  crossplane  iam.aws.crossplane.io or iam.aws.upbound.io (also v2's iam.aws.m.upbound.io) Role,
              RolePolicyAttachment, Policy; a Crossplane Composition whose composed Role's IAM name the
              base writes is edited in the Composition
  terraform   aws_iam_role with attachments, managed_policy_arns or an
              aws_iam_role_policy_attachments_exclusive, in .tf or .tf.json (JSON syntax) files;
              terraform-aws-modules' iam role, IRSA and eks-pod-identity modules (their policy input)
              and the eks module's cluster role and node groups (their iam_role_additional_policies)
  cloudformation
              an AWS::IAM::Role with a literal RoleName in a CloudFormation template (YAML or JSON),
              or the one without RoleName whose logical id fits the name CloudFormation generated
              (STACK-LOGICALID-RANDOM): ManagedPolicyArns edited, an AWS::IAM::ManagedPolicy added
              beside it (Roles: [Ref: ROLE])
  json        a policy file whose content is replaced
A template the AWS CDK synthesised (cdk.out) is refused: its role must be changed in the CDK code.
What is edited, per format: docs/gitops.md.
"""

EPILOG = """\
examples:
  export GITHUB_TOKEN=...   # a token that may push branches and open pull requests
  policygen pr --policy payments-api.json --principal arn:aws:iam::111122223333:role/payments-api \\
      --repository https://github.com/acme/infra.git --path iam/payments/ --format ack \\
      --replace-managed-policy arn:aws:iam::aws:policy/PowerUserAccess --label iam
  GITLAB_TOKEN=... policygen pr --provider gitlab --api-url https://gitlab.acme.internal/api/v4 ...
  policygen pr --dry-run --provider git --repository file://$HOME/src/infra ... > change.diff
      # what would change, against a local clone's main: nothing pushed, no token

exit codes:
  0  the branch (and pull request) hold the policy: the line printed says updated or unchanged; with
     --dry-run, the diff printed (none when the base branch already has the policy)
  1  error worth retrying: the forge or the git host unreachable, a server error, throttling
  2  the request cannot succeed as written: a flag's value (the message names the flag), no token, the
     role not found (or found twice) under --path, a broad policy not attached to it, a repository the
     allow-list does not hold
"""

TOKEN_ENV_DEFAULTS = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN", "git": "GIT_TOKEN"}


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "pr", DESCRIPTION, EPILOG)
    parser.add_argument(
        "--policy",
        required=True,
        metavar="FILE",
        help="policy document (JSON), or a JSON list of documents for a split policy",
    )
    parser.add_argument("--principal", required=True, metavar="ARN", help="the IAM role the policy is for")
    parser.add_argument(
        "--repository", required=True, metavar="URL", help="HTTPS clone URL of the repository"
    )
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        default="github",
        help="github opens a pull request, gitlab a merge request, git only pushes the branch "
        "(default: github)",
    )
    parser.add_argument(
        "--base-branch",
        default="main",
        metavar="BRANCH",
        help="branch the change is made against (default: main)",
    )
    parser.add_argument("--path", required=True, help="file or folder, relative to the repository root")
    parser.add_argument("--format", required=True, choices=FORMATS, help="how the role is defined (above)")
    parser.add_argument(
        "--replace-managed-policy",
        action="append",
        default=[],
        metavar="ARN",
        help="managed policy to detach (repeatable)",
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the token (default GITHUB_TOKEN, GITLAB_TOKEN or "
        "GIT_TOKEN by provider)",
    )
    parser.add_argument("--username-env", metavar="VAR", help="environment variable holding a git user name")
    parser.add_argument(
        "--api-url", metavar="URL", help="GitHub Enterprise (https://HOST/api/v3) or GitLab API"
    )
    parser.add_argument(
        "--label", action="append", default=[], help="label for the pull request (repeatable)"
    )
    parser.add_argument(
        "--name",
        help="names the branch policygen/<name>_<hash> (default: the role name); a Kubernetes "
        "NAMESPACE/NAME is used as it is, policygen/NAMESPACE/NAME, the branch of that PolicyGeneration",
    )
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="the JSON report of `policygen generate --report`, for the window, counts, "
        "findings and denied calls in the description",
    )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="replace managed policies although the --report says files of the window were skipped or "
        "records could not be used (by default refused: either may hold the only record of an action the "
        "role needs)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the change as a unified diff against --base-branch (stdout: `git apply` takes it) and "
        "the pull request's title and notes (stderr); push nothing, open nothing. A token is then needed "
        "only to clone a private repository",
    )
    parser.add_argument(
        "--allow-repository",
        action="append",
        default=[],
        metavar="PATTERN",
        help="allow-list glob (default: exactly --repository)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        spec, context, credentials = _build(args)
        allowed = tuple(args.allow_repository) or (normalise_repository(args.repository),)
        if args.dry_run:
            return _dry_run(preview_pull_request(spec, context, credentials, allowed))
        status = reconcile_pull_request(spec, context, credentials, allowed)
    except PolicygenError as exc:
        print(f"policygen pr: {_flag_message(exc)}{_no_token_hint(args, exc)}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, InvalidRequestError) else EXIT_ERROR
    where = status.url or f"branch {status.branch}"
    verb = "updated" if status.changed else "unchanged"
    print(f"{where}: {verb} ({status.state}, head {status.head_sha[:12]})")
    for note in status.notes:
        print(f"  {note}")
    return EXIT_OK


def _no_token_hint(args: argparse.Namespace, error: PolicygenError) -> str:
    """A --dry-run may go without a token (``_credentials``); when the clone was then refused for want of
    credentials, which variable would give them."""
    if not args.dry_run or error.reason != Reason.UNAUTHORIZED:
        return ""
    token_env = args.token_env or TOKEN_ENV_DEFAULTS[args.provider]
    if os.environ.get(token_env, "").strip():
        return ""
    return f" (no token was set: a private repository needs one, from {token_env} or --token-env)"


def _dry_run(preview: PullRequestPreview) -> int:
    """The diff on stdout, what the pull request would say on stderr."""
    if not preview.diff:
        print(
            f"policygen pr: dry run: {preview.base_sha[:12]} of the base branch already has this policy; "
            "a pull request would propose nothing",
            file=sys.stderr,
        )
        return EXIT_OK
    sys.stdout.write(preview.diff)
    print(
        f"policygen pr: dry run: nothing pushed; would push branch {preview.branch} (from "
        f"{preview.base_sha[:12]}) and propose: {preview.title}",
        file=sys.stderr,
    )
    for note in preview.notes:
        print(f"  {note}", file=sys.stderr)
    return EXIT_OK


# The settings as the service names them (fields of spec.output.pullRequest, what the operator's users
# write) and the flag a user of this command wrote instead.
FLAGS = {
    "replaceManagedPolicies": "--replace-managed-policy",
    "credentialsSecretRef": "--token-env",
    "baseBranch": "--base-branch",
    "apiURL": "--api-url",
    "repository": "--repository",
    "provider": "--provider",
    "format": "--format",
    "labels": "--label",
    "path": "--path",
}
# Field names that can only be field names, wherever a message says them (a plain word such as "path" or
# "repository" is left to the flag put before the message).
_FIELD_NAMES = re.compile(rf"\b(?:{re.escape(FIELD)}\.)?({'|'.join(k for k in FLAGS if k != k.lower())})\b")


def _flag_message(error: PolicygenError) -> str:
    """The service's message with the flags of this command where it names spec.output.pullRequest's
    fields, led by the flag of the field it is about (``--base-branch: ...``)."""
    text = _FIELD_NAMES.sub(lambda match: FLAGS[match[1]], str(error))
    field = error.field or ""
    flag = FLAGS.get(field.removeprefix(f"{FIELD}."), field if field.startswith("--") else "")
    return f"{flag}: {text}" if flag and not text.startswith("--") else text


def _build(args: argparse.Namespace) -> tuple[PullRequestSpec, PullRequestContext, Credentials]:
    try:
        # before any network call: a user ARN, a typo or a bare name was only refused once the repository
        # was cloned (and, with no forge at hand, reported as the forge unreachable, exit 1)
        role_name_from_principal(args.principal)
    except GitOpsEditError as error:
        raise InvalidRequestError(str(error), field="--principal") from None
    credentials = _credentials(args)
    policies = _load_policies(args.policy)
    loaded = _load_json(args.report, "--report") if args.report else {}
    if not isinstance(loaded, dict):
        raise InvalidRequestError(f"{args.report} is not a report of policygen generate", field="--report")
    report: dict[str, Any] = loaded
    principal_report = _object(_object(report, "principals", "principals"), args.principal, args.principal)
    window = _object(report, "window", "window")
    spec = PullRequestSpec(
        provider=args.provider,
        repository=args.repository,
        base_branch=args.base_branch,
        path=args.path,
        format=args.format,
        replace_managed_policies=tuple(args.replace_managed_policy),
        api_url=args.api_url or None,
        labels=tuple(args.label),
    )
    context = PullRequestContext(
        name=args.name or args.principal.rsplit("/", 1)[-1],
        principal=args.principal,
        policies=policies,
        window_start=str(window.get("start", "unknown")),
        window_end=str(window.get("end", "unknown")),
        events_scanned=_count(report, "eventsScanned"),
        events_matched=_count(
            principal_report if "eventsMatched" in principal_report else report, "eventsMatched"
        ),
        findings=[Finding.from_dict(f) for f in _findings(principal_report, args.principal)],
        denied_actions=sorted(principal_report.get("denied") or {}),
        files_skipped=skipped_counts(_skipped_files(report)),
        bad_records=_count(principal_report if "badRecords" in principal_report else report, "badRecords"),
    )
    incomplete = context.files_skipped or context.bad_records
    if incomplete and spec.replace_managed_policies and not args.allow_incomplete:
        raise incomplete_refusal(  # the operator's rule (spec.output.pullRequest.allowIncomplete)
            f"replace {', '.join(spec.replace_managed_policies)}",
            context.files_skipped,
            "pass --allow-incomplete (the report's filesSkipped names the files and its warnings the "
            "records)",
            "--report",
            context.bad_records,
        )
    return spec, context, credentials


def _credentials(args: argparse.Namespace) -> Credentials:
    """The forge's token from --token-env (and a username from --username-env), refused before any
    network call when it cannot be one (``clean_token``); a --dry-run clones only, so it may have none."""
    token_env = args.token_env or TOKEN_ENV_DEFAULTS[args.provider]
    raw = os.environ.get(token_env, "")
    if not raw and args.provider != "git" and not args.dry_run:
        raise InvalidRequestError(f"no token: set the environment variable {token_env}", field="--token-env")
    # as the operator reads a Secret's: `export GITHUB_TOKEN="$(cat token.txt; echo)"` keeps a newline
    where = f"the environment variable {token_env}"
    token = clean_token(raw, args.provider, where, "--token-env") if raw else ""
    username = (os.environ.get(args.username_env) or "").strip() or None if args.username_env else None
    return Credentials(token=token, username=username)


def _object(holder: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    """``holder[key]``, an object of the report (``{}`` when absent), checked as ``_count`` checks a counter:
    a report of another shape is named, not an AttributeError's traceback."""
    value = holder.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidRequestError(f"the report's {what} is not an object", field="--report")
    return value


def _findings(principal_report: dict[str, Any], principal: str) -> list[dict[str, Any]]:
    """The principal's findings in the report, each an object as ``policygen generate`` writes it."""
    findings = principal_report.get("findings") or []
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        raise InvalidRequestError(
            f"the report's findings of {principal} are not a list of objects", field="--report"
        )
    return findings


def _skipped_files(report: dict[str, Any]) -> dict[str, str]:
    """The report's ``filesSkipped`` (file -> why), checked: the description counts them by kind."""
    skipped = report.get("filesSkipped") or {}
    if not isinstance(skipped, dict) or not all(isinstance(v, str) for v in skipped.values()):
        raise InvalidRequestError(
            "the report's filesSkipped is not an object of file -> reason (is it policygen generate's?)",
            field="--report",
        )
    return skipped


def _count(report: dict[str, Any], key: str) -> int:
    """The report's counter ``key``, checked: a report of another shape is named, not read as a number
    (JSON's ``true`` is a Python ``int`` too)."""
    value = report.get(key) or 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidRequestError(f"the report's {key} is not a count: {value!r}", field="--report")
    return value


def _load_json(path: str, flag: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise InvalidRequestError(f"cannot read {path}: {exc}", field=flag) from exc


def _load_policies(path: str) -> list[dict[str, Any]]:
    data = _load_json(path, "--policy")
    policies = data if isinstance(data, list) else [data]
    if not policies or not all(isinstance(p, dict) and "Statement" in p for p in policies):
        raise InvalidRequestError(f"{path} is not a policy document (or a list of them)", field="--policy")
    return policies
