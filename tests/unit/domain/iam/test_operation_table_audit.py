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
    "glue": [
        _row("glue", "BatchGetJobs", "batch_get_jobs", [("glue", "BatchGetJobs"), ("glue", "GetJob")]),
        _row(
            "glue",
            "BatchGetCustomEntityTypes",
            "batch_get_custom_entity_types",
            [("glue", "BatchGetCustomEntityTypes"), ("glue", "GetCustomEntityType")],
        ),
    ],
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
        sys.modules[NAME] = module  # its dataclass looks its module up there
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(NAME, None)
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
    assert found["BatchGetCustomEntityTypes"]["missing"] == "glue:GetCustomEntityType"
    # granted since Glue BatchGetJobs reads each job with glue:GetJob beside its own action (EXTRA_ENTRIES)
    assert "BatchGetJobs" not in found


def test_the_listing_prints_single_action_rows_unless_asked_for_more(
    audit: ModuleType, snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nothing_judged = str(_judged(tmp_path))
    audit.main([str(snapshot), "--judged", nothing_judged])
    out = capsys.readouterr().out
    assert "row has one action, not granted: 1" in out
    assert "lambda.amazonaws.com:GetFunction -> lambda:GetFunctionConfiguration" in out
    assert "BatchGetCustomEntityTypes" not in out
    audit.main([str(snapshot), "--several", "--judged", nothing_judged])
    assert (
        "glue.amazonaws.com:BatchGetCustomEntityTypes -> glue:GetCustomEntityType" in capsys.readouterr().out
    )


def _judged(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "judged.tsv"
    header = "# judged rows\noperation\tmissing\tverdict\tpage\n"
    path.write_text(header + "".join(f"{row}\n" for row in rows))
    return path


def test_judged_rows_are_left_out_and_counted_by_verdict(
    audit: ModuleType, snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row judged by its own line or by a pattern leaves the listing and is counted under its verdict; a
    ``granted-now`` row the plan still lacks stays listed, marked, and one the plan grants since is counted
    apart."""
    judged = _judged(
        tmp_path,
        "glue.amazonaws.com:BatchGetCustomEntityTypes\tglue:GetCustomEntityType\tunclear\tGlue API Reference",
        "*\tbedrock:CallWithBearerToken\tconditional\tBedrock User Guide, API keys",
        "lambda.amazonaws.com:GetFunction\tlambda:GetFunctionConfiguration\tgranted-now\ta page",
        "s3.amazonaws.com:GetObjectTorrent\ts3:GetObject\tgranted-now\tS3 Developer Guide",
        "ds-data.amazonaws.com:*\tds:AccessDSData\tgranted-now\ta pattern no row of the snapshot matches",
    )
    audit.main([str(snapshot), "--several", "--judged", str(judged)])
    out = capsys.readouterr().out
    # bedrock's TagResource row is found for each of the 5 SDK services of bedrock.amazonaws.com
    assert "judged: 7 (granted-now 1, conditional 5, unclear 1)" in out
    assert "the row changed): 2 (granted-now 2)" in out
    assert "left to judge: 0" in out
    assert "BatchGetCustomEntityTypes" not in out
    assert "bedrock.amazonaws.com:TagResource" not in out
    assert (
        "lambda.amazonaws.com:GetFunction -> lambda:GetFunctionConfiguration (granted: lambda:GetFunction)"
        " [judged granted-now, not granted yet]"
    ) in out


def test_a_rows_own_judgment_wins_over_a_pattern(audit: ModuleType, snapshot: Path, tmp_path: Path) -> None:
    judged = audit.read_judged(
        _judged(
            tmp_path,
            "glue.amazonaws.com:*\tglue:*\tconditional\ta page for every Glue row",
            "glue.amazonaws.com:BatchGetCustomEntityTypes\tglue:GetCustomEntityType\tunclear\ta page",
        )
    )
    finding = {f["operation"]: f for f in audit.disagreements(snapshot)}["BatchGetCustomEntityTypes"]
    assert audit.judgment_of(finding, judged).verdict == "unclear"


@pytest.mark.parametrize(
    "row",
    [
        "glue.amazonaws.com:BatchGetJobs\tglue:GetJob\tmaybe\ta page",  # no such verdict
        "glue.amazonaws.com:BatchGetJobs\tglue:GetJob\tunclear",  # no page
        "glue.amazonaws.com:BatchGetJobs\tglue:GetJob\tunclear\t ",  # an empty page
    ],
)
def test_a_judgment_without_a_verdict_or_a_page_is_refused(
    audit: ModuleType, tmp_path: Path, row: str
) -> None:
    with pytest.raises(ValueError):
        audit.read_judged(_judged(tmp_path, row))


def test_the_shipped_judgments_read(audit: ModuleType) -> None:
    """Every row of ``data/operation-table-judged.tsv`` has a verdict and its page."""
    judged = audit.read_judged(audit.JUDGED)
    assert judged and {j.verdict for j in judged} <= set(audit.VERDICTS)
    assert all((j.operation == "*" or ":" in j.operation) and ":" in j.missing for j in judged)
