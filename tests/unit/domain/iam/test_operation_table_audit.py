"""``operator/scripts/audit_operation_table.py``: the mapped calls whose row in AWS's operation table (the
programmatic service reference's ``Operations[].AuthorizedActions``) names an action the plan lacks.

The snapshot here has the document layout of the public copy the shipped table was read from (one
``<service>/<service>.json`` each, ``{"Name": ..., "Operations": [{"Name", "AuthorizedActions", "SDK"}]}``).
Its S3, Glue and Bedrock rows are AWS's as that copy gives them; the Lambda row names another action than
AWS's does, to stand for a row the mapping disagrees with.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[4] / "operator" / "scripts"
NAME = "audit_operation_table"


def _row(service: str, name: str, method: str, actions: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "Name": name,
        "AuthorizedActions": [{"Name": action, "Service": prefix} for prefix, action in actions],
        "SDK": [{"Name": service, "Method": method, "Package": "Boto3"}],
    }


DOCUMENTS: dict[str, list[dict[str, Any]]] = {
    "s3": [
        _row("s3", "GetObjectTorrent", "get_object_torrent", [("s3", "GetObject")]),
        _row("s3", "GetObjectAcl", "get_object_acl", [("s3", "GetObjectAcl")]),
    ],
    "glue": [_row("glue", "BatchGetJobs", "batch_get_jobs", [("glue", "BatchGetJobs"), ("glue", "GetJob")])],
    "bedrock": [
        _row(
            "bedrock",
            "TagResource",
            "tag_resource",
            [("bedrock", "CallWithBearerToken"), ("bedrock", "TagResource")],
        )
    ],
    "lambda": [_row("lambda", "GetFunction", "get_function", [("lambda", "GetFunctionConfiguration")])],
}


@pytest.fixture(scope="module")
def audit() -> Iterator[ModuleType]:
    """The script, loaded once: it reads botocore's service models once (``_models``)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("audit_operation_table", SCRIPTS / f"{NAME}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    for name, operations in DOCUMENTS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.json").write_text(json.dumps({"Name": name, "Operations": operations}))
    return tmp_path


def test_a_row_of_one_action_the_plan_lacks_is_listed(audit: ModuleType, snapshot: Path) -> None:
    found = {(f["operation"], f["missing"], len(f["row"])) for f in audit.disagreements(snapshot)}
    assert ("GetFunction", "lambda:GetFunctionConfiguration", 1) in found
    # granted since S3 GetObjectTorrent got s3:GetObject beside its own action (EXTRA_ENTRIES)
    assert not any(operation in ("GetObjectTorrent", "GetObjectAcl") for operation, _, _ in found)


def test_a_tagging_calls_own_action_is_kept_in_its_row(audit: ModuleType, snapshot: Path) -> None:
    """Dropping the tagging companions as the build does would leave Bedrock's TagResource row as
    CallWithBearerToken alone, which says nothing of what every TagResource call needs: its own action stays,
    and the row is one of several actions."""
    found = {f["operation"]: f for f in audit.disagreements(snapshot)}
    assert found["TagResource"]["row"] == ["bedrock:CallWithBearerToken", "bedrock:TagResource"]
    assert found["BatchGetJobs"]["missing"] == "glue:GetJob"


def test_the_listing_prints_single_action_rows_unless_asked_for_more(
    audit: ModuleType, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit.main([str(snapshot)])
    out = capsys.readouterr().out
    assert "row has one action, not granted: 1" in out
    assert "lambda.amazonaws.com:GetFunction -> lambda:GetFunctionConfiguration" in out
    assert "BatchGetJobs" not in out
    audit.main([str(snapshot), "--several"])
    assert "glue.amazonaws.com:BatchGetJobs -> glue:GetJob" in capsys.readouterr().out
