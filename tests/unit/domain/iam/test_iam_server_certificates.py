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
