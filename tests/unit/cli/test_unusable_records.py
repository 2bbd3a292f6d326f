"""A principal whose records were all there but could not be used is not told it made no call.

Found running ``policygen generate`` over OTRF's "AWS Cloud Bank Breach S3" dataset (OTRF/Security-Datasets,
MIT, datasets/atomic/aws/collection/ec2_proxy_s3_exfiltration.zip, vendored under
tests/fixtures/public-cloudtrail/otrf-security-datasets): real records exported through Logstash, whose
``eventTime`` became ``@timestamp``. Each record is skipped with a warning naming the fix (by design: that
field may be the time the record was indexed), but the run ended "no matching events: no event of the
principal(s) in the window (1 file(s), 103 event(s) scanned)" for user/pedro's 87 records and the instance
role's 11, the words of a principal that made no call: someone reading the last line, or a script reading
the exit code and message, concludes the principal is idle, when its calls were in the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.cli.main import EXIT_NO_MATCHING_EVENTS, main
from tests.unit.domain.cloudtrail.fakes import USER, record, user_identity

PEDRO = "arn:aws:iam::123456789123:user/pedro"
WINDOW = ["--start", "2020-09-01", "--end", "2026-12-01", "--workers", "1"]

# line 2 of ec2_proxy_s3_exfiltration_2020-09-14011940.json, as it is there
_EXPORTED: dict[str, Any] = json.loads(
    '{"requestParameters":{"filterSet":{},"instancesSet":{"items":[{"instanceId":"i-044b1baf4c96e1b62"}]}},'
    '"userAgent":"console.ec2.amazonaws.com","awsRegion":"us-east-1","eventType":"AwsApiCall","@version":"1",'
    '"userIdentity":{"arn":"arn:aws:iam::123456789123:user/pedro","type":"IAMUser","userName":"pedro",'
    '"sessionContext":{"webIdFederationData":{},"sessionIssuer":{},"attributes":{"mfaAuthenticated":"true",'
    '"creationDate":"2020-09-13T17:16:47Z"}},"accountId":"123456789123","principalId":"AIDAICAK2CN5MGHIIDIHA",'
    '"accessKeyId":"ASIA5FLZVX4OI4ZDQJOL"},"recipientAccountId":"123456789123","responseElements":null,'
    '"eventName":"DescribeInstances","sourceIPAddress":"1.2.3.4","eventSource":"ec2.amazonaws.com",'
    '"requestID":"2b757038-7f45-4e5b-b38d-b83a3acb7eab","@timestamp":"2020-09-14T00:44:24.000Z",'
    '"eventID":"a3d34faf-076e-44ff-b2f7-605d76705a81","eventVersion":"1.05"}'
)


def _run(tmp_path: Path, lines: list[dict[str, Any]], *principals: str) -> tuple[int, dict[str, Any]]:
    logs = tmp_path / "export.json"
    logs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = tmp_path / "report.json"
    asked = [a for arn in principals for a in ("--principal", arn)]
    out = ["--output-dir", str(tmp_path / "out")] if len(principals) > 1 else []
    code = main(["generate", "--logs", str(logs), *asked, *WINDOW, *out, "--report", str(report)])
    return code, json.loads(report.read_text())


def test_a_principal_whose_records_were_all_unusable_is_told_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _run(tmp_path, [_EXPORTED, _EXPORTED], PEDRO)
    err = capsys.readouterr().err
    assert code == EXIT_NO_MATCHING_EVENTS
    assert report["badRecords"] == 2 and report["eventsMatched"] == 0
    (last,) = [line for line in err.splitlines() if "no matching events" in line]
    assert "no event of the principal(s) in the window" not in last
    said = "no usable event of the principal(s) in the window: 2 record(s) of theirs could not be used"
    assert said in last


def test_one_principal_of_several_whose_records_were_unusable_is_told_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Beside a principal that got its policy, the other's line said "no matching events for" it."""
    usable = record(user_identity(), time="2026-11-24T09:00:00Z")
    code, _ = _run(tmp_path, [usable, _EXPORTED, _EXPORTED, _EXPORTED], USER, PEDRO)
    err = capsys.readouterr().err
    assert code == EXIT_NO_MATCHING_EVENTS
    assert f"no matching events for {PEDRO}" not in err
    assert (
        f"policygen generate: no policy written for {PEDRO}: 3 of its record(s) could not be used "
        "(see the warnings)" in err
    )
