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
    # the other role was not asked to be split; the sessions whose AssumeRole was read went to their
    # ServiceAccount as they were read, the one whose AssumeRole came before the logs is held apart
    assert set(summary.service_accounts) == set(summary.sessions) == {SHARED}
    assert set(summary.session_owners) == {session_arn("shared-reader", s) for s in (READER, AUDITOR)}
    assert set(summary.sessions[SHARED]) == {session_arn("shared-reader", EARLIER)}
    split = split_by_service_account(
        summary.service_accounts[SHARED], summary.sessions[SHARED], load_reference()
    )
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
    assert summary.sessions == {} and summary.session_owners == {} and summary.service_accounts == {}
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
    # the session's calls by action alone (``usage.SESSION_RESOURCE``), its ServiceAccount's
    assert ("athena:GetQueryResults", "*") in summary.service_accounts[SHARED]["team-a/reader"].usage.allowed


def _split(summary: UsageSummary) -> dict[str, object]:
    return split_by_service_account(
        summary.service_accounts.get(SHARED), summary.sessions.get(SHARED), load_reference()
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_split_is_the_same_whatever_the_order_and_batches_of_the_records(
    tmp_path: Path, seed: int
) -> None:
    """A session's calls may come before its AssumeRole (another file, another worker's batch): they are held
    for the session, and go to its ServiceAccount when the AssumeRole is read or merged in, whichever comes
    first; the split, and the summary's saved form, are the same for every order and cut."""
    import random

    every = scan(tmp_path / "all", frozenset({SHARED}))
    made = records()
    rng = random.Random(seed)
    rng.shuffle(made)
    cuts = sorted(rng.sample(range(1, len(made)), 2))
    parts = [made[: cuts[0]], made[cuts[0] : cuts[1]], made[cuts[1] :]]
    summaries = []
    for number, part in enumerate(parts):
        path = write_delivery_file(tmp_path / f"part-{number}", part)
        scanner = Scanner(
            ScanSpec(
                (parse_principal(SHARED), parse_principal(OTHER)), WINDOW, split_sessions=frozenset({SHARED})
            )
        )
        scanner.scan_path(str(path))
        summaries.append(UsageSummary.from_dict(scanner.take_result().summary.to_dict()))
    rng.shuffle(summaries)
    merged = UsageSummary()
    for summary in summaries:
        merged.merge(summary)
    assert _split(merged) == _split(every)
    assert {**merged.to_dict(), "filesScanned": 1} == every.to_dict()  # three files against one


def test_a_scan_holds_a_table_pair_per_service_account_not_per_pod_session(tmp_path: Path) -> None:
    """A ServiceAccount's pods get a new session at every credential refresh: 300 sessions of one
    ServiceAccount's pods, each with its AssumeRole, leave one usage (its calls by action) and the sessions'
    names, no table pair per session as the scan held before."""
    t = "2026-11-24T{:02d}:{:02d}:00Z".format
    made: list[dict[str, object]] = []
    for number in range(300):
        pod, uuid = f"reader-6d8f7c9b5-{number % 7:05d}", f"{number:08x}"
        made.append(assume_role(SHARED, "team-a", "reader", pod, uuid, t(number // 60, number % 60)))
        for key in ("a", "b"):
            made.append(
                call(
                    SHARED,
                    session_name(pod, uuid),
                    "s3",
                    "GetObject",
                    t(number // 60, number % 60),
                    bucketName="data",
                    key=f"{number}/{key}",
                )
            )
    path = write_delivery_file(tmp_path, made)
    scanner = Scanner(ScanSpec((parse_principal(SHARED),), WINDOW, split_sessions=frozenset({SHARED})))
    scanner.scan_path(str(path))
    summary = scanner.take_result().summary
    assert summary.sessions == {}
    [found] = summary.service_accounts[SHARED].values()
    assert [(key, usage.count) for key, usage in found.usage.allowed.items()] == [
        (("s3:GetObject", "*"), 600)
    ]
    assert len(found.sessions) == 300 and len(found.pods) == 7
    split = _split(summary)["serviceAccounts"]["team-a/reader"]  # type: ignore[index]
    assert (split["sessions"], len(split["pods"]), split["used"]["s3:GetObject"]["count"]) == (300, 7, 600)
