"""The streaming scan on every source format, principal kind and bad input, with a stand-in mapper."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import simdjson

from policygen_operator.domain.cloudtrail.principals import parse_principal
from policygen_operator.domain.cloudtrail.scan import Scanner, ScanResult, ScanSpec
from policygen_operator.domain.cloudtrail.window import Window
from tests.unit.domain.cloudtrail.fakes import (
    ACCOUNT,
    ROLE,
    USER,
    FakeMapper,
    delivery,
    record,
    role_identity,
    spaced,
    user_identity,
)

WINDOW = Window(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


def scan(*files: tuple[str, bytes], principals: tuple[str, ...] = (ROLE,)) -> ScanResult:
    spec = ScanSpec(tuple(parse_principal(p) for p in principals), WINDOW)
    scanner = Scanner(spec, FakeMapper())
    for name, data in files:
        scanner.scan_bytes(name, data)
    return scanner.take_result()


def allowed(result: ScanResult, principal: str = ROLE) -> dict[tuple[str, str], int]:
    usage = result.summary.principals.get(principal)
    return {key: u.count for key, u in usage.allowed.items()} if usage else {}


MINE = record(role_identity(), "GetObject", resources=[{"ARN": "arn:aws:s3:::b/k"}])
OTHER = record(role_identity(name="other"), "PutObject")
RECORDS = [MINE, OTHER, record(user_identity(name="bob"), "ListBuckets")]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("delivery.json", delivery(RECORDS)),
        ("spaced.json", spaced(RECORDS)),
        ("delivery.json.gz", gzip.compress(delivery(RECORDS))),
        ("pretty.json", json.dumps({"Records": RECORDS}, indent=2).encode()),
        ("records-not-first.json", json.dumps({"meta": 1, "Records": RECORDS}).encode()),
        ("array.json", json.dumps(RECORDS).encode()),
        ("array.json.gz", gzip.compress(json.dumps(RECORDS, indent=1).encode())),
        ("lines.jsonl", b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS)),
        ("lines-crlf.jsonl", b"".join(json.dumps(r).encode() + b"\r\n" for r in RECORDS) + b"\n\n"),
        ("lines.jsonl.gz", gzip.compress(b"\n".join(json.dumps(r).encode() for r in RECORDS))),
        # UTF-8 byte order marks, as Windows tools write them before JSON (they used to skip the file)
        ("bom-delivery.json", b"\xef\xbb\xbf" + delivery(RECORDS)),
        (
            "bom-pretty.json.gz",
            gzip.compress(b"\xef\xbb\xbf" + json.dumps({"Records": RECORDS}, indent=2).encode()),
        ),
        ("bom-lines.jsonl", b"\xef\xbb\xbf" + b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS)),
    ],
)
def test_every_format_gives_the_same_usage(name: str, data: bytes) -> None:
    result = scan((name, data))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    assert result.summary.events_scanned == 3
    assert result.summary.events_matched == 1
    assert result.summary.files_scanned == 1
    assert not result.summary.skipped_files and not result.warnings


def test_a_single_record_object_is_read_as_one_record() -> None:
    result = scan(("one.json", json.dumps(MINE).encode()))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}


def test_roles_with_and_without_path_users_and_partitions() -> None:
    path_role = "arn:aws:iam::111122223333:role/service-role/app"
    plain_role = "arn:aws:iam::111122223333:role/plain"
    user = USER
    cn_role = "arn:aws-cn:iam::111122223333:role/china"
    gov_user = "arn:aws-us-gov:iam::111122223333:user/gov"
    records = [
        record(role_identity(), "A"),
        record(role_identity(name="plain", path="/"), "B"),
        record(user_identity(), "C"),
        record(role_identity(name="china", path="/", partition="aws-cn"), "D"),
        record(user_identity(name="gov", path="/", partition="aws-us-gov"), "E"),
        # Same role name in another account, and a user whose name is a prefix: not ours.
        record(role_identity(account="999999999999"), "X"),
        record(user_identity(name="alice2"), "Y"),
        # Same name under another path is another role (the issuer ARN decides).
        record(role_identity(name="app", path="/other/"), "Z"),
    ]
    result = scan(("f.json", delivery(records)), principals=(path_role, plain_role, user, cn_role, gov_user))
    assert {p: sorted(a for a, _ in allowed(result, p)) for p in result.summary.principals} == {
        path_role: ["s3:A"],
        plain_role: ["s3:B"],
        user: ["s3:C"],
        cn_role: ["s3:D"],
        gov_user: ["s3:E"],
    }
    assert result.summary.events_matched == 5


def test_session_without_context_matches_by_account_and_role_name() -> None:
    result = scan(("f.json", delivery([record(role_identity(issuer=False), "A")])))
    assert allowed(result) == {("s3:A", "*"): 1}


def test_records_outside_the_window_are_left_out() -> None:
    records = [
        record(role_identity(), "Before", time="2026-11-23T23:59:59Z"),
        record(role_identity(), "Inside", time="2026-11-24T12:00:00Z"),
        record(role_identity(), "AtEnd", time="2026-11-25T00:00:00Z"),
    ]
    result = scan(("f.json", delivery(records)))
    assert allowed(result) == {("s3:Inside", "*"): 1}
    assert result.records_outside_window == 2
    assert result.summary.events_matched == 1


def test_denied_ignored_and_unmapped_are_kept_apart() -> None:
    records = [
        record(role_identity(), "DeleteObject", errorCode="AccessDenied"),
        record(role_identity(), "GetObject", errorCode="NoSuchKey"),
        record(role_identity(), "GetCallerIdentity", source="sts.amazonaws.com"),
        record(role_identity(), "MysteryCall", source="new.amazonaws.com"),
    ]
    result = scan(("f.json", delivery(records)))
    usage = result.summary.principals[ROLE]
    assert set(usage.allowed) == {("s3:GetObject", "*")}
    assert set(usage.denied) == {("s3:DeleteObject", "*")}
    assert result.summary.ignored == {"sts.amazonaws.com:GetCallerIdentity": 1}
    assert result.unmapped[ROLE] == {"new.amazonaws.com:MysteryCall": 1}
    assert result.matched[ROLE] == 4


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cut.json.gz", gzip.compress(delivery(RECORDS))[:-40], "truncated gzip"),
        ("garbage.json.gz", b"\x1f\x8b" + bytes(range(256)), "corrupt gzip"),
        ("binary.json", bytes(range(256)) * 4, "not JSON"),
        ("text.json", b"hello world", "not JSON"),
        ("empty.json", b"   \n", "empty file"),
        ("cut.json", delivery(RECORDS)[:-30], "not valid JSON"),
        ("broken.json", delivery(RECORDS).replace(b'"eventTime"', b'"eventTime" "x"', 1), "not valid JSON"),
        # Naming a session of the role gets a file past the byte pre-check, so it is parsed.
        ("object.json", json.dumps({"hello": role_identity()["arn"]}).encode(), "without a Records array"),
    ],
)
def test_unreadable_files_are_skipped_with_their_reason(name: str, data: bytes, reason: str) -> None:
    good = ("good.json", delivery([MINE]))
    result = scan(good, (name, data))
    assert reason in result.summary.skipped_files[name]
    assert any(name in w for w in result.warnings)
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}  # the good file still counts
    assert result.summary.files_scanned == 1


def test_records_missing_fields_are_counted_and_named() -> None:
    no_time = record(role_identity(), "A")
    del no_time["eventTime"]
    no_name = record(role_identity(), "B")
    del no_name["eventName"]
    no_identity = record(role_identity(), "C")
    del no_identity["userIdentity"]
    service = record({"type": "AWSService", "invokedBy": "kms.amazonaws.com"}, "RotateKey")
    result = scan(("f.json", spaced([no_time, no_name, no_identity, service, MINE, 42])))  # type: ignore[list-item]
    assert result.summary.bad_records == 4  # the three above and the number
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    assert sorted(w.split(": ", 1)[1] for w in result.warnings) == [
        "no eventName",
        "no eventTime",
        "no userIdentity",
        "no userIdentity",
    ]
    assert all("record" in w and "f.json" in w for w in result.warnings)
    # the requested role's two records lacking a field are its own; the rest could be anyone's
    assert result.summary.bad_records_of == {ROLE: 2}
    other = "arn:aws:iam::111122223333:role/someone-else"
    assert (result.summary.bad_records_for(ROLE), result.summary.bad_records_for(other)) == (4, 2)


def test_invalid_json_says_where_it_goes_wrong() -> None:
    """simdjson says only TAPE_ERROR for a missing comma between records (a hand-edited sample file): the
    line and column are what a user can fix."""
    text = json.dumps({"Records": RECORDS}, indent=2).replace("},\n    {", "}\n    {", 1)
    line = text[: text.index("}\n    {")].count("\n") + 2
    result = scan(("f.json", text.encode()))
    reason = result.summary.skipped_files["f.json"]
    assert reason.startswith("not valid JSON: ") and f"at line {line}, column 5" in reason, reason


def test_a_record_whose_time_an_export_renamed_says_so() -> None:
    """Logstash/Elastic exports (OTRF's Mordor datasets) hold ``@timestamp`` where CloudTrail writes
    eventTime: the warning names the fix, and the record is still not used (that field may be index time)."""
    exported = {k: v for k, v in MINE.items() if k != "eventTime"} | {
        "@timestamp": "2026-11-24T09:00:00.000Z"
    }
    result = scan(("export.json", spaced([exported])))
    assert allowed(result) == {}
    assert result.warnings == [
        "skipped record 0 of export.json: no eventTime (it has @timestamp, as Logstash and Elastic exports "
        "write it: rename it back)"
    ]


def test_compact_files_name_bad_records_by_byte_offset() -> None:
    no_name = record(role_identity(), "B")
    del no_name["eventName"]
    data = delivery([OTHER, no_name, MINE])
    result = scan(("f.json", data))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    offset = data.index(b'{"eventVersion"', 20)
    assert result.warnings == [f"skipped record at byte {offset} of f.json: no eventName"]
    assert result.summary.events_scanned == 3


@pytest.mark.parametrize("spacing", [delivery, spaced])
def test_probe_matches_of_longer_names_and_keys_are_not_taken(spacing: Any) -> None:
    records = [
        record(role_identity(name="app-2"), "Longer"),  # "/app" occurs, but it is another role
        record(role_identity(name="web"), "Key", requestParameters={"key": "data/app/x"}),
        record(role_identity(), "Mine"),
    ]
    result = scan(
        ("f.json", spacing(records)), principals=("arn:aws:iam::111122223333:role/service-role/app",)
    )
    assert allowed(result) == {("s3:Mine", "*"): 1}


def test_a_nested_record_start_falls_back_to_parsing_the_whole_file() -> None:
    odd = record(role_identity(), "Odd", requestParameters={"copy": {"eventVersion": "1.0", "x": 1}})
    result = scan(("f.json", delivery([odd, MINE, OTHER])))
    assert sorted(allowed(result)) == [("s3:GetObject", "arn:aws:s3:::b/k"), ("s3:Odd", "*")]
    assert result.summary.events_scanned == 3


def test_bad_json_lines_are_skipped_one_by_one() -> None:
    session = role_identity()["arn"].encode()  # a line naming a session of the role is parsed
    lines = json.dumps(MINE).encode() + b"\n{not json " + session + b"\n" + json.dumps(MINE).encode()
    result = scan(("f.jsonl", lines))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert result.summary.bad_records == 1
    assert "line 2 of f.jsonl" in result.warnings[0]


def test_files_without_the_principal_are_counted_but_not_parsed() -> None:
    result = scan(("f.json.gz", gzip.compress(delivery([OTHER] * 7))))
    assert result.files_without_principal == 1
    assert result.summary.events_scanned == 7
    assert result.summary.events_matched == 0


def test_the_parser_is_reused_across_files_and_formats() -> None:
    files = [
        (f"f{i}.{ext}", data)
        for i, (ext, data) in enumerate(
            [
                ("json", delivery(RECORDS)),
                ("jsonl", b"\n".join(json.dumps(r).encode() for r in RECORDS)),
                ("json", json.dumps(RECORDS).encode()),
            ]
            * 3
        )
    ]
    result = scan(*files)
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 9}
    assert result.summary.events_scanned == 27


def test_results_merge_like_summaries() -> None:
    one = scan(("a.json", delivery([MINE])), ("bad.json", b"\x00"))
    two = scan(("b.json", delivery([MINE, OTHER])))
    merged = ScanResult().merge(one).merge(two)
    assert allowed(merged) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert merged.summary.events_scanned == 3
    assert merged.matched[ROLE] == 2
    assert list(merged.summary.skipped_files) == ["bad.json"]
    assert ACCOUNT in ROLE


def test_big_json_lines_files_are_streamed(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from policygen_operator.domain.cloudtrail import scan as scan_module

    monkeypatch.setattr(scan_module, "STREAM_LINES_ABOVE", 100)
    lines = b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS * 50)
    (tmp_path / "big.jsonl").write_bytes(b"\xef\xbb\xbf" + lines)  # a byte order mark too
    (tmp_path / "big.jsonl.gz").write_bytes(gzip.compress(lines))
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(lines)[:-100])
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    for name in ("big.jsonl", "big.jsonl.gz", "cut.jsonl.gz"):
        scanner.scan_path(str(tmp_path / name), name)
    result = scanner.take_result()
    assert result.summary.files_scanned == 2
    assert (
        allowed(result)[("s3:GetObject", "arn:aws:s3:::b/k")] >= 100
    )  # a streamed cut file adds what it had
    assert list(result.summary.skipped_files) == ["cut.jsonl.gz"]
    assert result.summary.skipped_files["cut.jsonl.gz"].startswith("truncated gzip")


def test_big_gzip_json_lines_without_gz_in_the_name_are_streamed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GZIP object of Firehose keeps its extension only while its name does (a copy renamed, a custom
    FileExtension): whether to inflate is told by the file's first bytes, not its name. Such a file past the
    size cap was opened as plain text to be streamed, found no lines, and stayed skipped."""
    from policygen_operator.domain.cloudtrail import scan as scan_module

    monkeypatch.setattr(scan_module, "STREAM_LINES_ABOVE", 100)
    lines = b"".join(json.dumps(r).encode() + b"\n" for r in RECORDS * 50)
    (tmp_path / "stream-1-2026-11-24-09-05-17-uuid").write_bytes(gzip.compress(lines))
    spec = ScanSpec((parse_principal(ROLE),), WINDOW, max_file_bytes=len(lines) // 2)
    scanner = Scanner(spec, FakeMapper())
    scanner.scan_path(str(tmp_path / "stream-1-2026-11-24-09-05-17-uuid"), "firehose")
    result = scanner.take_result()
    assert not result.summary.skipped_files
    assert allowed(result)[("s3:GetObject", "arn:aws:s3:::b/k")] == 50


def test_gzip_with_several_members_and_a_bad_checksum() -> None:
    two = gzip.compress(delivery([MINE])[:-2] + b",") + gzip.compress(json.dumps(MINE).encode() + b"]}")
    result = scan(("two.json.gz", two))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    bad = bytearray(gzip.compress(delivery([MINE])))
    bad[-6] ^= 0xFF  # the CRC-32 in the trailer
    result = scan(("crc.json.gz", bytes(bad)))
    assert result.summary.skipped_files["crc.json.gz"].startswith("corrupt gzip")


def test_a_compact_file_cut_after_a_record_is_reported() -> None:
    data = delivery([OTHER, OTHER, MINE])
    cut = data[: data.rindex(b',{"eventVersion"')]  # ends with "}" but the array is never closed
    result = scan(("cut.json", cut))
    assert result.summary.skipped_files["cut.json"].startswith("not valid JSON")


class _FailingMapper(FakeMapper):
    """A mapper with a bug: raises ValueError, the class simdjson raises for bad JSON, on one call."""

    def map(self, record: Any) -> Any:
        if record["eventName"] == "Broken":
            raise ValueError("a resolver's bug")
        return super().map(record)


@pytest.mark.parametrize("layout", [delivery, spaced])
def test_an_error_while_mapping_is_never_taken_for_bad_json(layout: Any) -> None:
    """Only simdjson's parse says a file is not JSON. A spaced file is parsed whole, and its records were
    read inside the same ``except (ValueError, RuntimeError)`` as the parse: a mapper's ValueError made the
    file "not valid JSON" and lost its later records, where a compact file stops the scan with the bug."""
    spec = ScanSpec((parse_principal(ROLE),), WINDOW)
    scanner = Scanner(spec, _FailingMapper())
    with pytest.raises(ValueError, match="a resolver's bug"):
        scanner.scan_bytes("f.json", layout([MINE, record(role_identity(), "Broken"), MINE]))


def test_a_role_given_without_its_path_names_the_full_arn_to_use() -> None:
    bare = "arn:aws:iam::111122223333:role/app"  # ROLE is .../role/service-role/app
    files = ("f.json", delivery([MINE, MINE, OTHER]))
    result = ScanResult().merge(scan(files, principals=(bare,))).merge(scan(files, principals=(bare,)))
    assert result.summary.events_matched == 0
    assert result.other_paths == {bare: {ROLE}}
    (hint,) = result.path_hints()
    assert hint.startswith(f"{bare} matched no event, but sessions of {ROLE} ")


def test_no_path_hint_once_the_role_matched_or_when_nothing_is_near() -> None:
    bare = "arn:aws:iam::111122223333:role/app"
    issuer_less = record(role_identity(issuer=False), "A")  # matches the one same-name role asked for
    both = scan(("f.json", delivery([MINE, issuer_less])), principals=(bare,))
    assert both.matched[bare] == 1 and both.other_paths == {bare: {ROLE}}
    assert both.path_hints() == []
    assert scan(("f.json", delivery([OTHER])), principals=(bare,)).path_hints() == []
    assert scan(("f.json", delivery([MINE]))).other_paths == {}


def test_an_issuer_of_another_name_gives_no_path_hint() -> None:
    """A session ARN of role ``app`` whose record names another role as its issuer (an exporter or an
    anonymiser that rewrote one of the two: Panther's test record of ``PantherAWSConfig`` sessions issued by
    ``SomeAWSConfig``, rules/aws_cloudtrail_rules) was said to be "same account and role name, another path":
    a hint to ask for a role that does not have the name asked for. Only an issuer of the same account and
    name with another path is one."""
    bare = "arn:aws:iam::111122223333:role/app"
    renamed = role_identity()
    renamed["sessionContext"]["sessionIssuer"]["arn"] = "arn:aws:iam::111122223333:role/service-role/config"
    elsewhere = role_identity()
    elsewhere["sessionContext"]["sessionIssuer"]["arn"] = "arn:aws:iam::444455556666:role/service-role/app"
    files = ("f.json", delivery([record(renamed, "A"), record(elsewhere, "B")]))
    result = scan(files, principals=(bare,))
    assert result.summary.events_matched == 0
    assert result.path_hints() == []


@pytest.mark.parametrize("hint", [1, 100, -1])
def test_gzip_size_hints_only_size_the_buffer(monkeypatch: pytest.MonkeyPatch, hint: int) -> None:
    from policygen_operator.domain.cloudtrail import scan as scan_module

    data = delivery([OTHER] * 50 + [MINE])
    monkeypatch.setattr(scan_module, "_size_hint", lambda _: hint)
    assert scan_module.inflate(gzip.compress(data)) == data
    with pytest.raises(EOFError):
        scan_module.inflate(gzip.compress(data)[:-20])


def test_the_size_hint_is_the_trailer_size_capped_by_the_deflate_ratio() -> None:
    from policygen_operator.domain.cloudtrail.scan import MAX_RATIO, _size_hint

    data = gzip.compress(b"x" * 5000)
    assert _size_hint(data) == 5001
    lying = data[:-4] + (2**32 - 1).to_bytes(4, "little")
    assert _size_hint(lying) == len(lying) * MAX_RATIO
    assert _size_hint(b"\x1f\x8b") == -1


@pytest.mark.parametrize("quotes", [0, 100])
def test_escaped_slashes_cannot_hide_a_principal(quotes: int) -> None:
    quoted = {**MINE, "requestParameters": {"policy": '"' * quotes}}
    data = delivery([OTHER, quoted]).replace(b"/", b"\\/")
    assert b"/app" not in data.replace(b"\\/", b"")  # the needle is only there escaped
    for name, payload in (("escaped.json", data), ("escaped.json.gz", gzip.compress(data))):
        result = scan((name, payload))
        assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}, name
        assert result.summary.events_scanned == 2


# Texts at the edges of JSON: numbers at and past 64 bits, under- and overflowing exponents, escapes of
# control characters, surrogate pairs and lone surrogates, raw UTF-8 (valid, overlong, a surrogate),
# deep nesting, duplicate keys, a trailing comma.
EDGE_TEXTS = [
    b'{"a":9223372036854775807,"b":-9223372036854775808,"c":18446744073709551615}',
    b'{"a":18446744073709551616}',
    b'{"a":1e-400,"b":-0.0,"c":1.5E+3,"d":0.1}',
    b'{"a":1e400}',
    b'{"a":"\\u0000\\n\\"\\\\\\/","b":"\\ud83d\\ude00","c":"\xf0\x9f\x98\x80"}',
    b'{"a":"\\ud800"}',
    b'{"a":"\xed\xa0\x80"}',
    b'{"a":"\xc0\xaf"}',
    b'{"a":"\x01"}',
    b'{"a":' + b"[" * 200 + b"]" * 200 + b"}",
    b'{"a":1,"a":2}',
    b'{"a":[1,2,],"b":3}',
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_orjson_converts_every_record_simdjson_accepts_to_the_same_dict(text: bytes) -> None:
    """The compact path checks candidates with simdjson and converts them with orjson; the whole-file
    path converts with simdjson. Where simdjson accepts a text, orjson must accept it too and build the
    same dict, or the two paths would read one record differently."""
    import orjson
    import simdjson

    try:
        expected = simdjson.Parser().parse(text).as_dict()
    except ValueError:
        return  # refused by the check: such a file is parsed whole (and skipped if invalid)
    assert orjson.loads(text) == expected
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    assert scanner._as_dict(text) == expected


def test_a_record_orjson_refuses_is_converted_by_simdjson(monkeypatch: pytest.MonkeyPatch) -> None:
    import orjson

    from policygen_operator.domain.cloudtrail import scan as scan_module

    def refuse(_: bytes) -> Any:
        raise orjson.JSONDecodeError("refused", "", 0)

    monkeypatch.setattr(scan_module.orjson, "loads", refuse)
    result = scan(("f.json", delivery([MINE, OTHER, MINE])))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}


@pytest.mark.parametrize("depth", [1022, 1023, 1024, 1025])
def test_orjson_and_simdjson_refuse_the_same_depths(depth: int) -> None:
    import orjson
    import simdjson

    text = b'{"a":' + b"[" * depth + b"]" * depth + b"}"

    def accepts(parse: Any) -> bool:
        try:
            parse(text)
        except (ValueError, RuntimeError):
            return False
        return True

    assert accepts(orjson.loads) == accepts(simdjson.Parser().parse)


def deep_json(data: Any, depth: int) -> bytes:
    """``json.dumps`` of ``data`` with the string "DEEP" replaced by ``depth`` nested arrays (json.dumps
    itself would stop at Python's recursion limit)."""
    return json.dumps(data).replace('"DEEP"', "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize(
    "layout",
    [
        lambda records: json.dumps({"Records": records}, separators=(",", ":")),
        lambda records: json.dumps({"Records": records}, indent=1),
    ],
)
def test_a_record_nested_past_the_parser_limit_skips_its_file_by_name(layout: Any) -> None:
    deep = record(role_identity(), "PutObject", requestParameters={"x": "DEEP"})
    text = layout([MINE, deep]).replace('"DEEP"', "[" * 1030 + "]" * 1030).encode()
    result = scan(("deep.json", text), ("good.json", delivery([MINE])))
    assert result.summary.skipped_files == {"deep.json": "not readable JSON: nested deeper than 1024 levels"}
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}


def test_a_json_line_nested_past_the_parser_limit_is_a_bad_record() -> None:
    deep = deep_json(record(role_identity(), "PutObject", requestParameters={"x": "DEEP"}), 1030)
    result = scan(("f.jsonl", json.dumps(MINE).encode() + b"\n" + deep + b"\n" + json.dumps(MINE).encode()))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert result.summary.bad_records == 1
    assert result.warnings == ["skipped line 2 of f.jsonl: not readable JSON: nested deeper than 1024 levels"]


@pytest.mark.parametrize("compact", [True, False])
def test_a_parameter_nested_too_deeply_to_map_is_a_bad_record_with_the_real_mapper(compact: bool) -> None:
    """Parsers accept 1024 levels, Python's recursion stops near 1000: the mapper's memo key (a repr of
    the value) used to raise RecursionError out of the scan."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    deep = record(role_identity(), "PutObject", requestParameters={"bucketName": "b", "key": "DEEP"})
    records = json.dumps({"Records": [MINE, deep]}, separators=(",", ":") if compact else None)
    text = records.replace('"DEEP"', "[" * 1010 + "]" * 1010).encode()
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), default_mapper())
    scanner.scan_bytes("f.json", text)
    result = scanner.take_result()
    assert result.summary.events_matched == 1
    assert result.summary.bad_records == 1
    where = "record at byte" if compact else "record 1 of f.json"
    assert where in result.warnings[0] and result.warnings[0].endswith("nested too deeply to read")


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("errorCode", ["AccessDenied"], "errorCode is an array, not a string"),
        ("eventType", {"t": 1}, "eventType is an object, not a string"),
        ("awsRegion", 5, "awsRegion is a number, not a string"),
        ("recipientAccountId", True, "recipientAccountId is a boolean, not a string"),
        ("requestParameters", [1], "requestParameters is an array, not an object"),
        ("resources", {"ARN": "arn:aws:s3:::b"}, "resources is an object, not an array"),
    ],
)
def test_a_field_the_mapper_reads_of_another_type_is_a_bad_record_named_by_field(
    field: str, value: Any, why: str
) -> None:
    """The real mapper raised TypeError out of the scan for an errorCode or eventType that is an array
    (found by tests/unit/domain/cloudtrail/test_hostile_input.py); others made ARNs of nonsense."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    text = delivery([MINE, {**MINE, field: value}])
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), default_mapper())
    scanner.scan_bytes("f.json", text)
    result = scanner.take_result()
    assert result.summary.events_matched == 1
    assert result.warnings == [f"skipped record at byte {text.find(b',{') + 1} of f.json: {why}"]


@pytest.mark.parametrize("context", [["a"], "text", 5, {"sessionIssuer": ["x"]}])
def test_a_session_context_of_another_type_is_read_as_no_issuer_in_every_layout(context: Any) -> None:
    """simdjson's at_pointer raises TypeError when a step of the path is another type: that escaped the
    whole-document path (found by test_hostile_input.py)."""
    odd = {**MINE, "userIdentity": {**role_identity(), "sessionContext": context}}
    for name, data in [("f.json", delivery([odd])), ("pretty.json", spaced([odd]))]:
        result = scan((name, data))
        assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}, name


def test_a_call_ignored_for_two_reasons_reports_both_whatever_the_order_of_files() -> None:
    """Authentication failures are ignored with their error code; the first reason seen used to be the
    only one reported, so the report depended on which file a worker read first."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    def failed(code: str) -> dict[str, Any]:
        return {**MINE, "errorCode": code}

    files = [(f"{code}.json", delivery([failed(code)])) for code in ("InvalidClientTokenId", "ExpiredToken")]
    reasons = set()
    for order in (files, files[::-1]):
        scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), default_mapper())
        parts = []
        for name, data in order:
            scanner.scan_bytes(name, data)
            parts.append(scanner.take_result())
        merged = ScanResult().merge(parts[0]).merge(parts[1])
        reasons.add(merged.ignored_reason("s3.amazonaws.com:GetObject"))
    assert reasons == {
        "authentication failed (ExpiredToken): no permission was checked; "
        "authentication failed (InvalidClientTokenId): no permission was checked"
    }


def lookup_events_output(records: list[dict[str, Any]]) -> bytes:
    """What `aws cloudtrail lookup-events` prints: the LookupEvents response, whose Event objects carry the
    record as JSON text in CloudTrailEvent (CloudTrail API Reference, Event data type:
    https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html)."""
    events = [
        {
            "EventId": f"id-{n}",
            "EventName": r["eventName"],
            "ReadOnly": "true",
            "EventTime": "2026-11-24T09:00:00+00:00",
            "EventSource": r["eventSource"],
            "Resources": [],
            "CloudTrailEvent": json.dumps(r),
        }
        for n, r in enumerate(records)
    ]
    return json.dumps({"Events": events}, indent=4).encode()


def test_saved_lookup_events_output_is_read_record_by_record() -> None:
    data = lookup_events_output([*RECORDS, MINE])
    broken = json.loads(data)
    del broken["Events"][1]["CloudTrailEvent"]
    result = scan(("lookup.json", data), ("broken.json", json.dumps(broken).encode()))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 4}
    assert result.summary.events_scanned == 8
    assert result.warnings == ["skipped event 2 of broken.json: no CloudTrailEvent text"]


def test_lookup_events_items_outside_their_events_wrapper_are_read_too() -> None:
    """``aws cloudtrail lookup-events --query 'Events[]'`` saves a bare array of items, ``jq -c '.Events[]'``
    one item a line (plaso's test data is such a file): every item was a bad record ("no userIdentity")."""
    items = json.loads(lookup_events_output([*RECORDS, MINE]))["Events"]
    broken = [{**items[0], "CloudTrailEvent": json.dumps(MINE)[:-9]}]  # cut: the principal's, not JSON
    result = scan(
        ("items.json", json.dumps(items).encode()),
        ("items.jsonl", b"\n".join(json.dumps(item).encode() for item in items)),
        ("broken.jsonl", b"\n".join(json.dumps(item).encode() for item in [*broken, *broken])),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 4}
    assert result.summary.events_scanned == 10 and result.summary.events_matched == 4
    assert result.summary.bad_records == 2
    assert result.warnings[0].startswith("skipped line 1 of broken.jsonl: CloudTrailEvent is not JSON")


def test_a_trails_cloudwatch_logs_events_are_read_record_by_record() -> None:
    """A trail that sends its events to CloudWatch Logs writes one record per log event's message
    (CloudTrail User Guide, "Sending events to CloudWatch Logs"); read back with `aws logs
    filter-log-events` ({"events": [...]}: CloudWatch Logs API Reference, FilteredLogEvent) or delivered by a
    subscription filter ({"messageType": "DATA_MESSAGE", ..., "logEvents": [...]}: CloudWatch Logs User
    Guide, "Subscription filters", the payload's example), each was skipped ("JSON object without a Records
    array"). An item without a message is a bad record that says so."""
    stream = "111122223333_CloudTrail_us-east-1"
    filtered = [
        {"logStreamName": stream, "timestamp": 1795510800000 + n, "message": json.dumps(r),
         "ingestionTime": 1795510801000, "eventId": f"3773{n}"}
        for n, r in enumerate(RECORDS)
    ]  # fmt: skip
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": ACCOUNT,
        "logGroup": "aws-cloudtrail-logs",
        "logStream": stream,
        "subscriptionFilters": ["to-firehose"],
        "logEvents": [{"id": f"3773{n}", "timestamp": 1795510800000, "message": json.dumps(r)} for n, r in
                      enumerate([MINE, {}])],
    }  # fmt: skip
    del payload["logEvents"][1]["message"]  # type: ignore[index]
    result = scan(
        ("filter-log-events.json", json.dumps({"events": filtered, "searchedLogStreams": []}).encode()),
        ("subscription.json.gz", gzip.compress(json.dumps(payload).encode())),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert result.summary.events_scanned == 5 and result.summary.files_scanned == 2
    assert result.warnings == ["skipped event 2 of subscription.json.gz: no message text"]


def export_lines(records: list[dict[str, Any]]) -> bytes:
    """A log group exported to S3 by ``aws logs create-export-task``: one ``<task id>/<stream>/000000.gz``
    per stream whose lines are the log event's timestamp, a space and its message. The format as real
    exports show it (``head -1 000000`` of one: "2020-09-08T04:00:24.000Z 2020-09-08 04:00:24 UTC:...",
    darold/pgbadger issue #609) and as getmoto/moto writes it (moto/logs/models.py, create_export_task:
    ``f"{time:%Y-%m-%dT%H:%M:%S.000Z} {message}"`` joined by newlines, gzipped); the CloudWatch Logs User
    Guide ("Exporting log data to Amazon S3") sorts such files on the timestamp that starts each line."""
    return b"\n".join(b"2026-11-24T09:00:0%d.000Z " % (n % 10) + json.dumps(r).encode() for n, r in
                      enumerate(records))  # fmt: skip


def test_a_trails_log_group_exported_to_s3_is_read_line_by_line(tmp_path: Any, monkeypatch: Any) -> None:
    """A trail's CloudWatch Logs log group exported to S3 (CreateExportTask) holds one record a line after
    the log event's timestamp: every file was skipped ("not JSON (binary or text data)"). Plain, gzipped
    and streamed (a file past the size that is read whole) alike; a line without the timestamp is a bad
    record that says so, and the export of a log group of other messages is refused as such."""
    from policygen_operator.domain.cloudtrail import scan as scan_module

    data = export_lines(RECORDS)
    odd = data + b"\n" + json.dumps(MINE).encode() + b"\n\n" + export_lines([MINE])
    lambda_export = b"2026-11-24T09:00:00.000Z START RequestId: 6959 Version: $LATEST\n" * 2
    result = scan(
        ("000000", data),
        ("000000.gz", gzip.compress(data + b"\n")),
        ("crlf.gz", gzip.compress(data.replace(b"\n", b"\r\n"))),
        ("odd.gz", gzip.compress(odd)),
        ("lambda.gz", gzip.compress(lambda_export)),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 5}
    assert result.summary.events_scanned == 14 and result.summary.files_scanned == 4
    assert result.warnings == [
        "skipped line 4 of odd.gz: no timestamp before it (not a line of a CloudWatch Logs export)",
        "skipped lambda.gz: a CloudWatch Logs export (a timestamp and a message a line) whose first message "
        "is not a JSON object, so not a trail's log group",
    ]
    monkeypatch.setattr(scan_module, "STREAM_LINES_ABOVE", 100)
    (tmp_path / "000000.gz").write_bytes(gzip.compress(export_lines(RECORDS * 20)))
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    scanner.scan_path(str(tmp_path / "000000.gz"), "streamed.gz")
    streamed = scanner.take_result()
    assert allowed(streamed) == {("s3:GetObject", "arn:aws:s3:::b/k"): 20}
    assert streamed.summary.events_scanned == 60 and not streamed.warnings


def test_an_export_message_over_several_lines_is_joined_before_it_is_read(
    tmp_path: Any, monkeypatch: Any
) -> None:
    """A message that spans several lines of an export (a record pretty-printed before it was logged, a long
    line wrapped) was one bad record a line: every line after its first lacks the timestamp. The lines that
    continue a message which is not yet whole JSON are joined to it as they are (a cut inside a string
    joins back), and the record is read, named by its first line; a line without the timestamp after a
    whole message is still a bad record, at its own line number. Read whole and streamed alike."""
    from policygen_operator.domain.cloudtrail import scan as scan_module

    pretty = b"2026-11-24T09:00:01.000Z " + json.dumps(MINE, indent=2).encode()
    text = json.dumps(MINE).encode()
    cut = text.index(b"arn:aws:s3:::b/k") + 5  # inside a string
    wrapped = b"2026-11-24T09:00:02.000Z " + text[:20] + b"\n" + text[20:cut] + b"\n" + text[cut:]
    lines = [
        export_lines([OTHER]),
        pretty,
        wrapped,
        export_lines([OTHER]),
        b"garbage, no record",
        export_lines([MINE]),
    ]
    data = b"\n".join(lines) + b"\n"
    garbage = data.split(b"\n").index(b"garbage, no record") + 1
    assert garbage == 1 + pretty.count(b"\n") + 1 + 3 + 1 + 1
    result = scan(("000000", data), ("crlf.gz", gzip.compress(data.replace(b"\n", b"\r\n"))))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 6}
    assert result.summary.events_scanned == 12 and result.summary.bad_records == 2
    assert result.warnings == [
        f"skipped line {garbage} of {name}: no timestamp before it (not a line of a CloudWatch Logs export)"
        for name in ("000000", "crlf.gz")
    ]
    monkeypatch.setattr(scan_module, "STREAM_LINES_ABOVE", 100)
    (tmp_path / "000000.gz").write_bytes(gzip.compress(data * 3))
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    scanner.scan_path(str(tmp_path / "000000.gz"), "streamed.gz")
    streamed = scanner.take_result()
    assert allowed(streamed) == {("s3:GetObject", "arn:aws:s3:::b/k"): 9}
    assert streamed.summary.bad_records == 3 and streamed.summary.events_scanned == 18


def test_an_object_of_no_form_read_names_its_keys() -> None:
    data = json.dumps(
        {"QueryStatus": "FINISHED", "QueryResultRows": [[{"eventJson": role_identity()["arn"]}]]}
    )
    result = scan(("lake.json", data.encode()))
    assert result.summary.skipped_files == {
        "lake.json": "JSON object without a Records array, nor a record, an EventBridge event, or saved "
        "lookup-events or CloudWatch Logs output (its keys: QueryStatus, QueryResultRows)"
    }


def eventbridge_event(detail: dict[str, Any], kind: str = "AWS API Call via CloudTrail") -> dict[str, Any]:
    """A record as CloudTrail puts it on the default EventBridge bus: the record is the event's ``detail``
    (EventBridge User Guide, "AWS service events delivered via AWS CloudTrail"; the envelope as
    cloud-custodian's tests/data/cwe/event-cloud-trail-s3.json, captured from EventBridge, has it)."""
    return {
        "version": "0",
        "id": "36eb8523-97d0-4518-b33d-ee3579ff19f0",
        "detail-type": kind,
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": "2026-11-24T09:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def test_eventbridge_events_of_cloudtrail_records_are_read_as_their_records() -> None:
    """Records archived from an EventBridge rule (Firehose to S3, CloudWatch Logs, a SIEM): one event a file
    was skipped ("JSON object without a Records array"), one a line or in an array was a bad record ("no
    userIdentity") for every call. Found on cloud-custodian's captured events."""
    events = [eventbridge_event(r) for r in RECORDS]
    finding = {
        **eventbridge_event({"arn": role_identity()["arn"]}, "GuardDuty Finding"),
        "source": "aws.guardduty",
    }
    result = scan(
        ("one.json", json.dumps(events[0], indent=2).encode()),
        ("array.json", json.dumps(events).encode()),
        ("firehose.jsonl.gz", gzip.compress(b"\n".join(json.dumps(e).encode() for e in events))),
        ("finding.json", json.dumps(finding).encode()),
        # read once: an event in an event is no record (nested deep, it must not recurse either)
        ("nested.json", json.dumps(eventbridge_event(events[0])).encode()),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 3}
    # the finding holds no CloudTrail record (no eventVersion, eventSource): no event, its file named
    assert result.summary.events_scanned == 8 and result.summary.events_matched == 3
    assert result.summary.files_scanned == 5 and not result.summary.skipped_files
    assert result.not_cloudtrail == ["finding.json"]
    assert result.warnings == [
        "skipped record 0 of finding.json: an EventBridge event of detail-type 'GuardDuty Finding', not a "
        "CloudTrail record (those are 'AWS API Call via CloudTrail' and the like)",
        "skipped record 0 of nested.json: an EventBridge event (AWS API Call via CloudTrail) whose detail is "
        "not a record",
    ]


def test_cloudwatch_logs_events_outside_their_wrapper_are_read_too() -> None:
    """``aws logs filter-log-events --query 'events[]'`` saves a bare array of FilteredLogEvent items, ``jq -c
    '.events[]'`` one a line ({"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}:
    CloudWatch Logs API Reference, FilteredLogEvent), a subscription payload's ``logEvents[]`` the same way
    ({"id", "timestamp", "message"}): every item was a bad record ("no userIdentity"). The message is the
    record, or the EventBridge event that carries it when a rule's target is the log group; a message that
    is not JSON says so."""
    stream = "111122223333_CloudTrail_us-east-1"
    items = [
        {"logStreamName": stream, "timestamp": 1795510800000 + n, "message": json.dumps(r),
         "ingestionTime": 1795510801000, "eventId": f"3773{n}"}
        for n, r in enumerate([*RECORDS, eventbridge_event(MINE)])
    ]  # fmt: skip
    logged = [{"id": "3773", "timestamp": 1795510800000, "message": json.dumps(MINE)}]
    cut = {**items[0], "message": json.dumps(MINE)[:-9]}  # the principal's, not JSON
    result = scan(
        ("events.json", json.dumps(items).encode()),
        ("events.jsonl", b"\n".join(json.dumps(item).encode() for item in [*items, *logged])),
        ("cut.jsonl", b"\n".join(json.dumps(item).encode() for item in [cut, cut])),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 5}
    assert result.summary.events_scanned == 11 and result.summary.events_matched == 5
    assert result.summary.bad_records == 2 and not result.summary.skipped_files
    assert result.warnings[0].startswith("skipped line 1 of cut.jsonl: message is not JSON")


def test_objects_written_one_after_another_as_firehose_delivers_them_are_read() -> None:
    """Kinesis Data Firehose writes the records it delivers to S3 with nothing between them unless a
    delimiter is configured (``{...}{...}``): an EventBridge rule's archive of CloudTrail events, and a
    CloudWatch Logs subscription's payloads (one gzip member each, which inflate into one such text). Both
    were skipped ("not valid JSON: unexpected content after document"). A ``}{`` inside a string does not
    cut a document; a document of no form read is a bad record that says so."""
    quoted = record(role_identity(), "PutBucketPolicy", params={"policy": '{"a": {}}{"b": {}}'})
    events = b"".join(json.dumps(eventbridge_event(r)).encode() for r in [*RECORDS, quoted])
    payloads = [
        {"messageType": "DATA_MESSAGE", "owner": ACCOUNT, "logGroup": "trail", "logStream": "s",
         "subscriptionFilters": ["f"], "logEvents": [{"id": "1", "timestamp": 1, "message": json.dumps(r)}]}
        for r in RECORDS
    ]  # fmt: skip
    stray = json.dumps({"kind": role_identity()["arn"]}).encode()
    result = scan(
        ("firehose-events", events),
        ("firehose-logs.gz", b"".join(gzip.compress(json.dumps(p).encode()) for p in payloads)),
        ("stray.json", stray + stray),
    )
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2, ("s3:PutBucketPolicy", "*"): 1}
    assert result.summary.events_scanned == 7 and result.summary.files_scanned == 3
    assert result.warnings == [
        "skipped document 1 of stray.json: JSON object without a Records array, nor a record, an EventBridge "
        "event, or saved lookup-events or CloudWatch Logs output (its keys: kind)",
        "skipped document 2 of stray.json: JSON object without a Records array, nor a record, an EventBridge "
        "event, or saved lookup-events or CloudWatch Logs output (its keys: kind)",
    ]
    assert result.summary.bad_records == 2 and not result.summary.skipped_files


class _RefusingAgain:
    """simdjson's parser, refusing a text with ``second`` in it the second time it is given: a document
    read after ``_concatenated`` parsed it once."""

    def __init__(self) -> None:
        self.real = simdjson.Parser()
        self.seen: set[bytes] = set()

    def parse(self, data: bytes) -> Any:
        if data in self.seen and b"second" in data:
            raise ValueError("refused the second time")
        self.seen.add(data)
        return self.real.parse(data)


def test_a_concatenated_document_refused_when_read_is_a_bad_record_not_a_crash() -> None:
    """Only the parse of a document says it is not JSON (``_NotJson``); in a file of documents one after
    another, one refused when it is read (each was parsed once to cut the file) is a bad record named for
    it, the others read."""
    spec = ScanSpec((parse_principal(ROLE),), WINDOW)
    scanner = Scanner(spec, FakeMapper())
    scanner.parser = _RefusingAgain()  # type: ignore[assignment]
    data = json.dumps({"Records": [MINE]}).encode() + json.dumps({"n": "second", "Records": [MINE]}).encode()
    scanner.scan_bytes("two.json", data)
    result = scanner.take_result()
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    assert result.summary.bad_records == 1 and not result.summary.skipped_files
    assert result.warnings == ["skipped document 2 of two.json: not valid JSON: refused the second time"]


def test_saved_lookup_events_output_without_the_principal_still_counts_its_events() -> None:
    result = scan(("others.json", lookup_events_output([OTHER, OTHER, OTHER])))
    assert result.summary.events_scanned == 3
    assert result.files_without_principal == 1


def insights_event(*callers: str) -> dict[str, Any]:
    """An Insights event as the CloudTrail User Guide shows one (log file examples, "CloudTrail Insights
    event log example", with the ``attributions`` block of its insightDetails page): no caller of its own,
    the top callers' ARNs in its attributions."""
    return {
        "eventVersion": "1.07",
        "eventTime": "2026-11-24T09:51:00Z",
        "awsRegion": "us-east-1",
        "eventID": "EXAMPLE8-9621-4d00-b913-beca2EXAMPLE",
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": ACCOUNT,
        "sharedEventID": "EXAMPLE2-1729-42f1-b735-5d8c0EXAMPLE",
        "insightDetails": {
            "state": "Start",
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "insightType": "ApiCallRateInsight",
            "insightContext": {
                "statistics": {"baseline": {"average": 85.4202380952}, "insight": {"average": 664}},
                "attributions": [
                    {
                        "attribute": "userIdentityArn",
                        "insight": [{"value": arn, "average": 332.0} for arn in callers],
                        "baseline": [{"value": arn, "average": 42.7} for arn in callers],
                    }
                ],
            },
        },
        "eventCategory": "Insight",
    }


@pytest.mark.parametrize("form", [delivery, spaced])
def test_insights_events_naming_the_principal_are_no_calls_and_no_bad_records(form: Any) -> None:
    """An Insights event names the principal's ARN (so the byte search finds it) and has no userIdentity:
    it was counted and warned about as a bad record, which fails a ``--strict`` run on a copied bucket."""
    insight = insights_event(role_identity()["arn"], user_identity()["arn"])
    result = scan(("f.json", form([insight, MINE, insight])), principals=(ROLE, USER))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    assert result.summary.bad_records == 0 and not result.warnings
    assert result.summary.events_scanned == 3 and result.summary.events_matched == 1


def unsessioned(identity: dict[str, Any]) -> dict[str, Any]:
    """A role session's identity with the ARN cut after the role's name, as Stratus Red Team's anonymized
    detonation logs hold one (tests/fixtures/public-cloudtrail/stratus-red-team, ec2-serial-console...:
    "arn": "arn:aws:sts::844015365555:assumed-role/AWSReservedSSO...", principalId and sessionIssuer kept).
    CloudTrail itself always writes .../assumed-role/ROLE/SESSION (IAM User Guide, "IAM identifiers")."""
    return {**identity, "arn": identity["arn"].rpartition("/")[0]}


MANY = (ROLE, f"arn:aws:iam::{ACCOUNT}:role/absent-1", f"arn:aws:iam::{ACCOUNT}:role/absent-2")


@pytest.mark.parametrize("principals", [(ROLE,), MANY], ids=["few-probes", "markers"])
@pytest.mark.parametrize("spacing", [delivery, spaced])
def test_a_session_arn_without_its_session_part_is_matched_by_its_issuer_and_said_once(
    spacing: Any, principals: tuple[str, ...]
) -> None:
    """Such records used to be skipped without a word: the byte probe (":assumed-role/app/") and the session
    lookup (the ARN up to its last "/") both need the session part. sessionIssuer names the role that
    issued the session (CloudTrail User Guide, userIdentity element), as for every session record."""
    cut = arn_of = unsessioned(role_identity())["arn"]
    assert arn_of == f"arn:aws:sts::{ACCOUNT}:assumed-role/app"
    elsewhere = unsessioned(role_identity(path="/other-path/"))  # same name, a role not asked for
    longer = unsessioned(role_identity(name="app-2"))  # another role whose name starts alike
    records = [
        record(unsessioned(role_identity()), "CutOne"),
        OTHER,
        record(unsessioned(role_identity()), "CutTwo"),
        record(elsewhere, "Elsewhere"),
        record(longer, "Longer"),
        MINE,
    ]
    first = scan(("a.json", spacing(records)), principals=principals)
    second = scan(("b.json", spacing(records[:1])), principals=principals)
    result = ScanResult().merge(first).merge(second)
    assert allowed(result) == {
        ("s3:CutOne", "*"): 2,
        ("s3:CutTwo", "*"): 1,
        ("s3:GetObject", "arn:aws:s3:::b/k"): 1,
    }
    not_taken, taken = result.unsessioned_warnings()  # by ARN, then the principal taken for ("" first)
    assert taken.startswith(f"3 record(s) with userIdentity.arn {cut}: a role session's ARN without")
    assert taken.endswith(f"taken as {ROLE}'s, the role its sessionIssuer names")
    assert not_taken.startswith(f"1 record(s) with userIdentity.arn {cut}:") and "not taken" in not_taken
    assert result.other_paths == {ROLE: {f"arn:aws:iam::{ACCOUNT}:role/other-path/app"}}
    assert "app-2" not in " ".join(result.unsessioned_warnings())


@pytest.mark.parametrize("principals", [(ROLE,), MANY], ids=["few-probes", "markers"])
def test_a_cut_session_arn_of_another_account_or_name_is_not_taken_nor_said(
    principals: tuple[str, ...],
) -> None:
    other_account = unsessioned(role_identity(account="444455556666"))
    result = scan(("f.json", delivery([record(other_account, "Other"), OTHER])), principals=principals)
    assert allowed(result) == {} and result.unsessioned_warnings() == []
    longer = unsessioned(role_identity(name="app-2"))  # the probe occurs, followed by more of a name
    result = scan(("f.json", delivery([record(longer, "Longer"), OTHER])), principals=principals)
    assert allowed(result) == {} and result.unsessioned_warnings() == []
    assert result.files_without_principal == 1  # no record parsed


def test_an_insights_event_alone_in_a_file_is_passed_over_and_a_digest_file_is_named() -> None:
    """Filebeat's insight-json.log (elastic/beats x-pack/filebeat/module/aws/cloudtrail/test) holds one
    Insights event on one line: read as one document, it was skipped as "JSON object without a Records array,
    nor a record, ..." since it has no top-level eventName; it is a record (eventVersion), and no call. Its
    cloudtrail-digest-json.log holds a digest file (CloudTrail User Guide, "CloudTrail digest file
    structure"): no calls, skipped as what it is."""
    insight = insights_event(role_identity()["arn"])
    digest = {
        "awsAccountId": ACCOUNT,
        "digestStartTime": "2026-11-24T18:36:49Z",
        "digestEndTime": "2026-11-24T19:36:49Z",
        "digestS3Bucket": "trail-bucket",
        "digestS3Object": f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/24/{ACCOUNT}_CloudTrail-"
        "Digest_us-east-1_trail_us-east-1_20261124T193649Z.json.gz",
        "logFiles": [{"s3Bucket": "trail-bucket", "s3Object": f"AWSLogs/{ACCOUNT}/CloudTrail/...",
                      "hashValue": "24078a45", "hashAlgorithm": "SHA-256"}],
    }  # fmt: skip
    result = scan(
        ("insight-json.log", json.dumps(insight).encode() + b"\n"),
        ("digest-json.log", json.dumps({**digest, "role": role_identity()["arn"]}).encode() + b"\n"),
    )
    assert result.summary.bad_records == 0 and result.summary.events_scanned == 1
    assert result.summary.skipped_files == {
        "digest-json.log": "a CloudTrail digest file: it holds the hashes of log files, no calls"
    }


def _failed(raw: bytes, **fields: Any) -> dict[str, Any]:
    """A record Kinesis Data Firehose could not deliver, as it writes one to the bucket's
    processing-failed/ folder (Firehose Developer Guide, "Handle failure in data transformation":
    attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData, "the
    base64-encoded record data", lambdaArn); format-conversion-failed/ records carry rawData too ("Handling
    errors for data format conversion")."""
    return {
        "attemptsMade": 4,
        "arrivalTimestamp": 1763974800000,
        "errorCode": "Lambda.FunctionError",
        "errorMessage": "The Lambda function was successfully invoked but it returned an error result.",
        "attemptEndingTimestamp": 1763974860000,
        "rawData": base64.b64encode(raw).decode(),
        "lambdaArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:transform:$LATEST",
        **fields,
    }


# What Firehose is given, by pipeline: an EventBridge rule's event (CloudTrail User Guide, "Creating rules
# for CloudTrail events": the record is its detail), a CloudWatch Logs subscription's payload, gzip
# (CloudWatch Logs User Guide, "Subscription filters": "the data ... is compressed with gzip",
# logEvents[].message), or the record itself (a producer putting records).
def _event(item: dict[str, Any]) -> bytes:
    event = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": item["eventTime"],
        "region": "us-east-1",
        "resources": [],
        "detail": item,
    }
    return json.dumps(event).encode()


def _subscription(*items: dict[str, Any]) -> bytes:
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": ACCOUNT,
        "logGroup": "aws-cloudtrail-logs-111122223333",
        "logStream": f"{ACCOUNT}_CloudTrail_us-east-1",
        "subscriptionFilters": ["to-firehose"],
        "logEvents": [
            {"id": str(n), "timestamp": 1763974800000, "message": json.dumps(item)}
            for n, item in enumerate(items)
        ],
    }
    return gzip.compress(json.dumps(payload).encode())


@pytest.mark.parametrize(
    "lines",
    [
        [_failed(_event(MINE)), _failed(_event(OTHER))],
        [_failed(_subscription(MINE, OTHER))],
        [_failed(json.dumps(MINE).encode()), _failed(json.dumps(OTHER).encode())],
        [
            _failed(json.dumps(MINE).encode(), sequenceNumber="4958", subSequenceNumber=0),
            _failed(_event(OTHER)),
        ],
    ],
    ids=["eventbridge", "subscription", "records", "format-conversion"],
)
def test_records_firehose_could_not_deliver_are_read_from_their_raw_data(lines: list[dict[str, Any]]) -> None:
    """A Firehose stream whose transformation failed writes the records it was given to processing-failed/,
    each base64 in rawData: the principal's ARN is not in the text, so the scan passed every line over
    unparsed (a line of another principal) and the calls were lost without a word. rawData is read as what
    it holds: an EventBridge event, a gzip CloudWatch Logs payload, a record."""
    data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    for name, body in (("processing-failed/x", data), ("processing-failed/x.gz", gzip.compress(data))):
        result = scan((name, body))
        assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}, name
        assert result.summary.events_matched == 1 and result.summary.events_scanned == 2
        assert not result.warnings and not result.summary.bad_records
    one = scan(("processing-failed/one", json.dumps(lines[0]).encode()))  # one record: a document
    assert one.summary.events_matched == 1


def test_raw_data_that_is_no_record_is_a_bad_record() -> None:
    lines = [_failed(b"\x00\x01 not json"), {**_failed(b""), "rawData": "not base64!"}]
    result = scan(("processing-failed/x", b"".join(json.dumps(line).encode() + b"\n" for line in lines)))
    assert result.summary.bad_records == 2 and not result.summary.events_matched
    assert all("rawData" in warning for warning in result.warnings)


def test_log_events_saved_as_text_with_their_epoch_millisecond_timestamps_are_read(tmp_path: Any) -> None:
    """A trail's log group read back with `aws logs filter-log-events --query 'events[].[timestamp,message]'
    --output text`: each line is the event's timestamp in milliseconds since the epoch (CloudWatch Logs API
    Reference, FilteredLogEvent.timestamp), a tab and the record (AWS CLI User Guide, "Text output format":
    tab-separated). It was skipped as "not JSON (binary or text data)", and a folder walk passed the file
    over as no log file; it is read as an export's lines are."""
    from policygen_operator.domain.cloudtrail.sniff import readable_head

    data = b"".join(
        b"%d\t" % (1763974800000 + n) + json.dumps(r).encode() + b"\n" for n, r in enumerate(RECORDS)
    )
    assert readable_head(data[:4096])
    result = scan(("events.txt", data), ("events.txt.gz", gzip.compress(data)))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert result.summary.events_scanned == 6 and result.summary.files_scanned == 2
    assert not result.warnings
    text = b"1763974800000\t[INFO] a Lambda's log line\n" * 2  # another log group's: refused as such
    assert "not a JSON object" in scan(("lambda.txt", text)).summary.skipped_files["lambda.txt"]


def _lines_of(*lines: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def test_the_records_read_out_of_raw_data_are_counted() -> None:
    """The report said nothing of rawData: a run that read a stream's error output looked like one of its
    archive. ``raw_data_records`` counts the records taken out of rawData (a subscription payload's
    messages one by one), apart from the envelopes; a rawData that is no record counts as a bad record, not
    here. It merges across workers and keeps its place in the summary's JSON form."""
    from policygen_operator.domain.usage import UsageSummary

    data = _lines_of(
        _failed(_event(MINE)),
        _failed(_subscription(MINE, OTHER)),
        _failed(json.dumps(OTHER).encode()),
        {**_failed(b""), "rawData": "not base64!"},
    )
    result = scan(("processing-failed/x", data), ("plain.jsonl", _lines_of(MINE, OTHER)))
    assert result.summary.raw_data_records == 4 and result.summary.bad_records == 1
    assert result.summary.events_scanned == 7  # 4 from rawData, the bad envelope, the 2 plain lines
    merged = ScanResult().merge(result).merge(scan(("processing-failed/y", _lines_of(_failed(_event(MINE))))))
    assert merged.summary.raw_data_records == 5
    assert UsageSummary.from_dict(merged.summary.to_dict()).raw_data_records == 5
    assert scan(("plain.jsonl", _lines_of(MINE, OTHER))).summary.raw_data_records == 0


def test_json_lines_in_one_raw_data_are_read_line_by_line() -> None:
    """A producer that put several records in one Firehose record, one a line (JSON Lines), gets them back
    in one rawData when the stream cannot deliver it: orjson refused the whole text ("trailing characters")
    and the records became one bad record. Each line is read as a record; a line that is no JSON is a bad
    record of its own, named by its line, and blank lines are passed over."""
    inner = json.dumps(MINE).encode() + b"\n\n" + json.dumps(OTHER).encode() + b"\r\n"
    data = _lines_of(_failed(inner), _failed(b"\n".join([json.dumps(MINE).encode(), b"{not json", b""])))
    result = scan(("processing-failed/x", data))
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 2}
    assert result.summary.raw_data_records == 3 and result.summary.bad_records == 1
    assert result.summary.events_scanned == 4
    [warning] = result.warnings
    assert "line 2 rawData line 2" in warning and "not JSON" in warning
    pretty = _lines_of(_failed(json.dumps(MINE, indent=2).encode()))  # one record over many lines: whole
    assert allowed(scan(("processing-failed/y", pretty))) == {("s3:GetObject", "arn:aws:s3:::b/k"): 1}
    cut = _lines_of(_failed(json.dumps(MINE, indent=2).encode()[:-40]))  # cut short: one bad record
    assert scan(("processing-failed/z", cut)).summary.bad_records == 1


# What Firehose writes beside rawData for each destination's failed documents (Firehose Developer Guide,
# "Handle data delivery failures": the OpenSearch document's fields, Splunk's and an HTTP endpoint's example
# error records), by the folder it writes them to (elasticsearch-failed/ and AmazonOpenSearchService-failed/:
# Firehose API Reference, S3BackupMode of ElasticsearchDestinationConfiguration and
# AmazonopensearchserviceDestinationConfiguration).
_DELIVERY_FAILURES: dict[str, dict[str, Any]] = {
    "elasticsearch-failed": {"errorCode": "400", "errorMessage": "mapper_parsing_exception",
                             "esDocumentId": "49577193928114147339600778471082492393164139877200035842.0",
                             "esIndexName": "cloudtrail-2026-11-24", "esTypeName": ""},
    "AmazonOpenSearchService-failed": {"errorCode": "400", "errorMessage": "mapper_parsing_exception",
                                       "esDocumentId": "4957719392811414733960077847108249.0",
                                       "esIndexName": "cloudtrail", "esTypeName": ""},
    "splunk-failed": {"errorCode": "Splunk.AckTimeout", "errorMessage": "Did not receive an acknowledgement",
                      "EventId": "49577193928114147339600778471082492393164139877200035842.0"},
    "http-endpoint-failed": {"errorCode": "HttpEndpoint.DestinationException", "errorMessage": "Unauthorized",
                             "subsequenceNumber": 0,
                             "dataId": "49607357361271740811418664280693044274821622880012337186.0"},
}  # fmt: skip


@pytest.mark.parametrize("folder", sorted(_DELIVERY_FAILURES))
def test_documents_other_destinations_did_not_take_are_read(folder: str, tmp_path: Any) -> None:
    """Firehose's error output for an OpenSearch, Splunk or HTTP endpoint destination is JSON Lines of base64
    rawData as processing-failed/'s is, other fields beside it (esDocumentId, EventId, dataId). It was read
    already (this test passes on the parent): the scan reads content, not folder names, and the folder walk
    enters such a folder and sniffs its objects, named without an extension as the stream's others."""
    from policygen_operator.domain.cloudtrail.local import Listing, local_files

    def failed(raw: bytes) -> dict[str, Any]:
        return {"attemptsMade": 5, "arrivalTimestamp": 1763974800000, "attemptEndingTimestamp": 1763975100000,
                "rawData": base64.b64encode(raw).decode(), **_DELIVERY_FAILURES[folder]}  # fmt: skip

    hour = tmp_path / folder / "2026" / "11" / "24" / "09"
    hour.mkdir(parents=True)
    for n, raw in enumerate((_event(MINE), json.dumps(MINE).encode(), _subscription(MINE, OTHER))):
        (hour / f"ct-stream-1-2026-11-24-09-05-1{n}-{'a1b2c3d4' * 4}").write_bytes(
            _lines_of(failed(raw), failed(_event(OTHER)))
        )
    scanner = Scanner(ScanSpec((parse_principal(ROLE),), WINDOW), FakeMapper())
    for name, path in local_files(str(tmp_path), WINDOW, Listing()):
        scanner.scan_path(path, name)
    result = scanner.take_result()
    assert result.summary.files_scanned == 3
    assert allowed(result) == {("s3:GetObject", "arn:aws:s3:::b/k"): 3}
    assert not result.warnings and not result.summary.bad_records


def test_the_notes_kept_past_the_limit_do_not_depend_on_the_order_results_merge_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers' results merge in the order they finish: the notes kept past ``MAX_WARNINGS`` (the more
    severe first) and their counts are the same either way."""
    from policygen_operator.domain.cloudtrail import scan as scan_module

    monkeypatch.setattr(scan_module, "MAX_WARNINGS", 2)
    arn = f"arn:aws:iam::{ACCOUNT}:role/app"
    notes = [("info", "b", "x"), ("warning", "c", "y"), ("info", "a", "z"), ("info", "b", "x")]
    merged = []
    for first, second in ((notes[:2], notes[2:]), (notes[2:], notes[:2])):
        results = [ScanResult(), ScanResult()]
        for result, given in zip(results, (first, second), strict=True):
            for note in given:
                result.note(arn, note)
        merged.append(dict(results[0].merge(results[1]).notes[arn]))
    assert merged[0] == merged[1] == {("warning", "c", "y"): 1, ("info", "a", "z"): 1}


@pytest.mark.parametrize(
    ("last", "problem"),
    [
        (b"1", "userIdentity is a number, not an object"),
        (b'"x"', "userIdentity is a string, not an object"),
        (b"[]", "userIdentity is an array, not an object"),
        (b"null", "no userIdentity"),
    ],
)
@pytest.mark.parametrize("use_native", [True, False])
def test_a_record_naming_its_identity_twice_never_stops_the_scan(
    last: bytes, problem: str, use_native: bool
) -> None:
    """ "The names within an object SHOULD be unique" (RFC 8259, section 4), and readers differ on a
    record that names userIdentity twice: in a file parsed whole, simdjson's lookup matched the record by
    the first (the requested role's) and its dict kept the last, and the mapper failed on an identity that
    is no object (AttributeError: the whole scan stopped). Such a record is now a bad record named for that
    field; in a compact file its dict alone is read, whose identity names nobody asked for."""
    from policygen_operator.domain.cloudtrail.scan import default_mapper

    text = json.dumps(MINE, separators=(",", ":")).encode()[:-1] + b',"userIdentity":' + last + b"}"
    for compact in (False, True):
        data = (b'{"Records":[' if compact else b'{ "Records" : [') + text + b"]}"
        spec = ScanSpec((parse_principal(ROLE),), WINDOW, mapper_factory=default_mapper, native=use_native)
        scanner = Scanner(spec)
        scanner.scan_bytes("f.json", data)
        result = scanner.take_result(final=True)
        assert not allowed(result) and result.summary.events_scanned == 1
        if not compact:
            assert result.warnings == [f"skipped record 0 of f.json: {problem}"]
