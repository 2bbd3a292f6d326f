"""The RDS calls that make a DB instance other than CreateDBInstance take their groups from the response too.

RestoreDBInstanceFromS3, RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime and
CreateDBInstanceReadReplica require a parameter group, an option group and a subnet group (Service
Authorization Reference: ``pg``, ``og``, ``subgrp`` required), and a request may leave each to a default
("DBParameterGroupName: ... If you do not specify a value for DBParameterGroupName, then the default
DBParameterGroup for the specified DB engine is used", RDS API Reference, RestoreDBInstanceFromS3). Each
returns the new ``DBInstance`` ("Contains the details of an Amazon RDS DB instance"), which names the
groups it got, as CreateDBInstance's does; only CreateDBInstance read them (``rules.RESPONSE_DEFAULTS``),
so the others were granted ``og:*``, ``pg:*``, ``subgrp:*`` in the account and Region with the
resource-undetermined finding. Found by the QA pass on elastic/integrations' RestoreDBInstanceFromS3 record
(packages/aws/data_stream/cloudtrail/_dev/test/pipeline/test-restore-db-instnace-from-s3-json.log, trimmed
below to the fields the mapper reads beside the ones every record has).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"


def created(parameter_group: str, option_group: str) -> dict[str, Any]:
    """The DBInstance of the elastic/integrations record, trimmed: what RDS gave the new instance."""
    return {
        "dBInstanceArn": f"{RDS}:db:restored",
        "dBInstanceIdentifier": "restored",
        "dBInstanceStatus": "creating",
        "dBParameterGroups": [{"dBParameterGroupName": parameter_group, "parameterApplyStatus": "in-sync"}],
        "dBSubnetGroup": {
            "dBSubnetGroupDescription": "default",
            "dBSubnetGroupName": "default",
            "subnetGroupStatus": "Complete",
            "vpcId": "vpc-73d2e309",
        },
        "optionGroupMemberships": [{"optionGroupName": option_group, "status": "in-sync"}],
        "engine": "mysql",
        "engineVersion": "8.0.39",
    }


FROM_S3 = {
    "allocatedStorage": 5,
    "dBInstanceClass": "db.t3.micro",
    "dBInstanceIdentifier": "restored",
    "engine": "mysql",
    "engineVersion": "8.0.39",
    "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS",
    "masterUsername": "admin",
    "s3BucketName": "rmf-cloudtrail-backup-test",
    "s3IngestionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-export",
    "sourceEngine": "mysql",
    "sourceEngineVersion": "8.0.39",
}


def test_a_restore_from_s3_is_granted_on_the_groups_it_got() -> None:
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "RestoreDBInstanceFromS3",
            FROM_S3,
            response_elements=created("default.mysql8.0", "default:mysql-8-0"),
        )
    )
    assert set(event.uses) == {
        ("rds:RestoreDBInstanceFromS3", f"{RDS}:db:restored"),
        ("rds:RestoreDBInstanceFromS3", f"{RDS}:pg:default.mysql8.0"),
        ("rds:RestoreDBInstanceFromS3", f"{RDS}:og:default:mysql-8-0"),
        ("rds:RestoreDBInstanceFromS3", f"{RDS}:subgrp:default"),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/rds-export"),
    }
    assert event.notes == ()


@pytest.mark.parametrize(
    ("event_name", "params", "named"),
    [
        # "DBSnapshotIdentifier: The identifier for the DB snapshot to restore from"
        (
            "RestoreDBInstanceFromDBSnapshot",
            {"dBInstanceIdentifier": "restored", "dBSnapshotIdentifier": "nightly"},
            {f"{RDS}:db:restored", f"{RDS}:snapshot:nightly"},
        ),
        (
            "RestoreDBInstanceToPointInTime",
            {"sourceDBInstanceIdentifier": "orders", "targetDBInstanceIdentifier": "restored"},
            {f"{RDS}:db:orders", f"{RDS}:db:restored"},
        ),
    ],
)
def test_the_other_restores_are_granted_on_the_groups_they_got(
    event_name: str, params: dict[str, Any], named: set[str]
) -> None:
    mapper = EventMapper()
    # one mapper for two responses to the same request: the memo keys on the response's groups
    for parameter_group, option_group in (
        ("default.mysql8.0", "default:mysql-8-0"),
        ("orders-pg", "orders-og"),
    ):
        event = mapper.map(
            cloudtrail_record(
                "rds.amazonaws.com",
                event_name,
                params,
                response_elements=created(parameter_group, option_group),
            )
        )
        assert {arn for action, arn in event.uses if action == f"rds:{event_name}"} == named | {
            f"{RDS}:pg:{parameter_group}",
            f"{RDS}:og:{option_group}",
            f"{RDS}:subgrp:default",
        }
        assert event.notes == ()


def test_a_read_replica_takes_its_groups_from_the_response() -> None:
    """CreateDBInstanceReadReplica: the groups from the response; the reference's ``cluster`` it also lists as
    required stays whole and said, as before (not a group the response names)."""
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "CreateDBInstanceReadReplica",
            {"dBInstanceIdentifier": "restored", "sourceDBInstanceIdentifier": "orders"},
            response_elements=created("default.mysql8.0", "default:mysql-8-0"),
        )
    )
    granted = {arn for action, arn in event.uses if action == "rds:CreateDBInstanceReadReplica"}
    assert {f"{RDS}:pg:default.mysql8.0", f"{RDS}:og:default:mysql-8-0", f"{RDS}:subgrp:default"} <= granted
    assert not {f"{RDS}:pg:*", f"{RDS}:og:*", f"{RDS}:subgrp:*"} & granted


def test_a_group_the_request_names_wins_over_the_response() -> None:
    """The request's own value is the one RDS checked (as for CreateDBInstance): the guard."""
    event = EventMapper().map(
        cloudtrail_record(
            "rds.amazonaws.com",
            "RestoreDBInstanceFromS3",
            {**FROM_S3, "dBParameterGroupName": "restored-pg"},
            response_elements=created("something-else", "default:mysql-8-0"),
        )
    )
    assert ("rds:RestoreDBInstanceFromS3", f"{RDS}:pg:restored-pg") in event.uses
    assert ("rds:RestoreDBInstanceFromS3", f"{RDS}:pg:something-else") not in event.uses
