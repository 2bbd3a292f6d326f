"""Athena as a source: one query per window for every principal, its rows into the scan's result.

``scan_athena`` is the one entry point: ``run_generation`` calls it for an ``AthenaLogs`` source and a
source object of the tenancy CRDs can call it with its own ``AthenaLogs``. It returns the same
``ScanResult`` a scan of the files returns (so policies, reports and statuses are built the same way)
plus what only Athena knows: the query's ID, bytes scanned and estimated cost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policygen_operator.domain.cloudtrail.athena import (
    AthenaTable,
    build_queries,
    estimated_cost_usd,
    layout_notes,
    summarize_rows,
)
from policygen_operator.domain.cloudtrail.principals import Principal
from policygen_operator.domain.cloudtrail.scan import ScanResult, cached_mapper, default_mapper
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.errors import classify


@dataclass(frozen=True)
class QueryProgress:
    """Where an Athena query is: the CLI prints ``line``, the operator writes it to ``status.lastRun.athena``.

    A query scans no files, so "0 files scanned" would say nothing; its state and the bytes it has scanned
    so far (what it will cost) are what a person waiting on it wants to see.
    """

    execution_id: str
    state: str  # QUEUED | RUNNING | SUCCEEDED (Athena's states; failures are raised, not reported)
    bytes_scanned: int
    seconds: float
    rows: int | None = None  # set once the results are read

    @property
    def estimated_cost_usd(self) -> float:
        return estimated_cost_usd(self.bytes_scanned)

    @property
    def line(self) -> str:
        if self.rows is not None:
            return (
                f"Athena query {self.execution_id}: {self.rows:,} rows, {self.bytes_scanned / 1e9:,.2f} GB "
                f"scanned, estimated cost ${self.estimated_cost_usd:,.4f}"
            )
        return (
            f"Athena query {self.execution_id}: {self.state}, {self.bytes_scanned / 1e9:,.2f} GB scanned, "
            f"{self.seconds:,.0f} s"
        )

    def to_status(self) -> dict[str, Any]:
        """``status.lastRun.athena`` (the CRD's field names)."""
        fields: dict[str, Any] = {
            "queryExecutionId": self.execution_id,
            "state": self.state,
            "bytesScanned": self.bytes_scanned,
            "estimatedCostUSD": self.estimated_cost_usd,
        }
        if self.rows is not None:
            fields["rows"] = self.rows
        return fields


QueryProgressCallback = Callable[[QueryProgress], None]


@dataclass(frozen=True)
class AthenaLogs:
    """A CloudTrail table in Athena (``policygen athena ddl`` makes one)."""

    table: AthenaTable
    account_ids: tuple[str, ...] = ()  # prune the table's ``account`` partition (multi-account tables)
    regions: tuple[str, ...] = ()  # prune its ``region`` partition
    endpoint_url: str | None = None  # Athena endpoint override (tests use moto's server)

    def describe(self) -> str:
        return self.table.uri()


def scan_athena(
    source: AthenaLogs,
    principals: tuple[Principal, ...],
    window: Window,
    *,
    session: Any,
    progress: QueryProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ScanResult, dict[str, Any]]:
    """Run the window's query (several, one after the other, past Athena's query length: ``build_queries``)
    and summarize their rows together; raises the services' classified errors.

    ``session`` is a boto3 session (``adapters.aws.session.shared_session``); ``progress`` gets every poll
    and, last, the rows read. Cancelling stops the query
    on Athena's side and raises the domain's ``ScanCancelled``, as a scan of files does.
    """
    from policygen_operator.adapters.aws.athena import (
        AthenaQuery,
        QueryOutcome,
        QueryStatus,
        athena_client,
        table_layout,
    )
    from policygen_operator.adapters.aws.errors import AwsError
    from policygen_operator.domain.engine import ScanCancelled

    cancelled = (lambda: cancel.is_set()) if cancel is not None else None

    rows: list[dict[str, str | None]] = []
    outcomes: list[QueryOutcome] = []
    try:
        if cancelled is not None and cancelled():
            raise ScanCancelled()
        # the query names only partitions the table has: AWS documents tables of other shapes than
        # ``policygen athena ddl``'s (the CloudTrail console's, manual partitions); the table is the admin's
        layout = table_layout(session, source.table, source.endpoint_url)
        queries = build_queries(
            source.table,
            principals,
            window,
            accounts=source.account_ids,
            regions=source.regions,
            layout=layout,
        )
        query = AthenaQuery(athena_client(session, source.endpoint_url), source.table)
        for _, sql in queries:
            before = sum(
                o.bytes_scanned for o in outcomes
            )  # progress counts the run's bytes, not the query's

            def show(status: QueryStatus, before: int = before) -> None:
                if progress is not None:
                    scanned = before + status.bytes_scanned
                    progress(QueryProgress(status.execution_id, status.state, scanned, status.seconds))

            outcome = query.run(sql, progress=show, cancelled=cancelled)
            outcomes.append(outcome)
            rows.extend(query.rows(outcome.execution_id, cancelled))
    except ScanCancelled:
        raise
    except AwsError as error:
        raise classify(error, field=error.field) from error
    result = summarize_rows(
        rows,
        principals,
        cached_mapper(default_mapper),
        accounts=frozenset(source.account_ids),
        regions=frozenset(source.regions),
    )
    result.summary.files_scanned = 0
    for note in layout_notes(source.table, layout):
        result.warn(note)
    details = _details(outcomes, [sql for _, sql in queries], len(rows))
    if progress is not None:
        seconds = details["totalMilliseconds"] / 1000
        progress(
            QueryProgress(
                details["queryExecutionId"], "SUCCEEDED", details["bytesScanned"], seconds, len(rows)
            )
        )
    return result, details


def _details(outcomes: list[Any], sqls: list[str], rows: int) -> dict[str, Any]:
    """The report's ``athena``: one query's outcome, or (past Athena's query length) the sums of several,
    their IDs joined and each one's own figures and text under ``queries``."""
    if len(outcomes) == 1:
        return {**outcomes[0].to_dict(), "rows": rows, "query": sqls[0]}
    return {
        "queryExecutionId": ", ".join(o.execution_id for o in outcomes),
        "bytesScanned": sum(o.bytes_scanned for o in outcomes),
        "estimatedCostUSD": round(sum(o.estimated_cost_usd for o in outcomes), 6),  # each billed on its own
        "engineMilliseconds": sum(o.engine_ms for o in outcomes),
        "totalMilliseconds": sum(o.total_ms for o in outcomes),
        "outputLocation": outcomes[-1].output_location,
        "rows": rows,
        "query": sqls[0],
        "queries": [{**o.to_dict(), "query": sql} for o, sql in zip(outcomes, sqls, strict=True)],
    }
