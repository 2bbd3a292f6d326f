"""ARN patterns as IAM reads them: ``*`` and ``?`` wildcards, matched against each other.

Validation asks "can this policy resource ever name a resource of that type?", which is whether two
patterns share a string: the policy's (``*`` any run of characters, ``?`` one) and the reference's ARN
format (``${Partition}``, ``${Region}``, ``${Account}`` stay inside one colon-separated segment; other
variables are any non-empty text, as S3 keys and IAM paths hold ``/`` and ``:``).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Token kinds: a literal character, ANY one character, STAR (any run), SEGMENT (a run without ':').
_ANY, _STAR, _SEGMENT = "\x00any", "\x00star", "\x00seg"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
_SEGMENT_VARIABLES = frozenset({"Partition", "Region", "Account"})


def _policy_tokens(pattern: str) -> tuple[str, ...]:
    return tuple(_STAR if c == "*" else _ANY if c == "?" else c for c in pattern)


@lru_cache(maxsize=8192)
def _format_tokens(arn_format: str) -> tuple[str, ...]:
    tokens: list[str] = []
    last = 0
    for match in _VARIABLE.finditer(arn_format):
        tokens.extend(arn_format[last : match.start()])
        if match.group(1) in _SEGMENT_VARIABLES:
            tokens.append(_SEGMENT)
        else:
            tokens.extend((_ANY, _STAR))  # not empty
        last = match.end()
    tokens.extend(arn_format[last:])
    return tuple(tokens)


def _star_like(token: str) -> bool:
    return token in (_STAR, _SEGMENT)


def _compatible(a: str, b: str) -> bool:
    """Whether one character can satisfy both tokens."""
    if a in (_ANY, _STAR) or b in (_ANY, _STAR):
        return not ((a == ":" and b == _SEGMENT) or (b == ":" and a == _SEGMENT))
    if a == _SEGMENT:
        return b != ":"
    if b == _SEGMENT:
        return a != ":"
    return a == b


def _intersect(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
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
        if ta is not None and _star_like(ta):
            stack.append((i + 1, j))  # the run is empty
        if tb is not None and _star_like(tb):
            stack.append((i, j + 1))
        if ta is None or tb is None or not _compatible(ta, tb):
            continue
        # consume one character with both; a run stays where it is
        next_i = i if _star_like(ta) else i + 1
        next_j = j if _star_like(tb) else j + 1
        if (next_i, next_j) != (i, j):
            stack.append((next_i, next_j))
    return False


def pattern_fits_format(pattern: str, arn_format: str) -> bool:
    """Whether the policy resource ``pattern`` can match some ARN of ``arn_format``."""
    return _intersect(_policy_tokens(pattern), _format_tokens(arn_format))


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
