"""Templates (``templates.py``): a reading that stands for records differing only in their ids is kept
only when it gives back the readings of the record itself and of a made-up one; the native reader's
tests (``test_native_take.py``) compare whole scans with and without them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from policygen_operator.domain.cloudtrail import templates
from policygen_operator.domain.cloudtrail.templates import _TOKEN, derive
from policygen_operator.domain.usage import COLUMN_SEPARATOR, ITEM_SEPARATOR
from tests.unit.domain.cloudtrail.fakes import Mapped

INSTANCE = "i-0598c7d356eba48d7"  # the EC2 API reference's form of an instance id


def record(instance: str, account: str = "111122223333") -> dict[str, Any]:
    return {
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstanceAttribute",
        "recipientAccountId": account,
        "requestParameters": {"instanceId": instance},
        "userIdentity": {"accountId": "111122223333"},
    }


def carried(made: dict[str, Any]) -> Mapped:
    account, instance = made["recipientAccountId"], made["requestParameters"]["instanceId"]
    arn = f"arn:aws:ec2:us-east-1:{account}:instance/{instance}"
    return Mapped(
        "mapped", "ec2:DescribeInstanceAttribute", False, "", (("ec2:DescribeInstanceAttribute", arn),)
    )


def test_a_reading_that_carries_the_ids_becomes_a_template_for_other_ids() -> None:
    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]  # recipient, instance, caller's account
    template = derive(slots, record(INSTANCE), carried(record(INSTANCE)), carried)
    assert template is not None
    rendered = template.render(["444455556666", "1234567890abcdef0", "111122223333"])
    expected = carried(record("i-1234567890abcdef0", account="444455556666"))
    assert rendered.uses == expected.uses and rendered.kind == "mapped"


def test_a_reading_special_to_the_record_own_id_gets_no_template() -> None:
    """Made-up ids read alike, the record's own does not: the check against the record's reading."""

    def special(made: dict[str, Any]) -> Mapped:
        if made["requestParameters"]["instanceId"] == INSTANCE:
            return Mapped("ignored", "ec2:DescribeInstanceAttribute", False, "a test's special case")
        return carried(made)

    def extra(made: dict[str, Any]) -> Mapped:  # the same kind and findings, one more resource
        mapped = carried(made)
        if made["requestParameters"]["instanceId"] == INSTANCE:
            return replace(mapped, uses=(*mapped.uses, ("ec2:DescribeInstances", "*")))
        return mapped

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    assert derive(slots, record(INSTANCE), special(record(INSTANCE)), special) is None
    assert derive(slots, record(INSTANCE), extra(record(INSTANCE)), extra) is None


def test_a_reading_whose_findings_change_for_the_first_made_up_id_gets_no_template() -> None:
    """What the scan counts (kind, key, reason, findings) is compared for each made-up set: here only the
    first made-up id's reading has a finding."""
    calls: list[str] = []

    def noted_once(made: dict[str, Any]) -> Mapped:
        calls.append(made["requestParameters"]["instanceId"])
        mapped = carried(made)
        return replace(mapped, notes=(("warning", "odd", "odd"),)) if len(calls) == 2 else mapped

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    assert derive(slots, record(INSTANCE), noted_once(record(INSTANCE)), noted_once) is None


def test_a_reading_that_changes_the_ids_letters_or_glues_them_gets_no_template() -> None:
    def shouting(made: dict[str, Any]) -> Mapped:
        mapped = carried(made)
        return Mapped("mapped", mapped.key, False, "", tuple((a, r.upper()) for a, r in mapped.uses))

    def glued(made: dict[str, Any]) -> Mapped:
        instance = made["requestParameters"]["instanceId"]
        return Mapped("mapped", "k", False, "", (("ec2:X", f"arn:aws:ec2:::instance/x{instance[2:]}"),))

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    for mapping in (shouting, glued):
        assert derive(slots, record(INSTANCE), mapping(record(INSTANCE)), mapping) is None


def test_a_reading_of_the_second_made_up_id_unlike_the_first_gets_no_template() -> None:
    """A mapping that reads the id (here: whether its first digit is the record's) can agree on the record
    and one made-up id; the second made-up id is mapped too."""
    seen: list[str] = []

    def reads_id(made: dict[str, Any]) -> Mapped:
        instance = made["requestParameters"]["instanceId"]
        seen.append(instance)
        if len(seen) == 3:  # the second made-up id
            return Mapped("mapped", "k", False, "", (("ec2:Other", "*"),))
        return carried(made)

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    assert derive(slots, record(INSTANCE), reads_id(record(INSTANCE)), reads_id) is None
    assert len(seen) == 3 and len(set(seen)) == 3


def test_braces_around_an_id_are_kept_and_a_nul_in_a_reading_gets_no_template() -> None:
    """The template's strings are one format string joined by NUL: braces of a name are literal text."""

    def braced(made: dict[str, Any]) -> Mapped:
        arn = f"arn:aws:s3:::b/{{x}}/{made['requestParameters']['instanceId']}/{{0}}"
        return Mapped("mapped", "k", False, "", (("s3:GetObject", arn),), (("warning", "code", "{}"),))

    def with_nul(made: dict[str, Any]) -> Mapped:
        return Mapped("mapped", "k", False, "", (("s3:GetObject", f"a\0{made['requestParameters']}"),))

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    template = derive(slots, record(INSTANCE), braced(record(INSTANCE)), braced)
    assert template is not None
    rendered = template.render(["111122223333", "1234567890abcdef0", "111122223333"])
    assert rendered.uses == (("s3:GetObject", "arn:aws:s3:::b/{x}/i-1234567890abcdef0/{0}"),)
    assert rendered.notes == (("warning", "code", "{}"),)
    assert derive(slots, record(INSTANCE), with_nul(record(INSTANCE)), with_nul) is None


def test_an_action_that_carries_an_id_or_a_use_holding_a_packing_separator_gets_no_template() -> None:
    """The native reader packs a template's rows for the usage table with each action once and its
    resources in columns (``usage.UsageTable.add_packed``): an action must not vary with the ids, and no
    text may hold the separators of that form."""

    def in_action(made: dict[str, Any]) -> Mapped:
        arn = carried(made).uses[0][1]
        return Mapped(
            "mapped", "k", False, "", ((f"ec2:Describe{made['requestParameters']['instanceId']}", arn),)
        )

    def separated(separator: str) -> Any:
        def mapped(made: dict[str, Any]) -> Mapped:
            arn = carried(made).uses[0][1]
            return Mapped("mapped", "k", False, "", (("ec2:DescribeInstanceAttribute", arn + separator),))

        return mapped

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    assert derive(slots, record(INSTANCE), carried(record(INSTANCE)), carried) is not None
    assert derive(slots, record(INSTANCE), in_action(record(INSTANCE)), in_action) is None
    for separator in (COLUMN_SEPARATOR, ITEM_SEPARATOR):
        reading = separated(separator)
        assert derive(slots, record(INSTANCE), reading(record(INSTANCE)), reading) is None


def test_a_template_has_ids_in_its_resources_alone() -> None:
    """``fixed``: what the scan counts (kind, key, reason, findings) holds no slot, so one count stands
    for every record of the template. A finding that names ids may list several in their sorted order,
    which a template cannot keep: such a reading gets none."""

    def noted(made: dict[str, Any]) -> Mapped:
        mapped = carried(made)
        instance = made["requestParameters"]["instanceId"]
        return Mapped(
            "mapped", mapped.key, False, "", mapped.uses, (("warning", "odd", f"{instance} is odd"),)
        )

    slots = ["111122223333", "0598c7d356eba48d7", "111122223333"]
    plain = derive(slots, record(INSTANCE), carried(record(INSTANCE)), carried)
    assert plain is not None and plain.fixed.uses == () and plain.fixed.notes == ()
    assert derive(slots, record(INSTANCE), noted(record(INSTANCE)), noted) is None
    other = ["444455556666", "1234567890abcdef0", "111122223333"]
    assert plain.uses_of(other) == carried(record("i-1234567890abcdef0", account="444455556666")).uses


def test_a_reading_that_picks_an_id_by_its_order_gets_no_template() -> None:
    """The second made-up ids sort the other way round from the first (where their first characters are
    of one kind): a mapping that grants only the least of the ids a call names is caught."""

    def least(made: dict[str, Any]) -> Mapped:
        ids = made["requestParameters"]["instanceIds"]
        return Mapped("mapped", "k", False, "", (("ec2:X", f"arn:aws:ec2:::instance/{min(ids)}"),))

    pairs = [(f"1{'0' * size}", f"6{'0' * size}") for size in range(3, 15)]  # made up anew per length
    for ids in [list(pair) for pair in pairs] + [list(reversed(pair)) for pair in pairs]:
        made = {"requestParameters": {"instanceIds": [f"i-{instance}" for instance in ids]}}
        assert derive(ids, made, least(made), least) is None, ids


def test_slots_alike_but_for_case_get_no_template() -> None:
    """The mapper compares some names ignoring case (a caller's own name in its request): two slots that
    differ in case only could not be made up alike, and such a record is keyed exactly."""
    made = record("i-0598c7d356eba48d7")
    made["requestParameters"]["otherId"] = "i-0598C7D356EBA48D7"
    slots = ["111122223333", "0598c7d356eba48d7", "0598C7D356EBA48D7", "111122223333"]
    assert derive(slots, made, carried(made), carried) is None


def s3_get_object(region: str, bucket: str, key: str) -> dict[str, Any]:
    """An S3 data event as the S3 user guide's CloudTrail example shows it ("CloudTrail log file entries
    for Amazon S3", docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-
    entries.html), the fields the reader keys on."""
    return {
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "eventType": "AwsApiCall",
        "awsRegion": region,
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333", "userName": "Alice"},
        "requestParameters": {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{region}.amazonaws.com",
            "key": key,
        },
        "responseElements": None,
        "resources": [
            {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
            {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
        ],
    }


def test_a_call_whose_ids_are_single_digits_the_record_also_holds_gets_a_template() -> None:
    """The second made-up set's first characters fall in the order of the first set's: a fixed run
    (9, 8, 7 ...) made a slot of one digit a single text, which here the record's own ids hold, so calls
    on new S3 keys of such a shape (most of the benchmark's) were each read in Python. Any falling run
    of free digits does the same check."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    mapper = default_mapper()
    made = s3_get_object("eu-west-1", "analytics-9", "data/8/7/part-413076.parquet")
    slots = ["1", "111122223333", "9", "8", "7", "413076"]
    template = derive(slots, made, mapper.map(made), mapper.map)
    assert template is not None
    other = s3_get_object("eu-west-2", "analytics-3", "data/5/4/part-999999.parquet")
    rendered = template.render(["2", "111122223333", "3", "5", "4", "999999"])
    assert rendered.uses == tuple(mapper.map(other).uses)
    assert rendered.uses == (("s3:GetObject", "arn:aws:s3:::analytics-3/data/5/4/part-999999.parquet"),)


def test_a_reading_that_picks_the_middle_id_gets_no_template() -> None:
    """Reversing the ids' order leaves the middle of three in place: a third made-up set, the first's order
    rotated, is mapped too where three slots or more share a first character's kind. Found by review."""

    def middle(made: dict[str, Any]) -> Mapped:
        ids = made["requestParameters"]["instanceIds"]
        return Mapped("mapped", "k", False, "", (("ec2:X", f"arn:aws:ec2:::instance/{sorted(ids)[1]}"),))

    for ids in (["1000", "2000", "3000"], ["7", "40", "513"], ["3000", "1000", "2000", "4000"]):
        made = {"requestParameters": {"instanceIds": [f"i-{instance}" for instance in ids]}}
        assert derive(ids, made, middle(made), middle) is None, ids


def _substituted_by_walk(value: Any, replacement: dict[str, str]) -> Any:
    """Every string of the value (names and values) with each slot's text replaced where it is a whole
    token: what ``templates._substituted`` gives, by a full walk that copies everything."""
    if isinstance(value, str):
        return _TOKEN.sub(lambda match: replacement.get(match.group(), match.group()), value)
    if isinstance(value, dict):
        return {
            _substituted_by_walk(name, replacement): _substituted_by_walk(v, replacement)
            for name, v in value.items()
        }
    if isinstance(value, list):
        return [_substituted_by_walk(item, replacement) for item in value]
    return value


_PIECES = st.sampled_from(["12", "a7f3", "x", "12a7f3", "/", "-", "7", "ab"])
_TEXTS = st.lists(_PIECES, max_size=4).map("".join)
_VALUES = st.recursive(
    st.one_of(_TEXTS, st.integers(0, 20), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXTS, inner, max_size=3)),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["requestParameters", "resources", "userAgent"]), _VALUES, max_size=3))
def test_substitution_changes_the_slots_tokens_alone_and_shares_the_rest(record: dict[str, Any]) -> None:
    """A made-up record is the record with each slot's text replaced where it is a whole token of a string
    of a field the reader keys on; only the containers on the way to such a string are copied."""
    replacement = {"12": "98", "a7f3": "c1e0"}
    made = templates._substituted(record, templates._slot_plan(record, list(replacement)), replacement)
    expected = {
        name: _substituted_by_walk(value, replacement) if name in templates._READ_FIELDS else value
        for name, value in record.items()
    }
    assert made == expected
    assert made.get("userAgent") is record.get("userAgent")  # not a field the reader keys on
