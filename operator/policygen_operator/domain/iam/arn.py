"""ARN patterns as IAM reads them: ``*`` and ``?`` wildcards, matched against each other.

Validation asks "can this policy resource ever name a resource of that type?", which is whether two
patterns share a string: the policy's (``*`` any run of characters, ``?`` one) and the reference's ARN
format (``${Partition}``, ``${Region}``, ``${Account}`` stay inside one colon-separated segment; other
variables are any non-empty text, as S3 keys and IAM paths hold ``/`` and ``:``).
"""

from __future__ import annotations

import re
from functools import lru_cache

# A token is a literal character (a str of length 1) or a wildcard: (minimum length, characters it
# cannot contain). Policy ``*`` is (0, {}), ``?`` is (1, {}); format variables are at least one
# character; Partition, Region and Account stay inside their colon-separated segment, and the names below
# cannot hold a ``/`` (S3 bucket, DynamoDB table, SQS queue, SNS topic, Lambda function names, KMS key
# ids), so ``arn:aws:s3:::b/k`` is an object, never a bucket.
Token = str | tuple[int, frozenset[str]]
_NO_COLON = frozenset({":"})
_NO_SLASH = frozenset({"/"})
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_SEGMENT_VARIABLES = frozenset({"Partition", "Region", "Account"})
NAME_VARIABLES = frozenset({"BucketName", "TableName", "QueueName", "TopicName", "FunctionName", "KeyId"})


def _policy_tokens(pattern: str) -> tuple[Token, ...]:
    return tuple((0, frozenset()) if c == "*" else (1, frozenset()) if c == "?" else c for c in pattern)


@lru_cache(maxsize=8192)
def _format_tokens(arn_format: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    last = 0
    for match in _VARIABLE.finditer(arn_format):
        tokens.extend(_literal_tokens(arn_format, last, match.start()))
        name = match.group(1)
        if name in _SEGMENT_VARIABLES:
            tokens.append((0, _NO_COLON))
        else:
            excluded = _NO_SLASH if name in NAME_VARIABLES else frozenset()
            tokens.extend(((1, excluded), (0, excluded)))  # one character, then any run
        last = match.end()
    tokens.extend(_literal_tokens(arn_format, last, len(arn_format)))
    return tuple(tokens)


def _literal_tokens(arn_format: str, start: int, end: int) -> list[Token]:
    """A format's text between variables. A ``*`` in it stands for what the resource is called (DMS
    ``rep:*``: "arn:aws:dms:us-east-1:123456789012:rep:EX4MBJ2NMRDL3BMAYJOXUGYPUE") or, before the
    resource part, for any account or Region (Braket's ``device``), as ``reference.format_groups`` reads
    it; the validator must accept what the mapper names by it."""
    tokens: list[Token] = []
    for at in range(start, end):
        char = arn_format[at]
        if char != "*":
            tokens.append(char)
        elif arn_format.count(":", 0, at) >= 5:
            tokens.extend(((1, frozenset()), (0, frozenset())))
        else:
            tokens.append((0, _NO_COLON))
    return tokens


def _is_run(token: Token) -> bool:
    return isinstance(token, tuple) and token[0] == 0


def _compatible(a: Token, b: Token) -> bool:
    """Whether one character can satisfy both tokens."""
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str):
        assert isinstance(b, tuple)
        return a not in b[1]
    if isinstance(b, str):
        return b not in a[1]
    return True  # two wildcards: some character is allowed by both (they exclude at most ':' or '/')


def _intersect(a: tuple[Token, ...], b: tuple[Token, ...]) -> bool:
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        if ta is not None and _is_run(ta):
            stack.append((i + 1, j))  # the run is empty
        if tb is not None and _is_run(tb):
            stack.append((i, j + 1))
        if ta is None or tb is None or not _compatible(ta, tb):
            continue
        # consume one character with both; a run stays where it is
        next_i = i if _is_run(ta) else i + 1
        next_j = j if _is_run(tb) else j + 1
        if (next_i, next_j) != (i, j):
            stack.append((next_i, next_j))
    return False


@lru_cache(maxsize=65536)
def pattern_fits_format(pattern: str, arn_format: str) -> bool:
    """Whether the policy resource ``pattern`` can match some ARN of ``arn_format``.

    A pattern without wildcards (most of a generated policy) is one string: whether the format's regex
    matches it is the same question, answered in C (~1 us) instead of the token walk (~350 us), which
    made validation the largest cost of a scan for hundreds of principals. Wildcard patterns repeat
    across the principals of one scan (a bucket's ``prefix/*``), hence the cache.
    """
    if "*" not in pattern and "?" not in pattern:
        return _format_regex(arn_format).fullmatch(pattern) is not None
    return _intersect(_policy_tokens(pattern), _format_tokens(arn_format))


@lru_cache(maxsize=8192)
def _format_regex(arn_format: str) -> re.Pattern[str]:
    """The format's tokens as a regex: literal characters, and each wildcard as its character class."""
    parts: list[str] = []
    for token in _format_tokens(arn_format):
        if isinstance(token, str):
            parts.append(re.escape(token))
            continue
        minimum, excluded = token
        one = f"[^{re.escape(''.join(sorted(excluded)))}]" if excluded else "."
        parts.append(one if minimum == 1 else one + "*")
    return re.compile("".join(parts), re.S)


@lru_cache(maxsize=65536)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def covers(pattern: str, arn: str) -> bool:
    """Whether IAM's wildcard ``pattern`` matches every string ``arn`` can stand for.

    For a concrete ``arn`` that is plain matching. A pattern-in-pattern check is only needed for the
    builder's subsumption of its own wildcards, where ``arn``'s wildcards are treated as literal text:
    ``bucket/*`` covers ``bucket/a/*`` because ``*`` matches the text ``a/*``.
    """
    return _glob(pattern).fullmatch(arn) is not None


def split_arn(arn: str) -> list[str] | None:
    """``arn:partition:service:region:account:resource`` -> its six parts, or None if not that shape."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return parts
