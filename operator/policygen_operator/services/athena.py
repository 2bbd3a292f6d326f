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

from policygen_operator.domain.cloudtrail.athena import AthenaTable, build_query, summarize_rows
from policygen_operator.domain.cloudtrail.principals import Principal
from policygen_operator.domain.cloudtrail.scan import ScanResult, cached_mapper, default_mapper
from policygen_operator.domain.cloudtrail.window import Window
from policygen_operator.services.errors import classify

ProgressLine = Callable[[str], None]


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
    progress: ProgressLine | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ScanResult, dict[str, Any]]:
    """Run the window's query and summarize its rows; raises the services' classified errors.

    ``session`` is a boto3 session (``adapters.aws.session.shared_session``). Cancelling stops the query
    on Athena's side and raises the domain's ``ScanCancelled``, as a scan of files does.
    """
    from policygen_operator.adapters.aws.athena import AthenaQuery, QueryStatus, athena_client
    from policygen_operator.adapters.aws.errors import AwsError
    from policygen_operator.domain.engine import ScanCancelled

    cancelled = (lambda: cancel.is_set()) if cancel is not None else None

    def show(status: QueryStatus) -> None:
        if progress is not None:
            progress(
                f"Athena query {status.execution_id}: {status.state}, {status.bytes_scanned / 1e9:,.2f} GB "
                f"scanned, {status.seconds:,.0f} s"
            )

    sql = build_query(source.table, principals, window, accounts=source.account_ids, regions=source.regions)
    try:
        query = AthenaQuery(athena_client(session, source.endpoint_url), source.table)
        outcome = query.run(sql, progress=show, cancelled=cancelled)
        rows = list(query.rows(outcome.execution_id, cancelled))
    except ScanCancelled:
        raise
    except AwsError as error:
        raise classify(error, field=error.field) from error
    result = summarize_rows(rows, principals, cached_mapper(default_mapper))
    result.summary.files_scanned = 0
    details = {**outcome.to_dict(), "rows": len(rows), "query": sql}
    if progress is not None:
        progress(
            f"Athena query {outcome.execution_id}: {len(rows):,} rows, {outcome.bytes_scanned / 1e9:,.2f} GB "
            f"scanned, estimated cost ${outcome.estimated_cost_usd:,.4f}"
        )
    return result, details
