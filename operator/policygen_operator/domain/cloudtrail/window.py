"""The time window of a scan, and what delivery file names and keys tell about it.

CloudTrail writes ``[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/``
``ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz``. The timestamp in the name is when the file
was written, so every record in it happened before that minute ends; records can reach a file some time
after the call (usually ~5 minutes, not guaranteed). A file is skipped unread only when its timestamp
proves it cannot hold a record of the window, with ``DELIVERY_LAG`` of slack after the window's end.
Records inside files that are read are still checked one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from policygen_operator.domain.timeutil import iso

# How long after a call CloudTrail may still deliver it. Files written later than end + lag are skipped.
DELIVERY_LAG = timedelta(hours=1)
# The name's timestamp has minute resolution: a record may be up to a minute past it.
NAME_RESOLUTION = timedelta(minutes=1)

_NAME = re.compile(
    r"(?P<account>\d{12})_CloudTrail(?:-Digest)?_(?P<region>[a-z0-9-]+)_"
    r"(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(?:\.gz)?$"
)
# The time folders of archives outside the delivery layout. Kinesis Data Firehose writes under the UTC
# ``YYYY/MM/dd/HH`` of the approximate arrival of an object's oldest record, or under a custom prefix whose
# timestamp expressions often spell ``year=YYYY/month=MM/day=dd/hour=HH`` (Firehose Developer Guide, "Amazon
# S3 object name format" and "Custom prefixes for Amazon S3 objects", whose examples these are), or a Hive
# date partition ``dt=YYYY-MM-dd/`` (what a custom prefix ``dt=!{timestamp:yyyy-MM-dd}/`` writes, as do
# Glue and Hive tables partitioned by day). A plain year folder is trusted only with its month below it: a
# folder named ``2020`` alone is as often a name (a copy of a bucket, a project) as a year, and a walk that
# lists it loses one listing where one that skips it would lose its data.
_PLAIN_TIME = re.compile(r"(?:^|/)(?P<y>20\d\d)/(?P<m>\d\d)/(?:(?P<d>\d\d)/(?:(?P<h>\d\d)/)?)?")
_HIVE_TIME = re.compile(
    r"(?:^|/)year=(?P<y>\d{4})/(?:month=(?P<m>\d\d?)/(?:day=(?P<d>\d\d?)/(?:hour=(?P<h>\d\d?)/)?)?)?",
    re.IGNORECASE,
)
_DATE_FOLDER = re.compile(
    r"(?:^|/)(?:(?:dt|date)=)?(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)/(?:(?:hour=)?(?P<h>\d\d)/)?",
    re.IGNORECASE,
)
# The delivery layout's region folder (``AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/``), and its year and
# month folders below it: a year there is one.
_REGION_FOLDER = (
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<account>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/"
)
_LAYOUT_TIME = re.compile(_REGION_FOLDER + r"(?P<y>\d{4})/(?:(?P<m>\d{2})/)?")
_IN_LAYOUT = re.compile(_REGION_FOLDER)
_TIME_FOLDERS = (_PLAIN_TIME, _HIVE_TIME, _DATE_FOLDER, _LAYOUT_TIME)
# Where a trail's own layout starts: what comes before it is the trail's S3 key prefix, a name.
_AWSLOGS = re.compile(r"(?:^|/)AWSLogs/")
_LAYOUT = re.compile(_REGION_FOLDER + r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/")


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in UTC, with the ISO strings records are compared against as text."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if not self.start < self.end:
            raise ValueError(f"start ({iso(self.start)}) must be before end ({iso(self.end)})")

    @cached_property
    def start_iso(self) -> str:
        return iso(self.start)

    @cached_property
    def end_iso(self) -> str:
        return iso(self.end)

    def days(self) -> list[date]:
        """Every UTC day whose delivery folder may hold a file with a record of the window."""
        first = self.start.astimezone(UTC).date()
        last = (self.end.astimezone(UTC) + DELIVERY_LAG).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def may_hold(self, written: datetime) -> bool:
        """Can a file written at ``written`` (from its name) hold a record of the window?"""
        return written + NAME_RESOLUTION > self.start and written < self.end + DELIVERY_LAG

    def may_hold_span(self, first: datetime, last: datetime) -> bool:
        """Can a time folder of an archive (``span_of_path``) hold a record of the window? Its time is when
        records arrived, after they happened, and an object holds records that arrived a while after its
        oldest (Firehose buffers up to 900 seconds): ``DELIVERY_LAG`` of slack on both sides."""
        return last + DELIVERY_LAG > self.start and first < self.end + DELIVERY_LAG

    def contains_time(self, event_time: str) -> bool:
        """Is a record's ``eventTime`` inside? Text comparison on CloudTrail's own format, else parsed."""
        if len(event_time) == 20 and event_time[-1] == "Z":
            return self.start_iso <= event_time < self.end_iso
        try:
            moment = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
        except ValueError:
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return self.start <= moment < self.end


@dataclass(frozen=True)
class DeliveryName:
    account: str
    region: str
    written: datetime


def parse_delivery_name(name: str) -> DeliveryName | None:
    """Account, region and write time from a delivery file name or key; None for other names."""
    match = _NAME.search(name)
    if match is None:
        return None
    stamp = match["stamp"]  # YYYYmmddTHHMMZ; slicing is ~20x cheaper than strptime, per listed file
    try:
        written = datetime(
            int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]), int(stamp[11:13]), tzinfo=UTC
        )
    except ValueError:  # not a real date: not a delivery name
        return None
    return DeliveryName(match["account"], match["region"], written)


def is_digest(name: str) -> bool:
    """Digest files (integrity validation) hold no records."""
    return "_CloudTrail-Digest_" in name or "/CloudTrail-Digest/" in name


def is_insights(name: str) -> bool:
    """Insights files hold no calls: CloudTrail writes its Insights events (unusual call rates, with no
    caller of their own) to a ``CloudTrail-Insight`` folder beside ``CloudTrail`` (CloudTrail User Guide,
    "Logging Insights events"), which a copy of the bucket (``aws s3 sync``) brings along."""
    return "_CloudTrail-Insight_" in name or "/CloudTrail-Insight/" in name


def day_of_path(path: str) -> date | None:
    """The day folder of a path in the delivery layout, if it is in one."""
    match = _LAYOUT.search(path)
    if match is None:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def in_trail_layout(path: str) -> bool:
    """Whether a folder path lies in a trail's region folder, where a year, month or day folder is one (the
    delivery layout's) and holds nothing but that time's delivery files; anywhere else a folder that looks
    like a time may be a name: a trail's key prefix (``2020/05/AWSLogs/...``), a dated copy."""
    return _IN_LAYOUT.search(path) is not None


def span_of_path(path: str) -> tuple[datetime, datetime] | None:
    """``[first, last)`` of the time folders a folder path (ending in ``/``) names (``_TIME_FOLDERS``), or
    None when it names none: only then may a listing pass it over unread. A path may hold several runs of
    time folders (a year-like name above a Firehose prefix, a dated backup folder above an archive): the
    span is the one that covers them all, so no run decides alone; what comes before ``AWSLogs/`` is a
    trail's key prefix and names no time."""
    layouts = [found.start() for found in _AWSLOGS.finditer(path)]
    if layouts:
        path = path[layouts[-1] :]
    spans = [
        span
        for pattern in _TIME_FOLDERS
        for match in pattern.finditer(path)
        if (span := _span(match)) is not None
    ]
    if not spans:
        return None
    return min(first for first, _ in spans), max(last for _, last in spans)


def _span(match: re.Match[str]) -> tuple[datetime, datetime] | None:
    """The span a run of time folders names, from a year down to an hour; None for one that is no date."""
    found = match.groupdict()
    year, month, day, hour = found["y"], found.get("m"), found.get("d"), found.get("h")
    try:
        first = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), tzinfo=UTC)
        if hour:
            return first, first + timedelta(hours=1)
        if day:
            return first, first + timedelta(days=1)
        if month:
            return first, first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
        return first, first.replace(year=first.year + 1)
    except ValueError:  # not a real date: not a time folder
        return None
