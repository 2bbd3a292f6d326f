"""Actions a call needs besides its own when its request says so, as each call's API reference states them
(the text botocore ships; ``EXTRA_ENTRIES`` in mapping/rules.py quotes each sentence). Before these entries
the policy granted the call's own action only, and the call was refused:

- S3 CreateBucket: a public or custom ACL needs s3:PutBucketAcl (a private one or none does not); Object Lock
  needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning; x-amz-object-ownership needs
  s3:PutBucketOwnershipControls. CloudTrail logs the headers in requestParameters (as for PutObject's).
- CloudWatch Logs account policies: each policyType's own action (PutAccountPolicy of a data protection
  policy needs logs:PutDataProtectionPolicy).
- SSM UpdateAssociation needs ssm:DescribeAssociation; Secrets Manager ValidateResourcePolicy needs
  secretsmanager:PutResourcePolicy; Kinesis Analytics AddApplicationReferenceDataSource needs
  kinesisanalytics:AddApplicationOutput; Redshift GetClusterCredentials with AutoCreate needs
  redshift:CreateClusterUser.
- S3 GetObjectTorrent also needs s3:GetObject, Timestream PrepareQuery timestream:Select: the one action AWS's
  operation table names for each, which the call's own action did not include.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from policygen_operator.domain.iam.mapping.rules import EXTRA_ENTRIES
from policygen_operator.domain.iam.reference import load_reference
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

BUCKET = "arn:aws:s3:::orders-archive"


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    mapped = EventMapper().map(cloudtrail_record(source, name, params))
    assert mapped.kind == "mapped", mapped
    return set(mapped.uses)


@pytest.mark.parametrize(
    ("headers", "also"),
    [
        ({}, set()),
        ({"x-amz-acl": ["private"]}, set()),
        ({"x-amz-acl": ["public-read"]}, {"s3:PutBucketAcl"}),
        ({"x-amz-grant-read": "id=1234"}, {"s3:PutBucketAcl"}),
        (
            {"x-amz-bucket-object-lock-enabled": "true"},
            {"s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"},
        ),
        ({"x-amz-bucket-object-lock-enabled": "false"}, set()),
        ({"x-amz-object-ownership": "BucketOwnerPreferred"}, {"s3:PutBucketOwnershipControls"}),
    ],
)
def test_create_bucket_headers_need_their_own_actions(headers: dict[str, Any], also: set[str]) -> None:
    params = {"bucketName": "orders-archive", "Host": "orders-archive.s3.amazonaws.com", **headers}
    assert uses("s3.amazonaws.com", "CreateBucket", params) == {
        (a, BUCKET) for a in {"s3:CreateBucket", *also}
    }


@pytest.mark.parametrize(
    ("name", "kind", "also"),
    [
        ("PutAccountPolicy", "DATA_PROTECTION_POLICY", "logs:PutDataProtectionPolicy"),
        ("PutAccountPolicy", "SUBSCRIPTION_FILTER_POLICY", "logs:PutSubscriptionFilter"),
        ("DeleteAccountPolicy", "TRANSFORMER_POLICY", "logs:DeleteTransformer"),
        ("DescribeAccountPolicies", "FIELD_INDEX_POLICY", "logs:DescribeIndexPolicies"),
        (
            "DescribeAccountPolicies",
            "RETENTION_POLICY",
            None,
        ),  # "you must have the ... DescribeAccountPolicies permission"
    ],
)
def test_account_policies_need_their_type_s_action(name: str, kind: str, also: str | None) -> None:
    found = uses("logs.amazonaws.com", name, {"policyName": "p", "policyType": kind})
    assert found == {(f"logs:{name}", "*"), *([(also, "*")] if also else [])}


def test_calls_whose_reference_names_a_second_action() -> None:
    association = f"arn:aws:ssm:us-east-1:{ACCOUNT}:association/11111111-2222-3333-4444-555555555555"
    assert uses(
        "ssm.amazonaws.com", "UpdateAssociation", {"associationId": association.rsplit("/", 1)[1]}
    ) == {
        ("ssm:UpdateAssociation", association),
        ("ssm:DescribeAssociation", association),
    }
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-??????"
    assert uses("secretsmanager.amazonaws.com", "ValidateResourcePolicy", {"secretId": "prod/db"}) == {
        ("secretsmanager:ValidateResourcePolicy", secret),
        ("secretsmanager:PutResourcePolicy", secret),
    }
    application = f"arn:aws:kinesisanalytics:us-east-1:{ACCOUNT}:application/clicks"
    assert uses(
        "kinesisanalytics.amazonaws.com", "AddApplicationReferenceDataSource", {"applicationName": "clicks"}
    ) == {
        ("kinesisanalytics:AddApplicationReferenceDataSource", application),
        ("kinesisanalytics:AddApplicationOutput", application),
    }


@pytest.mark.parametrize(("auto_create", "creates"), [(True, True), (False, False), (None, False)])
def test_redshift_credentials_that_create_the_user_need_create_cluster_user(
    auto_create: bool | None, creates: bool
) -> None:
    params = {"clusterIdentifier": "analytics", "dbUser": "etl", "dbName": "dev"}
    if auto_create is not None:
        params["autoCreate"] = auto_create
    user = f"arn:aws:redshift:us-east-1:{ACCOUNT}:dbuser:analytics/etl"
    assert (
        ("redshift:CreateClusterUser", user)
        in uses("redshift.amazonaws.com", "GetClusterCredentials", params)
    ) is creates


def test_every_extra_entry_names_an_action_of_the_reference() -> None:
    reference = load_reference()
    for key, entries in EXTRA_ENTRIES.items():
        for entry in entries:
            assert reference.action_name(entry["action"]) is not None, (key, entry["action"])


CLUSTER = f"arn:aws:redshift:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize("name", ["ExecuteStatement", "BatchExecuteStatement", "ListTables"])
@pytest.mark.parametrize(
    ("connection", "credentials"),
    [
        # as a database user: GetClusterCredentials on the user and the database
        (
            {"clusterIdentifier": "analytics", "database": "dev", "dbUser": "etl"},
            {
                ("redshift:GetClusterCredentials", f"{CLUSTER}:dbuser:analytics/etl"),
                ("redshift:GetClusterCredentials", f"{CLUSTER}:dbname:analytics/dev"),
            },
        ),
        # as the IAM identity: GetClusterCredentialsWithIAM on the database
        (
            {"clusterIdentifier": "analytics", "database": "dev"},
            {("redshift:GetClusterCredentialsWithIAM", f"{CLUSTER}:dbname:analytics/dev")},
        ),
        # with a secret the Data API reads the credentials from it: nothing more
        (
            {
                "clusterIdentifier": "analytics",
                "database": "dev",
                "secretArn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rs-AbCdEf",
            },
            set(),
        ),
        # a serverless workgroup: GetCredentials, on * (its ARN holds an id the request does not give)
        ({"workgroupName": "analytics", "database": "dev"}, {("redshift-serverless:GetCredentials", "*")}),
    ],
)
def test_the_redshift_data_api_needs_the_credentials_it_connects_with(
    name: str, connection: dict[str, Any], credentials: set[tuple[str, str]]
) -> None:
    found = uses("redshift-data.amazonaws.com", name, {"sql": "select 1", **connection})
    assert {u for u in found if not u[0].startswith("redshift-data:")} == credentials


ROLE = f"arn:aws:iam::{ACCOUNT}:role/tenant-reader"


@pytest.mark.parametrize(
    ("extra", "also"),
    [
        ({}, set()),
        # as CloudTrail logs them ("Viewing session tags in CloudTrail", IAM User Guide)
        ({"tags": [{"key": "tenant", "value": "t1"}]}, {"sts:TagSession"}),
        ({"tags": [{"key": "tenant", "value": "t1"}], "transitiveTagKeys": ["tenant"]}, {"sts:TagSession"}),
        ({"tags": []}, set()),
        ({"sourceIdentity": "alice"}, {"sts:SetSourceIdentity"}),
    ],
)
def test_assume_role_with_session_tags_or_a_source_identity(extra: dict[str, Any], also: set[str]) -> None:
    params = {"roleArn": ROLE, "roleSessionName": "worker", **extra}
    assert uses("sts.amazonaws.com", "AssumeRole", params) == {(a, ROLE) for a in {"sts:AssumeRole", *also}}


ATHENA = f"arn:aws:athena:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"queryString": "SELECT 1"}, {("athena:StartQueryExecution", f"{ATHENA}:workgroup/primary")}),
        (
            {"queryString": "SELECT 1", "workGroup": "analysts"},
            {("athena:StartQueryExecution", f"{ATHENA}:workgroup/analysts")},
        ),
        (
            {
                "queryString": "SELECT 1",
                "queryExecutionContext": {"catalog": "AwsDataCatalog", "database": "d"},
            },
            {("athena:StartQueryExecution", f"{ATHENA}:workgroup/primary")},
        ),
        (
            {
                "queryString": "SELECT 1",
                "queryExecutionContext": {"catalog": "orders_mysql", "database": "d"},
            },
            {
                ("athena:StartQueryExecution", f"{ATHENA}:workgroup/primary"),
                ("athena:GetDataCatalog", f"{ATHENA}:datacatalog/orders_mysql"),
            },
        ),
    ],
)
def test_an_athena_query_is_granted_on_its_workgroup_and_external_catalog(
    params: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    """ "Requires you to have access to the workgroup in which the query ran. Running queries against an
    external catalog requires GetDataCatalog permission to the catalog" (Athena API Reference,
    StartQueryExecution); without a WorkGroup the query runs in the primary workgroup."""
    assert uses("athena.amazonaws.com", "StartQueryExecution", params) == expected


@pytest.mark.parametrize(
    ("name", "params", "workgroup"),
    [
        # the saved query's own name is not its workgroup (the table read the workgroup from Name)
        ("CreateNamedQuery", {"name": "daily-orders", "queryString": "SELECT 1", "database": "d"}, "primary"),
        (
            "CreateNamedQuery",
            {"name": "daily-orders", "queryString": "SELECT 1", "database": "d", "workGroup": "etl"},
            "etl",
        ),
        ("ListQueryExecutions", {"maxResults": 50}, "primary"),
        ("ListQueryExecutions", {"workGroup": "etl"}, "etl"),
        ("ListNamedQueries", {}, "primary"),
    ],
)
def test_athena_calls_in_a_workgroup_default_to_primary(
    name: str, params: dict[str, Any], workgroup: str
) -> None:
    """ "If a workgroup is not specified, a list of available query execution IDs for the queries in the
    primary workgroup is returned" (ListQueryExecutions; ListNamedQueries and CreateNamedQuery alike, Athena
    API Reference); the table left the lists on * and granted CreateNamedQuery on workgroup/<query name>."""
    assert uses("athena.amazonaws.com", name, params) == {
        (f"athena:{name}", f"{ATHENA}:workgroup/{workgroup}")
    }


@pytest.mark.parametrize(
    "service", ["elasticloadbalancing.amazonaws.com", "spot.amazonaws.com", "autoscaling.amazonaws.com"]
)
def test_a_service_linked_role_is_created_under_its_services_path(service: str) -> None:
    """As CloudTrail logs it (``aWSServiceName``); the role's name is the service's choice, its path is
    ``aws-service-role/SERVICE/`` (IAM User Guide, service-linked role permissions)."""
    assert uses("iam.amazonaws.com", "CreateServiceLinkedRole", {"aWSServiceName": service}) == {
        ("iam:CreateServiceLinkedRole", f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/*")
    }


LAYER = "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38"


@pytest.mark.parametrize(
    ("params", "layers"),
    [
        ({"layers": [LAYER]}, {LAYER}),
        ({"layers": []}, set()),  # removing every layer reads none
        ({"timeout": 30}, set()),
    ],
)
def test_a_function_configured_with_layers_reads_each_layer_version(
    params: dict[str, Any], layers: set[str]
) -> None:
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
    granted = uses(
        "lambda.amazonaws.com", "UpdateFunctionConfiguration", {"functionName": "orders", **params}
    )
    assert granted == {("lambda:UpdateFunctionConfiguration", function)} | {
        ("lambda:GetLayerVersion", layer) for layer in layers
    }


@pytest.mark.parametrize(
    ("source", "params", "own"),
    [
        (
            "codeartifact.amazonaws.com",
            {"domain": "packages", "domainOwner": ACCOUNT, "durationSeconds": 0},
            (
                "codeartifact:GetAuthorizationToken",
                f"arn:aws:codeartifact:us-east-1:{ACCOUNT}:domain/packages",
            ),
        ),
        ("ecr-public.amazonaws.com", {}, ("ecr-public:GetAuthorizationToken", "*")),
    ],
)
def test_a_registry_login_also_needs_the_service_bearer_token(
    source: str, params: dict[str, Any], own: tuple[str, str]
) -> None:
    """ "This API requires the codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken permissions"
    (CodeArtifact API Reference; the same sentence for ECR Public): every npm, pip or docker login there."""
    assert uses(source, "GetAuthorizationToken", params) == {own, ("sts:GetServiceBearerToken", "*")}


def test_an_object_torrent_is_also_authorized_as_get_object() -> None:
    """AWS's operation table (the programmatic service reference's ``Operations``) authorizes S3
    GetObjectTorrent by s3:GetObject alone, and the S3 Developer Guide's permissions table ("Specifying
    Permissions in a Policy") lists "GET Object torrent" under s3:GetObject as under s3:GetObjectTorrent;
    the API reference asks for "READ access to the object". Before, only s3:GetObjectTorrent was granted."""
    params = {
        "bucketName": "orders-archive",
        "Host": "orders-archive.s3.us-east-1.amazonaws.com",
        "key": "media/trailer.mp4",
        "torrent": "",
    }
    resources = [
        {"type": "AWS::S3::Object", "ARN": f"{BUCKET}/media/trailer.mp4"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": BUCKET},
    ]
    record = cloudtrail_record(
        "s3.amazonaws.com", "GetObjectTorrent", params, resources=resources, data_event=True
    )
    mapped = EventMapper().map(record)
    assert set(mapped.uses) == {
        ("s3:GetObject", f"{BUCKET}/media/trailer.mp4"),
        ("s3:GetObjectTorrent", f"{BUCKET}/media/trailer.mp4"),
    }


def test_a_prepared_timestream_query_is_also_authorized_as_select() -> None:
    """AWS's operation table authorizes Timestream PrepareQuery by timestream:Select, the action Query is
    authorized by: preparing (validating) a query reads what it selects. timestream:PrepareQuery is kept
    beside it, no page saying it is not checked. Neither names the table in the request: both on ``*``."""
    params = {
        "queryString": 'SELECT * FROM "sensors"."readings" WHERE time > ago(1h)',
        "validateOnly": True,
    }
    mapped = EventMapper().map(cloudtrail_record("timestream.amazonaws.com", "PrepareQuery", params))
    assert set(mapped.uses) == {("timestream:PrepareQuery", "*"), ("timestream:Select", "*")}


# Calls whose row in AWS's operation table names an action the plan lacked, judged real gaps by the API
# Reference's own permissions sentences (scripts/data/operation-table-judged.tsv, ``granted-now``).


def test_dissociating_access_grants_from_identity_center_also_deletes_its_application() -> None:
    """ "Permissions: You must have the s3:DissociateAccessGrantsIdentityCenter permission to use this
    operation. Additional Permissions: You must have the sso:DeleteApplication permission to use this
    operation" (S3 API Reference, S3 Control DissociateAccessGrantsIdentityCenter). The request, "DELETE
    /v20180820/accessgrantsinstance/identitycenter" with x-amz-account-id, names no application, nor the
    Identity Center instance, whose account may be the organization's management account (the application
    ARN is ``arn:aws:sso::ACCOUNT:application/INSTANCE/ID``): ``*``. CloudTrail writes the S3 Control
    request's Host among its requestParameters."""
    params = {"Host": f"{ACCOUNT}.s3-control.us-east-1.amazonaws.com"}
    found = uses("s3.amazonaws.com", "DissociateAccessGrantsIdentityCenter", params)
    assert found == {
        ("s3:DissociateAccessGrantsIdentityCenter", f"arn:aws:s3:us-east-1:{ACCOUNT}:access-grants/default"),
        ("sso:DeleteApplication", "*"),
    }


GROUP = f"arn:aws:resource-groups:us-east-1:{ACCOUNT}:group/payments-app/0abcdefghijklmnopqrstuvwxy"


def test_a_tag_sync_task_also_needs_create_group() -> None:
    """ "Minimum permissions: To run this command, you must have the following permissions:
    resource-groups:StartTagSyncTask on the application group, resource-groups:CreateGroup, iam:PassRole on
    the role provided in the request" (Resource Groups API Reference, StartTagSyncTask; the request body's
    names as its Request Syntax gives them). resource-groups:CreateGroup takes no resource (Service
    Authorization Reference): ``*``."""
    params = {
        "Group": GROUP,
        "TagKey": "awsApplication",
        "TagValue": "payments",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/TagSyncRole",
    }
    assert uses("resource-groups.amazonaws.com", "StartTagSyncTask", params) == {
        ("resource-groups:StartTagSyncTask", GROUP),
        ("resource-groups:CreateGroup", "*"),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/TagSyncRole"),
    }


def test_cancelling_a_tag_sync_task_also_needs_delete_group_on_its_group() -> None:
    """ "Minimum permissions: To run this command, you must have the following permissions:
    resource-groups:CancelTagSyncTask on the application group, resource-groups:DeleteGroup" (Resource Groups
    API Reference, CancelTagSyncTask). The task's ARN is its application group's followed by
    ``/tag-sync-task/ID`` (the TaskArn pattern), so the group resource-groups:DeleteGroup is checked on is
    read from it."""
    params = {"TaskArn": f"{GROUP}/tag-sync-task/1a2b3c4d5e6f7g8h9i0jklmnop"}
    found = uses("resource-groups.amazonaws.com", "CancelTagSyncTask", params)
    assert ("resource-groups:DeleteGroup", GROUP) in found


@pytest.mark.parametrize("name", ["CancelTagSyncTask", "GetTagSyncTask"])
def test_a_tag_sync_task_call_is_authorized_on_its_application_group(name: str) -> None:
    """ "resource-groups:CancelTagSyncTask on the application group", "resource-groups:GetTagSyncTask on the
    application group" (Resource Groups API Reference, CancelTagSyncTask and GetTagSyncTask, "Minimum
    permissions"); the Service Authorization Reference gives both actions the type group
    (``group/${GroupName}``) and no action the type tagSyncTask. The group is the task ARN's prefix (the
    TaskArn pattern ``group/NAME/ID/tag-sync-task/ID``). CancelTagSyncTask was granted on ``*`` with the
    resource-undetermined warning, GetTagSyncTask on the task's ARN, which no policy statement on the group
    matches."""
    params = {"TaskArn": f"{GROUP}/tag-sync-task/1a2b3c4d5e6f7g8h9i0jklmnop"}
    found = uses("resource-groups.amazonaws.com", name, params)
    assert {arn for action, arn in found if action == f"resource-groups:{name}"} == {GROUP}


DIRECTORY = f"arn:aws:ds:us-east-1:{ACCOUNT}:directory/d-1234567890"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("ListUsers", {"directoryId": "d-1234567890"}),
        ("DescribeGroup", {"directoryId": "d-1234567890", "sAMAccountName": "finance-admins"}),
        (
            "CreateUser",
            {"directoryId": "d-1234567890", "sAMAccountName": "jdoe", "clientToken": "a1b2c3d4"},
        ),
        (
            "SearchUsers",
            {"directoryId": "d-1234567890", "searchAttributes": ["GivenName"], "searchString": "J*"},
        ),
    ],
)
def test_directory_service_data_calls_also_need_access_ds_data_on_their_directory(
    name: str, params: dict[str, Any]
) -> None:
    """The Service Authorization Reference lists ds:AccessDSData among the dependent actions of every
    ds-data: action, and AWS's operation table names it in every Directory Service Data operation's row; its
    resource is the directory the request names (DirectoryId, a query string parameter of every ds-data
    request, Directory Service Data API Reference, each operation's Request Syntax)."""
    found = uses("ds-data.amazonaws.com", name, params)
    assert ("ds:AccessDSData", DIRECTORY) in found
    assert (f"ds-data:{name}", DIRECTORY) in found


@pytest.mark.parametrize(
    ("name", "params", "action", "items"),
    [
        (
            "BatchGetJobs",
            {"jobNames": ["orders-etl", "billing-etl"]},
            "glue:GetJob",
            ["job/orders-etl", "job/billing-etl"],
        ),
        ("BatchGetTriggers", {"triggerNames": ["nightly"]}, "glue:GetTrigger", ["trigger/nightly"]),
        (
            "BatchGetWorkflows",
            {"names": ["orders-flow"], "includeGraph": True},
            "glue:GetWorkflow",
            ["workflow/orders-flow"],
        ),
        ("BatchGetBlueprints", {"names": ["ingest"]}, "glue:GetBlueprint", ["blueprint/ingest"]),
        (
            "BatchGetDevEndpoints",
            {"devEndpointNames": ["notebook"]},
            "glue:GetDevEndpoint",
            ["devEndpoint/notebook"],
        ),
    ],
)
def test_a_glue_batch_get_also_reads_each_item_with_its_get_action(
    name: str, params: dict[str, Any], action: str, items: list[str]
) -> None:
    """AWS's notice of December 2024: "Glue BatchGet* APIs will fail with an AccessDeniedException if there
    is a Deny condition on one of the corresponding Get* operations [...] If you do not take action, the Batch
    API will not retrieve the resources of the Batch API call being made" (AWS Health, quoted in
    lacework-alliances/lacework-control-tower-cfn#11), for BatchGetDevEndpoints, BatchGetJobs,
    BatchGetBlueprints, BatchGetTriggers and BatchGetWorkflows. Each item the request names is read with its
    Get* action; the request lists them by name (Glue API Reference)."""
    found = uses("glue.amazonaws.com", name, params)
    assert {(action, f"arn:aws:glue:us-east-1:{ACCOUNT}:{item}") for item in items} <= found


@pytest.mark.parametrize(
    ("name", "params", "action", "items"),
    [
        ("BatchGetJobs", {"jobNames": ["orders-etl"]}, "glue:BatchGetJobs", ["job/orders-etl"]),
        ("BatchGetTriggers", {"triggerNames": ["nightly"]}, "glue:BatchGetTriggers", ["trigger/nightly"]),
        (
            "BatchGetWorkflows",
            {"names": ["orders-flow", "billing-flow"], "includeGraph": True},
            "glue:BatchGetWorkflows",
            ["workflow/orders-flow", "workflow/billing-flow"],
        ),
        ("BatchGetBlueprints", {"names": ["ingest"]}, "glue:BatchGetBlueprints", ["blueprint/ingest"]),
        (
            "BatchGetDevEndpoints",
            {"devEndpointNames": ["notebook"]},
            "glue:BatchGetDevEndpoints",
            ["devEndpoint/notebook"],
        ),
    ],
)
def test_a_glue_batch_get_is_authorized_on_the_items_it_names(
    name: str, params: dict[str, Any], action: str, items: list[str]
) -> None:
    """The Service Authorization Reference gives each of Glue's BatchGet* actions the type of the items it
    reads (glue:BatchGetWorkflows: workflow, ``workflow/${WorkflowName}``), and the request lists them
    ("Names: A list of workflow names, which may be the names returned from the ListWorkflows operation",
    Glue API Reference, BatchGetWorkflows). BatchGetWorkflows' list is called Names, after no type's
    variable, so its own action was granted on ``*`` with the resource-undetermined warning."""
    found = uses("glue.amazonaws.com", name, params)
    assert {arn for used, arn in found if used == action} == {
        f"arn:aws:glue:us-east-1:{ACCOUNT}:{item}" for item in items
    }


DLQ = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-dlq"
ORDERS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"


def test_listing_message_move_tasks_also_reads_the_dead_letter_queue_s_attributes() -> None:
    """ "The following API permissions are required to make DLQ redrive requests: [...] To show a message
    move status: Dead-letter queue permissions: sqs:ListMessageMoveTasks, sqs:GetQueueAttributes" (SQS
    Developer Guide, "Troubleshoot Amazon SQS dead-letter queue and DLQ redrive issues", "AccessDenied
    permission issue"). "SourceArn: The ARN of the queue whose message movement tasks are to be listed" (SQS
    API Reference, ListMessageMoveTasks)."""
    params = {"sourceArn": DLQ, "maxResults": 10}
    assert uses("sqs.amazonaws.com", "ListMessageMoveTasks", params) == {
        ("sqs:ListMessageMoveTasks", DLQ),
        ("sqs:GetQueueAttributes", DLQ),
    }


def test_starting_a_redrive_reads_the_dead_letter_queue_and_sends_to_the_destination() -> None:
    """ "To start a message redrive: Dead-letter queue permissions: sqs:StartMessageMoveTask,
    sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes [...] Destination queue permissions:
    sqs:SendMessage" (SQS Developer Guide, "Troubleshoot Amazon SQS dead-letter queue and DLQ redrive
    issues", "AccessDenied permission issue"; the example refusal "Failed to create redrive task. Error code:
    AccessDenied"). "SourceArn: The ARN of the queue that contains the messages to be moved to another queue.
    Currently, only ARNs of dead-letter queues (DLQs) whose sources are other Amazon SQS queues are
    accepted"; "DestinationArn: The ARN of the queue that receives the moved messages [...] If this field is
    left blank, the messages will be redriven back to their respective original source queues" (SQS API
    Reference, StartMessageMoveTask): without it, the queues sent to are not in the request (``*``)."""
    params = {"sourceArn": DLQ, "destinationArn": ORDERS, "maxNumberOfMessagesPerSecond": 50}
    assert uses("sqs.amazonaws.com", "StartMessageMoveTask", params) == {
        ("sqs:StartMessageMoveTask", DLQ),
        ("sqs:ReceiveMessage", DLQ),
        ("sqs:DeleteMessage", DLQ),
        ("sqs:GetQueueAttributes", DLQ),
        ("sqs:SendMessage", ORDERS),
    }
    back = uses("sqs.amazonaws.com", "StartMessageMoveTask", {"sourceArn": DLQ})
    assert ("sqs:StartMessageMoveTask", DLQ) in back
    assert ("sqs:SendMessage", "*") in back


def test_creating_a_quick_sight_account_subscription_also_needs_subscribe() -> None:
    """ "If your IAM policy includes both the Subscribe and CreateAccountSubscription actions, make sure that
    both actions are set to Allow. If either action is set to Deny, the Deny action prevails and your API call
    fails" (QuickSight API Reference, CreateAccountSubscription): quicksight:Subscribe is evaluated for the
    call, and an evaluated action that no statement allows is refused as one that a statement denies. Neither
    action takes a resource (Service Authorization Reference)."""
    params = {
        "awsAccountId": ACCOUNT,
        "accountName": "orders-analytics",
        "edition": "ENTERPRISE",
        "authenticationMethod": "IAM_AND_QUICKSIGHT",
        "notificationEmail": "analytics@example.com",
    }
    assert uses("quicksight.amazonaws.com", "CreateAccountSubscription", params) == {
        ("quicksight:CreateAccountSubscription", "*"),
        ("quicksight:Subscribe", "*"),
    }


def test_reading_a_knowledge_base_document_s_content_also_needs_retrieve() -> None:
    """ "Calling GetDocumentContent requires both bedrock:Retrieve and bedrock:GetDocumentContent IAM actions
    on the knowledge base resource. This is because the API internally validates retrieval-level access before
    returning document content" (Bedrock User Guide, "Retrieve the content of documents from knowledge base",
    "IAM permissions"). The Service Authorization Reference gives bedrock:GetDocumentContent no resource type
    (``*``) and bedrock:Retrieve the knowledge base, which the request's path names."""
    params = {"knowledgeBaseId": "KB12345678", "dataSourceId": "DS12345678", "documentId": "orders-2026.pdf"}
    assert uses("bedrock.amazonaws.com", "GetDocumentContent", params) == {
        ("bedrock:GetDocumentContent", "*"),
        ("bedrock:Retrieve", f"arn:aws:bedrock:us-east-1:{ACCOUNT}:knowledge-base/KB12345678"),
    }


def test_cancelling_a_redrive_says_why_its_queue_is_every_queue() -> None:
    """ "TaskHandle: An identifier associated with a message movement task" (SQS API Reference,
    CancelMessageMoveTask; StartMessageMoveTask returns it: "You can use this identifier to cancel a specified
    message movement task using the CancelMessageMoveTask action"): the request's only parameter, whose form
    AWS does not document, so the dead-letter queue it was started on is not read out of it. The call stays
    on ``*`` and the finding says so, instead of saying the request has no parameter for the queue."""
    event = EventMapper().map(
        cloudtrail_record("sqs.amazonaws.com", "CancelMessageMoveTask", {"taskHandle": "AQEBa7Xz0pT2dWq5Nf"})
    )
    assert event.uses == (("sqs:CancelMessageMoveTask", "*"),)
    [(level, code, text)] = event.notes
    assert (level, code) == ("warning", "resource-undetermined")
    assert "TaskHandle" in text
    assert "no parameter naming" not in text


FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"


@pytest.mark.parametrize(
    ("name", "params", "resource", "expected"),
    [
        (
            "PutResourcePolicy",
            {"resourceArn": FUNCTION, "policy": '{"Version": "2012-10-17", "Statement": []}'},
            FUNCTION,
            {"lambda:PutResourcePolicy", "lambda:AddPermission", "lambda:RemovePermission"},
        ),
        (
            "GetResourcePolicy",
            {"resourceArn": FUNCTION},
            FUNCTION,
            {"lambda:GetResourcePolicy", "lambda:GetPolicy"},
        ),
        (
            "DeleteResourcePolicy",
            {"resourceArn": f"{FUNCTION}:live"},
            f"{FUNCTION}:live",
            {"lambda:DeleteResourcePolicy", "lambda:RemovePermission"},
        ),
    ],
)
def test_a_whole_function_policy_call_also_needs_the_statement_actions(
    name: str, params: dict[str, Any], resource: str, expected: set[str]
) -> None:
    """ "To use the PutResourcePolicy, GetResourcePolicy, and DeleteResourcePolicy API actions, you need the
    following IAM permissions: PutResourcePolicy: lambda:PutResourcePolicy, lambda:AddPermission, and
    lambda:RemovePermission; GetResourcePolicy: lambda:GetResourcePolicy and lambda:GetPolicy;
    DeleteResourcePolicy: lambda:DeleteResourcePolicy and lambda:RemovePermission" (Lambda Developer Guide,
    "Working with resource-based policies in Lambda", "Required permissions"). The request's path names the
    function, version or alias ("ResourceArn: [...] You can use a qualified or an unqualified ARN", Lambda
    API Reference, GetResourcePolicy); each action is checked on it."""
    assert uses("lambda.amazonaws.com", name, params) == {(action, resource) for action in expected}


def test_listing_log_groups_also_needs_describe_log_groups() -> None:
    """ "ListLogGroups: logs:DescribeLogGroups, Required to view all log groups associated with the account"
    (CloudWatch Logs User Guide, "CloudWatch Logs permissions reference"). The Service Authorization
    Reference gives logs:DescribeLogGroups no resource type; the request names a pattern, not a log group
    (CloudWatch Logs API Reference, ListLogGroups, logGroupNamePattern)."""
    params = {"logGroupNamePattern": "^/aws/lambda", "limit": 50}
    assert uses("logs.amazonaws.com", "ListLogGroups", params) == {
        ("logs:ListLogGroups", "*"),
        ("logs:DescribeLogGroups", "*"),
    }
