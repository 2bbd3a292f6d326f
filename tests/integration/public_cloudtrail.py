"""What the tests over vendored public CloudTrail records share (tests/fixtures/public-cloudtrail): who made
the calls, one ``policygen generate`` run for all of them, and the checks every policy must pass."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from policygen_operator.domain.iam.reference import load_reference
from policygen_operator.domain.iam.validate import validate_policy

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "public-cloudtrail"
_IAM_PRINCIPAL = re.compile(r"^arn:aws:iam::\d{12}:(role|user)/")

Run = tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]


def principal_of(record: dict[str, Any]) -> str | None:
    """Who made the call: an IAM user, or the role that issued the session (None for anyone else)."""
    identity = record.get("userIdentity") or {}
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    arn = issuer.get("arn") if identity.get("type") == "AssumedRole" else identity.get("arn")
    return arn if isinstance(arn, str) and _IAM_PRINCIPAL.match(arn) else None


def principals_of(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """Who made the calls (``principal_of``), with how many records each."""
    return Counter(arn for record in records if (arn := principal_of(record)) is not None)


def gzipped_records(folder: Path, pattern: str) -> Iterator[dict[str, Any]]:
    """The records of the gzipped files matching ``pattern``: a bare JSON array, or a delivery file's
    ``{"Records": [...]}``."""
    for path in sorted(folder.glob(pattern)):
        data = json.loads(gzip.decompress(path.read_bytes()))
        yield from data["Records"] if isinstance(data, dict) else data


def generate(out: Path, samples: Path, principals: Iterable[str], start: str, *flags: str) -> Run:
    """``policygen generate`` over ``samples`` for ``principals``, denied calls included, from ``start``
    to 2027: the finished process, its report and the folder of policies."""
    report = out / "report.json"
    asked = [a for arn in sorted(principals) for a in ("--principal", arn)]
    done = subprocess.run(
        [sys.executable, "-m", "policygen_operator.cli.main", "generate", "--logs", str(samples), *asked,
         "--start", start, "--end", "2027-01-01T00:00:00Z", "--include-denied",
         "--output-dir", str(out / "out"), "--report", str(report), "--quiet", *flags],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert report.exists(), done.stderr
    return done, json.loads(report.read_text()), out / "out"


def check_policies(report: dict[str, Any], files: list[Path]) -> None:
    """Every policy validates, names only actions the reference has (spelled as it spells them), and no
    principal has an error finding."""
    reference = load_reference()
    for path in files:
        document = json.loads(path.read_text())
        assert [f for f in validate_policy(document) if f.severity == "error"] == [], path.name
        for statement in document["Statement"]:
            for action in statement["Action"]:
                assert reference.action_name(action) == action, (path.name, action)
    assert not [f for p in report["principals"].values() for f in p["findings"] if f["severity"] == "error"]


def grants(out: Path) -> set[tuple[str, str]]:
    """Every (action, resource) the policies in ``out`` allow."""
    found: set[tuple[str, str]] = set()
    for path in out.glob("*.json"):
        for statement in json.loads(path.read_text())["Statement"]:
            resources = statement["Resource"]
            for action in statement["Action"]:
                found.update((action, r) for r in ([resources] if isinstance(resources, str) else resources))
    return found
