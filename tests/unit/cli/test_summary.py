"""The CLI's summary says what the mapper did not turn into permissions (issue 9 items 2 and 3)."""

from __future__ import annotations

import io

from policygen_operator.cli.generate import (
    PRINTED_FINDINGS_LINES,
    _print_findings,
    _print_folders,
    _print_mapping,
    _print_other_logs,
)


def test_unmapped_ignored_and_mapper_findings_are_printed_for_what_they_are() -> None:
    report = {
        "unmapped": {"bedrock.amazonaws.com:SomeNewCall": 2},
        "ignored": {"sts.amazonaws.com:GetCallerIdentity": 3},
        "ignoredReasons": {"sts.amazonaws.com:GetCallerIdentity": "needs no permission"},
        "principals": {
            "arn:aws:iam::111122223333:user/Alice": {
                "findings": [
                    {
                        "severity": "warning",
                        "code": "pass-role-left-out",
                        "message": "ecs.amazonaws.com:RunTask ...",
                    },
                    {"severity": "warning", "code": "wildcard-resource", "message": "Resource * for ..."},
                ]
            }
        },
    }
    err = io.StringIO()
    _print_mapping(report, err)
    _print_findings(report, err)
    lines = err.getvalue().splitlines()
    assert lines[0] == (
        "policygen generate: 2 event(s) not understood, in no policy (unmapped): "
        "bedrock.amazonaws.com:SomeNewCall x2"
    )
    assert lines[1] == (
        "policygen generate: 3 event(s) ignored (sts.amazonaws.com:GetCallerIdentity x3: needs no permission)"
    )
    assert (
        lines[2]
        == "policygen generate: warning: arn:aws:iam::111122223333:user/Alice: ecs.amazonaws.com:RunTask ..."
    )
    assert len(lines) == 3


def test_a_documented_star_grant_is_printed() -> None:
    """A grant on ``*`` AWS documents (``resource-wide``: CloudWatch's composite alarms) is still a grant on
    more than the call's own resources: said on stderr like the other widenings."""
    message = "monitoring.amazonaws.com:DescribeAlarms: cloudwatch:DescribeAlarms on *: composite alarms ..."
    report = {
        "principals": {
            "arn:aws:iam::111122223333:role/ops": {
                "findings": [{"severity": "info", "code": "resource-wide", "message": message}]
            }
        }
    }
    err = io.StringIO()
    _print_findings(report, err)
    assert err.getvalue().splitlines() == [
        f"policygen generate: info: arn:aws:iam::111122223333:role/ops: {message}"
    ]
    err = io.StringIO()
    _print_findings(report, err, quiet=True)  # --quiet keeps warnings and errors only
    assert err.getvalue() == ""


def test_a_tag_grant_on_every_new_resource_is_printed() -> None:
    """A tagging action granted on every resource of the type a call makes in a Region (``resource-made-new``:
    KMS ReplicateKey's tags on the replica Region's ``key/*``) is a grant on more than the one it tagged:
    said on stderr like the other widenings."""
    message = (
        "kms.amazonaws.com:ReplicateKey: kms:TagResource on arn:aws:kms:us-west-2:111122223333:key/*: tags "
        "of a replica key are checked 'in an IAM policy in the replica Region' ..."
    )
    report = {
        "principals": {
            "arn:aws:iam::111122223333:role/ops": {
                "findings": [{"severity": "info", "code": "resource-made-new", "message": message}]
            }
        }
    }
    err = io.StringIO()
    _print_findings(report, err)
    assert err.getvalue().splitlines() == [
        f"policygen generate: info: arn:aws:iam::111122223333:role/ops: {message}"
    ]


def test_a_grant_for_a_state_the_record_does_not_show_is_printed() -> None:
    """A permission granted because AWS asks for it in a state the record cannot show (``granted-unseen``:
    the tags of a copied object that may have none) is a grant the calls may not have needed: said on
    stderr so it can be dropped."""
    message = (
        "s3.amazonaws.com:CopyObject: s3:GetObjectTagging, s3:PutObjectTagging granted: the copy keeps the "
        "source's tags ..."
    )
    report = {
        "principals": {
            "arn:aws:iam::111122223333:role/ops": {
                "findings": [{"severity": "info", "code": "granted-unseen", "message": message}]
            }
        }
    }
    err = io.StringIO()
    _print_findings(report, err)
    assert err.getvalue().splitlines() == [
        f"policygen generate: info: arn:aws:iam::111122223333:role/ops: {message}"
    ]


def test_folders_passed_over_are_said_once() -> None:
    err = io.StringIO()
    _print_folders({"outsideWindow": 1200, "excludedByAccountOrRegion": 3, "noCalls": 0}, err)
    assert err.getvalue().splitlines() == [
        "policygen generate: 1,203 folder(s) passed over unread: 1,200 outside the window, 3 of other "
        "accounts or regions (--account/--region)"
    ]
    err = io.StringIO()
    _print_folders({"outsideWindow": 0, "excludedByAccountOrRegion": 0, "noCalls": 0}, err)
    assert err.getvalue() == ""


def test_other_services_files_and_folders_are_said_once_by_kind() -> None:
    """A log bucket's S3 access logs and load balancer folders are why a run listed far more than it
    read: said once, by kind, never one by one."""
    err = io.StringIO()
    _print_folders({"outsideWindow": 0, "noCalls": 0, "otherServices": 2}, err)
    _print_other_logs({"notLogFiles": 1, "s3AccessLogs": 2000, "cloudFrontLogs": 0, "tabularFiles": 3}, err)
    assert err.getvalue().splitlines() == [
        "policygen generate: 2 folder(s) passed over unread: 2 of other services' logs "
        "(AWSLogs/ACCOUNT/SERVICE/ beside CloudTrail/)",
        "policygen generate: other services' files passed over unread: 2,000 S3 server access logs, 3 CSV, "
        "Parquet, ORC or Avro files",
    ]
    err = io.StringIO()
    _print_other_logs({"notLogFiles": 4, "s3AccessLogs": 0}, err)
    assert err.getvalue() == ""


def test_progress_shows_what_is_listed() -> None:
    from policygen_operator.cli.generate import _ProgressPrinter
    from policygen_operator.services.generation import Progress

    err = io.StringIO()
    printer = _ProgressPrinter(err)
    printer(Progress(0, None, 0, 0, folders_listed=1200, objects_listed=34567))
    assert err.getvalue().endswith("matched; listed 1,200 folders, 34,567 objects\n")


def test_a_fleet_of_findings_is_cut_to_the_first_lines_errors_first() -> None:
    """300 roles' pattern warnings were 8,000 lines on stderr (``benchmarks/run.py``'s 500-principal set):
    at most ``PRINTED_FINDINGS_LINES`` are printed, an error found late among them first, and one line
    counts the rest by severity and principal and says where they all are."""

    def pattern(number: int) -> dict[str, str]:
        return {
            "severity": "warning",
            "code": "compacted",
            "message": f"table/orders-* stands for {number} ARNs",
        }

    principals = {
        f"arn:aws:iam::111122223333:role/app-{index:03}": {"findings": [pattern(n) for n in range(20)]}
        for index in range(30)
    }
    late = "arn:aws:iam::111122223333:role/app-029"
    error = {
        "severity": "error",
        "code": "resource-not-writable",
        "message": "a key name no policy can write",
    }
    principals[late]["findings"].append(error)
    err = io.StringIO()
    _print_findings({"principals": principals}, err, listed=True)
    lines = err.getvalue().splitlines()
    assert len(lines) == PRINTED_FINDINGS_LINES + 1
    assert lines[0] == f"policygen generate: error: {late}: a key name no policy can write"
    assert lines[1] == (
        "policygen generate: warning: arn:aws:iam::111122223333:role/app-000: "
        "table/orders-* stands for 0 ARNs"
    )
    rest = 30 * 20 - (PRINTED_FINDINGS_LINES - 1)
    assert lines[-1] == (
        f"policygen generate: ... and {rest} more finding(s) ({rest} warning) of 28 principal(s) "
        "(see the report)"
    )
    err = io.StringIO()
    _print_findings({"principals": principals}, err)
    assert err.getvalue().splitlines()[-1].endswith("(--report FILE keeps them)")


def test_a_principal_s_few_findings_are_all_printed() -> None:
    findings = [
        {"severity": "warning", "code": "compacted", "message": f"pattern {n}"}
        for n in range(PRINTED_FINDINGS_LINES)
    ]
    err = io.StringIO()
    _print_findings({"principals": {"arn:aws:iam::111122223333:user/Alice": {"findings": findings}}}, err)
    assert len(err.getvalue().splitlines()) == PRINTED_FINDINGS_LINES
