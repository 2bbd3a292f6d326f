"""AWS WAF's scope as its ARNs spell it.

WAFV2 requests name where a web ACL, IP set, rule group or regex pattern set lives with ``Scope:
CLOUDFRONT | REGIONAL`` (WAFV2 API Reference, CreateWebACL); the ARNs say ``global`` or ``regional``
(``arn:${Partition}:wafv2:${Region}:${Account}:${Scope}/webacl/${Name}/${Id}`` in the Service Authorization
Reference). The WAF Developer Guide's CloudTrail records (logging-using-cloudtrail, archived in
awsdocs/aws-waf-and-shield-advanced-developer-guide) show both: CreateWebACL with ``"scope": "CLOUDFRONT"``
returns ``"aRN": "arn:aws:wafv2:us-west-2:112233445566:global/webacl/foo/ebbcb976-..."``. The table put the
request's value in the ARN as it is, ``CLOUDFRONT/webacl/foo/...``, which names no web ACL.
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record

ACCOUNT = "112233445566"
ACL_ID = "ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b"


def grants(event_name: str, params: dict[str, object]) -> set[tuple[str, str]]:
    record = cloudtrail_record("wafv2.amazonaws.com", event_name, params, region="us-west-2", account=ACCOUNT)
    return set(EventMapper().map(record).uses)


def test_a_cloudfront_web_acl_is_global_in_its_arn() -> None:
    """The Developer Guide's four records of one web ACL, as logged (the lock tokens and rules trimmed)."""
    acl = f"arn:aws:wafv2:us-west-2:{ACCOUNT}:global/webacl/foo"
    assert grants("CreateWebACL", {"name": "foo", "scope": "CLOUDFRONT", "defaultAction": {"block": {}}}) == {
        ("wafv2:CreateWebACL", f"{acl}/*")
    }
    for name in ("UpdateWebACL", "DeleteWebACL", "GetWebACL"):
        params = {"name": "foo", "scope": "CLOUDFRONT", "id": ACL_ID, "lockToken": "67551e73"}
        assert grants(name, params) == {(f"wafv2:{name}", f"{acl}/{ACL_ID}")}


def test_a_regional_ip_set_is_regional_in_its_arn() -> None:
    params = {"name": "office", "scope": "REGIONAL", "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}
    assert grants("GetIPSet", params) == {
        ("wafv2:GetIPSet", f"arn:aws:wafv2:us-west-2:{ACCOUNT}:regional/ipset/office/{params['id']}")
    }
