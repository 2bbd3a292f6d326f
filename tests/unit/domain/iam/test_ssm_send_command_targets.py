"""SSM SendCommand by ``Targets`` is granted on the nodes the targets select, not on the document alone.

"Targets: An array of search criteria that targets managed nodes using a Key,Value combination that you
specify" (SSM API Reference, SendCommand), a ``Target`` being "Key=InstanceIds,Values=instance-id-1,..."
or a tag or resource group ("Key=tag:tag-key", "Key=resource-groups:Name"; ``Target``). The command runs on
each node, and ssm:SendCommand is authorized on each (the reference lists ``instance`` and
``managed-instance`` beside the required ``document``; "Resource": "arn:aws:ec2:*:*:instance/*" with an
``ssm:resourceTag`` condition in the SSM User Guide's Run Command tag policies). iam-dataset's entry fills
the node with ``*``, which alone names nothing, and the request's ``instanceIds`` is read only when given as
that parameter: a command sent by targets was granted on its document and no node, with no finding (an
under-grant: the policy refuses the call). Found by the QA pass on elastic/integrations' SendCommand record
(packages/aws/data_stream/cloudtrail/_dev/test/pipeline/test-send-command-targets-json.log), which logs the
AWS CLI's ``--targets Key=instanceids,Values=i-...`` as the key was typed: SSM takes the key in any case.
"""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

EC2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
SSM = f"arn:aws:ssm:us-east-1:{ACCOUNT}"


def send(params: dict[str, Any]) -> tuple[set[tuple[str, str]], list[str]]:
    event = EventMapper().map(cloudtrail_record("ssm.amazonaws.com", "SendCommand", params))
    assert event.kind == "mapped", event
    return set(event.uses), [note[2] for note in event.notes if note[1] == "resource-undetermined"]


def test_targets_by_instance_id_name_the_instances() -> None:
    """The elastic/integrations record's request, its document renamed."""
    uses, notes = send(
        {
            "targets": [{"key": "instanceids", "values": ["i-0ddf9acf8eeb33959"]}],
            "documentName": "EncryptFiles",
            "interactive": False,
        }
    )
    assert uses == {
        ("ssm:SendCommand", f"{SSM}:document/EncryptFiles"),
        ("ssm:SendCommand", f"{EC2}:instance/i-0ddf9acf8eeb33959"),
    }
    assert notes == []


def test_targets_by_id_as_the_api_spells_the_key_and_managed_nodes() -> None:
    uses, notes = send(
        {
            "targets": [{"key": "InstanceIds", "values": ["i-02573cafcf0123456", "mi-0471e04240abcdef0"]}],
            "documentName": "AWS-RunShellScript",
            "outputS3BucketName": "command-output",
        }
    )
    assert uses == {
        ("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"),
        ("ssm:SendCommand", f"{EC2}:instance/i-02573cafcf0123456"),
        ("ssm:SendCommand", f"{SSM}:managed-instance/mi-0471e04240abcdef0"),
        ("ssm:SendCommand", "arn:aws:s3:::command-output"),
    }
    assert notes == []


def test_targets_by_tag_are_every_node_of_the_account_and_region_said() -> None:
    """ "Key=tag:ServerRole,Values=WebServer" (SSM API Reference, Target): the nodes are chosen by SSM when
    the command runs, and the record names none of them."""
    uses, notes = send(
        {
            "targets": [{"key": "tag:ServerRole", "values": ["WebServer"]}],
            "documentName": "AWS-RunPatchBaseline",
        }
    )
    assert uses == {
        ("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaseline"),
        ("ssm:SendCommand", f"{EC2}:instance/*"),
        ("ssm:SendCommand", f"{SSM}:managed-instance/*"),
    }
    (note,) = notes
    assert "instance/*" in note and "managed-instance/*" in note
    assert "targets" in note and note.count("nodes the command") == 1


def test_instance_ids_given_as_the_parameter_read_as_before() -> None:
    """``instanceIds`` without targets: the table's reading, unchanged (the guard)."""
    uses, notes = send({"instanceIds": ["i-01234567890abcdef"], "documentName": "AWS-RunShellScript"})
    assert uses == {
        ("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"),
        ("ssm:SendCommand", f"{EC2}:instance/i-01234567890abcdef"),
    }
    assert notes == []


def test_one_mapper_keys_on_the_targets() -> None:
    """Requests that differ only inside ``targets`` get their own nodes from one (memoising) mapper."""
    mapper = EventMapper()
    for node in ("i-0123456789abcdef0", "i-0123456789abcdef1"):
        params = {"targets": [{"key": "InstanceIds", "values": [node]}], "documentName": "AWS-RunShellScript"}
        event = mapper.map(cloudtrail_record("ssm.amazonaws.com", "SendCommand", params))
        assert ("ssm:SendCommand", f"{EC2}:instance/{node}") in event.uses


def test_every_node_is_never_a_node_named_star() -> None:
    """State Manager's SendCommand for an association on every node logs ``"instanceIds": ["*"]``
    (elastic/integrations, test-send-command-all-json.log): it was granted ``instance/${*}``, the one
    instance literally named ``*``, which matches no node the command runs on."""
    uses, notes = send(
        {
            "instanceIds": ["*"],
            "documentName": "AWS-RunPatchBaselineAssociation",
            "documentVersion": "1",
            "timeoutSeconds": 600,
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "maxConcurrency": "100%",
            "maxErrors": "100%",
            "clientName": "",
            "interactive": False,
        }
    )
    assert uses == {
        ("ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaselineAssociation"),
        ("ssm:SendCommand", f"{EC2}:instance/*"),
        ("ssm:SendCommand", f"{SSM}:managed-instance/*"),
    }
    assert len(notes) == 1
