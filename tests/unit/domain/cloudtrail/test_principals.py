from __future__ import annotations

import pytest

from policygen_operator.domain.cloudtrail.principals import (
    PrincipalError,
    PrincipalMatcher,
    has_escaped_slash,
    parse_principal,
)


@pytest.mark.parametrize(
    ("arn", "partition", "kind", "path", "name"),
    [
        ("arn:aws:iam::111122223333:role/app", "aws", "role", "/", "app"),
        ("arn:aws:iam::111122223333:role/service-role/app", "aws", "role", "/service-role/", "app"),
        ("arn:aws:iam::111122223333:role/a/b/c/app", "aws", "role", "/a/b/c/", "app"),
        ("arn:aws:iam::111122223333:user/alice", "aws", "user", "/", "alice"),
        (
            "arn:aws:iam::111122223333:user/people/alice@example.com",
            "aws",
            "user",
            "/people/",
            "alice@example.com",
        ),
        ("arn:aws-cn:iam::111122223333:role/app", "aws-cn", "role", "/", "app"),
        ("arn:aws-us-gov:iam::111122223333:user/bob", "aws-us-gov", "user", "/", "bob"),
        # the isolated and the European Sovereign Cloud partitions (botocore's partitions.json)
        ("arn:aws-iso:iam::111122223333:role/app", "aws-iso", "role", "/", "app"),
        (
            "arn:aws-iso-b:iam::111122223333:role/service-role/app",
            "aws-iso-b",
            "role",
            "/service-role/",
            "app",
        ),
        ("arn:aws-iso-e:iam::111122223333:user/carol", "aws-iso-e", "user", "/", "carol"),
        ("arn:aws-iso-f:iam::111122223333:role/app", "aws-iso-f", "role", "/", "app"),
        ("arn:aws-eusc:iam::111122223333:role/app", "aws-eusc", "role", "/", "app"),
    ],
)
def test_parses_roles_and_users_in_every_partition(
    arn: str, partition: str, kind: str, path: str, name: str
) -> None:
    p = parse_principal(arn)
    assert (p.partition, p.account, p.kind, p.path, p.name) == (partition, "111122223333", kind, path, name)


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "app",
        "arn:aws:iam::11112222333:role/app",  # 11 digits
        "arn:aws:iam::111122223333:group/admins",
        "arn:aws:sts::111122223333:assumed-role/app/session",
        "arn:aws-gov:iam::111122223333:role/app",  # no partition: aws-us-gov's, mistyped
        "arn:aws-isob:iam::111122223333:role/app",  # aws-iso-b's, mistyped
        "arn:aws:iam::111122223333:role/",
        "arn:aws:iam:us-east-1:111122223333:role/app",
    ],
)
def test_rejects_what_is_not_a_role_or_user_arn(arn: str) -> None:
    with pytest.raises(PrincipalError):
        parse_principal(arn)


def test_a_role_session_given_for_its_role_is_refused_with_the_role_to_give() -> None:
    """CloudTrail shows a role's calls under its session ARN, which users copy."""
    with pytest.raises(
        PrincipalError, match=r"give arn:aws:iam::111122223333:role/app \(with the role's path"
    ):
        parse_principal("arn:aws:sts::111122223333:assumed-role/app/session")


@pytest.mark.parametrize(
    ("arn", "digits"),
    [
        # the session issuer of elastic/beats' CloudTrail test logs (x-pack/filebeat/module/aws/cloudtrail/
        # test), a 13-digit account also in the AWS CLI's create-policy example output
        ("arn:aws:iam::0123456789012:role/johndoe", "13"),
        ("arn:aws:iam::11112222333:user/alice", "11"),
        ("arn:aws:sts::0123456789012:assumed-role/johndoe/session", "13"),
    ],
)
def test_an_account_id_of_another_length_is_said(arn: str, digits: str) -> None:
    """ "An AWS account ID is a 12-digit number" (AWS Account Management Reference Guide): an ARN whose
    account has another length was only told it is no role or user ARN, though the rest of it is one."""
    with pytest.raises(PrincipalError, match=rf"has {digits} digits, and an AWS account id has 12"):
        parse_principal(arn)


def test_role_sessions_match_through_the_issuer_with_its_path() -> None:
    role = parse_principal("arn:aws:iam::111122223333:role/service-role/app")
    matcher = PrincipalMatcher((role,))
    candidates = matcher.session_candidates("arn:aws:sts::111122223333:assumed-role/app/session-9")
    assert candidates == [role.arn]
    assert matcher.match_issuer("arn:aws:iam::111122223333:role/service-role/app", candidates) == role.arn
    # Same name, other path: a different ARN is not silently taken for the requested one.
    assert matcher.match_issuer("arn:aws:iam::111122223333:role/app", candidates) is None
    # Records without a session context fall back to account and name (both are in the session ARN).
    assert matcher.match_issuer(None, candidates) == role.arn
    assert matcher.session_candidates("arn:aws:sts::999999999999:assumed-role/app/session-9") is None


def test_needles_find_role_sessions_and_users_in_raw_bytes() -> None:
    matcher = PrincipalMatcher(
        (
            parse_principal("arn:aws:iam::111122223333:role/service-role/app"),
            parse_principal("arn:aws:iam::111122223333:user/alice"),
        )
    )
    assert matcher.may_occur_in(b'{"arn":"arn:aws:sts::111122223333:assumed-role/app/s"}')
    assert matcher.may_occur_in(b'{"arn":"arn:aws:iam::111122223333:user/alice"}')
    assert not matcher.may_occur_in(b'{"arn":"arn:aws:iam::111122223333:user/bob"}')
    # A file that escapes slashes could hide an ARN from the byte search: it is never skipped.
    assert matcher.may_occur_in(b'{"arn":"arn:aws:iam::111122223333:user\\/bob"}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"a":"b/c"}', False),
        (b'{"a":"say \\"hi\\""}', False),
        (b'{"a":"role\\/x"}', True),
        (b'{"a":"c:\\\\/x"}', False),  # an escaped backslash, then a plain slash
        (b'{"a":"c:\\\\\\/x"}', True),  # an escaped backslash, then an escaped slash
        (b'{"a":"' + b'\\"' * 100 + b'role\\/x"}', True),  # many escapes: the regex path
        (b'{"a":"' + b'\\"' * 100 + b'role/x"}', False),
        (b"\\", False),
    ],
)
def test_escaped_slashes_are_found_whatever_the_number_of_escapes(text: bytes, expected: bool) -> None:
    assert has_escaped_slash(text) is expected
