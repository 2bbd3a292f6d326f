"""AWS Config's configuration recorder by the name its calls give it.

The reference's recorder is ``configuration-recorder/${RecorderName}/${RecorderId}`` (Service Authorization
Reference), and every call on one names it by "ConfigurationRecorderName: The name of the configuration
recorder" (Config API Reference, StartConfigurationRecorder, StopConfigurationRecorder,
DeleteConfigurationRecorder) or "ConfigurationRecorderNames" (DescribeConfigurationRecorders,
DescribeConfigurationRecorderStatus). iam-dataset's entries read nothing, and the mapper read a variable by
its own stem (``RecorderName``) only, not by the type's whole noun: such calls were granted ``*`` with the
resource-undetermined finding. Found by the QA pass on elastic/integrations' StopConfigurationRecorder
record (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/test-stop-configuration-recorder.log:
``"requestParameters":{"configurationRecorderName":"default"}``). The id AWS Config assigns is in no
record: ``configuration-recorder/NAME/*``, said.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

RECORDER = f"arn:aws:config:us-east-1:{ACCOUNT}:configuration-recorder/default/*"


@pytest.mark.parametrize(
    ("event_name", "params"),
    [
        ("StopConfigurationRecorder", {"configurationRecorderName": "default"}),
        ("StartConfigurationRecorder", {"configurationRecorderName": "default"}),
        ("DeleteConfigurationRecorder", {"configurationRecorderName": "default"}),
        ("DescribeConfigurationRecorders", {"configurationRecorderNames": ["default"]}),
        ("DescribeConfigurationRecorderStatus", {"configurationRecorderNames": ["default"]}),
    ],
)
def test_a_recorder_by_name(event_name: str, params: dict[str, Any]) -> None:
    event = EventMapper().map(cloudtrail_record("config.amazonaws.com", event_name, params))
    assert event.uses == ((f"config:{event_name}", RECORDER),)
    (note,) = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert "configuration-recorder/default/*" in note
    assert "a configuration recorder given by name, not by the id its ARN holds" in note


def test_starting_a_named_recorder_does_not_say_it_creates_one() -> None:
    """StartConfigurationRecorder "Starts recording configurations of the Amazon Web Services resources you
    have selected to record": the recorder exists. A ``Start<Noun>`` counts as making its noun (a
    StartExecution's execution), so the finding said "the call creates the configurationrecorder"; one its
    request names by a variable of the type's own noun is the one it starts."""
    event = EventMapper().map(
        cloudtrail_record(
            "config.amazonaws.com", "StartConfigurationRecorder", {"configurationRecorderName": "default"}
        )
    )
    (note,) = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert "creates" not in note


def test_a_start_inside_a_named_parent_still_creates() -> None:
    """Amazon Connect's StartContactEvaluation "Creates an evaluation for the specified contact" (Connect API
    Reference) in the instance it names: ``instance/ID/contact-evaluation/*``, said as made (the guard)."""
    event = EventMapper().map(
        cloudtrail_record(
            "connect.amazonaws.com",
            "StartContactEvaluation",
            {
                "instanceId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
                "contactId": "c1d2e3f4-5678-90ab-cdef-EXAMPLE22222",
                "evaluationFormId": "f1e2d3c4-5678-90ab-cdef-EXAMPLE33333",
            },
        )
    )
    notes = [n[2] for n in event.notes if n[1] == "resource-undetermined"]
    assert any("contact-evaluation/*" in note and "creates" in note for note in notes)


def test_a_list_of_every_recorder_still_names_none() -> None:
    """DescribeConfigurationRecorders without names: "If you do not specify a name, Config returns the
    configuration recorders ... associated with the account" (the guard: still ``*``, said as before)."""
    event = EventMapper().map(cloudtrail_record("config.amazonaws.com", "DescribeConfigurationRecorders", {}))
    assert event.uses == (("config:DescribeConfigurationRecorders", "*"),)


# Config API Reference, PutConfigurationRecorder: "ConfigurationRecorder: An object for the configuration
# recorder", with "name: The name of the configuration recorder", "arn: The Amazon Resource Name (ARN) of the
# specified configuration recorder" and "roleARN: The Amazon Resource Name (ARN) of the IAM role assumed by
# Config"; CloudTrail logs the request's members in lowerCamelCase
ROLE = f"arn:aws:iam::{ACCOUNT}:role/config-role"


def test_putting_a_recorder_by_its_nested_name() -> None:
    """The name is nested in the request's recorder object, which iam-dataset's entry does not read: the call
    was granted ``*`` with the resource-undetermined warning."""
    params = {
        "configurationRecorder": {
            "name": "default",
            "roleARN": ROLE,
            "recordingGroup": {"allSupported": True},
        }
    }
    event = EventMapper().map(cloudtrail_record("config.amazonaws.com", "PutConfigurationRecorder", params))
    assert event.uses == (("config:PutConfigurationRecorder", RECORDER), ("iam:PassRole", ROLE))
    assert "a configuration recorder given by name" in event.notes[0][2]


def test_putting_a_recorder_by_its_arn() -> None:
    recorder = f"arn:aws:config:us-east-1:{ACCOUNT}:configuration-recorder/default/bjvzkpzsyq1otdxv"
    params = {"configurationRecorder": {"arn": recorder, "name": "default", "roleARN": ROLE}}
    event = EventMapper().map(cloudtrail_record("config.amazonaws.com", "PutConfigurationRecorder", params))
    assert event.uses == (("config:PutConfigurationRecorder", recorder), ("iam:PassRole", ROLE))
    assert event.notes == ()


def test_putting_a_recorder_without_a_name_puts_the_default_one() -> None:
    """ "For customer managed configuration recorders, Config automatically assigns the name of "default" when
    creating a configuration recorder if you do not specify a name at creation time" (Config API Reference,
    ConfigurationRecorder; "You can create only one customer managed configuration recorder for each account
    for each Amazon Web Services Region", PutConfigurationRecorder): a request without a name puts the
    recorder named default, where the call was granted ``*``."""
    params = {"configurationRecorder": {"roleARN": ROLE, "recordingGroup": {"allSupported": True}}}
    event = EventMapper().map(cloudtrail_record("config.amazonaws.com", "PutConfigurationRecorder", params))
    assert event.uses == (("config:PutConfigurationRecorder", RECORDER), ("iam:PassRole", ROLE))
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]  # the id AWS Config assigned
