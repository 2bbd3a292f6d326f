"""A parent named after its own type: S3 Vectors' index under its ``vectorBucketName``.

The reference's ``index`` is ``bucket/${BucketName}/index/${IndexName}``; the ``BucketName`` is the own
variable of the ``vectorbucket`` type, and every S3 Vectors call names it ``vectorBucketName`` (S3 Vectors
API Reference: QueryVectors, PutVectors, GetIndex, ...). Nothing read that spelling, so every call on an
index was granted on ``bucket/*/index/NAME``, every vector bucket of the account, with a finding. The parent
type's whole noun with the variable's kind (``VectorBucket`` + ``Name``) now names it; a generic variable
(``Name``, ``Id``), which several types share, is never read this way.
"""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

INDEX = f"arn:aws:s3vectors:us-east-1:{ACCOUNT}:bucket/product-embeddings/index/titles"


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("QueryVectors", {"topK": 5, "queryVector": {"float32": []}}),
        ("PutVectors", {"vectors": []}),
        ("GetIndex", {}),
        ("DeleteVectors", {"keys": ["doc-1"]}),
    ],
)
def test_an_index_is_granted_in_the_vector_bucket_the_call_names(name: str, extra: dict[str, object]) -> None:
    params = {"vectorBucketName": "product-embeddings", "indexName": "titles", **extra}
    mapped = EventMapper().map(cloudtrail_record("s3vectors.amazonaws.com", name, params))
    assert mapped.uses == ((f"s3vectors:{name}", INDEX),)
    assert mapped.notes == ()
