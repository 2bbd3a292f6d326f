"""UploadServerCertificate without a ``path`` uploads the certificate at ``/``: it was granted ``*`` with the
resource-undetermined finding (``resolvers.CREATING_NORMALISERS``)."""

from __future__ import annotations

import pytest

from policygen_operator.domain.iam.mapping import EventMapper
from tests.unit.domain.iam.records import ACCOUNT, cloudtrail_record

BODY = (
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----"
)


@pytest.mark.parametrize(
    ("params", "certificate"),
    [
        # "Path: ... This parameter is optional. If it is not included, it defaults to a slash (/)" (IAM API
        # Reference, UploadServerCertificate); the reference's format is
        # ``server-certificate/${CertificateNameWithPath}``
        ({"serverCertificateName": "shop-example-com"}, "server-certificate/shop-example-com"),
        (
            {"serverCertificateName": "shop-example-com", "path": "/cloudfront/"},
            "server-certificate/cloudfront/shop-example-com",
        ),
    ],
)
def test_an_uploaded_certificate_at_its_path(params: dict[str, str], certificate: str) -> None:
    event = EventMapper().map(
        cloudtrail_record("iam.amazonaws.com", "UploadServerCertificate", {**params, "certificateBody": BODY})
    )
    assert event.uses == (("iam:UploadServerCertificate", f"arn:aws:iam::{ACCOUNT}:{certificate}"),)
    assert event.notes == ()


CERTIFICATES = f"arn:aws:iam::{ACCOUNT}:server-certificate"


@pytest.mark.parametrize(
    ("event_name", "params", "certificates"),
    [
        # "ServerCertificateName: The name of the server certificate you want to retrieve information about
        # ... Pattern: [\w+=,.@-]+" (IAM API Reference, GetServerCertificate): a name without its path, where
        # the certificate may have been uploaded under one ("Path: The path for the server certificate",
        # UploadServerCertificate), as a role or a user named by its bare name
        ("GetServerCertificate", {"serverCertificateName": "shop"}, ("shop",)),
        ("DeleteServerCertificate", {"serverCertificateName": "shop"}, ("shop",)),
        ("ListServerCertificateTags", {"serverCertificateName": "shop"}, ("shop",)),
        (
            "TagServerCertificate",
            {"serverCertificateName": "shop", "tags": [{"key": "team", "value": "web"}]},
            ("shop",),
        ),
        ("UntagServerCertificate", {"serverCertificateName": "shop", "tagKeys": ["team"]}, ("shop",)),
        # a rename is authorized on the old and the new name ("the requester must have appropriate
        # permissions on both the source object and the target object", IAM API Reference,
        # UpdateServerCertificate), each under any path
        (
            "UpdateServerCertificate",
            {"serverCertificateName": "shop", "newServerCertificateName": "shop-2024"},
            ("shop", "shop-2024"),
        ),
    ],
)
def test_a_certificate_named_by_its_bare_name_is_granted_under_any_path(
    event_name: str, params: dict[str, object], certificates: tuple[str, ...]
) -> None:
    event = EventMapper().map(cloudtrail_record("iam.amazonaws.com", event_name, params))
    under = ("", "*/")  # at / and under any path
    expected = {(f"iam:{event_name}", f"{CERTIFICATES}/{at}{name}") for name in certificates for at in under}
    assert set(event.uses) == expected
    assert event.notes == ()
