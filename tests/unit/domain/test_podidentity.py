"""EKS Pod Identity attribution: the scan links each session's calls to the namespace and ServiceAccount
its AssumeRole session tags name, so a shared role's usage splits per ServiceAccount.

The records are shaped as AWS documents them (tests/fixtures/podidentity.py; the session tags are listed
in https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from policygen_operator.domain.cloudtrail.podidentity import is_pod_identity_session, pod_identity_session
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.rightsizing import split_by_service_account
from policygen_operator.domain.usage import UsageSummary
from tests.fixtures.podidentity import assume_role, call, session_arn, session_name, write_delivery_file

SHARED = "arn:aws:iam::111122223333:role/shared-reader"
OTHER = "arn:aws:iam::111122223333:role/service-role/billing"
WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
READER = session_name("reader-6d8f7c9b5-x2lq4", "1a2b3c4d")
AUDITOR = session_name("auditor-7f5d9c8b4-k9pz2", "5e6f7a8b")
EARLIER = session_name("reader-6d8f7c9b5-abcde", "99999999")  # its AssumeRole is not in these logs


def records() -> list[dict[str, object]]:
    t = "2026-11-24T10:{:02d}:00Z".format
    return [
        assume_role(SHARED, "team-a", "reader", "reader-6d8f7c9b5-x2lq4", "1a2b3c4d", t(0)),
        assume_role(SHARED, "team-b", "auditor", "auditor-7f5d9c8b4-k9pz2", "5e6f7a8b", t(1)),
        assume_role(OTHER, "team-c", "billing", "billing-1", "0f0f0f0f", t(2)),  # not a split role
        call(SHARED, READER, "s3", "ListBuckets", t(5), Host="s3.eu-west-1.amazonaws.com"),
        call(SHARED, READER, "s3", "ListBuckets", t(6), Host="s3.eu-west-1.amazonaws.com"),
        call(SHARED, AUDITOR, "sqs", "ListQueues", t(7)),
        call(SHARED, EARLIER, "sqs", "ListQueues", t(8)),
        call(SHARED, "botocore-session-1764000000", "sqs", "ListQueues", t(9)),  # not a Pod Identity session
    ]


def scan(tmp_path: Path, split: frozenset[str], compact: bool = True) -> UsageSummary:
    path = write_delivery_file(tmp_path, records(), compact=compact)
    scanner = Scanner(
        ScanSpec((parse_principal(SHARED), parse_principal(OTHER)), WINDOW, split_sessions=split)
    )
    scanner.scan_path(str(path))
    return scanner.take_result().summary


def test_the_assume_role_of_a_pod_identity_session_names_its_service_account() -> None:
    role, session, tags = pod_identity_session(records()[0]) or ("", "", {})
    assert (role, session) == (SHARED, session_arn("shared-reader", READER))
    assert (tags["kubernetes-namespace"], tags["kubernetes-service-account"]) == ("team-a", "reader")
    assert tags["kubernetes-pod-name"] == "reader-6d8f7c9b5-x2lq4" and tags["eks-cluster-name"] == "prod"
    untagged = records()[0]
    untagged["requestParameters"] = {**untagged["requestParameters"], "tags": []}  # type: ignore[dict-item]
    assert pod_identity_session(untagged) is None
    failed = {**records()[0], "errorCode": "AccessDenied"}
    assert pod_identity_session(failed) is None
    assert is_pod_identity_session(session_arn("shared-reader", READER))
    assert not is_pod_identity_session(session_arn("shared-reader", "botocore-session-1764000000"))


@pytest.mark.parametrize("compact", [True, False], ids=["compact-delivery-file", "spaced-json"])
def test_a_shared_roles_usage_splits_per_service_account(tmp_path: Path, compact: bool) -> None:
    summary = scan(tmp_path, frozenset({SHARED}), compact)

    # the role's own usage is unchanged: every call of every session
    assert sum(u.count for u in summary.principals[SHARED].allowed.values()) == 5
    assert set(summary.sessions) == {SHARED}  # the other role was not asked to be split
    assert set(summary.session_tags) == {session_arn("shared-reader", s) for s in (READER, AUDITOR)}
    split = split_by_service_account(summary.sessions[SHARED], summary.session_tags, load_reference())
    reader, auditor = split["serviceAccounts"]["team-a/reader"], split["serviceAccounts"]["team-b/auditor"]
    assert list(split["serviceAccounts"]) == ["team-a/reader", "team-b/auditor"]
    assert reader["used"] == {"s3:ListAllMyBuckets": {"count": 2, "lastSeen": "2026-11-24T10:06:00Z"}}
    assert (reader["sessions"], reader["pods"]) == (1, ["reader-6d8f7c9b5-x2lq4"])
    assert auditor["used"] == {"sqs:ListQueues": {"count": 1, "lastSeen": "2026-11-24T10:07:00Z"}}
    # a session whose AssumeRole came before the logs: reported, not guessed
    assert split["unattributed"]["sessions"] == 1 and split["unattributed"]["usedActions"] == 1

    merged = UsageSummary().merge(summary)  # per-core summaries merge, and survive the report's form
    assert UsageSummary.from_dict(merged.to_dict()).to_dict() == summary.to_dict()
    assert UsageSummary.from_dict(merged.to_dict()).sessions[SHARED].keys() == summary.sessions[SHARED].keys()


def test_nothing_is_kept_per_session_unless_asked(tmp_path: Path) -> None:
    summary = scan(tmp_path, frozenset())
    assert summary.sessions == {} and summary.session_tags == {}
    assert "sessions" not in summary.to_dict()


def test_a_linked_read_that_waits_is_split_to_its_session_too(tmp_path: Path) -> None:
    """An Athena read that comes before its start in the files waits for the id (links.py); once settled
    it counts for the role and for the Pod Identity session that made it, like any other call."""
    t = "2026-11-24T10:{:02d}:00Z".format
    start = call(
        SHARED, READER, "athena", "StartQueryExecution", t(11), queryString="SELECT 1", workGroup="etl"
    )
    start["responseElements"] = {"queryExecutionId": "q-1"}
    read = call(SHARED, READER, "athena", "GetQueryResults", t(12), queryExecutionId="q-1")
    path = write_delivery_file(tmp_path, [records()[0], read, start])
    scanner = Scanner(ScanSpec((parse_principal(SHARED),), WINDOW, split_sessions=frozenset({SHARED})))
    scanner.scan_path(str(path))
    summary = scanner.take_result(final=True).summary
    workgroup = ("athena:GetQueryResults", "arn:aws:athena:eu-west-1:111122223333:workgroup/etl")
    assert workgroup in summary.principals[SHARED].allowed
    # the session's calls by action alone (``usage.SESSION_RESOURCE``): what the split reads
    assert ("athena:GetQueryResults", "*") in summary.sessions[SHARED][
        session_arn("shared-reader", READER)
    ].allowed
