"""Local sources: a file, or a folder of delivery files, arrays and JSON Lines in any layout.

Folders are walked in sorted order (so runs are reproducible) and pruned: a day folder of the delivery
layout outside the window, or an account or region folder that the filters exclude, is never entered,
and a delivery file whose name is outside the window is never opened. A file named as logs
(``LOG_SUFFIXES``) is read; one of another name (a Firehose object has none) only when its first bytes are
a form the scan reads (``sniff``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from policygen_operator.domain.cloudtrail.scan import not_logs_file
from policygen_operator.domain.cloudtrail.window import (
    Window,
    day_of_path,
    in_trail_layout,
    is_digest,
    is_insights,
    parse_delivery_name,
    span_of_path,
)

# Names read without a look at their first bytes. A bare ``.gz`` says gzip, not what it holds (a text log's
# ``.log.gz``, a Spark or Hive ``part-00000.gz``, a load balancer's logs): such a file is sniffed as a file
# of an unknown name is, its head inflated (``sniff.readable_head``), and one of Firehose's GZIP objects
# (``...-UUID.gz``) read once its head is a record.
LOG_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_ACCOUNT_DIR = re.compile(r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})(?:/|$)")
# Folders beside a trail's CloudTrail/ that hold no records a scan reads: digest files, Insights events (no
# caller), and CloudTrail Lake query results saved to the bucket (AWSLogs/ACCOUNT/CloudTrail-Lake/Query/
# YYYY/MM/DD/QUERY-ID/result_N.csv.gz and result_sign.json: CloudTrail User Guide, "CloudTrail sign file
# structure"), CSV of whatever columns the query chose, which would each be skipped as not JSON.
_NO_CALLS = ("CloudTrail-Digest/", "CloudTrail-Insight/", "CloudTrail-Lake/")
_REGION_DIR = re.compile(r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?\d{12}/CloudTrail/([a-z0-9-]+)(?:/|$)")
# Partition folders named after a record's field, Hive style (KEY=VALUE), as a Firehose dynamic partitioning
# prefix writes them from the records it routes (Firehose Developer Guide, "Dynamic partitioning":
# ``!{partitionKeyFromQuery:KEY}`` in a prefix such as ``region=!{...}/``) and as Security Lake lays out its
# sources (``region=REGION/accountId=ACCOUNT/eventDay=YYYYMMDD/``, Security Lake User Guide, "Collecting
# data from AWS services"): the account and Region the folder's records are of.
_PARTITION_ACCOUNT = re.compile(r"(?:^|/)(?:account|accountid|recipientaccountid)=(\d{12})/", re.IGNORECASE)
_PARTITION_REGION = re.compile(r"(?:^|/)(?:region|awsregion)=([a-z0-9-]+)/", re.IGNORECASE)
# The log streams of a trail's log group, each a folder of its own in a CloudWatch Logs export
# (``PREFIX/TASK-ID/STREAM/000000.gz``, ``sniff.EXPORT_LINE``): CloudTrail names them after the account and
# the Region of their records, "account_ID_CloudTrail_source_region", with "_number" after it when it writes
# several (CloudTrail User Guide, "CloudWatch log group and log stream naming for CloudTrail"), and an
# organization trail's after the organization first (the same guide's role policy for organization trails
# grants "log-stream:o-exampleorgid_*" beside "log-stream:111111111111_CloudTrail_us-east-2*").
_EXPORT_STREAM = re.compile(
    r"(?:^|/)(?:o-[a-z0-9]{10,32}_)?(\d{12})_CloudTrail_([a-z]{2,}(?:-[a-z]+)+-\d+)(?:_\d+)?/"
)
# What a time folder of an archive holds below it: the next time folders (a day, an hour, a minute; Hive
# style or a date) or its objects. Any other folder below one (``AWSLogs/``, a name) says the time-like
# folder is a name, a trail's key prefix or a dated copy, and it is entered (``Listing.enters``).
_TIME_CHILD = re.compile(
    r"\d\d|(?:month|day|hour|minute)=\d\d?|(?:(?:dt|date)=)?20\d\d-\d\d-\d\d", re.IGNORECASE
)
# The folder of a service below an account's AWSLogs/ folder: AWS services that deliver logs to S3 share the
# layout, each under its own name (Elastic Load Balancing User Guide, "Access logs for your Application Load
# Balancer": ``bucket[/prefix]/AWSLogs/aws-account-id/elasticloadbalancing/region/yyyy/mm/dd/``; Amazon VPC
# User Guide, "Publish flow logs to Amazon S3": ``AWSLogs/account_id/vpcflowlogs/region/...`` or, Hive
# compatible, ``AWSLogs/aws-account-id=account_id/aws-service=vpcflowlogs/...``; AWS WAF Developer Guide,
# "Amazon S3": ``AWSLogs/account-id/WAFLogs/Region/web-acl-name/...``; AWS Config Developer Guide: its
# snapshots and history under ``AWSLogs/AccountId/Config/``). A trail writes its records under CloudTrail/
# alone (``window``'s delivery layout), so any other service's folder holds no record a scan reads.
_SERVICE_DIR = re.compile(r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(?:aws-account-id=)?\d{12}/([^/]+)/")
# Objects other services write, passed over by name without a read, counted by kind (``Listing.other``):
# - S3 server access logs: ``TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString``, and with date-based
#   partitioning ``[DestinationPrefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/YYYY/MM/DD/`` then the
#   same name (Amazon S3 User Guide, "Logging requests with server access logging", "Log object key format":
#   "The UniqueString component of the key is there to prevent overwriting of files. It has no meaning");
#   no extension, so each would otherwise be fetched to look at its first bytes, and a log bucket holds
#   millions of them.
# - CloudFront standard logs: ``<optional prefix>/<distribution ID>.YYYY-MM-DD-HH.unique-ID.gz`` (CloudFront
#   Developer Guide, "Configuring and using standard logs", "File name format": EMLARXS9EXAMPLE.2019-11-14-20.
#   RT4KCN4SGK9.gz), tab-separated text in gzip: the ``.gz`` would otherwise be downloaded whole.
# - Athena query results: ``QueryID.csv``, ``QueryID.txt``, ``QueryID.csv.metadata``, ``QueryID.txt.metadata``
#   and ``QueryID-manifest.csv`` (Athena User Guide, "Working with query results, recent queries, and output
#   files", "Identifying query output files"); the query id is a UUID.
# - Tables in files: CSV and TSV (Cost and Usage Reports' ``.csv.gz``), Parquet, ORC and Avro (also told by
#   their first bytes, ``sniff.COLUMNAR_MAGIC``): no form the scan reads is one of them.
# Each is matched whole against the name after the last ``/``: a ``search`` for ``(?:^|/)...$`` tries every
# offset of the path, which cost a local walk three times the rest of its per-file name checks.
_S3_ACCESS_LOG = re.compile(r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[A-Za-z0-9]+")
_CLOUDFRONT_LOG = re.compile(r"[A-Z0-9]+\.\d{4}-\d\d-\d\d-\d\d\.[A-Za-z0-9-]+\.gz")
_ATHENA_RESULT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\.csv|\.txt|-manifest\.csv)(?:\.metadata)?"
)
TABULAR_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".orc", ".avro")
OTHER_LOGS = ("s3AccessLogs", "cloudFrontLogs", "athenaResults", "tabularFiles")


def other_logs(name: str) -> str | None:
    """Which kind of other service's object (``OTHER_LOGS``) a file or key is by its name, or None."""
    base = name.rpartition("/")[2]
    if _S3_ACCESS_LOG.fullmatch(base):
        return "s3AccessLogs"
    if _CLOUDFRONT_LOG.fullmatch(base):
        return "cloudFrontLogs"
    if _ATHENA_RESULT.fullmatch(base):
        return "athenaResults"
    if base.lower().endswith(TABULAR_SUFFIXES):
        return "tabularFiles"
    return None


@dataclass
class Listing:
    """What listing decided without reading: counts of files passed over, by reason."""

    outside_window: int = 0
    filtered_out: int = 0  # --account / --region
    digests: int = 0
    insights: int = 0  # CloudTrail Insights files: no calls
    not_logs: int = 0  # neither named as log files nor starting as one (README, text logs, markers)
    # folders passed over unlisted, by reason (``enters``): what a run left out is said, not only files
    folders_outside_window: int = 0
    folders_filtered_out: int = 0  # --account / --region
    folders_without_calls: int = 0  # digest, Insights and Lake results folders (``_NO_CALLS``)
    folders_of_other_services: int = 0  # AWSLogs/ACCOUNT/SERVICE/ of a service other than CloudTrail
    folders_beside_trail: int = 0  # an s3:// prefix's folders beside its AWSLogs/ (S3DeliveryLogs.keys)
    # objects of other services passed over by name or first bytes, by kind (``OTHER_LOGS``)
    other: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OTHER_LOGS, 0))
    # what has been listed so far, for progress: a large prefix or tree is listed for minutes, before the
    # first file is read and between reads; ``tick`` (the caller's, which throttles) is called after each
    folders_listed: int = 0
    objects_listed: int = 0
    tick: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def listed(self, folders: int, objects: int) -> None:
        self.folders_listed += folders
        self.objects_listed += objects
        if self.tick is not None:
            self.tick()

    def folders(self) -> dict[str, int]:
        return {
            "outsideWindow": self.folders_outside_window,
            "excludedByAccountOrRegion": self.folders_filtered_out,
            "noCalls": self.folders_without_calls,
            "otherServices": self.folders_of_other_services,
            "besideTrail": self.folders_beside_trail,
        }

    def enters(
        self,
        path: str,
        window: Window,
        days: set[date],
        accounts: tuple[str, ...],
        regions: tuple[str, ...],
        peek: Callable[[], Iterable[str | None]] | None = None,
    ) -> bool:
        """Whether to enter a folder (``_folder_skip``); one passed over is counted by reason. An archive's
        time folder outside the window is passed over only once ``peek`` (the names of the folders in it)
        shows nothing but time folders below it: a trail's key prefix may read as a time (``2020/05/``
        above its ``AWSLogs/``), and pruning must never skip what the window needs (a folder read for
        nothing costs a listing; one skipped for nothing loses its records). ``peek`` may be lazy (pages
        of a listing): the first other name decides, and no more is asked; a None says the rest of the
        folder was not looked at, and the folder is entered."""
        reason = _folder_skip(path, window, days, accounts, regions)
        if reason == "time":
            if peek is not None and not all(
                name is not None and _TIME_CHILD.fullmatch(name) for name in peek()
            ):
                return True
            reason = "window"
        if reason == "window":
            self.folders_outside_window += 1
        elif reason == "filter":
            self.folders_filtered_out += 1
        elif reason == "no calls":
            self.folders_without_calls += 1
        elif reason == "other service":
            self.folders_of_other_services += 1
        return reason is None

    def skip(self, why: str) -> None:
        """Counts a file passed over for its first bytes (``sniff.not_logs``'s reason)."""
        if why in self.other:
            self.other[why] += 1
        else:
            self.not_logs += 1

    def to_dict(self) -> dict[str, int]:
        return {
            "outsideWindow": self.outside_window,
            "excludedByAccountOrRegion": self.filtered_out,
            "digestFiles": self.digests,
            "insightsFiles": self.insights,
            "notLogFiles": self.not_logs,
            **self.other,
        }

    def passes(self, name: str, window: Window, accounts: tuple[str, ...], regions: tuple[str, ...]) -> bool:
        """Whether a file is to be read as far as its name tells; one passed over for its name (a digest,
        an Insights file, another service's object, a delivery file outside the window or the filters) is
        counted by reason."""
        if is_digest(name):
            self.digests += 1
        elif is_insights(name):
            self.insights += 1
        elif (kind := other_logs(name)) is not None:
            self.other[kind] += 1
        elif (reason := _skip_name(name, window, accounts, regions)) == "window":
            self.outside_window += 1
        elif reason == "filter":
            self.filtered_out += 1
        else:
            return True
        return False


def local_files(
    root: str,
    window: Window,
    listing: Listing,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    unreadable: dict[str, str] | None = None,
) -> Iterator[tuple[str, str]]:
    """``(name, path)`` of every file to read; a file given by name is always read (the scan names it
    skipped if it is a named pipe or a device, which would never end). A folder that cannot be listed (no
    permission) goes in ``unreadable`` (``FOLDER/`` -> why), for the scan to name as a file it could not
    read: ``os.walk`` passes it over without a word, and its logs with it (a policy short of their actions,
    and ``policygen pr`` would not know the run was incomplete)."""
    if not os.path.isdir(root):
        yield root, root
        return
    days = set(window.days())

    def not_listed(error: OSError) -> None:
        if unreadable is not None:
            folder = str(error.filename or root).rstrip(os.sep) + os.sep
            unreadable[folder] = f"folder not listed: {error.strerror or error}"

    for folder, dirs, files in os.walk(root, onerror=not_listed):
        listing.listed(1, len(files))
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and listing.enters(
                f"{rel}/{d}/", window, days, accounts, regions, partial(_subfolders, os.path.join(folder, d))
            )
        )
        for file in sorted(files):
            if file.startswith("."):
                continue
            path = os.path.join(folder, file)
            if not listing.passes(file, window, accounts, regions):
                continue
            if file.endswith(LOG_SUFFIXES) or (why := not_logs_file(path)) is None:
                yield path, path
            else:
                listing.skip(why)


def _subfolders(path: str) -> list[str]:
    """The names of the folders in a folder (``Listing.enters``' peek); none when it cannot be listed (the
    walk then does not list it either)."""
    try:
        with os.scandir(path) as entries:
            return [entry.name for entry in entries if entry.is_dir() and not entry.name.startswith(".")]
    except OSError:
        return []


def _folder_skip(
    path: str, window: Window, days: set[date], accounts: tuple[str, ...], regions: tuple[str, ...]
) -> str | None:
    """Why a folder (``path`` ends in ``/``; ``days`` is ``window.days()``) cannot hold files the scan
    needs ("no calls", "filter", "window"), or None to enter it: the delivery layout's digest, Insights, Lake
    results, account, region and day folders, and an archive's account, Region (``_PARTITION_ACCOUNT``, a
    trail's log stream exported, ``_EXPORT_STREAM``) and time folders (``span_of_path``), are pruned; any
    other folder is entered. An archive's time folder outside the window is "time": pruned once it is seen
    to be one (``Listing.enters``)."""
    if any(folder in path for folder in _NO_CALLS):
        return "no calls"
    service = _SERVICE_DIR.search(path)
    if service is not None and service[1] != "CloudTrail":
        return "other service"
    account = _ACCOUNT_DIR.search(path)
    if accounts and account and account.group(1) not in accounts:
        return "filter"
    region = _REGION_DIR.search(path)
    if regions and region and region.group(1) not in regions:
        return "filter"
    if accounts and any(found[1] not in accounts for found in _PARTITION_ACCOUNT.finditer(path)):
        return "filter"
    if regions and any(found[1] not in regions for found in _PARTITION_REGION.finditer(path)):
        return "filter"
    if (accounts or regions) and any(
        (accounts and found[1] not in accounts) or (regions and found[2] not in regions)
        for found in _EXPORT_STREAM.finditer(path)
    ):
        return "filter"
    day = day_of_path(path)
    if day is not None:
        return None if day in days else "window"
    span = span_of_path(path)
    if span is None or window.may_hold_span(*span):
        return None
    return "window" if in_trail_layout(path) else "time"


def _skip_name(file: str, window: Window, accounts: tuple[str, ...], regions: tuple[str, ...]) -> str | None:
    name = parse_delivery_name(file)
    if name is None:
        return None
    if not window.may_hold(name.written):
        return "window"
    if (accounts and name.account not in accounts) or (regions and name.region not in regions):
        return "filter"
    return None
