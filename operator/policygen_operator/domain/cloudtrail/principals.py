"""Which CloudTrail records belong to the principals a user asked about.

A role never appears as itself in CloudTrail: its calls are made by sessions, whose
``userIdentity.arn`` is ``arn:PART:sts::ACCT:assumed-role/NAME/SESSION`` (no path) while
``sessionContext.sessionIssuer.arn`` is the role's own ARN (with its path). An IAM user's calls carry
the user's ARN (with its path) in ``userIdentity.arn``. Matching is done on strings read lazily from
the record so that records of other principals cost as little as possible.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from policygen_operator.domain.partitions import PARTITION_ALTERNATIVES, PARTITIONS

try:  # the scan's native extension (``native/``), where it is built
    from policygen_native import FewProbes as _FewProbes
    from policygen_native import ManyProbes as _ManyProbes
except ImportError:
    _FewProbes = _ManyProbes = None
FewProbes: Any = _FewProbes
ManyProbes: Any = _ManyProbes

_IAM_ARN = re.compile(
    rf"^arn:(?P<partition>{PARTITION_ALTERNATIVES}):iam::(?P<account>\d{{12}}):"
    r"(?P<kind>role|user)(?P<path>/(?:[\x21-\x7e]+/)?)(?P<name>[\w+=,.@-]{1,128})$"
)


class PrincipalError(ValueError):
    """A principal ARN we cannot match records against."""


@dataclass(frozen=True)
class Principal:
    arn: str
    partition: str
    account: str
    kind: str  # "role" | "user"
    path: str  # "/" or "/service-role/" ...
    name: str

    @property
    def session_prefix(self) -> str:
        """What every session ARN of this role starts with (role sessions drop the path)."""
        return f"arn:{self.partition}:sts::{self.account}:assumed-role/{self.name}/"

    @property
    def probe(self) -> bytes:
        """One byte string in every record the matcher can take: a single pass over a file finds all
        candidates. A role's records are taken by their session ARN only, so its probe is the session
        needle: at 26+ bytes ``bytes.find`` skips ahead ~1.6x faster than with ``/NAME``. It ends at the
        name, not at the ``/`` after it, so that a session ARN cut after the role's name (see
        ``UNSESSIONED``) is found in the same pass; an occurrence followed by anything but ``/`` or ``"``
        is a longer name's (``positions`` and ``may_occur_in`` check that byte)."""
        return self.arn.encode() if self.kind == "user" else f":assumed-role/{self.name}".encode()


def parse_principal(arn: str) -> Principal:
    """Parse an IAM role or user ARN; raise ``PrincipalError`` saying what is wrong."""
    match = _IAM_ARN.match(arn.strip())
    if match is None:
        session = _SESSION_ARN.match(arn.strip())
        hint = (
            f"; a role session's events are its role's: give arn:{session['partition']}:iam::"
            f"{session['account']}:role/{session['name']} (with the role's path, if it has one)"
            if session
            else ""
        )
        raise PrincipalError(
            f"{arn!r} is not an IAM role or user ARN "
            f"(expected arn:PARTITION:iam::123456789012:role/[path/]NAME or .../user/[path/]NAME, PARTITION "
            f"one of {', '.join(PARTITIONS)})" + (_account_hint(arn.strip()) or hint)
        )
    return Principal(
        arn=arn.strip(),
        partition=match["partition"],
        account=match["account"],
        kind=match["kind"],
        path=match["path"],
        name=match["name"],
    )


def _account_hint(arn: str) -> str:
    """What is wrong with the account field of an ARN otherwise shaped as an IAM or STS one: "An AWS
    account ID is a 12-digit number" (AWS Account Management Reference Guide, "View AWS account
    identifiers"), and one of another length (13 digits in elastic/beats' CloudTrail test data) was only
    told it is no role or user ARN, which sends the reader looking at the rest of it."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        return ""
    account = parts[4]
    if account.isdigit() and len(account) != 12:
        return f"; its account id {account!r} has {len(account)} digits, and an AWS account id has 12"
    return ""


# what CloudTrail shows as a role's identity, and users copy:
# ``arn:aws:sts::123456789012:assumed-role/NAME/SESSION``
_SESSION_ARN = re.compile(
    rf"^arn:(?P<partition>{PARTITION_ALTERNATIVES}):sts::(?P<account>\d{{12}}):assumed-role/"
    r"(?P<name>[\w+=,.@-]+)/"
)


# A session ARN as CloudTrail writes it always ends in the session name (IAM User Guide, "IAM identifiers":
# arn:aws:sts::account:assumed-role/role-name/role-session-name; AssumeRole requires RoleSessionName), but
# exporters and anonymizers rewrite identities, and some cut the session part: Stratus Red Team's
# anonymized detonation logs hold "arn:aws:sts::ACCOUNT:assumed-role/NAME" (tests/fixtures/public-cloudtrail).
# Such an ARN's prefix up to its last "/" is "arn:PART:sts::ACCOUNT:assumed-role/": the matcher's session
# lookup holds it for the requested roles' accounts with this marker, so the hot loops' one dict lookup
# per record is unchanged and only a hit pays for looking at the name (``unsessioned_candidates``).
class Unsessioned(enum.Enum):
    """The marker's type: a member of its own, not a shared empty list, so that nothing can add roles to
    it and the type checker keeps it apart from a list of candidates."""

    MARK = "unsessioned"


UNSESSIONED: Final = Unsessioned.MARK
_ESCAPED_SLASH = re.compile(rb"\\/")
_FEW_BACKSLASHES = 32


def has_escaped_slash(data: bytes) -> bool:
    """Whether JSON text may hold ``\\/`` (an escaped ``/``, which could hide a needle).

    ``bytes.find`` of a two-byte needle runs at ~1 GB/s (0.7 ms for a delivery file), so backslashes
    are found with memchr instead: in valid JSON each one starts an escape, so the byte after it is
    the escaped character and the next escape starts two bytes on. Files with many backslashes
    (policies quoted inside parameters) go to one regex search (~2x faster than ``in``) instead.
    """
    found = data.find(b"\\")
    for _ in range(_FEW_BACKSLASHES):
        if found < 0:
            return False
        if data[found + 1 : found + 2] == b"/":
            return True
        found = data.find(b"\\", found + 2)
    return found >= 0 and _ESCAPED_SLASH.search(data, found) is not None


# Every record of a role session holds ``:assumed-role/NAME/`` and every record of a user the user's ARN,
# which holds ``:user/``: one pass over a file for each marker finds every candidate, however many
# principals were asked for.
_SESSION_MARK = b":assumed-role/"
_USER_MARK = b":user/"
_MAX_NAME = 64  # IAM role names are at most 64 characters
_MAX_ARN = 1024  # a user ARN is at most ~620 characters (path 512, name 64): bounds each look-around
# Up to this many probes one ``bytes.find`` pass each is cheapest (memchr-fast, ~0.15 ms per delivery
# file); beyond it the marker passes (~0.3 ms per file in all) do not grow with the number of principals.
FEW_PROBES = 2
# What follows a role's name in a session ARN ("/"), in one cut after the name ('"', or '\"' in JSON
# text quoted in a string, as LookupEvents' CloudTrailEvent holds it); never a character of a name.
_NAME_ENDS = (b"/", b'"', b"\\")


@dataclass(frozen=True)
class Twin:
    """The principal of the other kind with a requested one's account and name: the role ``X`` for the user
    ``X``, the user ``X`` (any path) for the role ``X``. Asked for by the wrong kind, a principal matches
    nothing; the twin's records are found by one byte search, never by parsing other principals' records
    (``find``), and only in files where the requested principal matched nothing (``scan.Scanner``)."""

    principal: Principal

    @property
    def needle(self) -> bytes:
        """A user's twin role is found by its sessions (``arn:P:sts::A:assumed-role/X``, as the role's own
        probe but with the account); a role's twin user by the end of its ARN (``/X`` and a quote: the
        user's path is unknown), checked back to ``arn:P:iam::A:user/``. The quote is checked, not searched:
        a needle ending in a byte as common as ``"`` cost ``bytes.find`` 4 times as much (0.4 ms a file)."""
        p = self.principal
        if p.kind == "user":
            return f"arn:{p.partition}:sts::{p.account}:assumed-role/{p.name}".encode()
        return f"/{p.name}".encode()

    def find(self, data: bytes) -> str | None:
        """The twin's ARN when ``data`` holds a record of it, else None: for a role, its issuer ARN from
        the record (with its path) when the record has one, else the role's ARN without a path."""
        p = self.principal
        needle = self.needle
        at = data.find(needle)
        while at >= 0:
            end = at + len(needle)
            if p.kind == "user":
                if data[end : end + 1] in _NAME_ENDS:
                    near = data[max(0, at - _MAX_ARN) : end + 2 * _MAX_ARN]
                    issuer = _issuer_of(p.partition, p.account, p.name).search(near)
                    bare = f"arn:{p.partition}:iam::{p.account}:role/{p.name}"
                    return issuer[1].decode() if issuer else bare
            elif data[end : end + 1] == b'"':
                start = data.rfind(b'"', max(0, at - _MAX_ARN), at) + 1
                found = data[start:end]
                if start > 0 and found.startswith(f"arn:{p.partition}:iam::{p.account}:user/".encode()):
                    return found.decode(errors="replace")
            at = data.find(needle, end)
        return None


def _issuer_of(partition: str, account: str, name: str) -> re.Pattern[bytes]:
    """A role's ARN of that account and name, any path, as a session record's sessionIssuer.arn holds it."""
    return re.compile(
        rb'"(arn:%s:iam::%s:role/(?:[^"\\/]+/)*%s)"'
        % (re.escape(partition.encode()), account.encode(), re.escape(name.encode()))
    )


class PrincipalMatcher:
    """Decides, from ``userIdentity`` strings, which requested principal (if any) made a call."""

    def __init__(self, principals: tuple[Principal, ...], *, native: bool = True) -> None:
        self.users = {p.arn: p.arn for p in principals if p.kind == "user"}
        self.roles = {p.arn: p.arn for p in principals if p.kind == "role"}
        # session prefix -> role ARNs with that account and name (paths may differ)
        self.sessions: dict[str, list[str]] = {}
        for p in principals:
            if p.kind == "role":
                self.sessions.setdefault(p.session_prefix, []).append(p.arn)
        # what the scan looks a record's session up in: ``sessions`` plus the prefix of a session ARN cut
        # after the role's name, per account of a requested role (``UNSESSIONED``)
        self.session_keys: dict[str, list[str] | Unsessioned] = dict(self.sessions)
        for p in principals:
            if p.kind == "role":
                self.session_keys[f"arn:{p.partition}:sts::{p.account}:assumed-role/"] = UNSESSIONED
        self.probes = tuple(sorted({p.probe for p in principals}))
        self._role_probes = frozenset(p.probe for p in principals if p.kind == "role")
        self._role_names = frozenset(p.name.encode() for p in principals if p.kind == "role")
        # The same for sessions: ``sts::ACCOUNT:assumed-role/`` per account (a name found after it is
        # still checked against every wanted name; the record's own check decides).
        role_accounts = {p.account for p in principals if p.kind == "role"}
        self._session_marks = (
            tuple(sorted(f"sts::{account}:assumed-role/".encode() for account in role_accounts))
            if len(role_accounts) <= FEW_PROBES
            else (_SESSION_MARK,)
        )
        self._user_arns = frozenset(p.arn.encode() for p in principals if p.kind == "user")
        # Every wanted user's ARN holds ``iam::ACCOUNT:user/``: searched per account (a cluster's users
        # share one or two), that 20+ byte needle lets ``bytes.find`` skip ~2x faster than ``:user/``,
        # whose ``:`` occurs in every JSON member; past FEW_PROBES accounts the generic marker is used.
        accounts = {p.account for p in principals if p.kind == "user"}
        self._user_marks = (
            tuple(sorted(f"iam::{account}:user/".encode() for account in accounts))
            if len(accounts) <= FEW_PROBES
            else (_USER_MARK,)
        )
        # A path may hold '"' or '\\', which JSON escapes: such an ARN is not in the file as it is.
        self.exact = not any(b'"' in arn or b"\\" in arn for arn in self._user_arns)
        # the same searches in the native extension where it is built (``native/``: ManyProbes, FewProbes):
        # each occurrence of a mark was a turn of a Python loop, for every record of the file
        self._many = (
            ManyProbes(
                list(self._session_marks),
                list(self._role_names),
                list(self._user_marks),
                list(self._user_arns),
                _MAX_NAME,
                _MAX_ARN,
            )
            if native and ManyProbes is not None and len(self.probes) > FEW_PROBES
            else None
        )
        self._few = (
            FewProbes([(probe, probe in self._role_probes) for probe in self.probes])
            if native and FewProbes is not None and len(self.probes) <= FEW_PROBES
            else None
        )

    def positions(self, data: bytes) -> list[int]:
        """Offsets in ``data`` of every candidate: a wanted principal's probe (unsorted, may repeat).

        Its cost does not grow with the number of principals: with more than ``FEW_PROBES`` the file is
        searched once per marker and each occurrence's name is looked up in a set.
        """
        found: list[int] = []
        if len(self.probes) <= FEW_PROBES:
            if self._few is not None:
                return self._few.positions(data)  # type: ignore[no-any-return]
            for probe in self.probes:
                found.extend(self._hits(probe, data))
            return found
        if self._many is not None:
            return self._many.positions(data)  # type: ignore[no-any-return]
        names = self._role_names
        for mark in self._session_marks if names else ():
            at = data.find(mark)
            while at >= 0:
                start = at + len(mark)
                end = data.find(b"/", start, start + _MAX_NAME + 1)
                if end >= 0:
                    if data[start:end] in names:
                        found.append(at)
                elif self._cut_name(data, start) in names:
                    found.append(at)
                at = data.find(mark, start)
        arns = self._user_arns
        for mark in self._user_marks if arns else ():
            at = data.find(mark)
            while at >= 0:
                start = data.rfind(b'"', max(0, at - _MAX_ARN), at) + 1
                end = data.find(b'"', at, at + _MAX_ARN)
                if start > 0 and end >= 0 and data[start:end] in arns:
                    found.append(start)
                at = data.find(mark, at + len(mark))
        return found

    @staticmethod
    def _cut_name(data: bytes, start: int) -> bytes:
        """The name of a session ARN cut after it (``UNSESSIONED``), when no "/" follows within a name's
        length: CloudTrail writes accountId and accessKeyId after arn, some 60 bytes without one. A cut
        ARN with a "/" soon after it is left to the scans that read every record (``session_keys``): a
        quote check on every other session's name cost this pass 40% on the benchmark."""
        cut = data.find(b'"', start, start + _MAX_NAME + 1)
        return data[start:cut].rstrip(b"\\") if cut >= 0 else b""

    def may_occur_in(self, data: bytes) -> bool:
        """A cheap pre-check on a whole file: False means no record in it can match.

        JSON may escape ``/`` as ``\\/``; CloudTrail never does, but other exporters might, so such
        files are never skipped by this check (nor, for a path JSON must escape, any file).
        """
        if len(self.probes) <= FEW_PROBES:
            found = any(next(self._hits(p, data), None) is not None for p in self.probes)
        else:
            found = bool(self.positions(data))
        return found or not self.exact or has_escaped_slash(data)

    def _hits(self, probe: bytes, data: bytes) -> Iterator[int]:
        """Each offset of ``probe`` in ``data``, one ``bytes.find`` pass; a role's probe only where the byte
        after it ends the name (``_NAME_ENDS``), not where a longer name goes on. Lazy, so that
        ``may_occur_in`` stops at the first."""
        size = len(probe)
        role = probe in self._role_probes
        at = data.find(probe)
        while at >= 0:
            if not role or data[at + size : at + size + 1] in _NAME_ENDS:
                yield at
            at = data.find(probe, at + size)

    def unsessioned_candidates(self, identity_arn: str) -> list[str] | None:
        """For an ``identity_arn`` the session lookup found as ``UNSESSIONED``: the roles whose session it
        would be with its session name, or None (another role's, or not a role session at all)."""
        return self.sessions.get(identity_arn + "/")

    def session_candidates(self, identity_arn: str) -> list[str] | None:
        """Role ARNs whose sessions could have this ``userIdentity.arn`` (issuer still to be checked)."""
        cut = identity_arn.rfind("/")
        if cut < 0:
            return None
        return self.sessions.get(identity_arn[: cut + 1])

    def match_user(self, identity_arn: str) -> str | None:
        return self.users.get(identity_arn)

    def match_issuer(self, issuer_arn: str | None, candidates: list[str]) -> str | None:
        """The requested role that issued the session; without an issuer, a single same-name role."""
        if issuer_arn is not None:
            return self.roles.get(issuer_arn)
        return candidates[0] if len(candidates) == 1 else None
