"""``CREATE EXTERNAL TABLE`` for a trail bucket, with partition projection, as AWS documents it.

The columns and the SerDe follow AWS's "Create the table for CloudTrail logs in Athena using partition
projection" (Athena user guide). That example covers one account and one region, partitioned by the
delivery day (``timestamp``, ``yyyy/MM/dd``). A trail of several regions, or an organization trail of
several accounts, gets ``account`` and ``region`` partitions too, projected as enums over the given
values, with the location template of the delivery layout
(``[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/``). Projection means no crawler and no
``ALTER TABLE ADD PARTITION``: a query that names the days it needs reads only those folders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from policygen_operator.domain.partitions import REGION_NAME

# Regions where CloudTrail may deliver (commercial partition); the default ``region`` enum. A region left out
# is silently never read (projection knows only these values): tests check this against botocore's
# CloudTrail endpoints.
DEFAULT_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)

# The documented table's columns (names in lower case, as Athena shows them).
COLUMNS = """\
  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<
        type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>
    >
  >,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>"""

# Every check is a fullmatch over ASCII classes: re.match's "$" also matches before a trailing newline, and
# "\d" takes any script's digits, either of which would reach the statement.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_NAME = re.compile(r"^[A-Za-z0-9_]{1,128}$")
# The trail's key prefix goes into quoted strings of the statement (LOCATION, the location template, the
# comment), where a quote would end the string and a backslash starts an escape in Hive: only S3's "safe"
# key characters are taken (letters, digits, ! - _ . * ( ) / = +), at most CloudTrail's 200.
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*()/=+-]{0,200}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(rf"^{REGION_NAME}$")


class DdlError(ValueError):
    """An option the table cannot be built from; ``field``: the TrailTable field it is about, so a caller
    can name its own spelling of it (the CLI's flag)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TrailTable:
    bucket: str
    database: str = "default"
    table: str = "cloudtrail_logs"
    prefix: str = ""  # the trail's S3 key prefix, if it has one
    organization_id: str | None = None
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = field(default=())
    first_day: date = date(2020, 1, 1)  # projection range start

    def __post_init__(self) -> None:
        if not _BUCKET.fullmatch(self.bucket):
            raise DdlError(f"bucket {self.bucket!r} is not an S3 bucket name", "bucket")
        for what, value in (("database", self.database), ("table", self.table)):
            if not _NAME.fullmatch(value):
                raise DdlError(f"{what} {value!r}: letters, digits and '_' only (Glue names)", what)
        if not _PREFIX.fullmatch(self.prefix):
            raise DdlError(
                f"prefix {self.prefix!r}: letters, digits and ! - _ . * ( ) / = + only, at most 200 "
                "(anything else would have to be escaped inside the statement's strings)",
                "prefix",
            )
        if self.organization_id is not None and not _ORG.fullmatch(self.organization_id):
            raise DdlError(
                f"organization {self.organization_id!r} is not an ID like o-abc123def4", "organization_id"
            )
        for account in self.accounts:
            if not _ACCOUNT.fullmatch(account):
                raise DdlError(f"account {account!r} is not a 12-digit account ID", "accounts")
        for region in self.regions:
            if not _REGION.fullmatch(region):
                raise DdlError(f"region {region!r} is not a region name like eu-west-1", "regions")
        if not self.accounts:
            raise DdlError("at least one account is needed (the AWSLogs/ACCOUNT/ folder)", "accounts")

    @property
    def single(self) -> bool:
        """One account and one region of an account's own trail: AWS's own example, partitioned by day only.
        An organization trail always gets ``account`` and ``region`` partitions (accounts join it later)."""
        return self.organization_id is None and len(self.accounts) == 1 and len(self.regions) == 1

    @property
    def base(self) -> str:
        prefix = self.prefix.strip("/")
        org = f"{self.organization_id}/" if self.organization_id else ""
        return f"s3://{self.bucket}/{prefix + '/' if prefix else ''}AWSLogs/{org}"


def create_table(spec: TrailTable) -> str:
    """The statement to run once in Athena (any workgroup) before ``--logs athena://DATABASE.TABLE``."""
    regions = spec.regions or DEFAULT_REGIONS
    if spec.single:
        location = f"{spec.base}{spec.accounts[0]}/CloudTrail/{regions[0]}/"
        partitions = "`timestamp` STRING"
        template = location + "${timestamp}"
        projection = []
    else:
        location = spec.base
        partitions = "account STRING, region STRING, `timestamp` STRING"
        template = spec.base + "${account}/CloudTrail/${region}/${timestamp}"
        projection = [
            ("projection.account.type", "enum"),
            ("projection.account.values", ",".join(spec.accounts)),
            ("projection.region.type", "enum"),
            ("projection.region.values", ",".join(regions)),
        ]
    properties = [
        ("projection.enabled", "true"),
        *projection,
        ("projection.timestamp.type", "date"),
        ("projection.timestamp.format", "yyyy/MM/dd"),
        ("projection.timestamp.interval", "1"),
        ("projection.timestamp.interval.unit", "DAYS"),
        ("projection.timestamp.range", f"{spec.first_day:%Y/%m/%d},NOW"),
        ("storage.location.template", template),
    ]
    props = ",\n".join(f"  '{key}'='{value}'" for key, value in properties)
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{spec.database}`.`{spec.table}` (\n{COLUMNS}\n)\n"
        f"COMMENT 'CloudTrail logs of {spec.base} (policygen athena ddl)'\n"
        f"PARTITIONED BY ({partitions})\n"
        "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n"
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n"
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
        f"LOCATION '{location}'\n"
        f"TBLPROPERTIES (\n{props}\n);\n"
    )
