"""``--organization-id`` picks an organization trail's folder in an S3 listing; anywhere else it is refused.

Before, ``--logs athena://db.table --organization-id o-...`` (or a local folder with it) ran the scan with the
flag ignored: the query read every organization the table holds, not the one asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen_operator.cli.main import EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cloudtrail"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"


@pytest.mark.parametrize(
    "logs", ["athena://audit.org_trail", "athena://primary@audit.org_trail", str(SAMPLES)]
)
def test_an_organization_id_outside_an_s3_source_is_a_usage_error(
    logs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["generate", "--logs", logs, "--principal", ORDER, "--organization-id", "o-abc123def4"]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--start", "2026-11-01", "--end", "2026-12-01", "--quiet"])
    assert exited.value.code == EXIT_USAGE
    assert "--organization-id: only for --logs s3://" in capsys.readouterr().err
