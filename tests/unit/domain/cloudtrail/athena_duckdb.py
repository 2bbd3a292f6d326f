"""A DuckDB table shaped like Athena's CloudTrail table, filled from local CloudTrail files.

The table is made from the columns ``policygen athena ddl`` prints (sqlglot turns the Hive types into
DuckDB's), plus the ``account``, ``region`` and ``timestamp`` partition columns. Each record is stored the
way Athena's JSON SerDe reads it: struct fields matched case-insensitively (``userIdentity.sessionContext``
-> ``useridentity.sessioncontext``), undeclared fields dropped (``resources[].ARNPrefix``), and a STRING
column that holds an object or array (``requestparameters``) holds its JSON text. Partition values come
from the delivery layout of each file's path, as partition projection reads them from the S3 key.
``MAP`` columns (only ``webidfederationdata.attributes``, which nothing reads) are stored as NULL.

The Trino query of ``domain/cloudtrail/athena.py`` is transpiled by sqlglot to DuckDB and run here.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import duckdb
import sqlglot
from isal import igzip
from sqlglot import exp

from policygen_operator.domain.cloudtrail.athena_ddl import COLUMNS

# The partition keys of the multi-account table ``policygen athena ddl`` makes; ``cloudtrail_table`` takes
# those of AWS's other documented tables too (Athena user guide, "Querying AWS CloudTrail logs": the
# CloudTrail console's table has none, manual partitioning has region, year, month, day, an organization
# trail's account first, partition projection has timestamp alone).
PARTITIONS = ("account", "region", "timestamp")
_LAYOUT = re.compile(r"AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/")


def _declared(partitions: tuple[str, ...], types: Mapping[str, str]) -> str:
    return "".join(f", `{name}` {types.get(name, 'STRING')}" for name in partitions)


def _schema() -> list[exp.ColumnDef]:
    create = sqlglot.parse_one(f"CREATE TABLE t ({COLUMNS})", read="hive")
    return [c for c in create.this.expressions if isinstance(c, exp.ColumnDef)]


def _field(value: dict[str, Any], name: str) -> Any:
    if name in value:
        return value[name]
    for key, item in value.items():
        if key.lower() == name:
            return item
    return None


def shape(value: Any, dtype: exp.DataType) -> Any:
    """``value`` as Athena's JSON SerDe gives it for a column of type ``dtype``."""
    if value is None:
        return None
    kind = dtype.this
    if kind == exp.DataType.Type.STRUCT:
        if not isinstance(value, dict):
            return None
        out = {}
        for member in dtype.expressions:
            name = member.name.lower()
            out[name] = shape(_field(value, name), member.args["kind"])
        return out
    if kind == exp.DataType.Type.ARRAY:
        return [shape(v, dtype.expressions[0]) for v in value] if isinstance(value, list) else None
    if kind == exp.DataType.Type.MAP:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records(paths: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if data[:2] == b"\x1f\x8b":
            data = igzip.decompress(data)
        document = json.loads(data)
        for record in document["Records"] if isinstance(document, dict) else document:
            yield path, record


def cloudtrail_table(
    paths: list[str],
    name: str = "awsdatacatalog.cloudtrail.logs",
    partitions: tuple[str, ...] = PARTITIONS,
    *,
    types: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection holding ``name`` (catalog.schema.table, as Athena names it) with every record, and
    ``partitions`` (any of account, region, timestamp, year, month, day) as columns from each path.

    ``types`` declares a partition column otherwise than STRING (``INT``: its value is the folder's number);
    ``sources`` names the path part a column of another name holds (a crawler's ``partition_2`` ->
    ``region``; ``dt`` -> ``date``, the day as YYYY-MM-DD; ``cloudtrail``, the literal folder)."""
    types = types or {}
    sources = sources or {}
    connection = duckdb.connect()
    catalog, schema, _ = name.split(".")
    connection.execute(f"ATTACH ':memory:' AS {catalog}")
    connection.execute(f"CREATE SCHEMA {catalog}.{schema}")
    columns = _schema()
    create = sqlglot.parse_one(f"CREATE TABLE {name} ({COLUMNS}{_declared(partitions, types)})", read="hive")
    connection.execute(create.sql("duckdb"))
    types = {name: kind for name, kind, *_ in connection.execute(f"DESCRIBE {name}").fetchall()}
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as lines:
        for path, record in records(paths):
            layout = _LAYOUT.search(path.replace("\\", "/"))
            if layout is None:
                raise ValueError(f"{path} is not in the delivery layout (no partition values)")
            account, region, year, month, day = layout.groups()
            values = {
                "account": account,
                "region": region,
                "timestamp": f"{year}/{month}/{day}",
                "year": year,
                "month": month,
                "day": day,
                "date": f"{year}-{month}-{day}",
                "cloudtrail": "CloudTrail",
            }
            row: dict[str, Any] = {key: values[sources.get(key, key)] for key in partitions}
            for key, declared in types.items():
                if declared.upper() in ("INT", "BIGINT"):
                    row[key] = int(row[key])
            for column in columns:
                if column.name not in row:
                    row[column.name] = shape(_field(record, column.name), column.args["kind"])
            lines.write(json.dumps(row) + "\n")
    try:
        spec = "{" + ", ".join(f"'{n}': '{t}'" for n, t in types.items()) + "}"
        connection.execute(
            f"INSERT INTO {name} SELECT * FROM read_json('{lines.name}', format='newline_delimited', "
            f"columns={spec})"
        )
    finally:
        os.unlink(lines.name)
    return connection


def run_trino(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, str | None]]:
    """Run Athena SQL on DuckDB; values come back as text, as GetQueryResults gives them."""
    duck = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
    cursor = connection.execute(duck)
    names = [d[0] for d in cursor.description]
    out = []
    for values in cursor.fetchall():
        out.append({n: _text(v) for n, v in zip(names, values, strict=True)})
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
