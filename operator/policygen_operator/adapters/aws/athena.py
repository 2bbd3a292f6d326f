"""Running one Athena query: start, poll with progress, cancel, read the rows page by page.

``StartQueryExecution`` returns at once; the query then runs for seconds to minutes, so the state is
polled (0.5 s, growing to 5 s) and every poll reports the state and the bytes scanned so far. A caller's
cancel stops the query on Athena's side (``StopQueryExecution``) before raising, so nobody pays for a
scan that nobody reads, and so does a poll that fails; a query still QUEUED or RUNNING after the timeout
(an hour by default) is stopped too and reported as a temporary failure. Rows are read with
``GetQueryResults`` pages of 1,000; the first row of the first page is Athena's header row (the column
names) and is skipped.

Failures are classified for the services: a query that FAILED with Athena's ``USER`` error category
(missing table or database, a syntax error, no permission on the bucket) or a known permanent message
is permanent; ``SYSTEM`` errors, ``Retryable`` ones and throttling are temporary. A query cancelled by
someone else is temporary, unless the workgroup's data-scanned limit cancelled it (the same query would
be cancelled again).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from policygen_operator.adapters.aws.errors import AwsError, classify, error_code
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.athena import AthenaTable, TableLayout, estimated_cost_usd
from policygen_operator.domain.engine import ScanCancelled

RUNNING_STATES = ("QUEUED", "RUNNING")
PAGE_ROWS = 1000
FIRST_POLL = 0.5
MAX_POLL = 5.0
# How long a query may stay QUEUED or RUNNING before it is stopped: Athena's own DML timeout is 30 minutes
# by default (a quota that can be raised); past an hour something is stuck (a full queue, a capacity
# reservation with no free units), and waiting on for ever would hold the run (and the operator's worker).
QUERY_TIMEOUT = 3600.0
# Athena's own codes a retry may get past (besides the shared throttling set).
TEMPORARY_ATHENA_CODES = {"InternalServerException", "TooManyRequestsException"}
# AthenaError.ErrorCategory: 1 system, 2 user, 3 other
SYSTEM_ERROR, USER_ERROR = 1, 2
PERMANENT_MESSAGES = (
    "TABLE_NOT_FOUND",
    "SCHEMA_NOT_FOUND",
    "COLUMN_NOT_FOUND",
    "SYNTAX_ERROR",
    "does not exist",
    "Access Denied",
    "AccessDenied",
    "not authorized",
    "Insufficient permissions",
    "Insufficient Lake Formation permission",
    # the result location's bucket is missing or not the caller's: every retry fails the same way
    "Unable to verify/create output bucket",
    "NoSuchBucket",
)
LIMIT_MESSAGES = ("limit was exceeded", "bytes scanned limit", "data usage control")


@dataclass(frozen=True)
class QueryStatus:
    """One poll: what a progress line shows."""

    execution_id: str
    state: str
    bytes_scanned: int
    seconds: float


@dataclass(frozen=True)
class QueryOutcome:
    execution_id: str
    bytes_scanned: int
    engine_ms: int
    total_ms: int
    output_location: str | None

    @property
    def estimated_cost_usd(self) -> float:
        return estimated_cost_usd(self.bytes_scanned)

    def to_dict(self) -> dict[str, Any]:
        return {
            "queryExecutionId": self.execution_id,
            "bytesScanned": self.bytes_scanned,
            "estimatedCostUSD": self.estimated_cost_usd,
            "engineMilliseconds": self.engine_ms,
            "totalMilliseconds": self.total_ms,
            "outputLocation": self.output_location,
        }


def athena_client(session: Any, endpoint_url: str | None = None) -> Any:
    config = Config(retries={"max_attempts": 6, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    region = session.region_name or "us-east-1"
    return session.client("athena", endpoint_url=endpoint_url, region_name=region, config=config)


def table_layout(session: Any, table: AthenaTable, endpoint_url: str | None = None) -> TableLayout:
    """The table's partition keys, from the catalog the query will read it through.

    The account's own catalog (``AwsDataCatalog``) is Glue: ``glue:GetTable``, which running the query
    needs anyway. Any other catalog (a registered Glue catalog of another account, a federated one) is
    asked through Athena's ``GetTableMetadata``, which resolves the catalog name as the query does (and
    needs ``athena:GetTableMetadata``). ``endpoint_url`` overrides both endpoints, as it does the query's
    (a stand-in such as moto's server answers every service at one address).
    """
    config = Config(retries={"max_attempts": 6, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    region = session.region_name or "us-east-1"
    what = f"reading the partition keys of {table.uri()}"
    try:
        if table.catalog.lower() == "awsdatacatalog":
            glue = session.client("glue", endpoint_url=endpoint_url, region_name=region, config=config)
            found = glue.get_table(DatabaseName=table.database, Name=table.table)["Table"]
            keys = found.get("PartitionKeys")
            location = (found.get("StorageDescriptor") or {}).get("Location")
            parameters = found.get("Parameters") or {}
        else:
            athena = athena_client(session, endpoint_url)
            metadata = athena.get_table_metadata(
                CatalogName=table.catalog, DatabaseName=table.database, TableName=table.table
            )
            keys = metadata["TableMetadata"].get("PartitionKeys")
            parameters = metadata["TableMetadata"].get("Parameters") or {}
            # TableMetadata has no location field; its Parameters map may hold the Hive one (unverified:
            # without it a crawler's partition_N table is read whole, with the warning)
            location = parameters.get("location")
    except (ClientError, BotoCoreError) as error:
        raise AthenaQuery._classified(error, what) from error
    keys = keys or ()
    return TableLayout(
        tuple(str(key["Name"]).lower() for key in keys),
        types=tuple(str(key.get("Type") or "string").lower() for key in keys),
        location=location,
        date_formats=_projected_dates(parameters),
    )


def _projected_dates(parameters: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(key, format) of the keys partition projection declares as dates (``projection.enabled`` true,
    ``projection.KEY.type`` date, ``projection.KEY.format``: Athena user guide, "Setting up partition
    projection"), which tell how a ``dt``/``date`` key's values are written."""
    if str(parameters.get("projection.enabled", "")).lower() != "true":
        return ()
    out = []
    for name, value in parameters.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "projection" and parts[2] == "type" and value == "date":
            declared = parameters.get(f"projection.{parts[1]}.format")
            if declared:
                out.append((parts[1].lower(), declared))
    return tuple(sorted(out))


class AthenaQuery:
    """Runs queries against one table's database, workgroup and output location."""

    def __init__(
        self,
        client: Any,
        table: AthenaTable,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = QUERY_TIMEOUT,
    ) -> None:
        self.client = client
        self.table = table
        self.sleep = sleep
        self.clock = clock
        self.timeout = timeout

    def run(
        self,
        sql: str,
        *,
        progress: Callable[[QueryStatus], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> QueryOutcome:
        """Start ``sql`` and wait for it; raises ``AwsError`` or ``ScanCancelled``."""
        execution_id = self._start(sql)
        try:
            return self._wait(execution_id, progress, cancelled)
        except KeyboardInterrupt:  # Ctrl-C on the command line: do not leave the scan running (and billed)
            self.stop(execution_id)
            raise

    def _wait(
        self,
        execution_id: str,
        progress: Callable[[QueryStatus], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> QueryOutcome:
        started = self.clock()
        delay = FIRST_POLL
        while True:
            if cancelled is not None and cancelled():
                self.stop(execution_id)
                raise ScanCancelled()
            try:
                execution = self._call("reading the state of", execution_id, "get_query_execution")
            except AwsError:  # giving up on the query: do not leave it running (and billed) behind us
                self.stop(execution_id)
                raise
            status = execution["QueryExecution"]["Status"]
            state = status["State"]
            statistics = execution["QueryExecution"].get("Statistics", {})
            scanned = int(statistics.get("DataScannedInBytes", 0) or 0)
            if progress is not None:
                progress(QueryStatus(execution_id, state, scanned, self.clock() - started))
            if state == "SUCCEEDED":
                output = execution["QueryExecution"].get("ResultConfiguration", {}).get("OutputLocation")
                return QueryOutcome(
                    execution_id,
                    scanned,
                    int(statistics.get("EngineExecutionTimeInMillis", 0) or 0),
                    int(statistics.get("TotalExecutionTimeInMillis", 0) or 0),
                    output,
                )
            if state not in RUNNING_STATES:
                raise failure(execution_id, state, status, self.table)
            remaining = self.timeout - (self.clock() - started)
            if remaining <= 0:
                self.stop(execution_id)
                raise AwsError(
                    f"Athena query {execution_id} on {self.table.uri()} did not finish within "
                    f"{self.timeout:,.0f} s (still {state}, {scanned:,} bytes scanned); stopped it",
                    permanence=Permanence.TEMPORARY,
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * 1.5, MAX_POLL)

    def rows(
        self, execution_id: str, cancelled: Callable[[], bool] | None = None
    ) -> Iterator[dict[str, str | None]]:
        """Every result row as ``{column: text or None}``, the header row left out."""
        paginator = self.client.get_paginator("get_query_results")
        pages = paginator.paginate(QueryExecutionId=execution_id, PaginationConfig={"PageSize": PAGE_ROWS})
        names: list[str] | None = None
        first = True
        try:
            for page in pages:
                if cancelled is not None and cancelled():
                    raise ScanCancelled()
                result = page["ResultSet"]
                if names is None:
                    names = [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
                for row in result.get("Rows", []):
                    values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                    if first:
                        first = False
                        if values == names:
                            continue  # Athena's header row
                    yield dict(zip(names, values, strict=False))
        except (ClientError, BotoCoreError) as error:
            raise self._classified(error, f"reading the results of Athena query {execution_id}") from error

    def stop(self, execution_id: str) -> None:
        """Ask Athena to stop; a query that already ended cannot be stopped, and that is fine."""
        with contextlib.suppress(ClientError, BotoCoreError):
            self.client.stop_query_execution(QueryExecutionId=execution_id)

    def _start(self, sql: str) -> str:
        arguments: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Catalog": self.table.catalog, "Database": self.table.database},
        }
        if self.table.workgroup:
            arguments["WorkGroup"] = self.table.workgroup
        if self.table.output_location:
            arguments["ResultConfiguration"] = {"OutputLocation": self.table.output_location}
        try:
            return str(self.client.start_query_execution(**arguments)["QueryExecutionId"])
        except (ClientError, BotoCoreError) as error:
            raise self._classified(error, f"starting the query on {self.table.uri()}") from error

    def _call(self, what: str, execution_id: str, method: str) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, method)(QueryExecutionId=execution_id)
        except (ClientError, BotoCoreError) as error:
            raise self._classified(error, f"{what} Athena query {execution_id}") from error
        return response

    @staticmethod
    def _classified(error: ClientError | BotoCoreError, what: str) -> Exception:
        if isinstance(error, ClientError) and error_code(error) in TEMPORARY_ATHENA_CODES:
            message = error.response.get("Error", {}).get("Message", "")
            return AwsError(f"{what}: {error_code(error)}: {message}", permanence=Permanence.TEMPORARY)
        return classify(error, what)


def failure(execution_id: str, state: str, status: dict[str, Any], table: AthenaTable) -> AwsError:
    """The error for a query that ended FAILED or CANCELLED (not by us)."""
    reason = str(status.get("StateChangeReason") or "")
    details = status.get("AthenaError") or {}
    # both, when they differ: AthenaError's message can be a bare code ("NoSuchBucket") whose explanation
    # is only in StateChangeReason
    given = [str(m) for m in (details.get("ErrorMessage"), reason) if m]
    message = "; ".join(m for m in dict.fromkeys(given) if not any(m != o and m in o for o in given)) or state
    what = f"Athena query {execution_id} on {table.uri()} {state}: {message}"
    if state == "CANCELLED":
        limited = any(m.lower() in message.lower() for m in LIMIT_MESSAGES)
        return AwsError(what, permanence=Permanence.PERMANENT if limited else Permanence.TEMPORARY)
    category = details.get("ErrorCategory")
    if details.get("Retryable") or category == SYSTEM_ERROR:
        return AwsError(what, permanence=Permanence.TEMPORARY)
    if category == USER_ERROR or any(m.lower() in message.lower() for m in PERMANENT_MESSAGES):
        return AwsError(what, permanence=Permanence.PERMANENT)
    return AwsError(what, permanence=Permanence.TEMPORARY)
