"""Settings from the environment and the spec -> request translation (the desired state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from policygen_operator.services import spec as specs
from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.generation import LocalLogs, S3Logs
from policygen_operator.settings import OperatorSettings, from_env

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PRINCIPAL = "arn:aws:iam::111122223333:role/payments-api"


def test_settings_defaults_and_overrides() -> None:
    # the process's settings never widen by omission (policygen operator then refuses to start)
    assert from_env({}) == OperatorSettings(all_namespaces=False) and not from_env({}).watches("x")
    got = from_env(
        {
            "POLICYGEN_WATCH_NAMESPACES": "a, b,,c",
            "POLICYGEN_MAX_CONCURRENT_SCANS": "4",
            "AWS_REGION": "eu-west-1",
            "POLICYGEN_LOG_FORMAT": "TEXT",
            "POLICYGEN_ALLOWED_REPOSITORIES": "https://github.com/acme/infra.git",
        }
    )
    assert got.namespaces == ("a", "b", "c")
    assert got.max_concurrent_scans == 4
    assert got.aws_region == "eu-west-1"
    assert got.log_format == "text"
    assert got.allowed_repositories == ("https://github.com/acme/infra.git",)
    assert from_env({}).namespaces == () and from_env({}).all_namespaces is False
    assert from_env({"POLICYGEN_ALL_NAMESPACES": "true"}).all_namespaces is True
    assert got.watches("b") and not got.watches("d")
    assert OperatorSettings(namespaces=("team-*",)).watches("team-a")
    assert OperatorSettings(all_namespaces=True).watches("anything")
    assert from_env({}).max_file_bytes == 256 * 2**20
    assert from_env({"POLICYGEN_MAX_FILE_SIZE": "64Mi"}).max_file_bytes == 64 * 2**20


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"POLICYGEN_MAX_CONCURRENT_SCANS": "0"}, "POLICYGEN_MAX_CONCURRENT_SCANS must be at least 1"),
        ({"POLICYGEN_MAX_CONCURRENT_SCANS": "two"}, "must be an integer"),
        ({"POLICYGEN_LOG_FORMAT": "xml"}, "POLICYGEN_LOG_FORMAT must be json or text"),
        ({"POLICYGEN_LOG_LEVEL": "chatty"}, "POLICYGEN_LOG_LEVEL"),
        ({"POLICYGEN_PROGRESS_INTERVAL": "-1"}, "must be positive"),
        ({"POLICYGEN_MAX_FILE_SIZE": "huge"}, "POLICYGEN_MAX_FILE_SIZE: 'huge' is not a size"),
        # a typo'd region sent every AWS call to an endpoint that does not exist
        ({"POLICYGEN_AWS_REGION": "eu-wset-1"}, "POLICYGEN_AWS_REGION: 'eu-wset-1' is not an AWS region"),
        ({"AWS_REGION": "us-est-1"}, "AWS_REGION: 'us-est-1' is not an AWS region .*us-east-1"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_env(env)


def test_backoff_doubles_and_caps() -> None:
    settings = OperatorSettings(retry_backoff=10, retry_backoff_max=60)
    assert [settings.backoff(r) for r in range(5)] == [10, 20, 40, 60, 60]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("90d", timedelta(days=90)),
        ("2w", timedelta(weeks=2)),  # the CLI's --lookback grammar: one grammar for both
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert specs.parse_duration(text, "f") == expected


@pytest.mark.parametrize("text", ["", "0d", "90", "1y", "-1h", "1.5h", "90 days"])
def test_bad_durations_name_the_field(text: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"spec\.window\.lookback") as caught:
        specs.parse_duration(text, "spec.window.lookback")
    assert caught.value.field == "spec.window.lookback"


def test_lookback_window_ends_now_and_default_is_90_days() -> None:
    request = specs.generation_request(
        {"principalArn": PRINCIPAL, "cloudTrail": {"local": {"path": "/l"}}}, NOW
    )
    assert (request.start, request.end) == (NOW - timedelta(days=90), NOW)
    assert request.source == LocalLogs(path="/l")
    assert request.resource_level is True and request.include_denied is False


def test_explicit_window_and_s3_source_and_options() -> None:
    spec = {
        "principalArn": PRINCIPAL,
        "cloudTrail": {
            "s3": {
                "bucket": "org-trail",
                "prefix": "p",
                "organizationId": "o-abcdefghij",
                "accountIds": ["111122223333"],
                "regions": ["us-east-1"],
                "endpointURL": "http://127.0.0.1:5000",
            }
        },
        "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00+00:00"},
        "policy": {"resourceLevel": False, "includeDenied": True, "excludeActions": ["iam:PassRole"]},
        "aws": {"region": "", "roleArn": ""},
    }
    request = specs.generation_request(spec, NOW, default_region="eu-west-1", workers=1)
    assert request.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert request.end == datetime(2026, 2, 1, tzinfo=UTC)
    assert request.source == S3Logs(
        bucket="org-trail",
        prefix="p",
        organization_id="o-abcdefghij",
        account_ids=("111122223333",),
        regions=("us-east-1",),
        endpoint_url="http://127.0.0.1:5000",
    )
    assert request.aws.region == "eu-west-1"  # empty in the spec: the operator's default
    assert request.aws.role_arn is None
    assert (request.resource_level, request.include_denied, request.exclude_actions) == (
        False,
        True,
        ("iam:PassRole",),
    )


def test_window_in_the_wrong_order_is_invalid_even_if_the_schema_was_bypassed() -> None:
    spec = {
        "principalArn": PRINCIPAL,
        "cloudTrail": {"local": {"path": "/l"}},
        "window": {"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
    }
    with pytest.raises(InvalidRequestError, match="start must be before"):
        specs.generation_request(spec, NOW)


def test_two_sources_are_invalid() -> None:
    spec = {"principalArn": PRINCIPAL, "cloudTrail": {"local": {"path": "/l"}, "s3": {"bucket": "b"}}}
    with pytest.raises(InvalidRequestError, match="exactly one source"):
        specs.generation_request(spec, NOW)


def test_configmap_name_defaults_to_name_policy() -> None:
    assert specs.configmap_name("payments", {}) == "payments-policy"
    assert specs.configmap_name("payments", {"output": {"configMap": {"name": "x"}}}) == "x"


def test_pull_request_spec() -> None:
    assert specs.pull_request({}) is None
    target = specs.pull_request(
        {
            "output": {
                "pullRequest": {
                    "provider": "github",
                    "repository": "https://github.com/acme/infra.git",
                    "path": "iam/",
                    "format": "ack",
                    "replaceManagedPolicies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
                    "credentialsSecretRef": {"name": "git"},
                    "labels": ["iam"],
                }
            }
        }
    )
    assert target is not None
    assert target.secret_name == "git"
    assert target.spec.base_branch == "main"
    assert target.spec.replace_managed_policies == ("arn:aws:iam::aws:policy/PowerUserAccess",)
    with pytest.raises(InvalidRequestError, match="credentialsSecretRef"):
        specs.pull_request(
            {
                "output": {
                    "pullRequest": {
                        "provider": "gitlab",
                        "repository": "https://g/r.git",
                        "path": "a",
                        "format": "json",
                    }
                }
            }
        )


def test_athena_source_from_the_spec() -> None:
    from policygen_operator.services.athena import AthenaLogs

    athena = {
        "workgroup": "policygen",
        "database": "audit",
        "table": "org_trail",
        "outputLocation": "s3://athena-results/policygen/",
        "accountIds": ["111122223333"],
        "regions": ["eu-west-1"],
    }
    request = specs.generation_request({"principalArn": PRINCIPAL, "cloudTrail": {"athena": athena}}, NOW)
    assert isinstance(request.source, AthenaLogs)
    assert request.source.table.uri() == "athena://policygen@AwsDataCatalog.audit.org_trail"
    assert request.source.table.output_location == "s3://athena-results/policygen/"
    assert request.source.account_ids == ("111122223333",) and request.source.regions == ("eu-west-1",)
    with pytest.raises(InvalidRequestError, match="exactly one source"):
        specs.generation_request(
            {"principalArn": PRINCIPAL, "cloudTrail": {"athena": athena, "local": {"path": "/l"}}}, NOW
        )
    bad = {"principalArn": PRINCIPAL, "cloudTrail": {"athena": {**athena, "outputLocation": "/tmp"}}}
    with pytest.raises(InvalidRequestError) as caught:
        specs.generation_request(bad, NOW)
    assert caught.value.field == "spec.cloudTrail.athena"


@pytest.mark.parametrize(
    ("spec", "field", "region"),
    [
        ({"cloudTrail": {"s3": {"bucket": "trail", "regions": ["eu-west-1", "us-est-1"]}}}, "s3", "us-est-1"),
        (
            {"cloudTrail": {"athena": {"database": "a", "table": "t", "regions": ["eu-wset-1"]}}},
            "athena",
            "eu-wset-1",
        ),
        ({"cloudTrail": {"local": {"path": "/logs"}}, "aws": {"region": "us-east-7"}}, "aws", "us-east-7"),
    ],
)
def test_a_region_no_partition_has_is_an_invalid_spec_naming_its_field(
    spec: dict[str, Any], field: str, region: str
) -> None:
    """The CRD's pattern passes us-est-1 (it has the shape of a region); the typo only pruned every region
    folder (or partition) away and the run ended as NoMatchingEvents, with nothing saying why."""
    with pytest.raises(InvalidRequestError) as caught:
        specs.generation_request({"principalArn": PRINCIPAL, **spec}, NOW)
    want = "spec.aws.region" if field == "aws" else f"spec.cloudTrail.{field}.regions"
    assert caught.value.field == want and caught.value.reason == "InvalidSpec"
    assert f"{want}: {region!r} is not an AWS region" in str(caught.value)
    ok = specs.generation_request(
        {
            "principalArn": PRINCIPAL,
            "cloudTrail": {"s3": {"bucket": "trail", "regions": ["cn-north-1", "us-gov-west-1"]}},
        },
        NOW,
    )
    assert isinstance(ok.source, S3Logs) and ok.source.regions == ("cn-north-1", "us-gov-west-1")
