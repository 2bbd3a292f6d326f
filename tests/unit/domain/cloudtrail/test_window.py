from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from policygen_operator.domain.cloudtrail.window import (
    Window,
    day_of_path,
    is_digest,
    parse_delivery_name,
    span_of_path,
)
from tests.unit.domain.cloudtrail.fakes import ACCOUNT

W = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


def test_delivery_names_give_account_region_and_write_time() -> None:
    name = parse_delivery_name(
        "AWSLogs/o-aa11bb22cc/111122223333/CloudTrail/eu-west-1/2026/11/24/"
        "111122223333_CloudTrail_eu-west-1_20261124T0905Z_Mu0KsOhtH1ar15ZZ.json.gz"
    )
    assert name is not None
    assert (name.account, name.region, name.written) == (
        "111122223333",
        "eu-west-1",
        datetime(2026, 11, 24, 9, 5, tzinfo=UTC),
    )
    assert parse_delivery_name("export.jsonl") is None
    # A stamp that is no real time is no delivery name (the file is then read like any other).
    assert parse_delivery_name("111122223333_CloudTrail_eu-west-1_20261324T0905Z_Mu0K.json.gz") is None
    assert is_digest("111122223333_CloudTrail-Digest_us-east-1_20261124T0905Z.json.gz")


@pytest.mark.parametrize(
    ("written", "holds"),
    [
        (datetime(2026, 11, 23, 23, 59, tzinfo=UTC), False),  # written (by 23:59:59) before the window
        (datetime(2026, 11, 24, 0, 0, tzinfo=UTC), True),  # minute resolution: may hold 00:00:30
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), True),
        (datetime(2026, 11, 25, 0, 30, tzinfo=UTC), True),  # late delivery of the window's last calls
        (datetime(2026, 11, 25, 1, 0, tzinfo=UTC), False),  # past end + DELIVERY_LAG
    ],
)
def test_files_are_kept_only_when_their_write_time_allows_window_records(
    written: datetime, holds: bool
) -> None:
    assert W.may_hold(written) is holds


def test_record_times_compare_as_text_and_in_other_iso_forms() -> None:
    assert W.contains_time("2026-11-24T00:00:00Z")
    assert not W.contains_time("2026-11-25T00:00:00Z")  # end is exclusive
    assert not W.contains_time("2026-11-23T23:59:59Z")
    assert W.contains_time("2026-11-24T10:00:00.123Z")
    assert W.contains_time("2026-11-24T01:00:00+01:00")
    assert not W.contains_time("yesterday")


def test_day_folders_cover_the_window_and_the_delivery_lag() -> None:
    assert W.days() == [date(2026, 11, 24), date(2026, 11, 25)]
    assert day_of_path("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/") == date(2026, 11, 24)
    assert day_of_path("exports/") is None


def test_window_bounds_must_be_ordered_and_aware() -> None:
    with pytest.raises(ValueError, match="before"):
        Window(W.end, W.start)
    with pytest.raises(ValueError):
        Window(datetime(2026, 1, 1), datetime(2026, 1, 2))


def _at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "span"),
    [
        # Firehose's default prefix, the UTC YYYY/MM/dd/HH of arrival (Firehose Developer Guide, "Amazon S3
        # object name format"), at each depth
        ("firehose/2026/12/", (_at(2026, 12, 1), _at(2027, 1, 1))),
        ("firehose/2026/11/24/", (_at(2026, 11, 24), _at(2026, 11, 25))),
        ("firehose/2026/11/24/09/", (_at(2026, 11, 24, 9), _at(2026, 11, 24, 10))),
        ("firehose/2026/11/24/09/more/", (_at(2026, 11, 24, 9), _at(2026, 11, 24, 10))),
        # the guide's "Custom prefixes" example myPrefix/year=.../month=.../day=.../hour=.../
        ("myPrefix/year=2018/month=07/day=06/hour=23/", (_at(2018, 7, 6, 23), _at(2018, 7, 7))),
        # its other examples name no time folder a listing may trust, nor do other folders
        ("myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5/", None),
        ("myFirehosePrefix/processing-failed/", None),
        ("exports/cda45419-90ea-4db5-9833-aade86253e66/", None),
        ("firehose/2026/13/", None),  # no month 13: not a time folder
        ("firehose/2026", None),  # not a folder yet
        # a Hive date partition, as Firehose's !{timestamp:yyyy-MM-dd} and Glue/Hive day partitions write it
        ("ct/dt=2026-11-24/", (_at(2026, 11, 24), _at(2026, 11, 25))),
        ("ct/date=2026-11-24/", (_at(2026, 11, 24), _at(2026, 11, 25))),
        ("ct/2026-11-24/", (_at(2026, 11, 24), _at(2026, 11, 25))),
        ("ct/dt=2026-11-24/hour=09/", (_at(2026, 11, 24, 9), _at(2026, 11, 24, 10))),
        ("ct/dt=2026-02-30/", None),  # no such day
        # the delivery layout's year folder below its region folder is a year
        (f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/", (_at(2026, 1, 1), _at(2027, 1, 1))),
    ],
)
def test_time_folders_of_archives(path: str, span: tuple[datetime, datetime] | None) -> None:
    assert span_of_path(path) == span


def test_a_time_folder_is_kept_while_it_may_hold_records_of_the_window() -> None:
    hour = timedelta(hours=1)
    assert W.may_hold_span(_at(2026, 11, 24, 9), _at(2026, 11, 24, 10))
    # an object holds records that arrived after its oldest (a buffer of up to 900 s)
    assert W.may_hold_span(_at(2026, 11, 23, 23), _at(2026, 11, 24))
    assert not W.may_hold_span(_at(2026, 11, 23, 22), _at(2026, 11, 23, 23))
    # records arrive after they happen: a folder just after the end still may hold the last ones
    assert W.may_hold_span(W.end, W.end + hour)
    assert not W.may_hold_span(W.end + hour, W.end + 2 * hour)


@pytest.mark.parametrize(
    ("path", "span"),
    [
        # a folder named like a year, alone, is as often a name: a synced copy of a bucket named 2020, a
        # team's folder; read rather than passed over (its month folders below are trusted)
        ("2020/", None),
        ("2020/AWSLogs/", None),
        ("2019/firehose/2026/11/24/", (_at(2026, 11, 24), _at(2026, 11, 25))),
        # what comes before AWSLogs/ is a trail's S3 key prefix, whatever it looks like
        ("2020/11/AWSLogs/", None),
        (f"2020/11/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/", (_at(2026, 11, 1), _at(2026, 12, 1))),
        # two runs of time folders: no run decides alone, the span covers both
        ("backup/2019/05/archive/2026/11/24/", (_at(2019, 5, 1), _at(2026, 11, 25))),
        # a year named by its key is one
        ("myPrefix/year=2018/", (_at(2018, 1, 1), _at(2019, 1, 1))),
    ],
)
def test_a_year_like_name_does_not_decide_alone(path: str, span: tuple[datetime, datetime] | None) -> None:
    """span_of_path trusted the first year-like segment of a path: a copy of a bucket named ``2020`` (bucket
    names may be digits) or a folder ``2019/`` above a Firehose prefix was passed over unread for a window
    of 2026, with every record in it."""
    assert span_of_path(path) == span
