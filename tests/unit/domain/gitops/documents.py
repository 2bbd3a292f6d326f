"""What the Terraform edit tests hand the edit: the generated policy, the broad policies it replaces, and
the CI runner role two of them edit (one ``aws_iam_role`` and its PowerUserAccess attachment); and the
check that what the edit writes is as ``terraform fmt`` writes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from policygen_operator.domain.gitops.model import EditRequest

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}

RUNNER_REQUEST = EditRequest("arn:aws:iam::123456789012:role/ci-runner", (DOC,), (POWER,))
RUNNER_ROLE = 'resource "aws_iam_role" "runner" {\n  name = "ci-runner"\n}\n'
RUNNER_ATTACHMENT = (
    '\nresource "aws_iam_role_policy_attachment" "power" {\n'
    "  role       = aws_iam_role.runner.name\n"
    f'  policy_arn = "{POWER}"\n'
    "}\n"
)


def fmt_clean(text: str | None, tmp_path: Path) -> None:
    """``terraform fmt -check`` accepts the edited file (skipped where Terraform is not installed)."""
    assert text is not None
    try:
        (tmp_path / "main.tf").write_text(text)
        run = subprocess.run(
            ["terraform", "fmt", "-check", "-diff", "main.tf"], cwd=tmp_path, capture_output=True
        )
    except FileNotFoundError:
        return
    assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
