"""Request values an ARN spells in lower case (``rules.ARN_SPELLINGS``).

Found by reading, for every ``${Parameter}`` a mapped call's ARN template fills, the parameter's botocore
input shape, and checking each enum against the ARNs AWS documents (WAF's scope is in
``test_wafv2_scope``). Performance Insights and AWS Proton take an upper-case enum in the request and
write it in lower case in the ARN; the SDK table put the request's value in the ARN as it is, which names
nothing (IAM compares the resource part of an ARN case-sensitively).
"""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import cloudtrail_record, user_identity

ACCOUNT = "123456789012"


def grants(source: str, name: str, params: dict[str, object]) -> set[tuple[str, str]]:
    identity = user_identity(account=ACCOUNT, user="johndoe")
    record = cloudtrail_record(source, name, params, account=ACCOUNT, identity=identity)
    return set(EventMapper().map(record).uses)


def test_performance_insights_metrics_are_rds_in_their_arn() -> None:
    """The RDS User Guide's CloudTrail record of GetResourceMetrics (USER_PerfInsights.CloudTrail in
    awsdocs/amazon-rds-user-guide), its request parameters as logged; the same guide's policies grant
    "arn:aws:pi:us-east-1:111122223333:metrics/rds/*" (USER_PerfInsights.access-control)."""
    params = {
        "identifier": "db-YTDU5J5V66X7CXSCVDFD2V3SZM",
        "metricQueries": [{"metric": "os.cpuUtilization.user.avg"}, {"metric": "os.cpuUtilization.idle.avg"}],
        "startTime": "Dec 18, 2019 5:28:46 PM",
        "periodInSeconds": 60,
        "endTime": "Dec 18, 2019 7:28:46 PM",
        "serviceType": "RDS",
    }
    assert grants("pi.amazonaws.com", "GetResourceMetrics", params) == {
        ("pi:GetResourceMetrics", f"arn:aws:pi:us-east-1:{ACCOUNT}:metrics/rds/db-YTDU5J5V66X7CXSCVDFD2V3SZM")
    }


def test_every_metrics_call_reads_the_same_spelling() -> None:
    """The other calls on a data source's metrics take the same ``ServiceType`` and ``Identifier`` (PI API
    Reference, DescribeDimensionKeys, GetResourceMetadata, ListAvailableResourceMetrics)."""
    params = {"serviceType": "RDS", "identifier": "db-ABCDEFGHIJKLMNOPQRSTU1VW2X"}
    for name in ("GetResourceMetadata", "ListAvailableResourceMetrics"):
        assert grants("pi.amazonaws.com", name, {**params, "metricTypes": ["os"]}) == {
            (f"pi:{name}", f"arn:aws:pi:us-east-1:{ACCOUNT}:metrics/rds/db-ABCDEFGHIJKLMNOPQRSTU1VW2X")
        }


def test_a_proton_github_repository_is_github_in_its_arn() -> None:
    """``aws proton get-repository --name myrepos/templates --provider "GITHUB"`` returns "arn":
    "arn:aws:proton:region-id:123456789012:repository/github:myrepos/templates"
    (awsdocs/aws-proton-user-guide, ag-repo-view; ag-repo-delete the same for delete-repository).
    CloudTrail logs the request's members in lowerCamelCase (Proton API Reference, GetRepository: name,
    provider)."""
    arn = f"arn:aws:proton:us-east-1:{ACCOUNT}:repository/github:myrepos/templates"
    for name in ("GetRepository", "DeleteRepository"):
        params = {"name": "myrepos/templates", "provider": "GITHUB"}
        assert grants("proton.amazonaws.com", name, params) == {(f"proton:{name}", arn)}
    created = {
        "name": "myrepos/templates",
        "provider": "GITHUB",
        "connectionArn": f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/a1b2c3d4-5678-90ab",
    }
    assert ("proton:CreateRepository", arn) in grants("proton.amazonaws.com", "CreateRepository", created)
