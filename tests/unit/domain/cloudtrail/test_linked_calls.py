"""Calls that name their resource only by an id an earlier call returned: Athena's query reads.

``GetQueryExecution`` "returns information about a single execution of a query if you have access to the
workgroup in which the query ran" (Athena API Reference); its request names only the query's id. CloudTrail
records the id ``StartQueryExecution`` returned (``"responseElements": {"queryExecutionId": ...}``, the
Athena User Guide's "StartQueryExecution (Successful)" log entry, whose shape these records copy), so the
scan can grant the reads on the workgroup the start named, in whatever file or batch either lies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.cloudtrail import links
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import ScanResult, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import run_scan
from tests.unit.domain.cloudtrail.fakes import ACCOUNT, ROLE, athena_call, delivery, spaced, write_gz

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
SPEC = ScanSpec(principals=(parse_principal(ROLE),), window=WINDOW)
QUERY = "b621c254-74e0-48e3-9630-78ed857782f9"
WORKGROUP = f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/etl"
PRIMARY = f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary"


def athena(name: str, params: dict[str, Any], response: Any = None, time: str = "09:00:00") -> dict[str, Any]:
    return athena_call(name, params, time, response)


def start(query: str = QUERY, workgroup: str | None = "etl", time: str = "09:00:00") -> dict[str, Any]:
    params: dict[str, Any] = {
        "clientRequestToken": "16bc6e70-f972-4260-b18a-db1b623cb35c",
        "resultConfiguration": {"outputLocation": "s3://athena-johndoe-test/test/"},
        "query": "Select 10",
    }
    if workgroup:
        params["workGroup"] = workgroup
    return athena("StartQueryExecution", params, {"queryExecutionId": query}, time)


def reads(query: str = QUERY, time: str = "09:00:05") -> list[dict[str, Any]]:
    return [
        athena("GetQueryExecution", {"queryExecutionId": query}, time=time),
        athena("GetQueryResults", {"queryExecutionId": query, "maxResults": 1000}, time=time),
    ]


def scan(tmp_path: Path, files: list[list[dict[str, Any]]], workers: int = 1) -> ScanResult:
    paths = [write_gz(tmp_path / f"f{n:03d}.json.gz", records) for n, records in enumerate(files)]
    return run_scan(SPEC, [(p.name, str(p)) for p in paths], workers=workers)


def granted(result: ScanResult) -> set[tuple[str, str]]:
    return set(result.summary.principal(ROLE).allowed)


def undetermined(result: ScanResult) -> list[str]:
    return [message for (_, code, message) in result.notes.get(ROLE, {}) if code == "resource-undetermined"]


def test_the_reads_of_a_query_are_granted_on_the_workgroup_it_ran_in(tmp_path: Path) -> None:
    result = scan(tmp_path, [[start(), *reads()]])
    assert granted(result) == {
        ("athena:StartQueryExecution", WORKGROUP),
        ("athena:GetQueryExecution", WORKGROUP),
        ("athena:GetQueryResults", WORKGROUP),
    }
    assert undetermined(result) == []
    assert result.summary.events_matched == 3


def test_a_read_before_its_start_in_the_files_waits_for_it(tmp_path: Path) -> None:
    """Files are not read in time order (regions, workers); the read waits until the scan settles."""
    result = scan(tmp_path, [reads(time="09:00:05"), [start(time="09:00:00")]])
    assert ("athena:GetQueryResults", WORKGROUP) in granted(result)
    assert ("athena:GetQueryResults", "*") not in granted(result)
    usage = result.summary.principal(ROLE).allowed[("athena:GetQueryResults", WORKGROUP)]
    assert (usage.count, usage.first_seen) == (1, "2026-11-24T09:00:05Z")
    assert result.summary.events_matched == 3 and result.matched[ROLE] == 3


def test_batches_in_other_workers_are_linked_when_merged(tmp_path: Path) -> None:
    """40 files (the engine starts worker processes from 32): the start is in the last batch."""
    queries = [f"q-{n:04d}" for n in range(39)]
    files = [reads(query) for query in queries]
    files.append([start(query, workgroup=None) for query in queries])
    result = scan(tmp_path, files, workers=2)
    assert granted(result) == {
        ("athena:StartQueryExecution", PRIMARY),  # no workGroup: the query ran in primary
        ("athena:GetQueryExecution", PRIMARY),
        ("athena:GetQueryResults", PRIMARY),
    }
    assert undetermined(result) == []
    assert result.summary.principal(ROLE).allowed[("athena:GetQueryResults", PRIMARY)].count == 39
    assert not result.links.waiting


def test_a_query_whose_start_was_not_seen_keeps_star_and_the_finding(tmp_path: Path) -> None:
    """Started by someone else, or before the window: the read names no workgroup the scan knows."""
    result = scan(tmp_path, [[start(), *reads(), *reads("started-elsewhere")]])
    assert ("athena:GetQueryResults", "*") in granted(result)
    assert ("athena:GetQueryResults", WORKGROUP) in granted(result)
    assert any(
        "athena:GetQueryResults on * (the request names the athena query only by its id, and the call that "
        "returned the id was not among the records scanned" in message
        for message in undetermined(result)
    )
    assert result.notes[ROLE][next(n for n in result.notes[ROLE] if "GetQueryResults" in n[2])] == 1


def test_a_batch_read_is_granted_on_every_workgroup_its_queries_ran_in(tmp_path: Path) -> None:
    batch = athena("BatchGetQueryExecution", {"queryExecutionIds": ["q-1", "q-2"]}, time="09:01:00")
    result = scan(tmp_path, [[start("q-1", "etl"), start("q-2", "adhoc"), batch]])
    assert {r for a, r in granted(result) if a == "athena:BatchGetQueryExecution"} == {
        WORKGROUP,
        f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/adhoc",
    }
    # one of them unknown: the call is not named in part (a grant missing a workgroup refuses it)
    unknown = athena("BatchGetQueryExecution", {"queryExecutionIds": ["q-1", "q-9"]}, time="09:02:00")
    result = scan(tmp_path / "more", [[start("q-1", "etl"), unknown]])
    assert {r for a, r in granted(result) if a == "athena:BatchGetQueryExecution"} == {"*"}


def test_saved_queries_are_linked_by_the_id_create_returned(tmp_path: Path) -> None:
    create = athena(
        "CreateNamedQuery",
        {"name": "johndoetest", "queryString": "select 10", "database": "default", "workGroup": "etl"},
        {"namedQueryId": "cdd0fe29-4787-4263-9188-a9c8db29f2d6"},
    )
    get = athena("GetNamedQuery", {"namedQueryId": "cdd0fe29-4787-4263-9188-a9c8db29f2d6"}, time="09:03:00")
    result = scan(tmp_path, [[create, get]])
    assert granted(result) == {("athena:CreateNamedQuery", WORKGROUP), ("athena:GetNamedQuery", WORKGROUP)}


SPARK_WORKGROUP = f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/notebook-workgroup"


def spark_records() -> list[dict[str, Any]]:
    """The Athena User Guide's Spark notebook records (awsdocs/amazon-athena-user-guide,
    doc_source/notebooks-spark-troubleshooting-cloudtrail.md @ 765e909e): the session and the notebook are
    started in a workgroup, the later calls name only their ids."""
    session, notebook = "a2c1ebba-ad01-865f-ed2d-a142b7451f7e", "05f6225d-bdcc-4935-bc25-a8e19434652d"
    return [
        athena(
            "StartSession",
            {"workGroup": "notebook-workgroup", "engineConfiguration": {"maxConcurrentDpus": 20}},
            {"sessionId": session, "state": "CREATED"},
        ),
        athena(
            "ImportNotebook",
            {"workGroup": "notebook-workgroup", "name": "example-notebook-name", "type": "IPYNB"},
            {"notebookId": notebook},
        ),
        athena(
            "StartCalculationExecution",
            {"sessionId": session, "description": "Calculation started via Jupyter notebook"},
            {"calculationExecutionId": "82c1ebb4-bd08-e4c3-5631-a662fb2ff2c5", "state": "CREATING"},
            time="09:01:00",
        ),
        athena(
            "UpdateNotebook", {"notebookId": notebook, "type": "IPYNB", "sessionId": session}, time="09:02:00"
        ),
        athena("TerminateSession", {"sessionId": session}, {"state": "TERMINATING"}, time="09:03:00"),
    ]


def test_spark_sessions_and_notebooks_are_linked_to_their_workgroup(tmp_path: Path) -> None:
    records = spark_records()
    for n, files in enumerate(([records], [records[::-1]], [[r] for r in records[::-1]])):
        result = scan(tmp_path / str(n), files)
        assert granted(result) == {
            (f"athena:{name}", SPARK_WORKGROUP)
            for name in (
                "StartSession",
                "ImportNotebook",
                "StartCalculationExecution",
                "UpdateNotebook",
                "TerminateSession",
            )
        }
        assert undetermined(result) == []


def test_a_calculation_is_linked_through_its_session_in_any_order(tmp_path: Path) -> None:
    """StartCalculationExecution is itself named by its session's id; the id it returns is bound once that
    session is linked, wherever the start of the session lies, so the calculation's reads are granted on
    the workgroup too."""
    calculation = "82c1ebb4-bd08-e4c3-5631-a662fb2ff2c5"
    reads = [
        athena(name, {"calculationExecutionId": calculation}, time="09:04:00")
        for name in ("GetCalculationExecution", "GetCalculationExecutionStatus", "StopCalculationExecution")
    ]
    records = [*spark_records(), *reads]
    orders = (records, records[::-1], records[5:] + records[:5], records[2:3] + records[5:] + records[:2])
    for n, order in enumerate(orders):
        for split in (1, 3, len(order)):
            files = [order[i : i + split] for i in range(0, len(order), split)]
            result = scan(tmp_path / f"{n}-{split}", files)
            granted_reads = {
                (a, r) for a, r in granted(result) if "Calculation" in a and a.startswith("athena:G")
            }
            assert granted_reads == {
                ("athena:GetCalculationExecution", SPARK_WORKGROUP),
                ("athena:GetCalculationExecutionStatus", SPARK_WORKGROUP),
            }
            assert ("athena:StopCalculationExecution", SPARK_WORKGROUP) in granted(result)
            assert undetermined(result) == []


def test_calculations_in_other_workers_are_linked_when_merged(tmp_path: Path) -> None:
    """40 files in two worker processes: each calculation's read first, its start in the middle, the
    sessions' starts in the last file."""
    files: list[list[dict[str, Any]]] = []
    starts: list[dict[str, Any]] = []
    for n in range(20):
        session, calculation = f"s-{n:03d}", f"c-{n:03d}"
        files.append(
            [athena("GetCalculationExecution", {"calculationExecutionId": calculation}, time="09:05:00")]
        )
        files.append(
            [
                athena(
                    "StartCalculationExecution",
                    {"sessionId": session},
                    {"calculationExecutionId": calculation, "state": "CREATING"},
                    time="09:01:00",
                )
            ]
        )
        starts.append(athena("StartSession", {"workGroup": "notebook-workgroup"}, {"sessionId": session}))
    files.append(starts)
    result = scan(tmp_path, files, workers=2)
    assert granted(result) == {
        ("athena:StartSession", SPARK_WORKGROUP),
        ("athena:StartCalculationExecution", SPARK_WORKGROUP),
        ("athena:GetCalculationExecution", SPARK_WORKGROUP),
    }
    assert undetermined(result) == []
    assert not result.links.waiting


def test_a_calculation_whose_session_was_not_scanned_keeps_star(tmp_path: Path) -> None:
    start, read = (
        spark_records()[2],
        athena("GetCalculationExecution", {"calculationExecutionId": "82c1ebb4-bd08-e4c3-5631-a662fb2ff2c5"}),
    )
    result = scan(tmp_path, [[start, read]])
    assert granted(result) == {
        ("athena:StartCalculationExecution", "*"),
        ("athena:GetCalculationExecution", "*"),
    }
    assert len(undetermined(result)) == 2


def test_a_session_started_elsewhere_keeps_star_and_the_finding(tmp_path: Path) -> None:
    result = scan(tmp_path, [[spark_records()[-1]]])
    assert granted(result) == {("athena:TerminateSession", "*")}
    assert len(undetermined(result)) == 1


def test_a_refused_start_binds_nothing(tmp_path: Path) -> None:
    refused = start()
    refused["errorCode"] = "AccessDenied"
    refused["responseElements"] = {"queryExecutionId": QUERY}  # even if a record carried one
    result = scan(tmp_path, [[refused, *reads()]])
    assert ("athena:GetQueryResults", "*") in granted(result)


def test_the_order_and_split_of_the_records_do_not_change_the_result(tmp_path: Path) -> None:
    records = [start("q-1", "etl"), *reads("q-1"), start("q-2", "adhoc"), *reads("q-2"), *reads("q-3")]
    expected = None
    for n, order in enumerate((records, records[::-1], records[3:] + records[:3])):
        for split in (1, 2, len(order)):
            files = [order[i : i + split] for i in range(0, len(order), split)]
            result = scan(tmp_path / f"{n}-{split}", files)
            table = {k: v.count for k, v in result.summary.principal(ROLE).allowed.items()}
            seen = (table, sorted(undetermined(result)))
            expected = expected or seen
            assert seen == expected


def test_memory_for_ids_is_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two generations of ids are kept: the newest; a read of a long-forgotten query keeps ``*``."""
    monkeypatch.setattr(links, "BOUND_PER_GENERATION", 4)
    starts = [start(f"q-{n}", "etl", time=f"09:00:{n:02d}") for n in range(20)]
    result = scan(tmp_path, [[*starts, *reads("q-19", "09:10:00"), *reads("q-0", "09:10:00")]])
    assert len(result.links.newer) + len(result.links.older) <= 8
    assert ("athena:GetQueryResults", WORKGROUP) in granted(result)  # q-19, recent
    assert ("athena:GetQueryResults", "*") in granted(result)  # q-0, forgotten


def test_too_many_waiting_reads_are_settled_early(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(links, "MAX_WAITING", 3)
    waiting: list[int] = []
    settle = links.Links.settle

    def watched(self: links.Links, final: bool) -> Any:
        waiting.append(len(self.waiting))
        return settle(self, final)

    monkeypatch.setattr(links.Links, "settle", watched)
    result = scan(tmp_path, [[r for n in range(10) for r in reads(f"q-{n}")]])
    assert max(waiting) <= 4  # settled as soon as more than 3 waited, not at the end only
    assert result.summary.principal(ROLE).allowed[("athena:GetQueryResults", "*")].count == 10
    assert not result.links.waiting


def test_values_that_are_no_ids_are_neither_kept_nor_followed(tmp_path: Path) -> None:
    """An id is 1 to 128 characters (Athena API Reference): a longer one is not kept (a hostile trail
    cannot fill memory with them), and a read naming one keeps * with its finding."""
    huge = "q" * 10_000
    result = scan(tmp_path, [[start(huge), *reads(huge)]])
    assert not result.links.newer and not result.links.older
    assert ("athena:GetQueryResults", "*") in granted(result)
    odd = athena("BatchGetQueryExecution", {"queryExecutionIds": [QUERY, {"id": QUERY}]}, time="09:01:00")
    result = scan(
        tmp_path / "odd",
        [[start(), odd, athena("BatchGetQueryExecution", {"queryExecutionIds": [QUERY, QUERY]})]],
    )
    assert {r for a, r in granted(result) if a == "athena:BatchGetQueryExecution"} == {"*", WORKGROUP}


def test_without_resource_level_nothing_waits(tmp_path: Path) -> None:
    """--no-resource-level grants every action on *: a read has nothing to name, so it does not wait."""
    from policygen_operator.domain.cloudtrail.scan import Scanner
    from policygen_operator.domain.iam.mapping import EventMapper

    path = write_gz(tmp_path / "f.json.gz", [*reads("q-1"), start("q-1")])
    scanner = Scanner(SPEC, EventMapper(resource_level=False))
    scanner.scan_path(str(path))
    assert not scanner.result.links.waiting
    assert granted(scanner.take_result(final=True)) == {
        ("athena:GetQueryExecution", "*"),
        ("athena:GetQueryResults", "*"),
        ("athena:StartQueryExecution", "*"),
    }


@pytest.mark.parametrize("compact", [True, False], ids=["compact-delivery-file", "spaced-json"])
def test_a_start_just_before_the_window_still_names_the_reads_in_it(tmp_path: Path, compact: bool) -> None:
    """The query started before the window's first second, its results read inside: the start is neither
    counted nor granted, but the id it returned names the reads' workgroup (on both parsing paths)."""
    late = Window(datetime(2026, 11, 24, 9, 0, 1, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    records = [start(time="09:00:00"), *reads(time="09:00:05")]
    path = tmp_path / "f.json"
    path.write_bytes(delivery(records) if compact else spaced(records))
    result = run_scan(ScanSpec((parse_principal(ROLE),), late), [(path.name, str(path))], workers=1)
    assert granted(result) == {("athena:GetQueryExecution", WORKGROUP), ("athena:GetQueryResults", WORKGROUP)}
    assert result.records_outside_window == 1 and result.summary.events_matched == 2


def logs_call(
    name: str, params: dict[str, Any], response: Any = None, time: str = "09:00:00"
) -> dict[str, Any]:
    record = athena_call(name, params, time, response)
    return {**record, "eventSource": "logs.amazonaws.com"}


def test_logs_insights_results_are_granted_on_the_log_groups_the_query_ran_on(tmp_path: Path) -> None:
    """CloudWatch Logs Insights: StartQuery returns a ``queryId``; GetQueryResults names only it, and the
    reference requires the log groups for it (before: ``*`` with a finding)."""
    groups = ["/aws/lambda/orders", "/aws/lambda/billing"]
    query = "12ab3456-12ab-123a-789e-1234567890ab"
    started = logs_call(
        "StartQuery",
        {"logGroupNames": groups, "startTime": 1, "endTime": 2, "queryString": "fields @message"},
        {"queryId": query},
    )
    results = logs_call("GetQueryResults", {"queryId": query}, time="09:00:03")
    result = scan(tmp_path, [[results], [started]])
    # each log group in both of its spellings (tests/unit/domain/iam/test_log_group_spellings.py)
    arns = {
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}{suffix}"
        for group in groups
        for suffix in ("", ":*")
    }
    assert granted(result) == {
        (action, arn) for action in ("logs:StartQuery", "logs:GetQueryResults") for arn in arns
    }
    assert undetermined(result) == []


def efs_call(
    name: str, params: dict[str, Any], response: Any = None, time: str = "09:00:00"
) -> dict[str, Any]:
    """An EFS call, the request and response as cloud-custodian's captured events have them
    (tests/data/cwe/event-cloud-trail-create-efs-mount-target.json and ...-update-efs-mount-target-security-
    group.json, https://github.com/cloud-custodian/cloud-custodian, Apache-2.0)."""
    record = athena_call(name, params, time, response)
    return {**record, "eventSource": "elasticfilesystem.amazonaws.com"}


def test_efs_mount_target_calls_are_granted_on_the_file_system_the_target_was_created_in(
    tmp_path: Path,
) -> None:
    """ModifyMountTargetSecurityGroups, DescribeMountTargetSecurityGroups, DeleteMountTarget and
    DescribeMountTargets by ``MountTargetId`` are authorized "on the mount target's file system" (EFS API
    reference) but name only the mount target: granted on ``*`` with a finding. CreateMountTarget names the
    file system and returns the mount target's id, which now names them, in whatever file either lies; a
    mount target created elsewhere keeps ``*`` and says why."""
    target = "fsmt-0fcbb40c868d404e8"
    created = efs_call(
        "CreateMountTarget",
        {"fileSystemId": "fs-017557a9f00b1bec9", "subnetId": "subnet-efbcccb7",
         "securityGroups": ["sg-0616b55f1f99947fd"]},
        {"ownerId": ACCOUNT, "mountTargetId": target, "fileSystemId": "fs-017557a9f00b1bec9",
         "subnetId": "subnet-efbcccb7", "lifeCycleState": "creating", "ipAddress": "172.31.29.132",
         "networkInterfaceId": "eni-0f028fdc238330d73", "vpcId": "vpc-d2d616b5"},
    )  # fmt: skip
    follow_ups = [
        efs_call(
            "ModifyMountTargetSecurityGroups", {"mountTargetId": target, "securityGroups": ["sg-6c7fa917"]}
        ),
        efs_call("DescribeMountTargetSecurityGroups", {"mountTargetId": target}),
        efs_call("DescribeMountTargets", {"mountTargetId": target}),
        efs_call("DeleteMountTarget", {"mountTargetId": target}, time="09:10:00"),
    ]
    elsewhere = efs_call("DescribeMountTargetSecurityGroups", {"mountTargetId": "fsmt-07e238762319765b9"})
    result = scan(tmp_path, [follow_ups, [created, elsewhere]])
    system = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-017557a9f00b1bec9"
    assert granted(result) == {
        *((f"elasticfilesystem:{r['eventName']}", system) for r in [created, *follow_ups]),
        ("elasticfilesystem:DescribeMountTargetSecurityGroups", "*"),
    }
    assert undetermined(result) == [
        "elasticfilesystem.amazonaws.com:DescribeMountTargetSecurityGroups: "
        "elasticfilesystem:DescribeMountTargetSecurityGroups on * (the request names the EFS mount target "
        "only by its id, and the call that returned the id was not among the records scanned: started by "
        "another principal or outside the window)"
    ]


@pytest.mark.parametrize("started", ["08:59:59", "09:00:02"], ids=["before-the-window", "in-the-window"])
def test_a_start_in_a_region_left_out_names_no_follow_up(tmp_path: Path, started: str) -> None:
    """--region keeps the records of the Regions asked. Athena's query ids are of one Region (a query is
    run, and its execution read, through one Region's endpoint), so a read recorded in us-east-1 cannot
    name a query started in eu-west-1: bound, that start would give the read eu-west-1's workgroup, an
    ARN the call could not have used. A start left out in the window bound nothing already (it passes on
    the parent); one just before the window, whose id the scan binds so that reads in the window are
    named (``_bind_outside``), bound its id whatever its Region, and now does not either."""
    late = Window(datetime(2026, 11, 24, 9, 0, 1, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    dublin = start(time=started) | {"awsRegion": "eu-west-1"}
    read = reads(time="09:00:05")[0] | {
        "errorCode": "InvalidRequestException",
        "errorMessage": f"QueryExecution {QUERY} was not found",
    }
    path = write_gz(tmp_path / "f.json.gz", [dublin, read])
    spec = ScanSpec((parse_principal(ROLE),), late, regions=frozenset({"us-east-1"}))
    result = run_scan(spec, [(path.name, str(path))], workers=1)
    assert granted(result) == {("athena:GetQueryExecution", "*")}


@pytest.mark.parametrize("reads_first", [False, True], ids=["starts-first", "reads-first"])
def test_the_same_id_returned_in_two_regions_names_each_regions_own(
    tmp_path: Path, reads_first: bool
) -> None:
    """An id is one Region's of one account's (a query is started, and its execution read, through one
    Region's endpoint), but ids were bound by kind and string alone: two Regions (or accounts) that returned
    the same string bound it in turn, the last binding won, and a read in eu-west-1 was granted us-east-1's
    workgroup, an ARN the call could not have used (and its own workgroup left out: refused). Ids are now
    bound and followed under the record's recipientAccountId and awsRegion."""
    other = "444455556666"
    dublin = start(workgroup="adhoc") | {"awsRegion": "eu-west-1"}
    virginia = start(workgroup="etl")
    elsewhere = start(workgroup="shared") | {"recipientAccountId": other}
    dublin_read = reads()[1] | {"awsRegion": "eu-west-1"}
    virginia_read = reads()[1]
    starts, follow_ups = [dublin, elsewhere, virginia], [dublin_read, virginia_read]
    result = scan(tmp_path, [follow_ups, starts] if reads_first else [starts, follow_ups])
    assert {r for a, r in granted(result) if a == "athena:GetQueryResults"} == {
        f"arn:aws:athena:eu-west-1:{ACCOUNT}:workgroup/adhoc",
        WORKGROUP,  # us-east-1's etl
    }
    assert undetermined(result) == []
