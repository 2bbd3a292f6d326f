"""Canonical JSON, hashes and IAM's character count."""

from __future__ import annotations

import json

import pytest

from policygen_operator.domain.iam.canonical import (
    canonical_json,
    policy_characters,
    policy_sha256,
    same_policy,
)

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


def _changed(change: str) -> dict[str, object]:
    """DOC with one edit (a copy: DOC itself is never touched)."""
    doc = json.loads(json.dumps(DOC))
    first, second = doc["Statement"]
    if change == "reordered":
        doc["Statement"] = [second, first]
    elif change == "twice":
        doc["Statement"] = [first, second, json.loads(json.dumps(second))]
    elif change == "singles-as-lists":
        second["Action"], second["Resource"] = ["sqs:SendMessage"], ["*"]
        first["Condition"]["StringEquals"]["aws:RequestedRegion"].reverse()
    elif change == "one-value-condition":
        first["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    elif change == "sid":
        second["Sid"] = "C"
    elif change == "action":
        second["Action"] = "sqs:ReceiveMessage"
    elif change == "effect":
        second["Effect"] = "Deny"
    elif change == "no-version":
        del doc["Version"]
    return doc


@pytest.mark.parametrize("change", ["reordered", "twice", "singles-as-lists"])
def test_statements_in_another_order_or_spelling_are_the_same_policy(change: str) -> None:
    """IAM evaluates statements as a set; a single string is a list of one (IAM JSON policy element
    reference: "Action", "Resource", "Condition": a condition key with one value may be a string). Before,
    the comparison behind `policygen pr` kept the statement order: a hand-edited file that only reordered
    the generated statements got a commit and a pull request reordering them back."""
    assert same_policy(_changed(change), DOC)
    assert same_policy(DOC, _changed(change))


@pytest.mark.parametrize("change", ["one-value-condition", "sid", "action", "effect", "no-version"])
def test_a_change_of_meaning_or_of_a_sid_is_another_policy(change: str) -> None:
    assert not same_policy(_changed(change), DOC)


def test_a_single_statement_object_is_a_list_of_one() -> None:
    lone = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    }
    listed = {"Version": "2012-10-17", "Statement": [{**lone["Statement"], "Action": ["s3:GetObject"]}]}
    assert same_policy(lone, listed)
