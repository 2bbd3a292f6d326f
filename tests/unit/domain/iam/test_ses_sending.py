"""Amazon SES sending calls (SES ``SendEmail``, ``SendRawEmail``, ``SendTemplatedEmail``,
``SendBulkTemplatedEmail``; SES v2 ``SendEmail``, ``SendBulkEmail``) granted on the identity, configuration
set and template they are authorized on.

CloudTrail logs these calls as data events under ``ses.amazonaws.com`` (opt-in, resources.type
``AWS::SES::EmailIdentity``, ``AWS::SES::ConfigurationSet``, ``AWS::SES::Template``), with recipients and
content written as ``HIDDEN_DUE_TO_SECURITY_REASONS`` and the identity in ``resources[]``: SES Developer
Guide, "Logging Amazon SES API calls with AWS CloudTrail", "SES data events in CloudTrail" and its
"SendEmail with simple content" / "SendEmail with templated content" examples
(https://docs.aws.amazon.com/ses/latest/dg/logging-using-cloudtrail.html). Sends through the SMTP interface
are not logged (same page). The request parameters are the API references' names in CloudTrail's
lowerCamelCase (``source``, ``fromEmailAddress``, ``content.template.templateName``).
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, cloudtrail_record

SES = "ses.amazonaws.com"
ARN = f"arn:aws:ses:us-east-1:{ACCOUNT}:"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
DESTINATION = {"toAddresses": [HIDDEN], "ccAddresses": [HIDDEN], "bccAddresses": [HIDDEN]}
# SES API Reference, SendEmail: Message (subject and body), as the SES guide's example logs it
MESSAGE = {
    "subject": {"charset": "UTF-8", "data": HIDDEN},
    "body": {"text": {"charset": "UTF-8", "data": HIDDEN}},
}


def send(
    event_name: str, params: dict[str, Any], resources: list[dict[str, Any]] | None = None
) -> tuple[set[tuple[str, str]], list[str]]:
    """What a fresh mapper grants one send, and the kinds of its findings."""
    record = cloudtrail_record(SES, event_name, params, resources=resources, data_event=True)
    event = EventMapper().map(record)
    assert event.kind == "mapped", event
    return set(event.uses), [note[1] for note in event.notes]


def identities(action: str, address: str, domain: str) -> set[tuple[str, str]]:
    return {(action, f"{ARN}identity/{address}"), (action, f"{ARN}identity/{domain}")}


@pytest.mark.parametrize(
    ("event_name", "action", "params"),
    [
        (
            "SendEmail",
            "ses:SendEmail",
            {"source": "sender@example.com", "destination": DESTINATION, "message": MESSAGE},
        ),
        (
            "SendRawEmail",
            "ses:SendRawEmail",
            {"source": "sender@example.com", "rawMessage": {"data": HIDDEN}},
        ),
        # SES API v2 SendEmail: FromEmailAddress, Content.Simple (logged under the same eventSource and name)
        (
            "SendEmail",
            "ses:SendEmail",
            {
                "fromEmailAddress": "sender@example.com",
                "destination": DESTINATION,
                "content": {"simple": MESSAGE},
            },
        ),
    ],
)
def test_a_send_is_granted_on_the_address_and_its_domain_identity(
    event_name: str, action: str, params: dict[str, Any]
) -> None:
    """ "Source: The email address that is sending the email. This email address must be either individually
    verified with Amazon SES, or from a domain that has been verified with Amazon SES" (SES API Reference,
    SendEmail): without ``resources[]`` the record cannot say which of the two SES checked, so both."""
    assert send(event_name, params) == (identities(action, "sender@example.com", "example.com"), [])


def test_a_display_name_is_not_part_of_the_identity() -> None:
    """The sender may carry a "friendly from" name (SES API Reference, SendEmail, Source); the identity is
    the address inside the angle brackets."""
    params = {"source": '"Shop" <noreply@shop.example.com>', "destination": DESTINATION, "message": MESSAGE}
    assert send("SendEmail", params) == (
        identities("ses:SendEmail", "noreply@shop.example.com", "shop.example.com"),
        [],
    )


@pytest.mark.parametrize(
    ("event_name", "params"),
    [
        # SES: "SourceArn ... the ARN of the identity that is associated with the sending authorization policy
        # that permits you to send for the email address specified in the Source parameter"
        (
            "SendEmail",
            {
                "source": "user@example.com",
                "sourceArn": f"arn:aws:ses:us-east-1:{OTHER_ACCOUNT}:identity/example.com",
            },
        ),
        # SES v2: "FromEmailAddressIdentityArn ... permits you to use the email address specified in the
        # FromEmailAddress parameter"
        (
            "SendEmail",
            {
                "fromEmailAddress": "user@example.com",
                "fromEmailAddressIdentityArn": f"arn:aws:ses:us-east-1:{OTHER_ACCOUNT}:identity/example.com",
            },
        ),
    ],
)
def test_sending_authorization_is_granted_on_the_identity_arn_given(
    event_name: str, params: dict[str, Any]
) -> None:
    """A delegate sender names the owner's identity by ARN, in the owner's account (SES API Reference,
    SendEmail, SourceArn; SES API v2 Reference, SendEmail, FromEmailAddressIdentityArn): that ARN exactly,
    not the address and domain in the caller's account."""
    owner = f"arn:aws:ses:us-east-1:{OTHER_ACCOUNT}:identity/example.com"
    assert send(event_name, {**params, "destination": DESTINATION}) == ({("ses:SendEmail", owner)}, [])


def test_a_templated_send_adds_its_template_and_configuration_set() -> None:
    """SendTemplatedEmail's types are identity and template (required) and configuration-set (Service
    Authorization Reference); the request names the template (``Template``) and the set
    (``ConfigurationSetName``)."""
    params = {
        "source": "sender@example.com",
        "destination": DESTINATION,
        "template": "OrderShipped",
        "templateData": HIDDEN,
        "configurationSetName": "transactional",
    }
    action = "ses:SendTemplatedEmail"
    assert send("SendTemplatedEmail", params) == (
        identities(action, "sender@example.com", "example.com")
        | {(action, f"{ARN}template/OrderShipped"), (action, f"{ARN}configuration-set/transactional")},
        [],
    )


@pytest.mark.parametrize(
    ("event_name", "action", "params"),
    [
        # the SES guide's "SendEmail with templated content" request parameters (SES API v2)
        (
            "SendEmail",
            "ses:SendEmail",
            {
                "fromEmailAddress": "sender@example.com",
                "destination": DESTINATION,
                "emailTags": [{"value": "test", "name": "campaign"}],
                "content": {"template": {"templateData": HIDDEN, "templateName": "TestTemplate"}},
            },
        ),
        # SES API v2 SendBulkEmail: DefaultContent.Template
        (
            "SendBulkEmail",
            "ses:SendBulkEmail",
            {
                "fromEmailAddress": "sender@example.com",
                "defaultContent": {"template": {"templateName": "TestTemplate", "templateData": HIDDEN}},
                "bulkEmailEntries": [{"destination": DESTINATION}],
            },
        ),
        (
            "SendBulkTemplatedEmail",
            "ses:SendBulkTemplatedEmail",
            {
                "source": "sender@example.com",
                "template": "TestTemplate",
                "defaultTemplateData": HIDDEN,
                "destinations": [{"destination": DESTINATION}],
            },
        ),
    ],
)
def test_a_template_named_in_the_content_is_granted(
    event_name: str, action: str, params: dict[str, Any]
) -> None:
    assert send(event_name, params) == (
        identities(action, "sender@example.com", "example.com") | {(action, f"{ARN}template/TestTemplate")},
        [],
    )


def test_two_senders_in_one_mapper_get_their_own_identities() -> None:
    """The memo is keyed on the sender: the second send must not reuse the first one's grant."""
    mapper = EventMapper()
    got = [
        set(
            mapper.map(
                cloudtrail_record(
                    SES,
                    "SendEmail",
                    {"source": source, "destination": DESTINATION, "message": MESSAGE},
                    data_event=True,
                )
            ).uses
        )
        for source in ("alerts@example.com", "billing@example.org")
    ]
    assert got == [
        identities("ses:SendEmail", "alerts@example.com", "example.com"),
        identities("ses:SendEmail", "billing@example.org", "example.org"),
    ]


def test_the_template_and_configuration_set_are_in_the_memo_key_too() -> None:
    mapper = EventMapper()
    base = {"fromEmailAddress": "sender@example.com", "destination": DESTINATION}
    got = [
        {
            arn
            for _, arn in mapper.map(
                cloudtrail_record(
                    SES,
                    "SendEmail",
                    {**base, "configurationSetName": name, "content": {"template": {"templateName": name}}},
                    data_event=True,
                )
            ).uses
            if "identity/" not in arn
        }
        for name in ("welcome", "reset")
    ]
    assert got == [
        {f"{ARN}configuration-set/welcome", f"{ARN}template/welcome"},
        {f"{ARN}configuration-set/reset", f"{ARN}template/reset"},
    ]


def test_a_configuration_set_the_listed_resources_leave_out_is_added() -> None:
    """``resources[]`` names the identity SES checked (kept, not replaced by the request's address and
    domain); a configuration set the request names is a resource of the call as well."""
    resources = [
        {"accountId": ACCOUNT, "type": "AWS::SES::EmailIdentity", "ARN": f"{ARN}identity/example.com"}
    ]
    params = {
        "fromEmailAddress": "noreply@example.com",
        "destination": DESTINATION,
        "configurationSetName": "tx",
    }
    assert send("SendEmail", params, resources) == (
        {("ses:SendEmail", f"{ARN}identity/example.com"), ("ses:SendEmail", f"{ARN}configuration-set/tx")},
        [],
    )


def test_the_documented_record_is_granted_on_the_identity_it_lists() -> None:
    """The SES guide's "SendEmail with templated content" record, resources[] and all: unchanged (main already
    read resources[])."""
    resources = [
        {"accountId": ACCOUNT, "type": "AWS::SES::EmailIdentity", "ARN": f"{ARN}identity/sender@example.com"},
        {"accountId": ACCOUNT, "type": "AWS::SES::Template", "ARN": f"{ARN}template/TestTemplate"},
    ]
    params = {
        "fromEmailAddress": "sender@example.com",
        "destination": DESTINATION,
        "content": {"template": {"templateData": HIDDEN, "templateName": "TestTemplate"}},
    }
    assert send("SendEmail", params, resources) == (
        {
            ("ses:SendEmail", f"{ARN}identity/sender@example.com"),
            ("ses:SendEmail", f"{ARN}template/TestTemplate"),
        },
        [],
    )


@pytest.mark.parametrize(
    ("event_name", "params", "granted"),
    [
        # "If you do not provide a value for this parameter, you must specify a "From" address in the raw text
        # of the message" (SES API Reference, SendRawEmail, Source): the raw message is not in the record; the
        # configuration set it names is kept, every identity of the account and region is said
        (
            "SendRawEmail",
            {"rawMessage": {"data": HIDDEN}, "configurationSetName": "tx"},
            {f"{ARN}configuration-set/tx", f"{ARN}identity/*"},
        ),
        # nothing the request names can be written as a resource: * with the finding
        ("SendEmail", {"source": "not-an-address", "destination": DESTINATION, "message": MESSAGE}, {"*"}),
        # a template is required for SendTemplatedEmail; this request names none the mapper reads
        (
            "SendTemplatedEmail",
            {"source": "sender@example.com", "destination": DESTINATION},
            {f"{ARN}identity/sender@example.com", f"{ARN}identity/example.com", f"{ARN}template/*"},
        ),
    ],
)
def test_a_required_resource_the_request_does_not_name_keeps_the_finding(
    event_name: str, params: dict[str, Any], granted: set[str]
) -> None:
    uses, notes = send(event_name, params)
    assert uses == {(f"ses:{event_name}", arn) for arn in granted}
    assert notes == ["resource-undetermined"]


def test_the_from_and_return_path_arns_of_sending_authorization_are_the_identities_granted() -> None:
    """ "FromArn: ... the ARN of the identity that is associated with the sending authorization policy that
    permits you to specify a particular 'From' address in the header of the raw email"; "ReturnPathArn: ...
    permits you to use the email address specified in the ReturnPath parameter" (SES API Reference,
    SendRawEmail and SendEmail). A delegate sender is authorized on the owner's identities; granted on its
    own account's, every such send was refused."""
    owner = f"arn:aws:ses:us-east-1:{OTHER_ACCOUNT}:identity"
    raw = {"source": "shop@example.com", "fromArn": f"{owner}/example.com", "rawMessage": {"data": HIDDEN}}
    uses, notes = send("SendRawEmail", raw)
    assert uses == {
        ("ses:SendRawEmail", f"{ARN}identity/shop@example.com"),
        ("ses:SendRawEmail", f"{ARN}identity/example.com"),
        ("ses:SendRawEmail", f"{owner}/example.com"),
    }
    assert notes == []
    delegated = {
        "source": "shop@example.com",
        "sourceArn": f"{owner}/example.com",
        "returnPathArn": f"{owner}/bounces.example.com",
        "destination": DESTINATION,
        "message": MESSAGE,
    }
    uses, notes = send("SendEmail", delegated)
    assert uses == {
        ("ses:SendEmail", f"{owner}/example.com"),
        ("ses:SendEmail", f"{owner}/bounces.example.com"),
    }
    assert notes == []


@pytest.mark.parametrize(
    ("event_name", "params", "identity"),
    [
        # SES API v2 Reference: GetEmailIdentity, PutEmailIdentityDkimAttributes, CreateEmailIdentityPolicy
        # take EmailIdentity ("The email identity"), an address or a domain
        ("GetEmailIdentity", {"emailIdentity": "example.com"}, "example.com"),
        (
            "PutEmailIdentityDkimAttributes",
            {"emailIdentity": "example.com", "signingEnabled": True},
            "example.com",
        ),
        (
            "CreateEmailIdentityPolicy",
            {"emailIdentity": "noreply@example.com", "policyName": "send", "policy": "{}"},
            "noreply@example.com",
        ),
        # GetDomainStatisticsReport: "Domain: The domain that you want to obtain deliverability metrics for"
        (
            "GetDomainStatisticsReport",
            {"domain": "example.com", "startDate": "2024-03-01", "endDate": "2024-03-18"},
            "example.com",
        ),
    ],
)
def test_identity_calls_of_the_v2_api_are_granted_on_the_identity(
    event_name: str, params: dict[str, Any], identity: str
) -> None:
    """The SDK table gives these calls' identity as ``*``; each names it, and one identity's management
    does not reach another's."""
    event = EventMapper().map(cloudtrail_record(SES, event_name, params))
    assert event.uses == ((f"ses:{event_name}", f"{ARN}identity/{identity}"),) and event.notes == ()


def test_two_identities_managed_by_one_mapper_get_their_own_grants() -> None:
    mapper = EventMapper()
    first = mapper.map(cloudtrail_record(SES, "GetEmailIdentity", {"emailIdentity": "a.example.com"}))
    second = mapper.map(cloudtrail_record(SES, "GetEmailIdentity", {"emailIdentity": "b.example.com"}))
    assert first.uses == (("ses:GetEmailIdentity", f"{ARN}identity/a.example.com"),)
    assert second.uses == (("ses:GetEmailIdentity", f"{ARN}identity/b.example.com"),)
