"""Athena as the query engine: the aggregate query, its rows back into a scan result, and the table DDL.

An organization trail over 90 days holds terabytes; Athena (Trino over the trail bucket) reads it where it
lies and returns a few thousand rows. One query per window (several only past Athena's query length,
``build_queries``) serves every requested principal: it keeps only
their records (a user by its ARN, a role's sessions by ``arn:...:assumed-role/NAME/``) and groups them by
everything the event mapper reads of a record, with the number of events and the first and last
``eventTime`` of each group. Each row then becomes one minimal record that goes through the same
``EventMapper`` and the same principal matching as the local scan, and its count and times go into the
same ``UsageSummary``: the same events give the same policy.

What the mapper reads of a record (``domain/iam/mapping.py``): ``eventSource``, ``eventName``,
``eventType``, ``errorCode`` (and whether ``errorMessage`` says "not authorized to perform"),
``awsRegion``, ``recipientAccountId``, ``userIdentity.{arn,type,accountId}`` (partition, account and the
calling user), ``requestParameters`` and the ARNs of ``resources[]``. Athena's CloudTrail table holds
``requestparameters`` as the JSON text of the object, which the mapper parses itself; grouping on that text
keeps every field a resolver might read. Session names are not grouped on: the session ARN is cut to its role
prefix in the query, which is all the matcher and the mapper use of it.

Known difference: AWS's documented table declares ``resources`` as ``ARRAY<STRUCT<arn, accountid,
type>>``, so a resource CloudTrail gives only as an ``ARNPrefix`` (S3 ``DeleteObjects``) is not in the
table; the mapper then builds the ARN from the request parameters instead.

Everything here is text in, text out: no AWS client (``adapters/aws/athena.py`` runs the query).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from policygen_operator.domain.cloudtrail.principals import Principal, PrincipalMatcher
from policygen_operator.domain.cloudtrail.scan import Mapper, ScanResult, new_result, not_asked
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.domain.partitions import REGION_NAME
from policygen_operator.domain.usage import Usage

# The result columns, in order; rows are read back by these names.
COLUMNS = (
    "identity",
    "issuer",
    "identity_type",
    "identity_account",
    "recipient_account",
    "aws_region",
    "event_source",
    "event_name",
    "event_type",
    "error_code",
    "not_authorized",
    "request_parameters",
    "resource_arns",
    "returned_id",
    "refused",
    "response_values",
    "events",
    "first_seen",
    "last_seen",
)
NOT_AUTHORIZED = "not authorized to perform"  # what ``mapping.is_denied`` looks for in errorMessage
# The part of a denied call's errorMessage that names the action and resource AWS refused ("... is not
# authorized to perform: lambda:GetFunction on resource: ARN because ..."), which ``denied_resource`` (mapping
# records) reads when the request shows nothing: the same pattern, without the caller's session ARN before
# it (which would split rows by session) or the explanation after it.
REFUSED_PATTERN = NOT_AUTHORIZED + r': [a-z0-9-]+:[A-Za-z0-9]+ on resource: "?arn:[^"\s]+'
PARTITION_FORMAT = "%Y/%m/%d"  # the ``timestamp`` partition: the delivery folder's day
PRICE_PER_TB_USD = 5.0  # Athena SQL, per TB (10**12 bytes) scanned, in most regions
MIN_BILLED_BYTES = 10 * 1000 * 1000  # every query is billed at least 10 MB...
BILLING_UNIT_BYTES = 1000 * 1000  # ...rounded up to the megabyte

# StartQueryExecution takes a query of at most 262,144 characters (counted here in UTF-8 bytes, which is
# never fewer): a fleet of some 4,000 roles in one query would pass it, so principals are split into as
# few queries as keep each one under it (``build_queries``).
MAX_QUERY_LENGTH = 262_144
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$")
_URI = re.compile(
    r"^athena://(?:(?P<workgroup>[A-Za-z0-9._-]{1,128})@)?"
    r"(?:(?P<catalog>[A-Za-z0-9_-]{1,128})\.)?(?P<database>[A-Za-z0-9_-]{1,128})\.(?P<table>[A-Za-z0-9_-]{1,128})/?$"
)


class AthenaSourceError(ValueError):
    """An Athena source that cannot be queried as written (bad URI, bad table name)."""


@dataclass(frozen=True)
class AthenaTable:
    """Where the CloudTrail table lives and how to run queries on it."""

    database: str
    table: str
    catalog: str = "AwsDataCatalog"
    workgroup: str | None = None  # None: the account's ``primary`` workgroup
    output_location: str | None = None  # s3://... ; None: the workgroup's own setting

    def __post_init__(self) -> None:
        for what, value in (("database", self.database), ("table", self.table), ("catalog", self.catalog)):
            if not _NAME.fullmatch(value):
                raise AthenaSourceError(f"{what} {value!r}: letters, digits, '_' and '-' only")
        if self.output_location is not None and not self.output_location.startswith("s3://"):
            raise AthenaSourceError(f"output location {self.output_location!r} is not an s3:// URI")

    @property
    def qualified(self) -> str:
        return f'"{self.catalog.lower()}"."{self.database}"."{self.table}"'

    def uri(self) -> str:
        workgroup = f"{self.workgroup}@" if self.workgroup else ""
        return f"athena://{workgroup}{self.catalog}.{self.database}.{self.table}"


def parse_athena_uri(uri: str, output_location: str | None = None) -> AthenaTable:
    """``athena://[WORKGROUP@][CATALOG.]DATABASE.TABLE``."""
    match = _URI.fullmatch(uri.strip())
    if match is None:
        raise AthenaSourceError(f"{uri!r} is not athena://[WORKGROUP@][CATALOG.]DATABASE.TABLE")
    return AthenaTable(
        database=match["database"],
        table=match["table"],
        catalog=match["catalog"] or "AwsDataCatalog",
        workgroup=match["workgroup"],
        output_location=output_location,
    )


# Hive/Glue integer types: a partition key declared so compares with a number, not a quoted string
_INTEGER_TYPES = frozenset({"tinyint", "smallint", "int", "integer", "bigint"})
# What the delivery path holds below AWSLogs/ (CloudTrail User Guide, "Finding your CloudTrail log files":
# AWSLogs/[O-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file); the ``cloudtrail`` level also holds
# CloudTrail-Digest and CloudTrail-Insight beside CloudTrail, whose files a crawler may put in the same table.
_DELIVERY_LEVELS = ("account", "cloudtrail", "region", "year", "month", "day")
# what the levels a table's location already holds must look like, in the same order
_HELD_LEVELS = (
    re.compile(r"^\d{12}$"),
    re.compile(r"^CloudTrail$"),
    re.compile(rf"^{REGION_NAME}$"),
)
_CRAWLER_KEY = re.compile(r"^partition_(\d+)$")
_SORTED_DATE = re.compile(r"^yyyy([-/]?)MM\1dd$")


@dataclass(frozen=True)
class TableLayout:
    """How a CloudTrail table is partitioned: its partition keys, lower case, as Glue holds them.

    AWS documents several tables for the same files (Athena user guide, "Querying AWS CloudTrail logs"):
    the CloudTrail console's is not partitioned; "manual partitioning" gives ``region, year, month, day``
    (an organization trail's adds ``account`` first); "partition projection" gives ``timestamp``
    (``yyyy/MM/dd``); ``policygen athena ddl`` gives ``timestamp`` for one account and Region, and
    ``account, region, timestamp`` otherwise. A predicate on a column the table lacks fails the whole query
    (COLUMN_NOT_FOUND), so the query names the partitions this table has and filters the record's own
    ``recipientaccountid``/``awsregion`` columns (every CloudTrail table has them) for the rest.

    ``types`` (the keys' declared types, in the same order; empty: all ``string``) decides how a value is
    written: a key declared ``int`` compared with ``'02'`` fails the query on Athena (type mismatch), so
    integer keys get bare numbers. ``location`` (the table's StorageDescriptor location) tells what a
    Glue crawler's ``partition_0, partition_1, ...`` keys hold (``crawler_roles``).
    """

    partitions: tuple[str, ...]
    types: tuple[str, ...] = ()
    location: str | None = None
    # (key, format) of the keys partition projection declares as dates (``projection.KEY.format``, a Java
    # DateTimeFormatter pattern: Athena user guide, "Supported types for partition projection")
    date_formats: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def roles(self) -> dict[str, str]:
        """account/region/timestamp/year/month/day -> the partition key holding it, for the keys known."""
        crawled = crawler_roles(self.partitions, self.location)
        if crawled is not None:
            return crawled
        known = ("account", "region", "timestamp", "year", "month", "day")
        roles = {key: key for key in self.partitions if key in known}
        if "date" in self.partitions or "dt" in self.partitions:
            key = "dt" if "dt" in self.partitions else "date"
            if not self.is_integer(key) and self.strftime(key) is not None:
                roles["date"] = key
        return roles

    def strftime(self, key: str) -> str | None:
        """The strftime format of a date key whose projection format sorts as its dates do (``yyyy-MM-dd``,
        ``yyyy/MM/dd``, ``yyyyMMdd``: a BETWEEN on the text is then a BETWEEN on the days), else None."""
        declared = dict(self.date_formats).get(key)
        match = _SORTED_DATE.fullmatch(declared or "")
        if match is None:
            return None
        return f"%Y{match[1]}%m{match[1]}%d"

    @property
    def day_partitions(self) -> str | None:
        """``timestamp``, ``year/month/day`` or None: how the delivery day is partitioned, if it is."""
        if "timestamp" in self.roles:
            return "timestamp"
        if {"year", "month", "day"} <= set(self.roles):
            return "year/month/day"
        if "date" in self.roles:
            return "date"
        return None

    def is_integer(self, key: str) -> bool:
        index = self.partitions.index(key)
        return index < len(self.types) and self.types[index].strip().lower() in _INTEGER_TYPES

    def value(self, key: str, text: str) -> str:
        """``text`` (a folder name, such as ``02``) as a literal of ``key``'s declared type."""
        return str(int(text)) if self.is_integer(key) else _literal(text)


def crawler_roles(partitions: tuple[str, ...], location: str | None) -> dict[str, str] | None:
    """What a Glue crawler's ``partition_N`` keys hold, or None where the table's location does not say.

    A crawler names the folders below the table's location ``partition_0, partition_1, ...`` in order when
    they are not ``key=value`` (AWS Glue Developer Guide, "Managing partitions for ETL output in AWS Glue";
    "How does a crawler determine when to create partitions?"). On a CloudTrail bucket the files sit in
    the day folders, so the keys are the last levels of AWSLogs/[O-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD;
    the location says how many of those levels it already holds: the keys are these only when the two
    counts add up (an organization trail's O-ID level counted where the location shows it, or where one more
    key than a single account's path needs is there to hold it).
    """
    indexes = [_CRAWLER_KEY.fullmatch(key) for key in partitions]
    if not partitions or any(m is None for m in indexes):
        return None
    if [int(m[1]) for m in indexes if m is not None] != list(range(len(partitions))):
        return None
    if not location:
        return None
    path = re.sub(r"^[a-z0-9]+://[^/]+/?", "", location.strip()).strip("/")
    parts = path.split("/") if path else []
    if "AWSLogs" not in parts:
        return None
    below = parts[parts.index("AWSLogs") + 1 :]  # the delivery levels the location already holds
    organization = bool(below) and below[0].startswith("o-")
    if organization:
        below = below[1:]
    elif not below and len(partitions) == len(_DELIVERY_LEVELS) + 1:
        partitions = partitions[1:]  # AWSLogs/ of an organization trail: partition_0 is the O-ID
    if len(below) + len(partitions) != len(_DELIVERY_LEVELS) or len(below) > len(_HELD_LEVELS):
        return None
    if any(not held.fullmatch(part) for held, part in zip(_HELD_LEVELS, below, strict=False)):
        return None
    return dict(zip(_DELIVERY_LEVELS[len(below) :], partitions, strict=True))


# The multi-account table ``policygen athena ddl`` makes (and what the query assumed before the layout was
# read from the catalog).
POLICYGEN_LAYOUT = TableLayout(("account", "region", "timestamp"))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(_literal(v) for v in sorted(set(values))) + ")"


def partition_days(window: Window) -> tuple[str, str]:
    """First and last ``timestamp`` partition (delivery day) that may hold a record of the window."""
    days: list[date] = window.days()
    return days[0].strftime(PARTITION_FORMAT), days[-1].strftime(PARTITION_FORMAT)


def build_query(
    table: AthenaTable,
    principals: tuple[Principal, ...],
    window: Window,
    *,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    layout: TableLayout = POLICYGEN_LAYOUT,
) -> str:
    """The one aggregate query of a window, in Athena's (Trino's) dialect.

    The delivery-day predicate is there whenever ``layout`` has day partitions (``timestamp``, or
    ``year``/``month``/``day``), so Athena reads only the days of the window (plus the delivery lag);
    ``accounts`` and ``regions`` prune the ``account`` and ``region`` partitions where the table has them.
    Where it does not, the rows of other accounts and Regions come back and ``summarize_rows`` passes them
    over and counts them (``eventsExcludedByAccountOrRegion``), as the file scan counts the records of a
    file it read: filtering ``recipientaccountid``/``awsregion`` in SQL saved no byte (a JSON table's files
    are read whole) but left them out of that count, a 0 that read as none there.
    """
    if not principals:
        raise AthenaSourceError("at least one principal is needed")
    users = [p.arn for p in principals if p.kind == "user"]
    sessions = [p.session_prefix for p in principals if p.kind == "role"]
    session_of = "regexp_extract(useridentity.arn, '^(.*/)', 1)"
    who = []
    if users:
        who.append(f"useridentity.arn IN {_in_list(users)}")
    if sessions:
        who.append(f"{session_of} IN {_in_list(sessions)}")
    identity = (
        f"CASE WHEN useridentity.arn IN {_in_list(users)} THEN useridentity.arn ELSE {session_of} END"
        if users
        else session_of
    )
    where = [
        *_day_predicates(layout, window),
        f"eventtime >= {_literal(window.start_iso)}",
        f"eventtime < {_literal(window.end_iso)}",
        "(" + " OR ".join(who) + ")",
    ]
    for asked, role in ((accounts, "account"), (regions, "region")):
        if asked and role in layout.roles:
            where.append(f"{layout.roles[role]} IN {_in_list(asked)}")
    if "cloudtrail" in layout.roles:  # a crawler's table of the whole account folder: not the digest files
        where.append(f"{layout.roles['cloudtrail']} = 'CloudTrail'")
    grouped = [
        f"{identity} AS identity",
        "useridentity.sessioncontext.sessionissuer.arn AS issuer",
        "useridentity.type AS identity_type",
        "useridentity.accountid AS identity_account",
        "recipientaccountid AS recipient_account",
        "awsregion AS aws_region",
        "eventsource AS event_source",
        "eventname AS event_name",
        "eventtype AS event_type",
        "errorcode AS error_code",
        f"COALESCE(strpos(errormessage, {_literal(NOT_AUTHORIZED)}) > 0, false) AS not_authorized",
        "requestparameters AS request_parameters",
        "json_format(CAST(transform(resources, r -> r.arn) AS JSON)) AS resource_arns",
        # the id a call returned that later calls name their resource by (an Athena query's): only for the
        # calls of RETURNED_IDS, whose rows are one per call anyway (their requests carry a unique token)
        _returned_id(),
        # what a denied call's message says was refused: null for every other event
        f"regexp_extract(errormessage, {_literal(REFUSED_PATTERN)}) AS refused",
        # what the response of a RESPONSE_DEFAULTS call names that its request left to a default (the groups
        # RDS gave a new instance): null for every other event
        _response_values(),
    ]
    select = ",\n  ".join(
        [*grouped, "count(*) AS events", "min(eventtime) AS first_seen", "max(eventtime) AS last_seen"]
    )
    return (
        f"SELECT\n  {select}\nFROM {table.qualified}\nWHERE " + "\n  AND ".join(where) + "\n"
        f"GROUP BY {', '.join(str(n) for n in range(1, len(grouped) + 1))}"
    )


def _day_predicates(layout: TableLayout, window: Window) -> list[str]:
    """The delivery days of the window on the table's day partitions (none on a table without them).

    Manual partitions hold the folder names (``year='2026', month='02', day='01'``, zero-padded as the
    delivery path is): one term per month of the window, each equalities and a range on the partition keys
    alone (what a Glue partition filter expression takes), so the catalog returns the window's partitions
    and no others.
    """
    first_day, last_day = partition_days(window)
    if layout.day_partitions == "timestamp":
        return [f'"timestamp" BETWEEN {_literal(first_day)} AND {_literal(last_day)}']
    if layout.day_partitions == "year/month/day":
        months: dict[tuple[int, int], list[date]] = {}
        for day in window.days():
            months.setdefault((day.year, day.month), []).append(day)
        y, m, d = (layout.roles[role] for role in ("year", "month", "day"))
        terms = [
            f"({y} = {layout.value(y, f'{year:04d}')} AND {m} = {layout.value(m, f'{month:02d}')} AND {d} "
            f"BETWEEN {layout.value(d, f'{days[0].day:02d}')} AND {layout.value(d, f'{days[-1].day:02d}')})"
            for (year, month), days in months.items()
        ]
        return ["(" + " OR ".join(terms) + ")"]
    if layout.day_partitions == "date":
        key = layout.roles["date"]
        pattern = layout.strftime(key) or PARTITION_FORMAT
        first, last = (day.strftime(pattern) for day in (window.days()[0], window.days()[-1]))
        return [f'"{key}" BETWEEN {_literal(first)} AND {_literal(last)}']
    return []


def layout_notes(table: AthenaTable, layout: TableLayout) -> list[str]:
    """What a run should say about the table's layout: a table without day partitions (the CloudTrail
    console's) is read whole by every query, and billed for it; a crawler's table is told why its
    ``partition_N`` keys could not be read as days, and what makes them so."""
    if layout.day_partitions is not None:
        return []
    keys = ", ".join(layout.partitions) or "none"
    whole = f"{table.uri()} is read whole by every query and billed for it (partition keys: {keys})"
    if layout.partitions and all(_CRAWLER_KEY.fullmatch(key) for key in layout.partitions):
        return [
            f"{whole}: a Glue crawler's partition_N keys are the folders below the table's location "
            f"({layout.location or 'none given'}), and that location does not show which of them are the "
            "Region, year, month and day of AWSLogs/[O-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD (it must "
            "reach AWSLogs/, and the keys must be the levels below it down to the day); rename the keys "
            "region, year, month and day in the table's schema, or make a table with partition projection "
            "(policygen athena ddl), which reads only the window's days"
        ]
    return [
        f"{whole}: it has no timestamp or year/month/day partition, nor a dt or date one of a string type "
        "whose partition projection declares a yyyy-MM-dd, yyyy/MM/dd or yyyyMMdd format (the only form "
        "that tells how its values are written); a table with partition projection (policygen athena ddl) "
        "reads only the window's days"
    ]


def build_queries(
    table: AthenaTable,
    principals: tuple[Principal, ...],
    window: Window,
    *,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    layout: TableLayout = POLICYGEN_LAYOUT,
    limit: int | None = None,
) -> list[tuple[tuple[Principal, ...], str]]:
    """``build_query`` for every principal, as few queries as Athena's length limit allows.

    Usually one. Each query scans the window's partitions again (and is billed for it), so principals are
    packed greedily, in the order given, into the fewest queries whose text (in UTF-8 bytes) stays within
    ``limit`` (``MAX_QUERY_LENGTH``). A principal's records are all in the rows of the query that names it,
    so the rows of all the queries summarize as the rows of one would.
    """
    limit = MAX_QUERY_LENGTH if limit is None else limit

    def query(batch: tuple[Principal, ...]) -> str:
        return build_query(table, batch, window, accounts=accounts, regions=regions, layout=layout)

    def length(batch: tuple[Principal, ...]) -> int:
        return len(query(batch).encode())

    if not principals:
        raise AthenaSourceError("at least one principal is needed")
    if length(principals) <= limit:
        return [(principals, query(principals))]
    # Roles of one name and account (other paths) share their sessions' prefix: they go in the same query,
    # or both queries would return those sessions' rows and count them twice. What a group adds: its
    # literal and ", " in each list naming it (a user's is named twice); the first of its kind in a query
    # adds that list (and the CASE), so its query is measured whole.
    groups: dict[str, list[Principal]] = {}
    for principal in principals:
        groups.setdefault(principal.session_prefix if principal.kind == "role" else principal.arn, []).append(
            principal
        )
    batches: list[tuple[Principal, ...]] = []
    batch: list[Principal] = []
    kinds: set[str] = set()
    size = 0
    for key, group in groups.items():
        kind = group[0].kind
        adds = (2 if kind == "user" else 1) * (len(_literal(key).encode()) + 2)
        grown = size + adds if kind in kinds else length((*batch, *group))
        if batch and grown > limit:
            batches.append(tuple(batch))
            batch, kinds = [], set()
            grown = length(tuple(group))
        if not batch and grown > limit:
            raise AthenaSourceError(f"a query for {key} alone is {grown:,} bytes, over Athena's {limit:,}")
        batch.extend(group)
        kinds.add(kind)
        size = grown
    batches.append(tuple(batch))
    out = [(each, query(each)) for each in batches]
    too_long = [len(each) for each, text in out if len(text.encode()) > limit]
    if too_long:  # the sizes above are exact: this would be a bug, not a principal
        raise AssertionError(f"Athena queries of {too_long} principals over {limit:,} bytes")
    return out


@functools.cache
def _returned_fields() -> dict[tuple[str, str], str]:
    """(eventSource, eventName) -> the responseElements field of the id it returns (``RETURNED_IDS``);
    imported on first use, as the scan loads the mapping: a CLI run that reads no Athena source never
    imports the IAM mapping for it."""
    from policygen_operator.domain.iam.mapping.rules import RETURNED_IDS

    return {key: field for key, (_, field, _) in RETURNED_IDS.items()}


def _returned_id() -> str:
    cases = " ".join(
        f"WHEN eventsource = {_literal(source)} AND eventname = {_literal(name)} "
        f"THEN json_extract_scalar(responseelements, {_literal('$.' + field)})"
        for (source, name), field in sorted(_returned_fields().items())
    )
    return f"CASE {cases} END AS returned_id"


@functools.cache
def _response_paths() -> dict[tuple[str, str], tuple[tuple[str | int, ...], ...]]:
    """(eventSource, eventName) -> the responseElements paths the mapper reads of it (``RESPONSE_DEFAULTS``),
    in a fixed order: the query returns their values as one JSON array in that order."""
    from policygen_operator.domain.iam.mapping.rules import RESPONSE_DEFAULTS

    out = {}
    for key, paths in RESPONSE_DEFAULTS.items():
        source, _, name = key.rpartition(":")
        out[(source, name)] = tuple(paths.values())
    return out


def _json_path(path: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)


def _response_values() -> str:
    cases = " ".join(
        f"WHEN eventsource = {_literal(source)} AND eventname = {_literal(name)} THEN json_format(CAST(ARRAY["
        + ", ".join(f"json_extract_scalar(responseelements, {_literal(_json_path(p))})" for p in paths)
        + "] AS JSON))"
        for (source, name), paths in sorted(_response_paths().items())
    )
    return f"CASE {cases} END AS response_values" if cases else "CAST(NULL AS VARCHAR) AS response_values"


def _response_elements(source: object, name: object, text: str | None) -> dict[str, object]:
    """The part of responseElements the mapper reads, rebuilt from ``response_values``."""
    paths = _response_paths().get((str(source), str(name)))
    if not paths or not text:
        return {}
    try:
        values = json.loads(text)
    except ValueError:
        return {}
    response: dict[str, object] = {}
    for path, value in zip(paths, values if isinstance(values, list) else [], strict=False):
        if not isinstance(value, str):
            continue
        node: Any = response
        for step, following in zip(path, (*path[1:], None), strict=True):
            if following is None:
                node[step] = value
                break
            empty: Any = [] if isinstance(following, int) else {}
            if isinstance(step, int):  # lists are only ever read at [0] (RESPONSE_DEFAULTS)
                while len(node) <= step:
                    node.append(empty)
                node = node[step]
            else:
                node = node.setdefault(step, empty)
    return response


# -- rows back into a scan result -------------------------------------------------------------------

Row = Mapping[str, str | None]


def record_of(row: Row) -> dict[str, object]:
    """The minimal CloudTrail record the mapper needs, rebuilt from one result row."""
    arns = _resource_arns(row.get("resource_arns"))
    record: dict[str, object] = {
        "eventSource": row.get("event_source"),
        "eventName": row.get("event_name"),
        "awsRegion": row.get("aws_region"),
        "recipientAccountId": row.get("recipient_account"),
        "userIdentity": {
            "arn": row.get("identity"),
            "type": row.get("identity_type"),
            "accountId": row.get("identity_account"),
        },
    }
    for key, column in (("eventType", "event_type"), ("errorCode", "error_code")):
        if row.get(column) is not None:
            record[key] = row.get(column)
    if row.get("refused"):
        record["errorMessage"] = row.get("refused")
    elif _truthy(row.get("not_authorized")):
        record["errorMessage"] = NOT_AUTHORIZED
    if row.get("request_parameters") is not None:
        record["requestParameters"] = row.get("request_parameters")
    if arns:
        record["resources"] = [{"ARN": arn} for arn in arns]
    response = _response_elements(row.get("event_source"), row.get("event_name"), row.get("response_values"))
    field = _returned_fields().get((str(row.get("event_source")), str(row.get("event_name"))))
    if field is not None and row.get("returned_id") is not None:
        response[field] = row.get("returned_id")
    if response:
        record["responseElements"] = response
    return record


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1")


def _resource_arns(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


# A record without these is not read (CloudTrail documents both as never optional): the query returns its
# rows all the same (a WHERE on them dropped such records uncounted) so they count as the file scan's bad
# records do, a principal's records in the window only.
_REQUIRED = (("eventSource", "event_source"), ("eventName", "event_name"))


def summarize_rows(
    rows: Iterable[Row],
    principals: tuple[Principal, ...],
    mapper: Mapper,
    result: ScanResult | None = None,
    *,
    accounts: frozenset[str] = frozenset(),
    regions: frozenset[str] = frozenset(),
) -> ScanResult:
    """Rows of ``build_query`` -> the ``ScanResult`` a local scan of the same records gives (policy-wise).

    The principal is decided by the same ``PrincipalMatcher`` as in the scan; a row of a same-name role
    with another path feeds the same "did you mean" hint. ``accounts`` and ``regions`` (--account,
    --region) keep the rows the file scan keeps (``scan.not_asked``, counted in ``records_filtered_out``):
    the query prunes the ``account`` and ``region`` partitions where the table has them, the folders a
    record was delivered to, which say nothing of the records a file of another layout put there.
    """
    result = result if result is not None else new_result(len(principals))
    matcher = PrincipalMatcher(principals)
    for row in rows:
        try:
            count = int(row.get("events") or 0)
        except ValueError:
            count = 0
        first, last = row.get("first_seen"), row.get("last_seen")
        identity = row.get("identity")
        if count <= 0 or not first or not last or not identity:
            result.summary.bad_records += 1
            result.warn(f"skipped an Athena result row without events, times or identity: {dict(row)}")
            continue
        principal = _principal(matcher, identity, row.get("issuer"), result)
        if principal is None:
            continue
        if (accounts or regions) and not_asked(
            row.get("aws_region"), row.get("recipient_account"), accounts, regions
        ):
            result.summary.events_scanned += count
            result.records_filtered_out += count
            continue
        missing = [name for name, column in _REQUIRED if row.get(column) is None]
        if missing:  # the file scan's bad records (scan.shape_problem), counted as many as they are
            result.summary.events_scanned += count
            result.summary.bad_records += count
            result.warn(
                f"skipped {count} record(s) of {principal} from {first} to {last} in Athena's results: "
                f"no {' or '.join(missing)}"
            )
            continue
        _take(result, principal, record_of(row), mapper, Usage(count, first, last))
    if result.links.waiting:  # reads of queries whose start came in a later row, or in none
        result.settle_links(mapper, final=True)
    return result


def _principal(
    matcher: PrincipalMatcher, identity: str, issuer: str | None, result: ScanResult
) -> str | None:
    user = matcher.match_user(identity)
    if user is not None:
        return user
    candidates = matcher.sessions.get(identity)
    if candidates is None:
        return None
    principal = matcher.match_issuer(issuer, candidates)
    if principal is None and issuer:
        result.other_path(issuer, candidates)
    return principal


def _take(
    result: ScanResult, principal: str, record: dict[str, object], mapper: Mapper, usage: Usage
) -> None:
    result.summary.events_scanned += usage.count
    mapped = result.map_record(mapper, record, "a row", "Athena's results")
    if mapped is None:
        return
    if mapped.key in mapper.linked_keys:
        mapped = result.link(mapper, record, mapped, principal, None, usage)
        if mapped is None:
            return
    target = result.count(principal, mapped, usage.count)
    if target is not None:
        for action, resource in mapped.uses:
            target.add(action, resource, usage, denied=mapped.denied)


def estimated_cost_usd(bytes_scanned: int, price_per_tb: float = PRICE_PER_TB_USD) -> float:
    """What Athena bills for a query that scanned ``bytes_scanned``: per MB rounded up, 10 MB minimum."""
    units = -(-max(bytes_scanned, 0) // BILLING_UNIT_BYTES)
    billed = max(units * BILLING_UNIT_BYTES, MIN_BILLED_BYTES)
    return round(billed / 10**12 * price_per_tb, 6)
