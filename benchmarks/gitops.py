"""How long the GitOps pull-request path takes: editors on big files, whole runs against the fake forge.

Prints numbers; asserts nothing. Run: `.venv/bin/python benchmarks/gitops.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakeforge import FakeForge  # noqa: E402
from tests.integration.pullrequest_fixtures import (  # noqa: E402
    ACK_ROLE,
    POLICY_V1,
    POWER_USER,
    PRINCIPAL,
    REPOSITORIES,
    TERRAFORM_MAIN,
    policy_v2,
)

from policygen_operator.domain.gitops import ack, cloudformation, terraform  # noqa: E402
from policygen_operator.domain.gitops.model import EditRequest  # noqa: E402
from policygen_operator.services.pullrequest import (  # noqa: E402
    Credentials,
    PullRequestContext,
    PullRequestSpec,
    reconcile_pull_request,
)

REQUEST = EditRequest(PRINCIPAL, (POLICY_V1,), (POWER_USER,))


def timed(label: str, fn, repeat: int = 3) -> None:  # type: ignore[no-untyped-def]
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label:<62} {best * 1000:9.1f} ms")


def _once(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def editors() -> None:
    others = "".join(
        TERRAFORM_MAIN.replace("payments_api", f"svc{i}").replace('"payments-api"', f'"svc-{i}"')
        for i in range(2000)
    )
    big_tf = others + TERRAFORM_MAIN
    timed(
        f"terraform edit, one file of {len(big_tf) // 1024} KiB ({2000 * 3 + 3} blocks)",
        lambda: terraform.edit({"main.tf": big_tf}, REQUEST),
    )
    docs = "---\n".join(ACK_ROLE.split("---\n")[1].replace("payments-batch", f"r{i}") for i in range(500))
    big_yaml = ACK_ROLE + "---\n" + docs
    timed(
        f"ack edit, one file of {len(big_yaml) // 1024} KiB (502 documents)",
        lambda: ack.edit({"roles.yaml": big_yaml}, REQUEST),
    )
    for resources in (50, 200):
        template = cloudformation_template(resources)
        timed(
            f"cloudformation edit, a YAML template of {template.count(chr(10))} lines, mixed list indents",
            lambda template=template: cloudformation.edit({"template.yaml": template}, REQUEST),
            1,
        )


def cloudformation_template(resources: int) -> str:
    """A YAML template of ``resources`` buckets whose tag lists are indented two ways (as hand-written
    templates mix them), then the role to edit: no one indentation of a dump writes it back, so the editor
    compares every candidate's dump with the text (``yamldocs.Document.best_indent``)."""
    parts = ["AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"]
    for i in range(resources):
        dash = "  " if i % 2 else "    "
        parts.append(
            f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: bucket-{i}\n"
            f"      Tags:\n{dash}      - Key: team\n{dash}        Value: t{i}\n"
            f"{dash}      - Key: env\n{dash}        Value: prod\n"
        )
    parts.append(
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: payments-api\n"
        "      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n            Principal:\n              Service: ecs-tasks.amazonaws.com\n"
        "            Action: sts:AssumeRole\n      ManagedPolicyArns:\n"
        f"        - {POWER_USER}\n"
    )
    return "".join(parts)


def runs() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        forge = FakeForge(Path(tmp), "bench-token")
        forge.start()
        try:
            for fmt in ("ack", "terraform"):
                path, files = REPOSITORIES[fmt]
                forge.create_repository(f"acme/{fmt}", files)
                spec = PullRequestSpec(
                    "github",
                    f"{forge.url}/acme/{fmt}.git",
                    "main",
                    path,
                    fmt,
                    (POWER_USER,),
                    api_url=f"{forge.url}/api/v3",
                )
                allowed = (f"{forge.url}/acme/*",)

                def run(
                    policy: dict[str, object],
                    spec: PullRequestSpec = spec,
                    allowed: tuple[str, ...] = allowed,
                ) -> None:
                    context = PullRequestContext("bench/x", PRINCIPAL, [policy], "a", "b", 1, 1)
                    reconcile_pull_request(spec, context, Credentials("bench-token"), allowed)

                timed(
                    f"{fmt}: first run (clone, edit, commit, push, open PR)",
                    lambda run=run: run(POLICY_V1),
                    1,
                )
                timed(
                    f"{fmt}: second run, same policy (no commit, no API write)",
                    lambda run=run: run(POLICY_V1),
                )
                timed(f"{fmt}: changed policy (commit on branch, PATCH)", lambda run=run: run(policy_v2()), 1)
        finally:
            forge.stop()


if __name__ == "__main__":
    editors()
    runs()
