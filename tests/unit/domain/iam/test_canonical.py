"""Canonical JSON, hashes and IAM's character count."""

from __future__ import annotations

import json

from policygen_operator.domain.iam.canonical import canonical_json, policy_characters, policy_sha256

DOC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "B",
            "Effect": "Allow",
            "Resource": ["arn:aws:s3:::b/k", "arn:aws:s3:::a/k", "arn:aws:s3:::a/k"],
            "Action": ["s3:PutObject", "s3:GetObject"],
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-west-2", "eu-west-1"]}},
        },
        {"Sid": "A", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
    ],
}


def test_sorted_keys_no_white_space_sets_sorted_statement_order_kept() -> None:
    text = canonical_json(DOC)
    assert " " not in text and "\n" not in text
    data = json.loads(text)
    first = data["Statement"][0]
    assert list(first) == sorted(first)
    assert first["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert first["Resource"] == ["arn:aws:s3:::a/k", "arn:aws:s3:::b/k"]
    assert first["Condition"]["StringEquals"]["aws:RequestedRegion"] == ["eu-west-1", "us-west-2"]
    assert [s["Sid"] for s in data["Statement"]] == ["B", "A"]
    assert data["Statement"][1]["Action"] == "sqs:SendMessage"


def test_hash_ignores_spelling_but_not_content() -> None:
    respelled = json.loads(json.dumps(DOC, indent=4, sort_keys=False))
    respelled["Statement"][0]["Action"].reverse()
    assert policy_sha256(respelled) == policy_sha256(DOC)
    changed = json.loads(json.dumps(DOC))
    changed["Statement"][1]["Resource"] = "arn:aws:sqs:us-east-1:111122223333:q"
    assert policy_sha256(changed) != policy_sha256(DOC)


def test_characters_count_without_white_space() -> None:
    pretty = json.dumps(DOC, indent=4)
    assert policy_characters(DOC) == len(json.dumps(DOC, separators=(",", ":")))
    assert policy_characters(json.loads(pretty)) == policy_characters(DOC)
    assert policy_characters(DOC) == len("".join(pretty.split()))  # no string value here holds a space


def test_non_ascii_counts_as_characters() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/caf\u00e9"}],
    }
    assert "\u00e9" in canonical_json(doc)
    assert policy_characters(doc) == len(canonical_json(doc))
