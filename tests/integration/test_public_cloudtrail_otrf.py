"""``policygen generate`` over OTRF's AWS Cloud Bank Breach S3 dataset (tests/fixtures/public-cloudtrail/
otrf-security-datasets, MIT): real records of a lab account as Logstash exported them, ``eventTime``
renamed ``@timestamp``. As exported no record can be used (that field may be the time it was indexed) and
the run must say so for each record and of the principals, never that they made no call; with the field
renamed back, as the warning advises, every call must be mapped and every policy valid."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.integration.public_cloudtrail import FIXTURES, check_policies, generate, grants, principals_of

SAMPLES = FIXTURES / "otrf-security-datasets"
EXPORT = SAMPLES / "ec2_proxy_s3_exfiltration_2020-09-14011940.json.gz"
ROLE = "arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0"
BUCKET = "arn:aws:s3:::mordors3stack-s3bucket-llp2yingx64a"


def _records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(EXPORT.read_bytes()).splitlines()]


def _principals() -> Counter[str]:
    return principals_of(_records())


def test_as_exported_every_record_is_said_unusable_and_of_whom(tmp_path: Path) -> None:
    done, report, out = generate(tmp_path, SAMPLES, _principals(), "2020-01-01T00:00:00Z")
    assert done.returncode == 3 and list(out.glob("*.json")) == []
    assert report["filesScanned"] == 1 and report["filesSkipped"] == {}
    assert report["eventsScanned"] == 103 and report["badRecords"] == 98  # 5 are AWS services'
    fix = ": no eventTime (it has @timestamp, as Logstash and Elastic exports write it: rename it back)"
    assert len(report["warnings"]) == 98 and all(w.endswith(fix) for w in report["warnings"])
    assert {arn: p["badRecords"] for arn, p in report["principals"].items()} == {
        "arn:aws:iam::123456789123:user/pedro": 87,
        ROLE: 11,
    }
    assert "no usable event of the principal(s) in the window: 98 record(s) of theirs" in done.stderr
    assert "no event of the principal(s)" not in done.stderr


def test_renamed_back_every_call_is_understood_and_every_policy_validates(tmp_path: Path) -> None:
    renamed = tmp_path / "logs" / "renamed.json"
    renamed.parent.mkdir()
    renamed.write_text(
        "".join(json.dumps({**r, "eventTime": r["@timestamp"]}) + "\n" for r in _records()),
    )
    done, report, out = generate(tmp_path, renamed.parent, _principals(), "2020-01-01T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert report["badRecords"] == 0 and report["unmapped"] == {}
    assert report["eventsMatched"] == 98
    files = sorted(out.glob("*.json"))
    assert len(files) == 2
    check_policies(report, files)
    # the stolen instance credentials listed the bucket and copied its one object
    assert {(a, r) for a, r in grants(out) if a.startswith("s3:") and r != "*"} == {
        ("s3:ListBucket", BUCKET),
        ("s3:GetObject", f"{BUCKET}/ring.txt"),
    }
