"""A call names some of the resources it needs but not every type the Service Authorization Reference marks
required (a default the request leaves out, an id no format can take). It keeps what it named, gets every
resource of each missing type in its account and region, inside the parents it named, and says so; before,
the whole action fell back to ``*``. Requests as the RDS API Reference names their parameters."""

from __future__ import annotations

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"


def _granted(source: str, name: str, params: dict[str, object]) -> tuple[set[tuple[str, str]], list[str]]:
    event = EventMapper().map(cloudtrail_record(f"{source}.amazonaws.com", name, params))
    assert event.kind == "mapped", event
    return set(event.uses), [note[2] for note in event.notes if note[1] == "resource-undetermined"]


def mapped(name: str, params: dict[str, object]) -> tuple[set[tuple[str, str]], list[str]]:
    return _granted("rds", name, params)


def test_a_cluster_with_its_option_group_left_to_the_default() -> None:
    """CreateDBCluster requires a cluster, a cluster parameter group, an option group and a subnet group
    (reference); "OptionGroupName: The option group to associate the DB cluster with" is optional in the API.
    """
    params = {
        "dBClusterIdentifier": "orders",
        "engine": "aurora-postgresql",
        "dBSubnetGroupName": "private",
        "dBClusterParameterGroupName": "orders-pg15",
    }
    uses, notes = mapped("CreateDBCluster", params)
    assert uses == {
        ("rds:CreateDBCluster", f"{RDS}:cluster:orders"),
        ("rds:CreateDBCluster", f"{RDS}:cluster-pg:orders-pg15"),
        ("rds:CreateDBCluster", f"{RDS}:subgrp:private"),
        ("rds:CreateDBCluster", f"{RDS}:og:*"),
    }
    (note,) = notes
    assert "rds:CreateDBCluster on og:* in the account and region" in note


def test_a_cluster_deleted_without_a_final_snapshot() -> None:
    """DeleteDBCluster requires a cluster snapshot type (reference); ``SkipFinalSnapshot`` makes none.

    Kept whole, said, for want of evidence either way: the Service Authorization Reference marks
    ``cluster-snapshot`` required for rds:DeleteDBCluster without a condition, and no AWS page says whether
    it is evaluated when "RDS doesn't create a final DB cluster snapshot" (RDS API Reference, DeleteDBCluster,
    SkipFinalSnapshot). AWS's 2024 notice on final snapshots (quoted in convox/convox#856) speaks only of the
    call that makes one ("if you want to create a final snapshot of a database cluster when calling
    DeleteDBCluster, you must have an IAM Allow effect for the rds:CreateDBClusterSnapshot permission"). An
    AccessDenied record of a skipped-snapshot delete naming ``cluster-snapshot`` would settle it."""
    uses, notes = mapped("DeleteDBCluster", {"dBClusterIdentifier": "orders", "skipFinalSnapshot": True})
    assert uses == {
        ("rds:DeleteDBCluster", f"{RDS}:cluster:orders"),
        ("rds:DeleteDBCluster", f"{RDS}:cluster-snapshot:*"),
    }
    assert len(notes) == 1 and "cluster-snapshot:*" in notes[0]


def test_a_call_that_names_every_required_type_is_unchanged() -> None:
    params = {"dBClusterIdentifier": "orders", "finalDBSnapshotIdentifier": "orders-final"}
    uses, notes = mapped("DeleteDBCluster", params)
    assert uses == {
        ("rds:DeleteDBCluster", f"{RDS}:cluster:orders"),
        ("rds:DeleteDBCluster", f"{RDS}:cluster-snapshot:orders-final"),
        # the final snapshot it makes (test_rds_final_snapshots.py)
        ("rds:CreateDBClusterSnapshot", f"{RDS}:cluster:orders"),
        ("rds:CreateDBClusterSnapshot", f"{RDS}:cluster-snapshot:orders-final"),
    }
    assert notes == []


def test_a_call_that_names_nothing_stays_on_star() -> None:
    uses, notes = mapped("DeleteDBCluster", {"skipFinalSnapshot": True})
    assert uses == {("rds:DeleteDBCluster", "*")}
    assert len(notes) == 1


def test_an_instance_is_granted_on_the_groups_it_names() -> None:
    """RDS checks CreateDBInstance on its option group, parameter group and subnet group too (RDS User
    Guide, "Allow a user to create DB instances in an AWS account": Resource db:test*, og:default*,
    pg:default*, subgrp:default); the table named the instance alone. Tags given at creation go on the
    instance, not on the groups it only uses."""
    params = {
        "dBInstanceIdentifier": "orders",
        "dBInstanceClass": "db.t3.micro",
        "engine": "postgres",
        "dBSubnetGroupName": "private",
        "dBParameterGroupName": "orders-pg16",
        "optionGroupName": "default:postgres-16",
        "tags": [{"key": "team", "value": "payments"}],
    }
    uses, notes = mapped("CreateDBInstance", params)
    assert uses == {
        ("rds:CreateDBInstance", f"{RDS}:db:orders"),
        ("rds:CreateDBInstance", f"{RDS}:og:default:postgres-16"),
        ("rds:CreateDBInstance", f"{RDS}:pg:orders-pg16"),
        ("rds:CreateDBInstance", f"{RDS}:subgrp:private"),
        ("rds:AddTagsToResource", f"{RDS}:db:orders"),
    }
    assert notes == []


def test_an_instance_with_its_groups_left_to_the_defaults() -> None:
    params = {"dBInstanceIdentifier": "orders", "dBInstanceClass": "db.t3.micro", "engine": "postgres"}
    uses, notes = mapped("CreateDBInstance", params)
    assert uses == {
        ("rds:CreateDBInstance", f"{RDS}:db:orders"),
        ("rds:CreateDBInstance", f"{RDS}:og:*"),
        ("rds:CreateDBInstance", f"{RDS}:pg:*"),
        ("rds:CreateDBInstance", f"{RDS}:subgrp:*"),
    }
    (note,) = notes
    assert "og:*, pg:*, subgrp:*" in note


def instance_created_with(parameter_group: str, option_group: str) -> dict[str, object]:
    """A CreateDBInstance record that leaves its groups to the defaults, with the DBInstance CloudTrail logs
    as its response (a real record's shape, the QA pass's sample from elastic/integrations, trimmed)."""
    params = {"dBInstanceIdentifier": "orders", "dBInstanceClass": "db.t3.micro", "engine": "mysql"}
    response = {
        "dBInstanceIdentifier": "orders",
        "dBParameterGroups": [{"dBParameterGroupName": parameter_group, "parameterApplyStatus": "in-sync"}],
        "optionGroupMemberships": [{"optionGroupName": option_group, "status": "in-sync"}],
        "dBSubnetGroup": {"dBSubnetGroupName": "default", "subnetGroupStatus": "Complete", "vpcId": "vpc-1"},
    }
    return cloudtrail_record("rds.amazonaws.com", "CreateDBInstance", params, response_elements=response)


def test_the_groups_a_request_left_to_the_defaults_are_the_ones_its_response_names() -> None:
    """RDS checks the default groups a new instance gets (above); the DBInstance the call returns names
    them, so they were og:*, pg:*, subgrp:* only for want of reading it. One mapper for both records: the
    memo must key on the response too (the requests are the same)."""
    mapper = EventMapper()
    for parameter_group, option_group in (
        ("default.mysql8.0", "default:mysql-8-0"),
        ("default.mysql5.7", "default:mysql-5-7"),
    ):
        event = mapper.map(instance_created_with(parameter_group, option_group))
        assert set(event.uses) == {
            ("rds:CreateDBInstance", f"{RDS}:db:orders"),
            ("rds:CreateDBInstance", f"{RDS}:og:{option_group}"),
            ("rds:CreateDBInstance", f"{RDS}:pg:{parameter_group}"),
            ("rds:CreateDBInstance", f"{RDS}:subgrp:default"),
        }
        assert event.notes == ()


def test_a_modified_instance_is_granted_on_the_groups_it_moves_to() -> None:
    """ModifyDBInstance: "DBParameterGroupName: The name of the DB parameter group to apply to the DB
    instance", "OptionGroupName: The option group ..." (RDS API Reference); the pg type's variable is
    ParameterGroupName, which no RDS parameter is called, so the group was left out of the grant."""
    params = {
        "dBInstanceIdentifier": "orders",
        "dBParameterGroupName": "orders-pg16-tuned",
        "optionGroupName": "orders-og",
        "applyImmediately": True,
    }
    uses, notes = mapped("ModifyDBInstance", params)
    assert uses == {
        ("rds:ModifyDBInstance", f"{RDS}:db:orders"),
        ("rds:ModifyDBInstance", f"{RDS}:pg:orders-pg16-tuned"),
        ("rds:ModifyDBInstance", f"{RDS}:og:orders-og"),
    }
    assert notes == []


def test_a_video_stream_by_name_without_its_creation_time() -> None:
    """Kinesis Video Streams' ARN ends in the stream's creation time (stream/${StreamName}/${CreationTime}),
    which no request carries: "StreamName: The name of the stream" (GetDataEndpoint) names it in part."""
    uses, notes = _granted(
        "kinesisvideo", "GetDataEndpoint", {"streamName": "door-cam", "aPIName": "GET_MEDIA"}
    )
    assert uses == {
        ("kinesisvideo:GetDataEndpoint", f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/door-cam/*")
    }
    assert len(notes) == 1 and "stream/door-cam/*" in notes[0]


def test_a_broker_by_id_without_its_name() -> None:
    """Amazon MQ's ARN holds the broker's name and id (broker:${BrokerName}:${BrokerId}); RebootBroker takes
    "BrokerId: The unique ID that Amazon MQ generates for the broker"."""
    uses, notes = _granted("mq", "RebootBroker", {"brokerId": "b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9"})
    assert uses == {
        ("mq:RebootBroker", f"arn:aws:mq:us-east-1:{ACCOUNT}:broker:*:b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9")
    }
    assert len(notes) == 1


def test_nothing_the_request_names_stays_on_star() -> None:
    uses, notes = _granted("kinesisvideo", "GetDataEndpoint", {"aPIName": "GET_MEDIA"})
    assert uses == {("kinesisvideo:GetDataEndpoint", "*")}
    assert len(notes) == 1


def test_a_name_that_begins_with_arn_is_a_name() -> None:
    """Only a value with a ``:`` is an ARN or a qualified name; ``arnold-door-cam`` is a stream's name."""
    uses, _ = _granted(
        "kinesisvideo", "GetDataEndpoint", {"streamName": "arnold-door-cam", "aPIName": "GET_MEDIA"}
    )
    assert uses == {
        ("kinesisvideo:GetDataEndpoint", f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/arnold-door-cam/*")
    }


def test_what_a_call_creates_is_said_as_created_not_as_left_unnamed() -> None:
    """StartExperiment makes the experiment it is authorized on: no policy can name it before the call, so
    "narrow each to the one the call used" (the advice for a default the request left out) was wrong."""
    uses, notes = _granted("fis", "StartExperiment", {"experimentTemplateId": "EXT123"})
    assert (
        "fis:StartExperiment",
        f"arn:aws:fis:us-east-1:{ACCOUNT}:experiment/*",
    ) in uses
    (note,) = notes
    assert "the call creates the experiment, whose id is not known before it" in note
    assert "narrow each" not in note
