"""An EMR job flow is its cluster: the calls that name it by ``JobFlowId(s)`` are granted ``cluster/ID``.

EMR API Reference: "JobFlowIds: A list of job flows to be shut down" (TerminateJobFlows), "JobFlowId: A
string that uniquely identifies the job flow. This identifier is returned by RunJobFlow and can also be
obtained from ListClusters" (AddJobFlowSteps), "JobFlowId: Job flow in which to add the instance groups"
(AddInstanceGroups); the reference authorizes each on ``cluster/${ClusterId}``, the ``j-...`` id
(iam-dataset's own SetVisibleToAllUsers entry writes ``cluster/${JobFlowIds[]}``). The table gave the
cluster ``*``, so these calls were granted ``*`` with the finding that "the request has no parameter naming
the cluster", though it names it. Records in CloudTrail's lowerCamelCase, as EMR's are logged.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

CLUSTERS = f"arn:aws:elasticmapreduce:us-east-1:{ACCOUNT}:cluster"


@pytest.mark.parametrize(
    ("name", "params", "clusters"),
    [
        (
            "AddJobFlowSteps",
            {
                "jobFlowId": "j-3UN6WX5RRO2AG",
                "steps": [
                    {
                        "name": "nightly-aggregation",
                        "actionOnFailure": "CONTINUE",
                        "hadoopJarStep": {"jar": "command-runner.jar", "args": ["spark-submit", "job.py"]},
                    }
                ],
            },
            ["j-3UN6WX5RRO2AG"],
        ),
        (
            "AddInstanceGroups",
            {
                "jobFlowId": "j-3UN6WX5RRO2AG",
                "instanceGroups": [{"instanceRole": "TASK", "instanceType": "m5.xlarge", "instanceCount": 2}],
            },
            ["j-3UN6WX5RRO2AG"],
        ),
        (
            "TerminateJobFlows",
            {"jobFlowIds": ["j-3UN6WX5RRO2AG", "j-2AXXXXXXGAPLF"]},
            ["j-2AXXXXXXGAPLF", "j-3UN6WX5RRO2AG"],
        ),
        (
            "SetTerminationProtection",
            {"jobFlowIds": ["j-3UN6WX5RRO2AG"], "terminationProtected": True},
            ["j-3UN6WX5RRO2AG"],
        ),
    ],
)
def test_a_job_flow_is_granted_as_its_cluster(name: str, params: dict[str, Any], clusters: list[str]) -> None:
    event = EventMapper().map(cloudtrail_record("elasticmapreduce.amazonaws.com", name, params))
    assert sorted(event.uses) == [(f"elasticmapreduce:{name}", f"{CLUSTERS}/{c}") for c in clusters]
    assert event.notes == ()
