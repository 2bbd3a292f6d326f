"""The lazy loader must give exactly what parsing the whole data file gives."""

from __future__ import annotations

import gzip
import json
from importlib import resources

from policygen_operator.domain.iam.reference import (
    DATA_FILE,
    LAZY_SECTIONS,
    LazySections,
    load_reference,
    parse_reference,
)


def test_lazy_sections_hold_the_same_json_as_a_full_parse() -> None:
    text = gzip.decompress(resources.files("policygen_operator").joinpath("data", DATA_FILE).read_bytes())
    full = json.loads(text)
    lazy = parse_reference(text)
    assert set(lazy) == set(full)
    for key, value in full.items():
        if key in LAZY_SECTIONS:
            assert isinstance(lazy[key], LazySections)
            assert list(lazy[key]) == list(value)
            assert all(lazy[key][name] == value[name] for name in value)
        else:
            assert lazy[key] == value


def test_lazy_sections_parse_on_first_use_and_behave_like_a_mapping() -> None:
    sections = LazySections({"s3": b'{"a": {"getobject": ["GetObject"]}}', "sqs": b"{}"})
    assert "s3" in sections and "ec2" not in sections and len(sections) == 2
    assert sections._parsed == {}
    assert sections.get("ec2") is None
    assert sections.get("s3") == {"a": {"getobject": ["GetObject"]}}
    assert list(sections._parsed) == ["s3"]
    assert sections["s3"] is sections["s3"]
    assert dict(sections.items())["sqs"] == {}


def test_the_shipped_reference_answers_through_the_lazy_sections() -> None:
    ref = load_reference()
    assert ref.action_name("S3:getobject") == "s3:GetObject"
    assert ref.has_namespace("dynamodb") and not ref.has_namespace("nope")
    assert "s3:GetObject" in ref.actions()
