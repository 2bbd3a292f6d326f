"""``run_generation`` and the CLI's handling of its outcomes, in process, on the shipped sample logs.

The split and validation cases wrap the IAM builder and validator (smaller size limit, an injected error
finding) so the CLI's paths for them run on real data; the wrapped functions stay the real ones.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.cli.main import main
from policygen_operator.domain.engine import ScanCancelled
from policygen_operator.domain.iam import policy as policy_module
from policygen_operator.domain.iam import validate as validate_module
from policygen_operator.services.errors import (
    InvalidRequestError,
    NoMatchingEventsError,
    ValidationFailedError,
)
from policygen_operator.services.generation import (
    BadInputError,
    GenerationRequest,
    LocalLogs,
    Progress,
    run_generation,
)

SAMPLES = Path(__file__).resolve().parents[3] / "examples" / "cloudtrail"
ORDER = "arn:aws:iam::111122223333:role/service-role/order-processor"
ALICE = "arn:aws:iam::111122223333:user/people/alice"
START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
WINDOW = ["--start", "2026-11-01", "--end", "2026-12-01"]


def request(**changes: Any) -> GenerationRequest:
    base = GenerationRequest(
        principals=(ORDER,), source=LocalLogs(str(SAMPLES)), start=START, end=END, workers=1
    )
    return dataclasses.replace(base, **changes)


def test_result_carries_policies_report_and_summary() -> None:
    seen: list[Progress] = []
    result = run_generation(request(principals=(ORDER, ALICE)), progress=seen.append)
    order = result.results[ORDER]
    assert "dynamodb:GetItem" in order.actions and "dynamodb" in order.services
    assert order.denied_actions == ["dynamodb:DeleteTable", "s3:DeleteObject"]
    assert order.characters > 0 and len(order.policies) == 1
    assert result.results[ALICE].denied_actions == ["iam:CreateUser"]
    assert (
        result.summary.events_matched == result.report["eventsMatched"] == 57 + 15
    )  # the order processor and alice (5 a day, 3 days)
    assert list(result.results) == [ORDER, ALICE]
    assert seen and seen[-1].files_scanned == 12 and seen[-1].events_scanned == 107


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principals": ()}, "principals"),
        ({"principals": ("arn:aws:iam::1:role/x",)}, "principals"),
        ({"start": END, "end": START}, "window"),
        ({"source": LocalLogs("/no/such/path")}, "logs"),
    ],
)
def test_requests_that_cannot_succeed_name_their_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        run_generation(request(**changes))
    assert caught.value.field == field


def test_strict_and_no_match_and_cancel() -> None:
    with pytest.raises(BadInputError) as strict:
        run_generation(request(strict=True))
    assert strict.value.result is not None
    assert strict.value.result.report["badRecords"] == 2
    with pytest.raises(NoMatchingEventsError):
        run_generation(request(principals=("arn:aws:iam::111122223333:role/nobody",)))
    stop = threading.Event()
    stop.set()
    with pytest.raises(ScanCancelled):
        run_generation(request(), cancel=stop)


def test_no_permission_needed_is_no_matching_event() -> None:
    # Only GetCallerIdentity in that hour: events matched, but nothing to allow.
    only = request(
        start=datetime(2026, 11, 24, 9, tzinfo=UTC), end=datetime(2026, 11, 24, 9, 0, 1, tzinfo=UTC)
    )
    with pytest.raises(NoMatchingEventsError, match="GetCallerIdentity: needs no permission"):
        run_generation(only)


def test_events_not_understood_are_never_called_permissionless() -> None:
    """Issue 9 item 2's invariant: an unmapped event is named as not understood."""
    from collections import Counter

    from policygen_operator.domain.usage import UsageSummary
    from policygen_operator.services.generation import _nothing_to_allow

    summary = UsageSummary(
        unmapped=Counter({"bedrock.amazonaws.com:SomeNewCall": 2}),
        ignored=Counter({"sts.amazonaws.com:GetCallerIdentity": 1}),
        events_matched=3,
    )
    message = _nothing_to_allow(summary, {"sts.amazonaws.com:GetCallerIdentity": "needs no permission"}.get)
    assert "2 not understood (unmapped: bedrock.amazonaws.com:SomeNewCall" in message
    assert "1 ignored (sts.amazonaws.com:GetCallerIdentity: needs no permission)" in message
    only_unmapped = _nothing_to_allow(
        UsageSummary(unmapped=Counter({"x.amazonaws.com:Y": 1}), events_matched=1)
    )
    assert "no permission" not in only_unmapped


def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    real = policy_module.build_policies_per_action

    def build(allowed: Any, options: Any = None) -> tuple[list[dict[str, Any]], Any]:
        return real(
            allowed, dataclasses.replace(options or policy_module.PolicyOptions(), max_characters=900)
        )

    monkeypatch.setattr(policy_module, "build_policies_per_action", build)


def test_split_policies_go_to_output_dir_or_a_json_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _small_parts(monkeypatch)
    assert (
        main(
            [
                "generate",
                "--logs",
                str(SAMPLES),
                "--principal",
                ORDER,
                *WINDOW,
                "--output-dir",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    parts = sorted(p.name for p in tmp_path.iterdir())
    assert len(parts) > 1 and parts[0] == "order-processor-part1.json"
    assert all(json.loads((tmp_path / p).read_text())["Version"] == "2012-10-17" for p in parts)
    capsys.readouterr()
    assert main(["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--quiet"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert isinstance(printed, list) and len(printed) == len(parts)
    out = tmp_path / "single.json"
    assert (
        main(["generate", "--logs", str(SAMPLES), "--principal", ORDER, *WINDOW, "--output", str(out)]) == 2
    )
    assert "--output-dir" in capsys.readouterr().err
    assert not out.exists()


def test_validation_errors_exit_4_and_write_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = validate_module.validate_policy

    def validate(document: dict[str, Any]) -> list[Any]:
        return [
            *real(document),
            validate_module.Finding("error", "Injected", "an error finding for the test"),
        ]

    monkeypatch.setattr(validate_module, "validate_policy", validate)
    with pytest.raises(ValidationFailedError):
        run_generation(request())
    out, report = tmp_path / "p.json", tmp_path / "r.json"
    code = main(
        [
            "generate",
            "--logs",
            str(SAMPLES),
            "--principal",
            ORDER,
            *WINDOW,
            "--output",
            str(out),
            "--report",
            str(report),
        ]
    )
    assert code == 4
    message = capsys.readouterr().err
    assert "validation failed" in message and f"in the policy of {ORDER}" in message
    assert not out.exists()
    data = json.loads(report.read_text())
    assert data["outcome"] == "validationFailed"
    assert {
        "severity": "error",
        "code": "Injected",
        "message": "an error finding for the test",
        "part": 1,
    } in (data["principals"][ORDER]["findings"])


def test_one_principal_without_events_exits_3_after_writing_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nobody = "arn:aws:iam::111122223333:role/nobody"
    code = main(
        [
            "generate",
            "--logs",
            str(SAMPLES),
            "--principal",
            ORDER,
            "--principal",
            nobody,
            *WINDOW,
            "--output-dir",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert code == 3
    assert [p.name for p in tmp_path.iterdir()] == ["order-processor.json"]
    assert f"no matching events for {nobody}" in capsys.readouterr().err


def test_many_principals_without_events_are_listed_up_to_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fleet's roles asked for at once (the benchmark asks for 500, 200 of them idle) printed one line
    each, even with --quiet: 200 lines that hide what was written. The first ones are named, then a count
    that points to the report, which lists every principal."""
    idle = [f"arn:aws:iam::111122223333:role/idle-{n:02d}" for n in range(25)]
    report = tmp_path / "report.json"
    code = main(
        ["generate", "--logs", str(SAMPLES), "--principal", ORDER]
        + [arg for arn in idle for arg in ("--principal", arn)]
        + [*WINDOW, "--output-dir", str(tmp_path / "out"), "--report", str(report), "--quiet"]
    )
    assert code == 3
    err = capsys.readouterr().err
    named = [arn for arn in idle if f"no matching events for {arn};" in err]
    assert named == idle[:20]
    assert "no matching events for 5 more principal(s) (the report lists them)" in err
    listed = json.loads(report.read_text())["principals"]
    assert all(listed[arn]["eventsMatched"] == 0 for arn in idle)


def test_mapper_findings_reach_the_principal_result() -> None:
    """An iam:PassRole the mapper left out (issue 9 item 3) is a finding of the principal, with its count."""
    from policygen_operator.domain.usage import UsageSummary
    from policygen_operator.services.generation import _principal_result

    note = ("warning", "pass-role-left-out", "ecs.amazonaws.com:RunTask passes a role it does not name")
    result = _principal_result("arn:aws:iam::111122223333:user/Alice", UsageSummary(), request(), {note: 3})
    assert [(f.severity, f.code) for f in result.findings] == [("warning", "pass-role-left-out")]
    assert result.findings[0].message.endswith("(3 event(s))")


def test_a_session_arn_cut_after_the_role_name_is_said_once_per_run(tmp_path: Path) -> None:
    """The sample's own records of the order processor, their session ARN cut to "assumed-role/NAME" (as
    Stratus Red Team's anonymized logs hold one: tests/fixtures/public-cloudtrail), in two files read by two
    workers: taken by their sessionIssuer, and one warning for the run, first, naming the ARN."""
    import gzip

    records = []
    for path in sorted((SAMPLES / "AWSLogs").rglob("*.json.gz")):
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            if (record["userIdentity"].get("sessionContext") or {}).get("sessionIssuer", {}).get(
                "arn"
            ) == ORDER:
                record["userIdentity"]["arn"] = record["userIdentity"]["arn"].rpartition("/")[0]
                records.append(record)
    assert len(records) == 50  # those of the delivery files (the exports/ folder holds the rest)
    for half, part in enumerate((records[::2], records[1::2])):
        (tmp_path / f"part-{half}.json").write_text(json.dumps({"Records": part}, separators=(",", ":")))
    result = run_generation(request(source=LocalLogs(str(tmp_path)), workers=2))
    assert result.summary.events_matched == 50 and result.results[ORDER].policies
    cut = "arn:aws:sts::111122223333:assumed-role/order-processor"
    first = result.report["warnings"][0]
    assert first.startswith(f"50 record(s) with userIdentity.arn {cut}: ") and f"taken as {ORDER}'s" in first
    assert sum(cut in w for w in result.report["warnings"]) == 1


def test_a_folder_of_json_lines_named_log_is_read_and_one_of_text_says_what_it_passed_over(
    tmp_path: Path,
) -> None:
    """Filebeat's CloudTrail test logs are JSON Lines named ``*-json.log`` (elastic/beats,
    x-pack/filebeat/module/aws/cloudtrail/test, Elastic License 2.0; this record is its create-user-json.log,
    the CloudTrail User Guide's CreateUser example). Given the folder, every file was passed over for its
    name; a file of another name is now read when it begins as JSON. A folder of files that do not (a text
    log, the marker CloudWatch Logs writes before an export) is still passed over, and the message says so."""
    record = {
        "eventVersion": "1.0",
        "userIdentity": {"type": "IAMUser", "principalId": "EX_PRINCIPAL_ID",
                         "arn": "arn:aws:iam::123456789012:user/Alice", "accountId": "123456789012",
                         "accessKeyId": "EXAMPLE_KEY_ID", "userName": "Alice"},
        "eventTime": "2014-03-24T21:11:59Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
        "awsRegion": "us-east-2", "sourceIPAddress": "127.0.0.1",
        "userAgent": "aws-cli/1.3.2 Python/2.7.5 Windows/7", "requestParameters": {"userName": "Bob"},
        "responseElements": {"user": {"createDate": "Mar 24, 2014 9:11:59 PM", "userName": "Bob",
                                      "arn": "arn:aws:iam::123456789012:user/Bob", "path": "/",
                                      "userId": "EXAMPLEUSERID"}},
    }  # fmt: skip
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "create-user-json.log").write_text(json.dumps(record) + "\n")
    alice = "arn:aws:iam::123456789012:user/Alice"
    window = {"start": datetime(2014, 3, 1, tzinfo=UTC), "end": datetime(2014, 4, 1, tzinfo=UTC)}
    read = run_generation(request(principals=(alice,), source=LocalLogs(str(tmp_path / "logs")), **window))
    assert read.results[alice].actions == ["iam:CreateUser"]
    assert read.report["filesNotRead"]["notLogFiles"] == 0
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "app.log").write_text("[INFO] 2014-03-24 started\n")
    (tmp_path / "text" / "aws-logs-write-test").write_text("Permission Check Successful")
    with pytest.raises(
        NoMatchingEventsError,
        match=r"2 file\(s\) in the folder were passed over, neither named as log files \(.*\) nor beginning "
        "as JSON, gzip or a CloudWatch Logs export",
    ):
        run_generation(request(principals=(alice,), source=LocalLogs(str(tmp_path / "text")), **window))


def _create_user(region: str, account: str, user: str) -> dict[str, Any]:
    """The CloudTrail User Guide's CreateUser example record ("CloudTrail record contents" examples: Alice
    creates Bob), in ``region``, received by ``account``'s trail."""
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "EX_PRINCIPAL_ID",
                         "arn": "arn:aws:iam::123456789012:user/Alice", "accountId": "123456789012",
                         "accessKeyId": "EXAMPLE_KEY_ID", "userName": "Alice"},
        "eventTime": "2014-03-24T21:11:59Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
        "awsRegion": region, "sourceIPAddress": "127.0.0.1", "userAgent": "aws-cli/1.3.2",
        "requestParameters": {"userName": user}, "responseElements": None,
        "eventType": "AwsApiCall", "recipientAccountId": account,
    }  # fmt: skip


def test_account_and_region_flags_filter_the_records_of_a_flat_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flat folder of records of several Regions and accounts (no delivery layout to prune): --region and
    --account used to change nothing, and the policy allowed calls made in the Regions left out. Records of
    other Regions and accounts are now passed over, counted in the report and said once on stderr."""
    records = [
        _create_user("us-east-2", "123456789012", "Bob"),
        _create_user("eu-west-1", "123456789012", "Carol"),
        _create_user("us-east-2", "210987654321", "Dave"),
    ]
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "records.json").write_text(json.dumps({"Records": records}))
    out, report = tmp_path / "policy.json", tmp_path / "report.json"
    flags = ["--start", "2014-03-01", "--end", "2014-04-01", "--output", str(out), "--report", str(report)]
    alice = ["--principal", "arn:aws:iam::123456789012:user/Alice"]
    assert main(["generate", "--logs", str(tmp_path / "logs"), *alice, *flags, "--region", "us-east-2",
                 "--account", "123456789012"]) == 0  # fmt: skip
    resources = json.loads(out.read_text())["Statement"][0]["Resource"]
    assert resources == ["arn:aws:iam::123456789012:user/Bob"]
    assert json.loads(report.read_text())["eventsExcludedByAccountOrRegion"] == 2
    said = [line for line in capsys.readouterr().err.splitlines() if "other accounts or regions" in line]
    assert said == [
        "policygen generate: 2 event(s) of the principal(s) of other accounts or regions passed over "
        "(--account/--region: their recipientAccountId or awsRegion)"
    ]


def test_progress_says_what_is_listed_before_a_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing a large prefix or tree said nothing until the first file was scanned: a walk of thousands of
    folders looked stuck. The listing now says its folders and objects so far, throttled as the scan's."""
    monkeypatch.setattr("policygen_operator.services.generation.PROGRESS_EVERY", 0.0)
    for n in range(30):
        (tmp_path / "tree" / f"team-{n:02d}" / "empty").mkdir(parents=True)
    seen: list[Progress] = []
    with pytest.raises(NoMatchingEventsError):
        run_generation(request(source=LocalLogs(str(tmp_path / "tree"))), progress=seen.append)
    listed = [p.folders_listed for p in seen if p.files_scanned == 0]
    assert listed[:3] == [1, 2, 3] and listed[-1] == 61  # the root, 30 teams, 30 empty folders
    assert all(p.objects_listed == 0 for p in seen)


def test_the_report_counts_the_records_read_out_of_raw_data(tmp_path: Path) -> None:
    """``rawDataRecords``: the records a Firehose stream could not deliver, read out of the base64 rawData
    of its error output (Firehose Developer Guide, "Handle failure in data transformation"), beside
    ``badRecords``; 0 for a run over other logs."""
    import base64

    lines = (SAMPLES / "exports" / "lake-export.jsonl").read_text().splitlines()
    mine = [line for line in lines if f'"arn": "{ORDER}"' in line][:2]  # its sessionIssuer
    assert len(mine) == 2
    envelope = {
        "attemptsMade": 4,
        "arrivalTimestamp": 1763974800000,
        "errorCode": "Lambda.FunctionError",
        "errorMessage": "The Lambda function was successfully invoked but it returned an error result.",
        "attemptEndingTimestamp": 1763974860000,
    }
    failed = tmp_path / "processing-failed"
    failed.mkdir()
    lines = [json.dumps({**envelope, "rawData": base64.b64encode(m.encode()).decode()}) for m in mine]
    (failed / "orders-1-2026-11-24-09-05-17-a188030a").write_text("\n".join(lines) + "\n")
    result = run_generation(request(source=LocalLogs(str(failed))))
    assert result.report["rawDataRecords"] == 2 == result.report["eventsMatched"]
    assert result.report["badRecords"] == 0
    assert run_generation(request()).report["rawDataRecords"] == 0


def test_no_match_says_what_lay_outside_the_window() -> None:
    """The likeliest first-run miss: logs of other dates than the window (the 90-day default over an older
    export). Before, the message said "(0 file(s), 0 event(s) scanned)" and not which window was used."""
    october = {"start": datetime(2026, 10, 1, tzinfo=UTC), "end": datetime(2026, 11, 1, tzinfo=UTC)}
    with pytest.raises(NoMatchingEventsError) as caught:
        run_generation(request(**october))
    said = str(caught.value)
    assert "outside the window (2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z): 8 event(s) of the" in said
    assert "folder(s) not entered" not in said  # files were read (the samples' other names): not said
    with pytest.raises(NoMatchingEventsError) as caught:
        run_generation(request(source=LocalLogs(str(SAMPLES / "AWSLogs")), **october))
    said = str(caught.value)
    assert "outside the window (2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z): " in said
    assert "day or time folder(s) not entered" in said and "(0 file(s), 0 event(s) scanned)" in said
    with pytest.raises(NoMatchingEventsError) as caught:  # in the window, nobody's: no word of it
        run_generation(request(principals=("arn:aws:iam::111122223333:role/nobody",)))
    assert "outside the window" not in str(caught.value)


def test_no_match_says_when_the_window_is_in_the_future_or_nothing_was_found(tmp_path: Path) -> None:
    """Seen with the operator: a window starting next year, and a source whose prefix holds no logs, both
    ended as "no event of the principal(s) in the window (0 file(s), 0 event(s) scanned)", the same words as
    a principal that did nothing: the user could not tell a wrong window or path from an idle role."""
    future = {"start": datetime(2099, 1, 1, tzinfo=UTC), "end": datetime(2099, 2, 1, tzinfo=UTC)}
    with pytest.raises(NoMatchingEventsError) as caught:
        run_generation(request(source=LocalLogs(str(tmp_path)), **future))
    said = str(caught.value)
    assert "the window starts after this run began (2099-01-01T00:00:00Z is later than 20" in said
    assert "CloudTrail has logged nothing for it yet" in said
    assert "no log file" not in said  # one reason is enough
    with pytest.raises(NoMatchingEventsError) as caught:
        run_generation(request(source=LocalLogs(str(tmp_path))))
    said = str(caught.value)
    nothing = f"no log file of the window was found under {tmp_path}: is that where the trail's logs are?"
    assert nothing in said
    with pytest.raises(NoMatchingEventsError) as caught:  # files read, nobody's events: neither is said
        run_generation(request(principals=("arn:aws:iam::111122223333:role/nobody",)))
    assert "no log file" not in str(caught.value) and "starts after" not in str(caught.value)
