"""Issue 9: batch and variant APIs authorized by another action (``AUTHORIZED_BY`` in mapping/rules.py).

One test per family. Each record carries the request parameters the operation's API reference documents
(``https://docs.aws.amazon.com/goto/WebAPI/<service-uid>/<Operation>``, the link botocore's documentation
gives), in CloudTrail's lowerCamelCase; each call is unmapped without its entry, so each test fails then.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record, user_identity

MAPPER = EventMapper()
R = "us-east-1"
STAR = "*"


def uses(source: str, name: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    event = MAPPER.map(cloudtrail_record(source, name, params, identity=user_identity()))
    assert event.kind == "mapped", event
    return set(event.uses)


JOB_1 = "4c7a1d2e-0f6b-4a8e-9d3c-1b2a3c4d5e6f"
JOB_2 = "8d2e6f1a-3b4c-4d5e-8f9a-0b1c2d3e4f5a"


@pytest.mark.parametrize(
    ("name", "action", "kind"),
    [
        ("CancelJobs", "batch:CancelJob", "job"),
        ("TerminateJobs", "batch:TerminateJob", "job"),
        ("TerminateServiceJobs", "batch:TerminateServiceJob", "service-job"),
    ],
)
def test_batch_bulk_job_calls_need_the_single_job_action_on_each_job(
    name: str, action: str, kind: str
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/batch-2016-08-10/CancelJobs (TerminateJobs,
    TerminateServiceJobs): ``jobs`` (up to 50 job IDs) and ``reason``. "This operation requires
    batch:CancelJob permission for each job in the request. There is no separate batch:CancelJobs IAM
    action" (the operation's documentation in botocore)."""
    got = uses("batch.amazonaws.com", name, {"jobs": [JOB_1, JOB_2], "reason": "superseded"})
    assert got == {(action, f"arn:aws:batch:{R}:{ACCOUNT}:{kind}/{job}") for job in (JOB_1, JOB_2)}


def test_bedrock_retrieve_and_generate_stream_is_retrieve_and_generate() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/bedrock-agent-runtime-2023-07-26/RetrieveAndGenerateStream:
    "This operation requires permission for the bedrock:RetrieveAndGenerate action" (an action of no
    resource type), besides Retrieve and InvokeModel (see test_retrieve_and_generate.py)."""
    params = {
        "input": {"text": "What is the refund policy?"},
        "retrieveAndGenerateConfiguration": {
            "type": "KNOWLEDGE_BASE",
            "knowledgeBaseConfiguration": {
                "knowledgeBaseId": "KB12345678",
                "modelArn": f"arn:aws:bedrock:{R}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            },
        },
    }
    assert uses("bedrock.amazonaws.com", "RetrieveAndGenerateStream", params) == {
        ("bedrock:RetrieveAndGenerate", STAR),
        ("bedrock:Retrieve", f"arn:aws:bedrock:{R}:{ACCOUNT}:knowledge-base/KB12345678"),
        (
            "bedrock:InvokeModel",
            f"arn:aws:bedrock:{R}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        ),
    }


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        (
            "BatchUpdateCase",
            {"domainId": "d-1a2b3c4d", "cases": [{"caseIdentifier": {"caseId": "c-1"}}], "status": "closed"},
            "cases:UpdateCase",
        ),
        (
            "BatchCreateRelatedItem",
            {
                "domainId": "d-1a2b3c4d",
                "content": {
                    "comment": {"body": "HIDDEN_DUE_TO_SECURITY_REASONS", "contentType": "Text/Plain"}
                },
                "cases": [{"caseIdentifier": {"caseId": "c-1"}}, {"caseIdentifier": {"caseId": "c-2"}}],
            },
            "cases:CreateRelatedItem",
        ),
    ],
)
def test_connect_cases_batch_calls_use_the_single_case_action(
    name: str, params: dict[str, Any], action: str
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/connectcases-2022-10-03/BatchUpdateCase (and
    BatchCreateRelatedItem): "This operation uses the same IAM action as UpdateCase (cases:UpdateCase)".
    The case ids are not in a form the formats can take: the domain the request names, and every case
    (and the other required types) inside it, with the finding; no longer ``*``."""
    domain = "arn:aws:cases:us-east-1:111122223333:domain/d-1a2b3c4d"
    got = uses("cases.amazonaws.com", name, params)
    assert (action, domain) in got and (action, f"{domain}/case/*") in got
    assert all(arn == domain or arn.startswith(f"{domain}/") for _, arn in got), got
    assert STAR not in {arn for _, arn in got}


def test_marketplace_catalog_batch_describe_entities_is_describe_entity() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/marketplace-catalog-2018-09-17/BatchDescribeEntities:
    ``EntityRequestList`` of (Catalog, EntityId); "uses the same IAM permission action as DescribeEntity
    API"."""
    params = {"entityRequestList": [{"catalog": "AWSMarketplace", "entityId": "prod-1a2b3c4d5e6f7"}]}
    assert uses("aws-marketplace.amazonaws.com", "BatchDescribeEntities", params) == {
        ("aws-marketplace:DescribeEntity", STAR)
    }


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        (
            "BatchUpdateFindingsV2",
            {"metadataUids": ["a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"], "statusId": 2, "comment": "triaged"},
            "securityhub:BatchUpdateFindings",
        ),
        ("GetFindingsV2", {"maxResults": 50}, "securityhub:GetFindings"),
        (
            "GetFindingStatisticsV2",
            {"groupByRules": [{"groupByField": "finding_info.types"}]},
            "securityhub:GetAdhocInsightResults",
        ),
    ],
)
def test_security_hub_v2_calls_use_the_v1_actions(name: str, params: dict[str, Any], action: str) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/securityhub-2018-10-26/GetFindingsV2: "GetFindings and
    GetFindingsV2 both use securityhub:GetFindings in the Action element of an IAM policy statement"
    (BatchUpdateFindingsV2 likewise; GetFindingStatisticsV2 uses securityhub:GetAdhocInsightResults)."""
    assert {a for a, _ in uses("securityhub.amazonaws.com", name, params)} == {action}


ANALYZER = f"arn:aws:access-analyzer:{R}:{ACCOUNT}:analyzer/org-analyzer"


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("GetFindingV2", {"analyzerArn": ANALYZER, "id": "f-1234"}, "access-analyzer:GetFinding"),
        ("ListFindingsV2", {"analyzerArn": ANALYZER, "maxResults": 20}, "access-analyzer:ListFindings"),
    ],
)
def test_access_analyzer_v2_calls_use_the_v1_actions_on_the_analyzer(
    name: str, params: dict[str, Any], action: str
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/accessanalyzer-2019-11-01/GetFindingV2: "GetFinding and
    GetFindingV2 both use access-analyzer:GetFinding in the Action element" (ListFindingsV2 likewise),
    granted on the analyzer ``analyzerArn`` names."""
    assert uses("access-analyzer.amazonaws.com", name, params) == {(action, ANALYZER)}


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("BatchGetTaxExemptions", {"accountIds": [ACCOUNT]}, "tax:GetExemptions"),
        ("GetTaxExemptionTypes", {}, "tax:GetExemptions"),
        ("ListTaxExemptions", {"maxResults": 10}, "tax:GetExemptions"),
        (
            "PutTaxExemption",
            {
                "accountIds": [ACCOUNT],
                "authority": {"country": "US", "state": "WA"},
                "exemptionType": "Resale",
                "exemptionCertificate": {"documentName": "cert.pdf"},
            },
            "tax:UpdateExemptions",
        ),
    ],
)
def test_tax_settings_exemption_calls_use_the_documented_actions(
    name: str, params: dict[str, Any], action: str
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/taxsettings-2018-05-10/BatchGetTaxExemptions: "The IAM
    action is tax:GetExemptions" (PutTaxExemption: tax:UpdateExemptions); no resource types."""
    assert uses("tax.amazonaws.com", name, params) == {(action, STAR)}


def test_vpc_lattice_batch_update_rule_is_update_rule() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/vpc-lattice-2022-11-30/BatchUpdateRule: serviceIdentifier,
    listenerIdentifier, rules[]; "Required permissions: vpc-lattice:UpdateRule"."""
    params = {
        "serviceIdentifier": "svc-0123456789abcdef0",
        "listenerIdentifier": "listener-0123456789abcdef0",
        "rules": [{"ruleIdentifier": "rule-0123456789abcdef0", "priority": 10}],
    }
    # the rule ids sit in rules[], which no format takes: every rule of the listener the request names
    listener = "service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0"
    assert uses("vpc-lattice.amazonaws.com", "BatchUpdateRule", params) == {
        ("vpc-lattice:UpdateRule", f"arn:aws:vpc-lattice:us-east-1:111122223333:{listener}/rule/*")
    }


def test_deadline_batch_get_job_is_get_job() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/deadline-2023-10-12/BatchGetJob: ``identifiers`` of
    (farmId, queueId, jobId). The Service Authorization Reference's operations table maps BatchGetJob to
    deadline:GetJob."""
    params = {
        "identifiers": [
            {"farmId": "farm-" + "1" * 32, "queueId": "queue-" + "2" * 32, "jobId": "job-" + "3" * 32},
            {"farmId": "farm-" + "1" * 32, "queueId": "queue-" + "4" * 32, "jobId": "job-" + "5" * 32},
        ]
    }
    assert uses("deadline.amazonaws.com", "BatchGetJob", params) == {("deadline:GetJob", STAR)}


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        (
            "BatchCreateFirewallRule",
            {
                "createFirewallRuleEntries": [
                    {
                        "creatorRequestId": "req-1",
                        "firewallRuleGroupId": "rslvr-frg-0123456789abcdef",
                        "firewallDomainListId": "rslvr-fdl-0123456789abcdef",
                        "priority": 100,
                        "action": "BLOCK",
                        "blockResponse": "NXDOMAIN",
                        "name": "block-bad",
                    }
                ]
            },
            "route53resolver:CreateFirewallRule",
        ),
        (
            "BatchDeleteFirewallRule",
            {
                "deleteFirewallRuleEntries": [
                    {
                        "firewallRuleGroupId": "rslvr-frg-0123456789abcdef",
                        "firewallDomainListId": "rslvr-fdl-0123456789abcdef",
                    }
                ]
            },
            "route53resolver:DeleteFirewallRule",
        ),
    ],
)
def test_route53_resolver_batch_firewall_rule_calls_use_the_single_rule_actions(
    name: str, params: dict[str, Any], action: str
) -> None:
    """https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_BatchCreateFirewallRule.html
    (and BatchDeleteFirewallRule): entries naming the rule group and domain list. The Service
    Authorization Reference's operations table maps them to route53resolver:CreateFirewallRule /
    DeleteFirewallRule."""
    assert uses("route53resolver.amazonaws.com", name, params) == {(action, STAR)}


@pytest.mark.parametrize(
    ("name", "params", "action"),
    [
        ("DescribeDataProviders", {"maxRecords": 20}, "dms:ListDataProviders"),
        (
            "DescribeExtensionPackAssociations",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:ListExtensionPacks",
        ),
        ("DescribeInstanceProfiles", {"maxRecords": 20}, "dms:ListInstanceProfiles"),
        (
            "DescribeMetadataModelAssessments",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:ListMetadataModelAssessments",
        ),
        (
            "DescribeMetadataModelConversions",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:ListMetadataModelConversions",
        ),
        (
            "DescribeMetadataModelExportsAsScript",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:ListMetadataModelExports",
        ),
        (
            "DescribeMetadataModelExportsToTarget",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:ListMetadataModelExports",
        ),
        ("DescribeMigrationProjects", {"maxRecords": 20}, "dms:ListMigrationProjects"),
        (
            "ModifyConversionConfiguration",
            {"migrationProjectIdentifier": "mp-1", "conversionConfiguration": "{}"},
            "dms:UpdateConversionConfiguration",
        ),
        (
            "ModifyDataProvider",
            {"dataProviderIdentifier": "dp-1", "description": "x"},
            "dms:UpdateDataProvider",
        ),
        (
            "ModifyInstanceProfile",
            {"instanceProfileIdentifier": "ip-1", "description": "x"},
            "dms:UpdateInstanceProfile",
        ),
        (
            "ModifyMigrationProject",
            {"migrationProjectIdentifier": "mp-1", "description": "x"},
            "dms:UpdateMigrationProject",
        ),
        (
            "StartExtensionPackAssociation",
            {"migrationProjectIdentifier": "mp-1"},
            "dms:AssociateExtensionPack",
        ),
        (
            "StartMetadataModelExportAsScript",
            {"migrationProjectIdentifier": "mp-1", "selectionRules": "{}", "origin": "SOURCE"},
            "dms:StartMetadataModelExportAsScripts",
        ),
    ],
)
def test_dms_schema_conversion_calls_use_their_documented_actions(
    name: str, params: dict[str, Any], action: str
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/dms-2016-01-01/DescribeDataProviders (and the others):
    "Required permissions: dms:ListDataProviders" and so on, one per operation."""
    assert {a for a, _ in uses("dms.amazonaws.com", name, params)} == {action}


def test_ecr_list_image_referrers_is_batch_get_image_on_the_repository() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/ecr-2015-09-21/ListImageReferrers: repositoryName,
    subjectId; "must have the ecr:BatchGetImage permission"."""
    params = {"repositoryName": "web-app", "subjectId": {"imageDigest": "sha256:" + "a" * 64}}
    assert uses("ecr.amazonaws.com", "ListImageReferrers", params) == {
        ("ecr:BatchGetImage", f"arn:aws:ecr:{R}:{ACCOUNT}:repository/web-app")
    }


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("GetBucketMetadataConfiguration", "s3:GetBucketMetadataTableConfiguration"),
        ("DeleteBucketMetadataConfiguration", "s3:DeleteBucketMetadataTableConfiguration"),
    ],
)
def test_s3_metadata_v2_calls_use_the_v1_actions_on_the_bucket(name: str, action: str) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/s3-2006-03-01/GetBucketMetadataConfiguration: the bucket;
    "you must have the s3:GetBucketMetadataTableConfiguration permission ... The IAM policy action name is
    the same for the V1 and V2 API operations" (Delete likewise)."""
    params = {"bucketName": "amzn-s3-demo-bucket", "metadataConfiguration": ""}
    assert uses("s3.amazonaws.com", name, params) == {(action, "arn:aws:s3:::amzn-s3-demo-bucket")}


def test_s3_metadata_v2_create_uses_the_v1_create_action_on_the_bucket() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/s3-2006-03-01/CreateBucketMetadataConfiguration: the bucket
    and its ``MetadataConfiguration`` body; "s3:CreateBucketMetadataTableConfiguration - The IAM policy action
    name is the same for the V1 and V2 API operations". S3 logs a bucket subresource call with the
    subresource's query name as an empty parameter beside ``bucketName`` and ``Host`` (S3 User Guide,
    "CloudTrail log file entries for Amazon S3": ``"acl": ""`` of GetBucketAcl). Unmapped before."""
    params = {
        "bucketName": "amzn-s3-demo-bucket",
        "Host": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com",
        "metadataConfiguration": "",
        "MetadataConfiguration": {
            "JournalTableConfiguration": {"RecordExpiration": {"Expiration": "ENABLED", "Days": 7}}
        },
    }
    assert uses("s3.amazonaws.com", "CreateBucketMetadataConfiguration", params) == {
        ("s3:CreateBucketMetadataTableConfiguration", "arn:aws:s3:::amzn-s3-demo-bucket")
    }
    # "iam:PassRole - required if you include an AnnotationTableConfiguration with an IAM role"
    role = f"arn:aws:iam::{ACCOUNT}:role/s3-metadata-annotations"
    annotated = {"AnnotationTableConfiguration": {"ConfigurationState": "ENABLED", "Role": role}}
    params["MetadataConfiguration"] = {**params["MetadataConfiguration"], **annotated}
    assert uses("s3.amazonaws.com", "CreateBucketMetadataConfiguration", params) == {
        ("s3:CreateBucketMetadataTableConfiguration", "arn:aws:s3:::amzn-s3-demo-bucket"),
        ("iam:PassRole", role),
    }


def test_s3_deleting_an_intelligent_tiering_configuration_is_put_on_the_bucket() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/s3-2006-03-01/DeleteBucketIntelligentTieringConfiguration:
    ``DELETE /?intelligent-tiering&id=Id``, the bucket and the configuration's id. "(Required)
    s3:PutIntelligentTieringConfiguration - Required to delete the existing S3 Intelligent-Tiering
    configuration from an S3 bucket" (S3 User Guide, "Required permissions for Amazon S3 API operations");
    the reference has no Delete action for it, and the call was unmapped."""
    params = {
        "bucketName": "amzn-s3-demo-bucket",
        "Host": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com",
        "intelligent-tiering": "",
        "id": "archive-after-90-days",
    }
    assert uses("s3.amazonaws.com", "DeleteBucketIntelligentTieringConfiguration", params) == {
        ("s3:PutIntelligentTieringConfiguration", "arn:aws:s3:::amzn-s3-demo-bucket")
    }


def test_lake_formation_glue_function_session_context_is_get_data_access() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/lakeformation-2017-03-31/GetGlueFunctionSessionContext:
    "To use this operation, you must have the lakeformation:GetDataAccess permission"."""
    params = {"userDefinedFunctionArns": [f"arn:aws:glue:{R}:{ACCOUNT}:userDefinedFunction/sales/mask_pii"]}
    assert uses("lakeformation.amazonaws.com", "GetGlueFunctionSessionContext", params) == {
        ("lakeformation:GetDataAccess", STAR)
    }


AZURE_CONNECTOR = (
    f"arn:aws:config:{R}:{ACCOUNT}:connector/azure/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/c-0123456789abcdef0"
)


def test_observability_admin_third_party_enrichment_start_is_config_put_on_its_connector() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/observabilityadmin-2018-05-10/StartThirdPartyTelemetryEnrichment:
    ``Name``, ``TelemetrySourceConfiguration.Azure.AwsConfigConnectorArn`` and ``Tags``; "To use this
    operation, you must have the config:PutThirdPartyServiceLinkedConfigurationRecorder permission", whose
    resource type is the connector (``connector/${Provider}/${ProviderId}/${ConnectorId}``, Service
    Authorization Reference). CloudTrail logs the service under ``observabilityadmin.amazonaws.com``
    (EventBridge events reference, "Amazon CloudWatch Observability Admin events"). Unmapped before."""
    params = {
        "name": "azure-prod",
        "telemetrySourceConfiguration": {"azure": {"awsConfigConnectorArn": AZURE_CONNECTOR}},
    }
    got = uses("observabilityadmin.amazonaws.com", "StartThirdPartyTelemetryEnrichment", params)
    assert got == {("config:PutThirdPartyServiceLinkedConfigurationRecorder", AZURE_CONNECTOR)}


def test_observability_admin_third_party_enrichment_stop_is_config_delete_of_the_recorder() -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/observabilityadmin-2018-05-10/StopThirdPartyTelemetryEnrichment:
    ``TelemetryEnrichmentIdentifier`` (the enrichment's name or ARN); "To use this operation, you must have
    the config:DeleteServiceLinkedConfigurationRecorder permission", on a configuration recorder whose ARN
    ends in an id AWS Config assigns, which the request does not name: ``*``, said. Unmapped before."""
    event = MAPPER.map(
        cloudtrail_record(
            "observabilityadmin.amazonaws.com",
            "StopThirdPartyTelemetryEnrichment",
            {"telemetryEnrichmentIdentifier": "azure-prod"},
            identity=user_identity(),
        )
    )
    assert event.kind == "mapped", event
    assert set(event.uses) == {("config:DeleteServiceLinkedConfigurationRecorder", STAR)}
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("BatchGetDataQualityResult", {"resultIds": ["dqresult-5f0c1e2d3b4a59687766554433221100aabbccdd"]}),
        ("ListDataQualityStatistics", {"profileId": "dqprofile-0a1b2c3d", "statisticId": "dqstat-4e5f6a7b"}),
        (
            "ListDataQualityStatisticAnnotations",
            {"profileId": "dqprofile-0a1b2c3d", "statisticId": "dqstat-4e5f6a7b"},
        ),
    ],
)
def test_glue_data_quality_result_reads_are_get_data_quality_result(
    name: str, params: dict[str, Any]
) -> None:
    """https://docs.aws.amazon.com/goto/WebAPI/glue-2017-03-31/BatchGetDataQualityResult (``ResultIds``),
    ListDataQualityStatistics and ListDataQualityStatisticAnnotations (``ProfileId``, ``StatisticId``):
    "glue:GetDataQualityResult ... This IAM action also provides permissions to the following APIS:
    BatchGetDataQualityQualityResult, ListDataQualityStatistics, ListDataQualityStatisticAnnotations" (AWS
    Glue Developer Guide, "Configure IAM permissions for AWS Glue Data Quality"). The action's
    dataQualityRuleset is named by none of these ids: ``*``, said. Unmapped before."""
    event = MAPPER.map(cloudtrail_record("glue.amazonaws.com", name, params, identity=user_identity()))
    assert event.kind == "mapped", event
    assert set(event.uses) == {("glue:GetDataQualityResult", STAR)}
    assert [code for _, code, _ in event.notes] == ["resource-undetermined"]
