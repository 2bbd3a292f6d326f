"""``operator/scripts/documented_records.py`` on an archived guide built here: the Markdown is read at the
last commit that still has it, every record block is found (one elided with ``...``, one inside a
``Records`` file), and each distinct record is counted under how it maps."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.scripts import load_script
from tests.unit.domain.iam.records import cloudtrail_record

script = load_script("operator/scripts/documented_records.py")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def archived_guide(tmp_path: Path) -> Path:
    repo = tmp_path / "guide"
    (repo / "doc_source").mkdir(parents=True)
    named = cloudtrail_record(
        "sqs.amazonaws.com", "DeleteQueue", {"queueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q"}
    )
    unnamed = cloudtrail_record("dynamodb.amazonaws.com", "UpdateTable", {"billingMode": "PAY_PER_REQUEST"})
    elided = json.dumps(named, indent=2).replace('"eventType"', '...\n"eventType"', 1)
    page = (
        "# Logging\n\nAn entry:\n\n```\n"
        + elided
        + "\n```\n\nA file:\n\n```\n"
        + json.dumps({"Records": [unnamed, named]}, indent=2)
        + "\n```\n\nA Lambda payload:\n\n```\n"
        + json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]})
        + "\n```\n"
    )
    (repo / "doc_source" / "logging.md").write_text(page)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "docs")
    git(repo, "rm", "-q", "-r", "doc_source")
    git(repo, "commit", "-q", "-m", "archive")
    return repo / ".git"


def test_each_distinct_record_is_counted_by_how_it_maps(
    archived_guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.main(["--list", "star", "--list", "unmapped", str(archived_guide)]) == 0
    out = capsys.readouterr().out
    assert "star: dynamodb.amazonaws.com:UpdateTable [" in out
    assert "unmapped: aws:s3:ObjectCreated:Put [" in out
    assert "3 distinct records" in out  # the elided DeleteQueue is the same record as the file's
    counts = dict(re.findall(r"^  (\w+): (\d+)$", out, re.M))
    assert counts == {
        "exact": "1",
        "noted": "0",
        "star": "1",
        "ignored": "0",
        "unmapped": "1",
        "unreadable": "0",
    }
