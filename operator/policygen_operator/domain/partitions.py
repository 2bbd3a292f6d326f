"""The AWS partitions an ARN may name, and the partition a Region belongs to.

From botocore's partition data (``botocore/data/partitions.json`` of botocore 1.44.8, Apache-2.0): each
partition's id and its ``regionRegex``. A principal's ARN must name one of them, so that a typo
(``arn:aws-gov:...``) is refused with the list rather than matching no record; the isolated (ISO) and the
European Sovereign Cloud partitions are AWS partitions as the others are, with IAM, STS and CloudTrail of
their own (``tests/unit/domain/test_partitions.py`` checks this list against the installed botocore's).
"""

from __future__ import annotations

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")

# For regular expressions: ``(?:aws|aws-cn|...)``; no partition's name holds a character to escape.
PARTITION_ALTERNATIVES = "|".join(PARTITIONS)

# A Region's name, for regular expressions: two letters before its first dash (``eu-west-1``,
# ``us-isob-east-1``), or the European Sovereign Cloud's ``eusc`` (``eusc-de-east-1``), as botocore's
# regionRegex of each partition has it. A shape only: ``adapters/aws/regions.py`` knows the Regions.
REGION_NAME = r"(?:[a-z]{2}|eusc)(?:-[a-z]+)+-[0-9]+"  # ASCII digits: \d matches any script's

# The Region names of each partition but ``aws`` start so (botocore's regionRegex: ``^cn\-\w+\-\d+$``,
# ``^us\-isob\-\w+\-\d+$``, ``^eusc\-(de)\-\w+\-\d+$`` ...); ``us-iso-`` is no prefix of ``us-isob-``.
_BY_REGION_PREFIX = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
    ("eusc-", "aws-eusc"),
)


def partition_of(region: str) -> str:
    """The partition of a Region's name (``aws`` for any other, as for a Region newer than this list)."""
    for prefix, partition in _BY_REGION_PREFIX:
        if region.startswith(prefix):
            return partition
    return "aws"
