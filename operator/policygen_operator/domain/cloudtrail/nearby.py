"""The principal a requested one that matched no event was likely meant to be: a typo in its name
(``bench-targte``), its path or its account is an ARN no record holds, and the run said only that nothing
matched.

The scan never collects other principals' ARNs (it reads ``userIdentity.arn`` only until a record is known
not to match), and must not start to: a run where every principal matched pays nothing for this. Only when
one matched nothing are a few of the files already listed read again (``sample_callers``: the first
``MAX_SAMPLE_FILES``, at most ``MAX_SAMPLE_BYTES`` read or inflated in all), their callers' ARNs found by a
byte search, never a parse, and the requested ARN compared with each (``near_miss``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable

from isal import igzip_lib

from policygen_operator.domain.cloudtrail.principals import Principal, PrincipalError, parse_principal
from policygen_operator.domain.cloudtrail.sniff import GZIP_MAGIC
from policygen_operator.domain.partitions import PARTITION_ALTERNATIVES

MAX_SAMPLE_FILES = 32
MAX_SAMPLE_BYTES = 32 * 1024 * 1024  # read or inflated, over all files sampled
# Distinct ARNs kept: one difflib comparison each, per principal; 2,000 ARNs all alike cost ~0.03 s a
# principal, distinct names (a real trail's) a few ms.
MAX_CALLERS = 2_000
# How alike (``difflib.SequenceMatcher.ratio``, without case) the requested ARN and a caller's must be: one
# character typed wrong in an ARN of 50 is 0.98; a caller of the same account and path but another name
# shares most of the ARN too (``role/service-role/app-286-role`` against ``.../bench-target``: 0.84), so the
# names alone must also be alike (``NEAR_NAME``: ``bench-targte`` is 0.92 of ``bench-target``), or one typo
# apart (``app`` for ``apq`` is 0.67: short names are), unless they are the same (a wrong account or path).
NEAR = 0.9
NEAR_NAME = 0.75

# The caller ARNs of a record: ``userIdentity.arn`` and ``userIdentity.sessionContext.sessionIssuer.arn``, the
# members named "arn" (CloudTrail User Guide, "CloudTrail userIdentity element"), in JSON text as written or
# quoted in a string (saved lookup-events output's CloudTrailEvent, a log event's message: ``\"arn\":\"...``).
# Resources' ARNs are under other names (``resources[].ARN``, ``roleArn``) and are not callers.
_CALLER = re.compile(rb'"arn"\s*:\s*"(arn:[^"\\]{1,2048})"')
_QUOTED_CALLER = re.compile(rb'\\"arn\\"\s*:\s*\\"(arn:[^"\\]{1,2048})\\"')
_QUOTED_MARK = b'\\"arn\\"'
# A role session's ARN (IAM User Guide, "IAM identifiers": arn:aws:sts::account:assumed-role/role-name/
# role-session-name): the role's name without its path, which the session's sessionIssuer.arn has.
_SESSION_PART = re.compile(rb"(?<=:assumed-role/)([^/]*)/.*", re.DOTALL)
_SESSION = re.compile(
    rf"arn:({PARTITION_ALTERNATIVES}):sts::(\d{{12}}):assumed-role/" r"([\w+=,.@-]{1,64})(?:/|$)"
)


def callers_in(data: bytes) -> set[str]:
    """The caller ARNs in a file's text: IAM users and roles as written (a role with its path, from a
    session's issuer) and role sessions without their session names (``arn:PART:sts::ACCOUNT:assumed-role/
    NAME``: one a role, not one a session; ``principals_of`` makes them roles)."""
    found = set(_CALLER.findall(data))
    if _QUOTED_MARK in data:
        found.update(_QUOTED_CALLER.findall(data))
    return {_SESSION_PART.sub(rb"\1", arn).decode(errors="replace") for arn in found}


def principals_of(arns: Iterable[str]) -> set[str]:
    """The IAM role and user ARNs among caller ARNs: a session's role by its issuer's ARN when one was seen
    (with its path), else as ``arn:PART:iam::ACCOUNT:role/NAME``; anything else (a root, a federated user, a
    service) is no principal ``--principal`` takes."""
    principals: set[str] = set()
    sessions: set[tuple[str, str, str]] = set()
    for arn in arns:
        session = _SESSION.match(arn)
        if session is not None:
            sessions.add((session[1], session[2], session[3]))
            continue
        try:
            parse_principal(arn)
        except PrincipalError:
            continue
        principals.add(arn)
    issued = {(p.partition, p.account, p.name) for p in map(parse_principal, principals) if p.kind == "role"}
    for partition, account, name in sessions - issued:
        principals.add(f"arn:{partition}:iam::{account}:role/{name}")
    return principals


def sample_callers(
    paths: Iterable[str], max_files: int = MAX_SAMPLE_FILES, max_bytes: int = MAX_SAMPLE_BYTES
) -> tuple[set[str], int]:
    """The principals (``principals_of``) that made calls in the first ``max_files`` of ``paths``, read up to
    ``max_bytes`` in all, read or inflated (a file's head when it is larger: a byte search needs no whole
    document), and how many files were read. A file that cannot be read is passed over: the scan named it."""
    arns: set[str] = set()
    room = max_bytes
    read = 0
    for path in paths:
        if read >= max_files or room <= 0 or len(arns) >= MAX_CALLERS:
            break
        try:
            with open(path, "rb") as handle:
                data = handle.read(min(room, os.fstat(handle.fileno()).st_size))
        except OSError:
            continue
        read += 1
        raw = len(data)
        if data[:2] == GZIP_MAGIC:
            data = _inflated_head(data, room)
        room -= max(raw, len(data))  # what was read or inflated, whichever is more
        arns.update(callers_in(data))
    return set(sorted(principals_of(arns))[:MAX_CALLERS]), read


def _inflated_head(data: bytes, limit: int) -> bytes:
    """Up to ``limit`` bytes inflated from the start of a gzip (a cut or corrupt one gives what it can)."""
    inflater = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
    try:
        return bytes(inflater.decompress(data, limit))
    except Exception:  # isal's errors for corrupt data: the scan named the file already
        return b""


def near_miss(principal: Principal, callers: Iterable[str]) -> str | None:
    """The caller ARN most like the requested one (``NEAR``, ``NEAR_NAME``), the first in sorted order among
    equals, or None. Compared without case: "IAM user, group, role, and policy names must be unique within
    the account. Names are not distinguished by case" (IAM API Reference, CreateRole and CreateUser), so
    ``Bench-Target`` for ``bench-target`` is a typo too."""
    wanted = principal.arn.lower()
    wanted_name = principal.name.lower()
    matcher = difflib.SequenceMatcher(b=wanted, autojunk=False)
    best: tuple[float, str] | None = None
    for caller in sorted(callers):
        if caller == principal.arn:
            continue
        matcher.set_seq1(caller.lower())
        bar = NEAR if best is None else best[0]  # bounds on the ratio first: each is cheaper than the next
        if matcher.real_quick_ratio() < bar or matcher.quick_ratio() < bar:
            continue
        score = matcher.ratio()
        if score < NEAR or (best is not None and score <= best[0]):
            continue
        name = caller.rsplit("/", 1)[-1].lower()
        if not _alike(name, wanted_name):
            continue
        best = (score, caller)
    return best[1] if best else None


def _alike(name: str, wanted: str) -> bool:
    """The same name, one alike by ``NEAR_NAME``, or one a single typo away: a character changed, added or
    left out, or two neighbours swapped."""
    if name == wanted or difflib.SequenceMatcher(a=name, b=wanted).ratio() >= NEAR_NAME:
        return True
    if abs(len(name) - len(wanted)) > 1:
        return False
    start = 0
    while start < min(len(name), len(wanted)) and name[start] == wanted[start]:
        start += 1
    a, b = name[start:], wanted[start:]
    return a[1:] == b[1:] or a[1:] == b or a == b[1:] or (a[:2] == b[1::-1] and a[2:] == b[2:])
