"""The partitions policygen reads are botocore's, in the CLI, the mapper and every schema that checks an ARN
or a Region: a role of the isolated (ISO) or the European Sovereign Cloud partitions was refused before, and
the Sovereign Cloud's Region (``eusc-de-east-1``, four letters before its first dash) by every schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from policygen_operator.adapters.aws.regions import known_regions
from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.iam.mapping.resolvers import region_in
from policygen_operator.domain.partitions import PARTITIONS, REGION_NAME, partition_of

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = [*sorted((ROOT / "crds").glob("*.yaml")), ROOT / "charts/policygen-operator/values.schema.json"]


def _regions() -> Iterator[tuple[str, str]]:
    """(Region, partition) for each Region of the installed botocore's data (``known_regions``: not its
    pseudo-Regions, ``aws-global``)."""
    for partition, regions in known_regions().items():
        for region in sorted(regions):
            yield region, partition


def _patterns(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "pattern" and isinstance(item, str):
                yield item
            else:
                yield from _patterns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _patterns(item)


def _schema_patterns() -> list[tuple[str, str]]:
    found = []
    for path in SCHEMAS:
        text = path.read_text()
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        found += [(path.name, pattern) for pattern in _patterns(document)]
    return found


def test_the_partitions_are_botocores() -> None:
    """A partition botocore adds fails here: add it to ``domain/partitions.py`` (and its Regions' prefix)."""
    assert set(PARTITIONS) == set(known_regions())


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_partition_of_a_region(region: str, partition: str) -> None:
    assert partition_of(region) == partition


def test_every_region_is_given_its_partition_and_read_as_a_region() -> None:
    regions = list(_regions())
    assert ("eusc-de-east-1", "aws-eusc") in regions and ("us-isob-east-1", "aws-iso-b") in regions
    for region, partition in regions:
        assert partition_of(region) == partition, region
        assert re.fullmatch(REGION_NAME, region) and region_in(region) == region, region
    assert not re.fullmatch(REGION_NAME, "aws-global") and not re.fullmatch(REGION_NAME, "us-east")


@pytest.mark.parametrize("partition", PARTITIONS)
def test_every_schema_takes_a_role_of_every_partition(partition: str) -> None:
    parse_principal(f"arn:{partition}:iam::111122223333:role/app")
    arn_patterns = [(name, pattern) for name, pattern in _schema_patterns() if ":iam::" in pattern]
    assert len(arn_patterns) >= 12  # principals, roles to assume and managed policies in five CRDs
    for name, pattern in arn_patterns:
        arn = (
            f"arn:{partition}:iam::aws:policy/ReadOnlyAccess"
            if ":policy/" in pattern
            else f"arn:{partition}:iam::111122223333:role/app"
        )
        assert re.fullmatch(pattern, arn), (name, pattern)
        assert not re.fullmatch(pattern, arn.replace(f"arn:{partition}:", "arn:aws-gov:")), (name, pattern)


def test_every_schema_takes_every_region() -> None:
    region_patterns = [(name, pattern) for name, pattern in _schema_patterns() if "(-[a-z]+)+" in pattern]
    assert len(region_patterns) >= 15
    for name, pattern in region_patterns:
        for region, _ in _regions():
            assert re.fullmatch(pattern, region), (name, pattern, region)
        assert not re.fullmatch(pattern, "aws-global"), (name, pattern)
