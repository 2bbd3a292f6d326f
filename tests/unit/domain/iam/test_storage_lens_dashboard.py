"""The S3 console's Storage Lens dashboard, as CloudTrail logged it in a real account: the invictus-ir AWS
dataset (https://github.com/invictus-ir/aws_dataset, MIT, vendored under
tests/fixtures/public-cloudtrail/invictus-ir), file
CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1145Z_s7dpHbl38neqZbm2.json, user/benjamin opening
the console. The dashboard's data comes from GetStorageLensDashboardDataInternal, a call the Service
Authorization Reference has no action of that name for, so the event was unmapped."""

from __future__ import annotations

from typing import Any

from policygen_operator.domain.iam.mapping import EventMapper

MAPPER = EventMapper()

# as it appears in the file (the IAM user's record; AWS Internal made the call for the console)
_DASHBOARD_DATA: dict[str, Any] = {
    "eventVersion": "1.08",
    "userIdentity": {
        "type": "IAMUser",
        "principalId": "AIDATFQR7NSC5U6Q3TMDR",
        "arn": "arn:aws:iam::123837392027:user/benjamin",
        "accountId": "123837392027",
        "accessKeyId": "ASIATFQR7NSCTM3XVF6B",
        "userName": "benjamin",
        "sessionContext": {
            "sessionIssuer": {},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2023-07-10T11:42:31Z", "mfaAuthenticated": "true"},
        },
        "invokedBy": "AWS Internal",
    },
    "eventTime": "2023-07-10T11:42:35Z",
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetStorageLensDashboardDataInternal",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "AWS Internal",
    "userAgent": "AWS Internal",
    "requestParameters": {
        "configurationARN": "arn:aws:s3:us-east-1:123837392027:storage-lens/default-account-dashboard"
    },
    "responseElements": None,
    "requestID": "34b47ad8-783f-4cd5-8865-df3f9cdbcc0b",
    "eventID": "14ff525a-1809-4b51-ba87-ff07973db7ba",
    "readOnly": True,
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": "123837392027",
    "eventCategory": "Management",
}


def test_the_dashboards_data_is_read_with_get_storage_lens_dashboard() -> None:
    """ "View an S3 Storage Lens dashboard on the Amazon S3 console" needs s3:ListStorageLensConfigurations,
    s3:GetStorageLensConfiguration and s3:GetStorageLensDashboard (S3 User Guide, "Setting Amazon S3 Storage
    Lens permissions"); the first two are calls of their own in the same console session (logged beside this
    one), the third is this one's: "Grants permission to get an Amazon S3 Storage Lens dashboard" on the
    storagelensconfiguration type (Service Authorization Reference, Amazon S3), the configuration whose ARN
    the request names."""
    event = MAPPER.map(_DASHBOARD_DATA)
    assert (event.kind, event.uses, event.notes) == (
        "mapped",
        (
            (
                "s3:GetStorageLensDashboard",
                "arn:aws:s3:us-east-1:123837392027:storage-lens/default-account-dashboard",
            ),
        ),
        (),
    )


def test_a_dashboard_of_another_region_is_that_regions() -> None:
    """The configuration's ARN is granted as given: a dashboard's home Region is the one its ARN names."""
    record = {
        **_DASHBOARD_DATA,
        "requestParameters": {"configurationARN": "arn:aws:s3:eu-west-1:123837392027:storage-lens/team"},
    }
    event = MAPPER.map(record)
    team = "arn:aws:s3:eu-west-1:123837392027:storage-lens/team"
    assert event.uses == (("s3:GetStorageLensDashboard", team),)
