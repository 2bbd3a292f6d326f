"""``policygen generate`` over TrailDiscover's log examples captured with Grimoire (tests/fixtures/
public-cloudtrail/traildiscover, CC-BY-4.0): one real record a file, most of them calls refused with
AccessDenied and so logged without request parameters. Every file and record must be read, every call
mapped, every policy valid; each principal gets its own policy file (five SSO roles share a name there),
and the refused IAM calls are granted on the entity IAM's message names, never on ``*``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.domain.iam.reference import load_reference
from tests.integration.public_cloudtrail import (
    FIXTURES,
    Run,
    check_policies,
    generate,
    grants,
    gzipped_records,
    principals_of,
)

SAMPLES = FIXTURES / "traildiscover"
ACCOUNT = "111111111111"


def _principals() -> Counter[str]:
    return principals_of(gzipped_records(SAMPLES, "*.json.cloudtrail.gz"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return generate(tmp_path_factory.mktemp("policies"), SAMPLES, _principals(), "2020-01-01T00:00:00Z")


def test_every_record_is_read_and_every_call_understood(run: tuple[Any, dict[str, Any], Path]) -> None:
    done, report, _ = run
    assert done.returncode == 0, done.stderr
    assert report["filesScanned"] == 488 and report["filesSkipped"] == {}
    assert report["eventsScanned"] == 488 and report["eventsMatched"] == 488
    assert report["badRecords"] == 0, report["warnings"]
    assert report["unmapped"] == {}


def test_every_principal_has_its_own_valid_policy(run: tuple[Any, dict[str, Any], Path]) -> None:
    _, report, out = run
    files = sorted(out.glob("*.json"))
    check_policies(report, files)
    parts = sum(len(p["policies"]) for p in report["principals"].values())
    assert len(_principals()) == 10 and len(files) == parts


def test_refused_iam_calls_are_on_the_entity_named(run: tuple[Any, dict[str, Any], Path]) -> None:
    granted = grants(run[2])
    reference = load_reference()
    on_star = {a for a, r in granted if a.startswith("iam:") and r == "*"}
    # only the calls whose action has no resource type (ListRoles, GetAccountAuthorizationDetails, ...)
    assert [a for a in sorted(on_star) if reference.resource_types(a)] == []
    role = f"arn:aws:iam::{ACCOUNT}:role/TrailDiscover"
    assert {
        ("iam:AttachRolePolicy", role),
        ("iam:AttachRolePolicy", role.replace("role/", "role/*/")),
    } <= granted
    assert ("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/TrailDiscover") in granted
