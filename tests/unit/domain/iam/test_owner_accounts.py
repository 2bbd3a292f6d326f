"""A parameter naming the account that owns the resource puts the call's ARNs in that account.

CodeArtifact: "domainOwner: The 12-digit account number of the Amazon Web Services account that owns the
domain. It does not include dashes or spaces" (CodeArtifact API Reference, GetAuthorizationToken and the 41
other operations that take it). A build pipeline's role usually reads packages from a domain in a shared-
services account; its calls were granted in the caller's own account, ARNs no call of it is authorized on.
Glacier: "accountId: ... the AWS account ID of the account that owns the vault. You can either specify an AWS
account ID or optionally a single '-' (hyphen), in which case Amazon S3 Glacier uses the AWS account ID
associated with the credentials used to sign the request".
"""

from __future__ import annotations

import pytest

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted


@pytest.mark.parametrize(("owner", "account"), [(OTHER_ACCOUNT, OTHER_ACCOUNT), (None, ACCOUNT)])
def test_codeartifact_calls_are_in_the_domain_owners_account(owner: str | None, account: str) -> None:
    base = f"arn:aws:codeartifact:us-east-1:{account}"
    common = {"domain": "acme", **({"domainOwner": owner} if owner else {})}
    assert granted(
        "codeartifact.amazonaws.com", "GetAuthorizationToken", {**common, "durationSeconds": 900}
    ) == {
        ("codeartifact:GetAuthorizationToken", f"{base}:domain/acme"),
        ("sts:GetServiceBearerToken", "*"),
    }
    params = {**common, "repository": "internal", "format": "npm"}
    assert granted("codeartifact.amazonaws.com", "GetRepositoryEndpoint", params) == {
        ("codeartifact:GetRepositoryEndpoint", f"{base}:repository/acme/internal")
    }


@pytest.mark.parametrize(("given", "account"), [(OTHER_ACCOUNT, OTHER_ACCOUNT), ("-", ACCOUNT)])
def test_a_glacier_vault_is_in_the_account_its_request_names(given: str, account: str) -> None:
    assert granted(
        "glacier.amazonaws.com", "DescribeVault", {"accountId": given, "vaultName": "backups"}
    ) == {("glacier:DescribeVault", f"arn:aws:glacier:us-east-1:{account}:vaults/backups")}


@pytest.mark.parametrize(("owner", "account"), [(OTHER_ACCOUNT, OTHER_ACCOUNT), (None, ACCOUNT)])
def test_sqs_get_queue_url_is_in_the_queue_owners_account(owner: str | None, account: str) -> None:
    """SQS GetQueueUrl: "To access a queue that belongs to another AWS account, use the
    QueueOwnerAWSAccountId parameter to specify the account ID of the queue's owner" and
    "QueueOwnerAWSAccountId: The AWS account ID of the account that created the queue" (SQS API Reference,
    GetQueueUrl); CloudTrail writes it as ``queueOwnerAWSAccountId``, beside ``queueName``. A consumer of a
    queue shared from another account was granted sqs:GetQueueUrl on a queue of that name in its own."""
    params = {"queueName": "orders", **({"queueOwnerAWSAccountId": owner} if owner else {})}
    assert granted("sqs.amazonaws.com", "GetQueueUrl", params) == {
        ("sqs:GetQueueUrl", f"arn:aws:sqs:us-east-1:{account}:orders")
    }
