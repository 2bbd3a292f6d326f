"""Local listing (pruning by window, account and region) and the parallel engine."""

from __future__ import annotations

import gc
import gzip
import json
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain import engine
from policygen_operator.domain.cloudtrail import native
from policygen_operator.domain.cloudtrail.local import Listing, local_files
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.engine import SCAN_COLLECTION_THRESHOLDS, ScanCancelled, run_scan
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    ROLE,
    FakeMapper,
    fake_mapper,
    record,
    role_identity,
    write_gz,
)

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


def delivery_file(
    root: Path,
    region: str,
    stamp: str,
    *,
    account: str = ACCOUNT,
    org: str | None = None,
    time: str = "2026-11-24T09:00:00Z",
    name: str = "GetObject",
) -> Path:
    day = f"{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}"
    base = root / "AWSLogs" / (f"{org}/" if org else "") / account / "CloudTrail" / region / day
    return write_gz(
        base / f"{account}_CloudTrail_{region}_{stamp}_AbCdEfGh12345678.json.gz",
        [record(role_identity(account=account), name, time=time)],
    )


def names(root: Path, listing: Listing, **filters: tuple[str, ...]) -> list[str]:
    return [Path(p).name for _, p in local_files(str(root), WINDOW, listing, **filters)]


def test_files_outside_the_window_are_not_opened(tmp_path: Path) -> None:
    inside = delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    late = delivery_file(tmp_path, "us-east-1", "20261125T0030Z")  # may hold the window's last calls
    delivery_file(tmp_path, "us-east-1", "20261123T2355Z")  # written before the window: pruned by name
    delivery_file(tmp_path, "us-east-1", "20261125T0300Z")  # written after end + lag
    delivery_file(tmp_path, "us-east-1", "20261120T0905Z")  # a day folder outside: never entered
    flat = write_gz(tmp_path / "flat" / f"{ACCOUNT}_CloudTrail_us-east-1_20261101T0000Z_X1.json.gz", [])
    export = write_gz(tmp_path / "export.json.gz", [])
    (tmp_path / "README.md").write_text("not a log")
    (tmp_path / "AWSLogs" / "digest.txt").write_text("x")
    listing = Listing()
    found = names(tmp_path, listing)
    assert sorted(found) == sorted([inside.name, late.name, export.name])
    assert flat.name not in found
    assert listing.outside_window == 2  # the flat file and 03:00; the folders of the 20th and 23rd are pruned
    assert listing.not_logs == 2


def test_account_and_region_filters_prune_folders(tmp_path: Path) -> None:
    keep = delivery_file(tmp_path, "eu-west-1", "20261124T0905Z", org="o-aa11bb22cc")
    delivery_file(tmp_path, "us-east-1", "20261124T0905Z", org="o-aa11bb22cc")
    delivery_file(tmp_path, "eu-west-1", "20261124T0905Z", account="444455556666", org="o-aa11bb22cc")
    listing = Listing()
    assert names(tmp_path, listing, accounts=(ACCOUNT,), regions=("eu-west-1",)) == [keep.name]


def test_a_single_file_is_always_read(tmp_path: Path) -> None:
    old = delivery_file(tmp_path, "us-east-1", "20200101T0000Z")
    assert [p for _, p in local_files(str(old), WINDOW, Listing())] == [str(old)]


def test_worker_processes_give_the_same_result_as_one_process(tmp_path: Path) -> None:
    for minute in range(40):
        delivery_file(
            tmp_path,
            "us-east-1",
            f"20261124T10{minute:02d}Z",
            time=f"2026-11-24T10:{minute:02d}:00Z",
            name=f"Call{minute % 5}",
        )
    (tmp_path / "broken.json").write_bytes(b"\x00\x01")
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    items = lambda: list(local_files(str(tmp_path), WINDOW, Listing()))  # noqa: E731
    here = run_scan(spec, items(), workers=1, mapper=FakeMapper())
    seen: list[int] = []
    pool = run_scan(spec, items(), workers=2, progress=lambda result, files: seen.append(files))
    assert pool.summary.to_dict() == here.summary.to_dict()
    assert pool.summary.events_matched == 40
    assert pool.summary.files_scanned == 40
    assert list(pool.summary.skipped_files) == [str(tmp_path / "broken.json")]
    assert seen and seen[-1] == 41


@pytest.mark.skipif(not native.available(), reason="the native extension is not built here (make install)")
def test_forked_workers_start_from_the_scanner_of_the_first_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent scans the first batch before it forks the workers, which start from that scanner
    (``engine._warmed``): a call the first batch mapped is counted by their native reader, never read in
    Python again; workers that started empty each read it once."""
    logs, reads = tmp_path / "logs", tmp_path / "reads"
    for minute in range(40):
        delivery_file(logs, "us-east-1", f"20261124T10{minute:02d}Z", time=f"2026-11-24T10:{minute:02d}:00Z")
    original = Scanner._scan_dict

    def counted(self: Scanner, name: str, where: str, record: dict[str, Any]) -> None:
        with reads.open("a") as log:  # every process of the scan writes here
            log.write(f"{os.getpid()}\n")
        original(self, name, where, record)

    monkeypatch.setattr(Scanner, "_scan_dict", counted)
    spec = ScanSpec((parse_principal(ROLE),), WINDOW)
    result = run_scan(spec, local_files(str(logs), WINDOW, Listing()), workers=2)
    assert result.summary.events_matched == 40 and result.summary.files_scanned == 40
    assert result.summary.principals[ROLE].allowed  # the call is mapped (S3 GetObject)
    assert reads.read_text().split() == [str(os.getpid())]  # the first record, read here; none by a worker


def test_cancel_stops_between_files(tmp_path: Path) -> None:
    for minute in range(5):
        delivery_file(tmp_path, "us-east-1", f"20261124T10{minute:02d}Z")
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    stop = threading.Event()
    stop.set()
    with pytest.raises(ScanCancelled):
        run_scan(
            spec,
            local_files(str(tmp_path), WINDOW, Listing()),
            workers=1,
            cancelled=stop.is_set,
            mapper=FakeMapper(),
        )


def test_with_other_threads_running_workers_come_from_a_fork_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3 downloads and the operator run threads, so forking is avoided; bytes items travel to workers."""
    from policygen_operator.domain import engine

    chosen: list[str] = []
    real_context = engine._context
    monkeypatch.setattr(
        engine,
        "_context",
        lambda spec: chosen.append(real_context(spec).get_start_method()) or real_context(spec),
    )
    paths = [
        delivery_file(tmp_path, "us-east-1", f"20261124T{10 + minute // 60}{minute % 60:02d}Z", name="Busy")
        for minute in range(40)
    ]
    items = [(path.name, path.read_bytes()) for path in paths]
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        result = run_scan(spec, items, workers=2)
    finally:
        stop.set()
        thread.join()
    assert chosen == ["forkserver"]
    assert result.summary.events_matched == 40
    assert result.summary.principals[ROLE].allowed[("s3:Busy", "*")].count == 40


def test_workers_from_a_fork_server_start_with_the_reference_loaded() -> None:
    """The fork server loads the workers' modules, the default mapper and the reference data once
    (``engine.FORK_SERVER_PRELOAD``): each worker of each of the operator's scans loaded them for itself
    (~0.17 CPU s apiece). A worker that starts with them got them from the fork server."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # the preload list is read when a fork server starts
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        context = engine._context(ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper))
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            size, misses, mapper_built = pool.submit(_loaded_in_worker).result()
    finally:
        stop.set()
        thread.join()
    assert context.get_start_method() == "forkserver"
    assert (size, misses) == (1, 1)  # loaded before the worker was forked, not by it
    assert mapper_built


def _loaded_in_worker() -> tuple[int, int, bool]:
    """In a worker, before it scans: what its reference cache holds, how often it was loaded, and whether
    the default mapper is built."""
    from policygen_operator.domain.cloudtrail import scan
    from policygen_operator.domain.iam.reference import load_reference

    info = load_reference.cache_info()
    return info.currsize, info.misses, scan.default_mapper in scan._MAPPERS


@pytest.mark.parametrize("given", ["folder", "the pipe itself"])
def test_a_named_pipe_among_the_logs_is_skipped_by_name_not_read(tmp_path: Path, given: str) -> None:
    """Opening a FIFO blocks until something writes to it: the scan hung for ever on one in the folder."""
    import os

    good = delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    pipe = good.parent / f"{ACCOUNT}_CloudTrail_us-east-1_20261124T0910Z_pipe.json.gz"
    os.mkfifo(pipe)
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    root = str(tmp_path) if given == "folder" else str(pipe)
    results: list[Any] = []
    worker = threading.Thread(
        target=lambda: results.append(
            run_scan(spec, local_files(root, WINDOW, Listing()), workers=1, mapper=FakeMapper())
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():
        with open(pipe, "wb"):  # let the blocked reader go, so that the thread ends
            pass
        worker.join(timeout=20)
        pytest.fail("the scan blocked reading a named pipe")
    summary = results[0].summary
    assert summary.skipped_files == {str(pipe): "not a regular file (a named pipe)"}
    assert summary.events_matched == (1 if given == "folder" else 0)


def test_insights_files_are_not_read(tmp_path: Path) -> None:
    """``aws s3 sync`` of a trail's bucket brings its CloudTrail-Insight folder (Insights events, no call)."""
    calls = delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    folder = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Insight" / "us-east-1" / "2026" / "11" / "24"
    write_gz(folder / f"{ACCOUNT}_CloudTrail-Insight_us-east-1_20261124T0905Z_AbCdEfGh12345678.json.gz", [])
    write_gz(tmp_path / "loose" / f"{ACCOUNT}_CloudTrail-Insight_us-east-1_20261124T0905Z_X1.json.gz", [])
    listing = Listing()
    assert names(tmp_path, listing) == [calls.name]
    assert listing.insights == 1  # the loose file; the folder is not entered
    assert listing.to_dict()["insightsFiles"] == 1


def firehose_event(detail: dict[str, Any]) -> bytes:
    """A CloudTrail record as an EventBridge rule hands it to Firehose: the record is the event's ``detail``
    (EventBridge User Guide, "AWS service events delivered via AWS CloudTrail"; the envelope as
    cloud-custodian's tests/data/cwe/event-cloud-trail-s3.json, captured from EventBridge, has it)."""
    event = {
        "version": "0",
        "id": "36eb8523-97d0-4518-b33d-ee3579ff19f0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": "2026-11-24T09:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }
    return json.dumps(event).encode()


def test_files_of_other_names_are_read_when_they_begin_as_logs(tmp_path: Path) -> None:
    """Kinesis Data Firehose names its S3 objects ``STREAM-VERSION-YYYY-MM-DD-HH-MM-SS-UUID`` under
    ``YYYY/MM/dd/HH/``, with no extension unless it compresses them (Firehose Developer Guide, "Amazon S3
    object name format"), so a synced copy of a Firehose archive was passed over whole (``notLogFiles``), as
    was JSON Lines named ``*.log``. A file of another name is now read when its first bytes are a form the
    scan reads; the marker CloudWatch Logs writes beside an export (``aws-logs-write-test``, "Permission Check
    Successful": getmoto/moto, moto/logs/models.py, create_export_task), text logs and READMEs still are
    not."""
    hour = tmp_path / "2026" / "11" / "24" / "09"
    hour.mkdir(parents=True)
    events = firehose_event(record(role_identity(), "GetObject")) * 2  # back to back, no delimiter
    plain = hour / "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    plain.write_bytes(events)
    zipped = hour / "ct-archive-2-2026-11-24-09-20-17-1a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d.bin"
    zipped.write_bytes(gzip.compress(events))
    lines = tmp_path / "create-user-json.log"
    lines.write_bytes(b"\xef\xbb\xbf" + json.dumps(record(role_identity(), "GetObject")).encode() + b"\n")
    export = tmp_path / "exports" / "a1b2c3d4-task" / "stream"
    export.mkdir(parents=True)
    (export / "000001").write_bytes(
        b"2026-11-24T09:00:00.000Z " + json.dumps(record(role_identity(), "X")).encode()
    )
    (tmp_path / "exports" / "aws-logs-write-test").write_text("Permission Check Successful")
    (tmp_path / "exports" / "lambda-000000").write_text("2026-11-24T09:00:00.000Z START RequestId: 1\n")
    (tmp_path / "app.log").write_text("[INFO] started\n")
    (tmp_path / "README").write_text("{ this is no JSON\n")
    (tmp_path / "archive.tgz").write_bytes(gzip.compress(b"ustar\0" + b"\0" * 600))
    (tmp_path / "empty").write_bytes(b"")
    os.mkfifo(tmp_path / "pipe")  # never opened: it would block
    listing = Listing()
    found = names(tmp_path, listing)
    assert sorted(found) == sorted([plain.name, zipped.name, lines.name, "000001"])
    assert listing.not_logs == 7
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    result = run_scan(spec, local_files(str(tmp_path), WINDOW, Listing()), workers=1, mapper=FakeMapper())
    assert result.summary.events_matched == 6 and not result.summary.skipped_files
    assert result.summary.files_scanned == 4


def test_time_folders_of_an_archive_outside_the_window_are_not_entered(tmp_path: Path) -> None:
    """A synced Firehose archive is laid out by the UTC hour records arrived (``YYYY/MM/dd/HH/``, Firehose
    Developer Guide, "Amazon S3 object name format"), or by a custom prefix such as ``year=/month=/day=/``
    (its "Custom prefixes" examples): a year, month, day or hour folder that cannot hold a record of the
    window is passed over like the delivery layout's day folders."""
    event = firehose_event(record(role_identity(), "GetObject"))
    kept = []
    for folder, inside in (
        ("2026/11/24/09", True),
        ("2026/11/23/23", True),  # an hour before the start: records that arrived late
        ("2026/11/23/12", False),
        ("2026/10/31/23", False),
        ("2025/11/24/09", False),
        ("hive/year=2026/month=11/day=24/hour=10", True),
        ("hive/year=2026/month=11/day=26/hour=10", False),
        ("random/5abf82daaa5", True),  # no time folder: entered
    ):
        path = tmp_path / folder / "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d"
        path.parent.mkdir(parents=True)
        path.write_bytes(event)
        if inside:
            kept.append(str(path))
    found = [p for _, p in local_files(str(tmp_path), WINDOW, Listing())]
    assert sorted(found) == sorted(kept)


def test_cloudtrail_lake_results_saved_beside_the_trail_are_not_entered(tmp_path: Path) -> None:
    """CloudTrail Lake saves query results to AWSLogs/ACCOUNT/CloudTrail-Lake/Query/YYYY/MM/DD/QUERY-ID/ as
    result_N.csv.gz with a result_sign.json (CloudTrail User Guide, "CloudTrail sign file structure", whose
    sample this sign file is, shortened): CSV of the query's columns, no records. A synced trail bucket with
    them had each skipped ('not JSON', and a sign file as a JSON object of no form read), failing --strict."""
    kept = delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    query = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Lake" / "Query" / "2026" / "11" / "24" / "0b5a2f-q1"
    query.mkdir(parents=True)
    (query / "result_1.csv.gz").write_bytes(gzip.compress(b"eventname,eventtime\nGetObject,2026-11-24\n"))
    sign = {"version": "1.0", "region": "us-east-1", "hashAlgorithm": "SHA-256",
            "files": [{"fileHashValue": "de85a48b8a36", "fileName": "result_1.csv.gz"}]}  # fmt: skip
    (query / "result_sign.json").write_text(json.dumps(sign))
    assert names(tmp_path, Listing()) == [kept.name]


OTHER_ACCOUNT = "444455556666"


def test_records_of_other_accounts_and_regions_are_passed_over_in_any_layout(tmp_path: Path) -> None:
    """--account / --region are about records, not folders: a Firehose archive (one object of events from
    several Regions) or a flat folder of several trails' files pruned nothing, and every record of an
    excluded Region went into the policy. A record's Region is ``awsRegion``, the account whose trail
    received it ``recipientAccountId`` (CloudTrail User Guide, "CloudTrail record contents"); the role's
    call on another account's resource is logged by that account's trail with its own id there."""
    calls = [
        record(role_identity(), "GetObject", recipientAccountId=ACCOUNT),
        record(role_identity(), "PutObject", recipientAccountId=ACCOUNT, awsRegion="eu-west-1"),
        record(role_identity(), "DeleteObject", recipientAccountId=OTHER_ACCOUNT),
        record(role_identity(), "ListBucket"),  # no recipientAccountId: nothing says it is another's
    ]
    hour = tmp_path / "2026" / "11" / "24" / "09"
    hour.mkdir(parents=True)
    (hour / "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d").write_bytes(b"".join(map(firehose_event, calls)))
    write_gz(tmp_path / "flat" / "copied.json.gz", calls)

    def actions(**filters: frozenset[str]) -> tuple[list[str], int]:
        spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper, **filters)
        result = run_scan(spec, local_files(str(tmp_path), WINDOW, Listing()), workers=1, mapper=FakeMapper())
        usage = result.summary.principals[ROLE].allowed
        return sorted({action for action, _ in usage}), result.records_filtered_out

    everything = ["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    assert actions() == (everything, 0)
    assert actions(regions=frozenset({"us-east-1"})) == (
        ["s3:DeleteObject", "s3:GetObject", "s3:ListBucket"],
        2,
    )
    assert actions(accounts=frozenset({ACCOUNT})) == (["s3:GetObject", "s3:ListBucket", "s3:PutObject"], 2)
    both = actions(accounts=frozenset({ACCOUNT}), regions=frozenset({"us-east-1"}))
    assert both == (["s3:GetObject", "s3:ListBucket"], 4)


def test_partition_folders_of_other_accounts_and_regions_are_not_entered(tmp_path: Path) -> None:
    """Folders that name their records' account and Region Hive style (a Firehose dynamic partitioning
    prefix such as ``region=!{partitionKeyFromQuery:region}/``, Security Lake's ``region=/accountId=/``)
    are pruned as the delivery layout's account and region folders are; other folders are entered."""
    event = firehose_event(record(role_identity(), "GetObject"))
    kept = []
    for folder, inside in (
        (f"lake/region=us-east-1/accountId={ACCOUNT}", True),
        (f"lake/region=eu-west-1/accountId={ACCOUNT}", False),
        (f"lake/region=us-east-1/accountId={OTHER_ACCOUNT}", False),
        (f"routed/awsRegion=us-east-1/recipientAccountId={ACCOUNT}", True),
        (f"routed/AWSREGION=ap-south-1/recipientAccountId={ACCOUNT}", False),
        ("regional/us-west-2", True),  # not a partition folder: entered, its records filtered one by one
    ):
        path = tmp_path / folder / "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d"
        path.parent.mkdir(parents=True)
        path.write_bytes(event)
        if inside:
            kept.append(str(path))
    found = [p for _, p in local_files(str(tmp_path), WINDOW, Listing(), (ACCOUNT,), ("us-east-1",))]
    assert sorted(found) == sorted(kept)
    everything = [p for _, p in local_files(str(tmp_path), WINDOW, Listing())]
    assert len(everything) == 6


def test_a_folder_named_like_a_year_is_entered(tmp_path: Path) -> None:
    """A synced copy of a trail bucket whose name is digits (``aws s3 sync s3://2020 2020/``; bucket names
    may be) was passed over whole for a window of 2026: its folder looked like the year 2020. A year folder
    is now trusted with its month below it; a Firehose archive's months outside the window, and its Hive
    date partitions (``dt=YYYY-MM-dd/``), are never entered."""
    copy = delivery_file(tmp_path / "2020", "us-east-1", "20261124T0905Z")
    event = firehose_event(record(role_identity(), "GetObject"))
    for folder in ("2025/11/24/09", "2026/11/24/09", "exports/2026-11-24", "exports/dt=2026-11-20"):
        path = tmp_path / folder / "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d"
        path.parent.mkdir(parents=True)
        path.write_bytes(event)
    found = sorted(os.path.relpath(p, tmp_path) for _, p in local_files(str(tmp_path), WINDOW, Listing()))
    archive = "ct-archive-1-2026-11-24-09-05-17-0a1b2c3d"
    assert found == sorted(
        [
            os.path.relpath(copy, tmp_path),
            f"2026/11/24/09/{archive}",
            f"exports/2026-11-24/{archive}",
        ]
    )


def test_folders_passed_over_are_counted_by_reason(tmp_path: Path) -> None:
    """The report counted files passed over but not folders, so a run that pruned most of a tree (a day
    folder outside the window, another account's folder, saved Lake results) did not say so."""
    delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    delivery_file(tmp_path, "us-east-1", "20261120T0905Z")  # the 20th's day folder: outside the window
    delivery_file(tmp_path, "us-east-1", "20261124T0905Z", account=OTHER_ACCOUNT)  # another account
    delivery_file(tmp_path, "eu-west-1", "20261124T0905Z")  # another region
    (tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail-Lake" / "Query").mkdir(parents=True)
    listing = Listing()
    assert len(names(tmp_path, listing, accounts=(ACCOUNT,), regions=("us-east-1",))) == 1
    assert listing.folders() == {
        "outsideWindow": 1,
        "excludedByAccountOrRegion": 2,
        "noCalls": 1,
        "otherServices": 0,
        "besideTrail": 0,
    }


def test_other_services_files_and_folders_are_passed_over_by_name(tmp_path: Path) -> None:
    """A log bucket (or a copy of one) holds, beside a trail, what other services deliver to it. Objects
    without an extension were opened to look at their first bytes and counted as ``notLogFiles``, and
    ``.gz`` ones (CloudFront's, a load balancer's, Cost and Usage Reports' ``.csv.gz``) were read whole and
    skipped as unreadable. They are now passed over by name, counted by kind, and another service's folder
    below an account's ``AWSLogs/`` is not entered. Names as each service documents them:
    S3 server access logs, simple and date-partitioned (Amazon S3 User Guide, "Logging requests with server
    access logging", "Log object key format"); CloudFront (CloudFront Developer Guide, "Configuring and using
    standard logs", "File name format": EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz); Athena (Athena User
    Guide, "Identifying query output files"); Elastic Load Balancing ("Access logs for your Application Load
    Balancer", access log file name); VPC Flow Logs ("Publish flow logs to Amazon S3", Hive-compatible
    prefixes)."""
    delivery_file(tmp_path, "us-east-1", "20261124T0905Z")
    access = "access log line: 79a59df900b949e55d96a1e698fbaced bucket [24/Nov/2026:09:00:00 +0000] ...\n"
    query = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    flow = gzip.compress(b"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA")
    files = {
        "s3logs/2026-11-24-09-05-17-0123456789ABCDEF": access,
        f"s3logs-p/{ACCOUNT}/us-east-1/source-bucket/2026/11/24/2026-11-24-09-05-17-0123456789ABCDEF": access,
        "cdn/EMLARXS9EXAMPLE.2026-11-24-09.RT4KCN4SGK9.gz": gzip.compress(b"#Version: 1.0\n"),
        f"athena/Unsaved/2026/11/24/{query}.csv": '"eventname"\n"GetObject"\n',
        f"athena/Unsaved/2026/11/24/{query}.csv.metadata": b"\x0a\x08binary",
        f"athena/Unsaved/2026/11/24/{query}.txt": "table created\n",
        "cur/report/20261101-20261201/report-00001.csv.gz": gzip.compress(b"identity/LineItemId\n"),
        "cur/report/20261101-20261201/report-00001.snappy.parquet": b"PAR1" + b"\0" * 64,
        "exports/part-0000": b"PAR1" + b"\0" * 64,  # a Parquet file without an extension: its first bytes
        f"alb/AWSLogs/{ACCOUNT}/elasticloadbalancing/us-east-1/2026/11/24/"
        f"{ACCOUNT}_elasticloadbalancing_us-east-1_app.my-lb.1234567890abcdef_20261124T0905Z_"
        "192.0.2.1_2et2e1mx.log.gz": gzip.compress(b"http 2026-11-24T09:05:00Z app/my-lb ...\n"),
        f"flow/AWSLogs/aws-account-id={ACCOUNT}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/"
        f"month=11/day=24/{ACCOUNT}_vpcflowlogs_us-east-1_fl-1234abcd_20261124T0905Z_hash.log.gz": flow,
    }
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    listing = Listing()
    assert names(tmp_path, listing) == [
        f"{ACCOUNT}_CloudTrail_us-east-1_20261124T0905Z_AbCdEfGh12345678.json.gz"
    ]
    assert listing.to_dict() == {
        "outsideWindow": 0,
        "excludedByAccountOrRegion": 0,
        "digestFiles": 0,
        "insightsFiles": 0,
        "notLogFiles": 0,
        "s3AccessLogs": 2,
        "cloudFrontLogs": 1,
        "athenaResults": 3,
        "tabularFiles": 3,
    }
    assert listing.folders()["otherServices"] == 2


def test_a_trail_prefix_that_looks_like_a_time_is_entered(tmp_path: Path) -> None:
    """A trail's S3 key prefix is any name (``PREFIX/AWSLogs/...``), and one such as ``2020/05`` read as an
    archive's month: the folder was passed over for a window of 2026 before its ``AWSLogs/`` was seen, with
    the trail's records of the window in it. A time folder outside the window is now passed over only when
    the folders in it are time folders too (a Firehose archive's days); a folder of names below one is
    entered and its own time folders still pruned."""
    trail = delivery_file(tmp_path / "2020" / "05", "us-east-1", "20261124T0905Z")
    event = firehose_event(record(role_identity(), "GetObject"))
    for folder in ("2020/06/01/09", "dated/2020/05/01/iam"):
        path = tmp_path / folder / "ct-archive-1-2020-06-01-09-05-17-0a1b2c3d"
        path.parent.mkdir(parents=True)
        path.write_bytes(event)
    listing = Listing()
    found = [os.path.relpath(p, tmp_path) for _, p in local_files(str(tmp_path), WINDOW, listing)]
    assert found == [os.path.relpath(trail, tmp_path)]
    # 2020/06/ (its days below it) and dated/2020/05/01/iam/ (objects only); dated/2020/05/ and its 01/
    # were entered for the folder of a name below them
    assert listing.folders()["outsideWindow"] == 2


def _export(folder: Path, *calls: dict[str, Any]) -> Path:
    """A log group's stream exported to S3: ``000000.gz``, a line per log event, its timestamp then the
    message (``sniff.EXPORT_LINE``)."""
    lines = b"".join(f"{c['eventTime'][:-1]}.000Z {json.dumps(c)}\n".encode() for c in calls)
    folder.mkdir(parents=True)
    (folder / "000000.gz").write_bytes(gzip.compress(lines))
    return folder / "000000.gz"


def test_exported_log_streams_of_other_accounts_and_regions_are_not_entered(tmp_path: Path) -> None:
    """A trail's log group exported to S3 (CloudWatch Logs CreateExportTask: PREFIX/TASK-ID/STREAM/) has a
    folder per log stream, which CloudTrail names "account_ID_CloudTrail_source_region", "_number" after
    it when it writes several, an organization trail's after the organization first (CloudTrail User Guide,
    "CloudWatch log group and log stream naming for CloudTrail", and its role policy for organization
    trails): --account/--region listed and read every stream to pass their records over one by one."""
    task = tmp_path / "exports" / "cda45419-90ea-4db5-9833-aade86253e66"
    call = record(role_identity(), "GetObject", recipientAccountId=ACCOUNT)
    kept = [
        _export(task / f"{ACCOUNT}_CloudTrail_us-east-1", call),
        _export(task / f"{ACCOUNT}_CloudTrail_us-east-1_2", call),
        _export(task / f"o-aa11bb22cc_{ACCOUNT}_CloudTrail_us-east-1", call),
    ]
    _export(task / f"{ACCOUNT}_CloudTrail_eu-west-1", {**call, "awsRegion": "eu-west-1"})
    _export(task / f"{OTHER_ACCOUNT}_CloudTrail_us-east-1", {**call, "recipientAccountId": OTHER_ACCOUNT})
    _export(task / f"o-aa11bb22cc_{OTHER_ACCOUNT}_CloudTrail_us-east-1_3", call)
    _export(task / f"{ACCOUNT}_CloudTrail_eusc-de-east-1", {**call, "awsRegion": "eusc-de-east-1"})
    listing = Listing()
    found = [p for _, p in local_files(str(tmp_path), WINDOW, listing, (ACCOUNT,), ("us-east-1",))]
    assert sorted(found) == sorted(map(str, kept))
    assert listing.folders()["excludedByAccountOrRegion"] == 4  # the AWS European Sovereign Cloud's too
    assert len(list(local_files(str(tmp_path), WINDOW, Listing()))) == 7


def test_gz_files_of_other_names_are_read_only_when_they_begin_as_logs(tmp_path: Path) -> None:
    """``.gz`` says gzip, not CloudTrail: a text log's ``.log.gz`` (logrotate's compressed logs) was read and
    named in filesSkipped as not JSON, failing --strict, where a text log of no extension is counted in
    notLogFiles. Its head is now inflated and looked at first, as any name's that says nothing; JSON Lines
    in a ``part-00000.gz`` and a Firehose GZIP object (``...-UUID.gz``) are still read."""
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "app.log.gz").write_bytes(
        gzip.compress(b"Nov 24 09:00:00 host app[1]: started\n" * 200)
    )
    lines = write_gz(tmp_path / "spark" / "part-00000.gz", [])
    lines.write_bytes(gzip.compress(json.dumps(record(role_identity(), "GetObject")).encode() + b"\n"))
    listing = Listing()
    assert names(tmp_path, listing) == ["part-00000.gz"]
    assert listing.not_logs == 1


def test_the_collector_runs_less_often_during_a_scan_and_as_before_after_it(tmp_path: Path) -> None:
    """The operator scans in its own long-lived process: what the scan changes in CPython's collector
    (``engine.fewer_collections``) is undone when it ends, a cancelled scan too."""
    delivery_file(tmp_path, "us-east-1", "20261124T1000Z")
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=fake_mapper)
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []

    def cancelled() -> bool:
        during.append(gc.get_threshold())
        return len(during) > 1

    run_scan(spec, local_files(str(tmp_path), WINDOW, Listing()), workers=1, mapper=FakeMapper())
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with pytest.raises(ScanCancelled):
        items = [("a", str(path)) for path in tmp_path.rglob("*.json.gz")] * 2
        run_scan(spec, items, workers=1, cancelled=cancelled, mapper=FakeMapper())
    assert during[0] == SCAN_COLLECTION_THRESHOLDS != before
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_the_first_batches_are_small_and_the_later_ones_large() -> None:
    """A few dozen files still reach every worker; a long scan merges fewer, larger batch results."""
    items = [(f"f{n}", f"/logs/f{n}") for n in range(16 * 4 + 64 * 4 + 256 * 2 + 5)]
    sizes = [len(batch) for batch in engine._batches(iter(items), small=4)]
    assert sizes == [16] * 4 + [64] * 4 + [256] * 2 + [5]
    held = [(f"b{n}", b"x" * (engine.BATCH_BYTES // 3 + 1)) for n in range(7)]
    assert [len(batch) for batch in engine._batches(iter(held), small=0)] == [3, 3, 1]
