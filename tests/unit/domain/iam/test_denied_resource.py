"""A denied call granted on the resource its error message says IAM refused.

CloudTrail writes AWS's refusal with the action and resource that were checked: "User:
arn:aws:iam::999999999999:user/myUserName is not authorized to perform: lambda:GetFunction on resource:
arn:aws:lambda:us-west-2:999999999999:function:other-acct-function", with ``"requestParameters": null``
(Lambda Developer Guide, "Logging Lambda API calls using AWS CloudTrail", the GetFunction example);
newer messages quote the ARN and say why ("... on resource: \\"arn:...\\" because no identity-based policy
allows the s3:ListBucket action", IAM User Guide, "Troubleshoot access denied error messages"). Denied
calls are reported, and granted with ``--include-denied``: on that resource, not ``*``.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def refused(source: str, name: str, params: dict[str, Any] | None, message: str) -> Any:
    record = cloudtrail_record(source, name, params, error_code="AccessDenied", error_message=message)
    return EventMapper().map(record)


def test_the_documented_record_without_parameters_is_granted_on_the_refused_function() -> None:
    function = "arn:aws:lambda:us-west-2:999999999999:function:other-acct-function"
    event = refused(
        "lambda.amazonaws.com",
        "GetFunction",
        None,
        "User: arn:aws:iam::999999999999:user/myUserName is not authorized to perform: lambda:GetFunction "
        f"on resource: {function}",
    )
    assert event.denied and event.uses == (("lambda:GetFunction", function),)
    assert event.notes == ()


def test_an_action_the_call_needed_besides_its_own_joins_it() -> None:
    """An S3 read of a KMS-encrypted object refused on the key: the call needs kms:Decrypt on it."""
    event = refused(
        "s3.amazonaws.com",
        "GetObject",
        {"bucketName": "reports", "key": "2024/q1.csv"},
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/s is not authorized to perform: kms:Decrypt on "
        f'resource: "{KEY}" because no identity-based policy allows the kms:Decrypt action',
    )
    assert set(event.uses) == {("s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv"), ("kms:Decrypt", KEY)}


def test_a_role_the_refusal_names_is_passed_and_not_said_to_be_left_out() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/orders-task"
    event = refused(
        "ecs.amazonaws.com",
        "RunTask",
        {"cluster": "orders", "taskDefinition": "orders-worker:7"},
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/s is not authorized to perform: iam:PassRole on "
        f"resource: {role}",
    )
    assert ("iam:PassRole", role) in event.uses
    assert "pass-role-left-out" not in {code for _, code, _ in event.notes}


@pytest.mark.parametrize(
    "message",
    [
        # an ARN of none of the action's types
        f"User: x is not authorized to perform: lambda:GetFunction on resource: {KEY}",
        # an action the reference does not know
        "User: x is not authorized to perform: lambda:GetFunctionSomething on resource: "
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f",
        # no resource named (EC2's encoded messages, SNS's short one)
        "User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: lambda:GetFunction",
    ],
)
def test_a_message_that_names_no_resource_of_the_action_keeps_the_finding(message: str) -> None:
    event = refused("lambda.amazonaws.com", "GetFunction", None, message)
    assert event.uses == (("lambda:GetFunction", "*"),)
    assert "resource-undetermined" in {code for _, code, _ in event.notes}


def test_two_refusals_in_one_mapper_keep_their_own_resources() -> None:
    mapper = EventMapper()
    for name in ("first", "second", "first"):
        function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
        message = f"User: x is not authorized to perform: lambda:GetFunction on resource: {function}"
        record = cloudtrail_record(
            "lambda.amazonaws.com", "GetFunction", None, error_code="AccessDenied", error_message=message
        )
        assert mapper.map(record).uses == (("lambda:GetFunction", function),)


# A Lambda function's log writes refused on its log stream, as flaws2.cloud's defender logs hold it
# (s3://flaws2-logs/AWSLogs/653711331788/CloudTrail/us-east-1/2018/11/28/653711331788_CloudTrail_us-east-1_
# 20181128T2305Z_83VTWZ8Z0kiEC7Lq.json.gz, the first record of role/service-role/level1; quoted whole in the
# public CyberDefenders "Bucket" write-ups): "requestParameters": null.
LEVEL1_STREAM = (
    "arn:aws:logs:us-east-1:653711331788:log-group:/aws/lambda/level1:log-stream:"
    "2018/11/28/[$LATEST]2d75b45ba94f495598fd2fed9f3ca60e"
)
GRANTED_STREAM = LEVEL1_STREAM.replace("$", "${$}")  # a literal "$" as a policy writes it


def test_a_refused_resource_the_request_did_not_name_replaces_every_one_of_its_type() -> None:
    """The stream's type was granted whole, ``log-group:*:log-stream:*`` (every log stream of every log
    group of the account and region), beside the one the message names, which the wildcard then absorbed:
    the policy written allowed every log group's streams."""
    record = cloudtrail_record(
        "logs.amazonaws.com",
        "CreateLogStream",
        None,
        account="653711331788",
        error_code="AccessDenied",
        error_message="User: arn:aws:sts::653711331788:assumed-role/level1/level1 is not authorized to "
        f"perform: logs:CreateLogStream on resource: {LEVEL1_STREAM}",
    )
    record["userAgent"] = "awslambda-worker"
    event = EventMapper().map(record)
    assert event.denied and event.uses == (("logs:CreateLogStream", GRANTED_STREAM),)
    assert event.notes == ()


def test_the_refused_arn_and_the_requests_are_one_grant() -> None:
    """The request's stream name is escaped (``[${$}LATEST]``) and the message's was not: a denied
    PutLogEvents that named its stream was granted both spellings, two Resource entries for one stream."""
    group, stream = LEVEL1_STREAM.split(":log-group:")[1].split(":log-stream:")
    record = cloudtrail_record(
        "logs.amazonaws.com",
        "PutLogEvents",
        {"logGroupName": group, "logStreamName": stream},
        account="653711331788",
        error_code="AccessDeniedException",
        error_message="User: arn:aws:sts::653711331788:assumed-role/level1/level1 is not authorized to "
        f"perform: logs:PutLogEvents on resource: {LEVEL1_STREAM}",
    )
    assert EventMapper().map(record).uses == (("logs:PutLogEvents", GRANTED_STREAM),)


def test_only_the_refused_type_is_narrowed_the_others_keep_their_finding() -> None:
    """RunInstances refused on its subnet: the subnet stands in for ``subnet/*``; the security group the
    request did not name either stays every one of its type, said."""
    subnet = f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-0a1b2c3d4e5f60718"
    params = {
        "instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
        "instanceType": "t3.micro",
    }
    record = cloudtrail_record(
        "ec2.amazonaws.com",
        "RunInstances",
        params,
        error_code="Client.UnauthorizedOperation",
        error_message=f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/s is not authorized to perform: "
        f"ec2:RunInstances on resource: {subnet} because no identity-based policy allows the "
        "ec2:RunInstances action",
    )
    resources = {arn for _, arn in EventMapper().map(record).uses}
    assert subnet in resources and f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/*" not in resources
    assert f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/*" in resources
    notes = [text for _, code, text in EventMapper().map(record).notes if code == "resource-undetermined"]
    assert len(notes) == 1 and "security-group/*" in notes[0] and "subnet/*" not in notes[0]


# Stratus Red Team's ec2-get-password-data detonation (tests/fixtures/public-cloudtrail/stratus-red-team/
# aws.credential-access.ec2-get-password-data.json.gz): thirty GetPasswordData calls on made-up instance
# ids, each refused "on resource: arn:aws:ec2:...:instance/*", the pattern EC2 reports for an id naming no
# instance.
NO_INSTANCE = (
    "You are not authorized to perform this operation. User: arn:aws:sts::{account}:assumed-role/"
    "stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1722375070115152000 is not authorized to "
    "perform: ec2:GetPasswordData on resource: arn:aws:ec2:us-east-1:{account}:instance/* because no "
    "identity-based policy allows the ec2:GetPasswordData action. Encoded authorization failure message: "
    "fqhg8CzmasrUP43"
)


def password_data(params: dict[str, Any] | None) -> Any:
    record = cloudtrail_record(
        "ec2.amazonaws.com",
        "GetPasswordData",
        params,
        error_code="Client.UnauthorizedOperation",
        error_message=NO_INSTANCE.format(account=ACCOUNT),
    )
    return EventMapper().map(record)


def test_a_refused_pattern_never_widens_the_resource_the_request_named() -> None:
    """With --include-denied the policy granted ``instance/*`` (every instance's password data) beside the
    thirty ids the requests named, which it absorbed."""
    event = password_data({"instanceId": "i-0a1b2c3d4e5f60718"})
    assert event.denied
    assert event.uses == (
        ("ec2:GetPasswordData", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0a1b2c3d4e5f60718"),
    )


def test_a_refused_pattern_still_stands_in_for_a_request_that_named_nothing() -> None:
    assert password_data(None).uses == (
        ("ec2:GetPasswordData", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"),
    )


def test_a_refused_pattern_standing_in_is_said() -> None:
    """The message prints the resource IAM checked without telling IAM's wildcard from a character of a
    name, and a request naming nothing of its type cannot tell either: the pattern is granted, said, where
    it was silent."""
    notes = [text for _, code, text in password_data(None).notes if code == "resource-undetermined"]
    assert len(notes) == 1
    assert "ec2:GetPasswordData on instance/*" in notes[0] and "granted as a wildcard" in notes[0]


def test_a_star_the_request_names_as_part_of_a_key_is_that_key() -> None:
    """The guard: the request's own key says the message's ``*`` is a character of it ("Safe characters ...
    Asterisk (*)", Amazon S3 User Guide, "Naming Amazon S3 objects"): the key is granted escaped, the
    refused pattern is not, and nothing is said. The message as the IAM User Guide's "Troubleshoot access
    denied error messages" words it."""
    key = "reports/*draft?.csv"
    message = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/botocore-session-1700000000 is not authorized "
        f'to perform: s3:GetObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket/{key}" because no '
        "identity-based policy allows the s3:GetObject action"
    )
    params = {"bucketName": "amzn-s3-demo-bucket", "key": key, "Host": "amzn-s3-demo-bucket.s3.amazonaws.com"}
    event = refused("s3.amazonaws.com", "GetObject", params, message)
    assert event.uses == (("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/${*}draft${?}.csv"),)
    assert event.notes == ()


def test_a_refused_pattern_beside_the_named_instance_says_nothing() -> None:
    """The guard: the instance the request named is granted, not the pattern (70396e1)."""
    assert password_data({"instanceId": "i-0a1b2c3d4e5f60718"}).notes == ()
