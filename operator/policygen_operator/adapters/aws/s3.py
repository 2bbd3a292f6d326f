"""CloudTrail logs in S3: list only the prefixes a scan needs, download in parallel, in order.

A trail bucket can hold years of every account and region; listing it whole would cost more than the
scan. The delivery layout ``[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`` lets us
list level by level with ``Delimiter='/'`` (one call per level to discover organizations, accounts and
regions that were not given) and then list only the day folders of the window. Downloads run in a
bounded thread pool that stays a few files ahead of the scan, so memory does not grow with the bucket.

A prefix with no ``AWSLogs/`` folder below it is an archive in another layout (Kinesis Data Firehose's
``YYYY/MM/dd/HH/`` or a custom prefix, a CloudWatch Logs export's ``TASK/STREAM/000000.gz``): it is walked
folder by folder with the same ``Delimiter='/'``, time folders outside the window passed over unwalked
(a few pages listed, to see that what they hold is time folders: ``Listing.enters``; a folder entered
after all is listed on from them, not again), and its objects are read as a local folder's files are: by
name, or, for a name that says nothing (Firehose's have no extension), when their first bytes are a form
the scan reads; those bytes are fetched first alone
(``Range``), and the rest only then, so that a log bucket's other objects (S3 access logs, reports,
tables) cost a small read each, when their names (``local.other_logs``) do not already pass them over
unrequested. A prefix that holds ``AWSLogs/`` beside other folders (a trail's bucket that a Firehose
stream or an export also writes to) has its delivery layout read as above, and the folders beside it
counted, not walked (``keys``).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from policygen_operator.adapters.aws.errors import (
    UNREADABLE_OBJECT_CODES,
    AwsError,
    classify,
    error_code,
)
from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.cloudtrail.limits import DEFAULT_MAX_FILE_BYTES, describe_size
from policygen_operator.domain.cloudtrail.local import LOG_SUFFIXES, Listing
from policygen_operator.domain.cloudtrail.sniff import HEAD_BYTES, not_logs
from policygen_operator.domain.cloudtrail.window import Window, is_digest, parse_delivery_name
from policygen_operator.domain.engine import ScanCancelled

_READ_BYTES = 1024 * 1024  # an object is read in pieces of this size, up to the cap
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_ACCOUNT = re.compile(r"^\d{12}$")
MAX_PAGES_PER_LISTING = 1000
PEEK_PAGES = 10  # pages of a peek into a time folder outside the window (S3DeliveryLogs.peek_pages)
# Folders an archive's walk lists at most: a Firehose archive of ten years by the hour is ~90,000 folders,
# of which a window's walk lists a few dozen; a walk past this cap is a bucket that is no archive of logs
# (or a prefix far wider than meant), said as such rather than listed for hours.
MAX_ARCHIVE_FOLDERS = 100_000


class ListingTooLong(AwsError):
    """A listing past ``max_pages``: in an archive walk, its folder is named and the walk goes on."""


@dataclass
class S3Location:
    """Where the delivery layout starts, and what the URI itself already pins down."""

    bucket: str
    base: str  # ends with "AWSLogs/"
    organization_id: str | None = None
    account_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    # The URI names one account folder (``AWSLogs/[o-ORG/]ACCOUNT/``): only that one is read, not the same
    # account under another (or no) organization.
    account_root: str | None = None
    # What the URI names below the region folder (``2026/11/25/``, ``2026/11/``, or one object key):
    # only the day folders (or the key) it names are listed; empty when the URI stops at the region.
    below_region: str = ""
    # The URI's prefix when it does not reach into ``AWSLogs/``: walked as an archive when ``base`` holds
    # nothing. None when the URI names a place in the delivery layout.
    archive: str | None = None


def locate(
    bucket: str, prefix: str, organization_id: str | None, accounts: tuple[str, ...], regions: tuple[str, ...]
) -> S3Location:
    """Read a prefix that may stop before ``AWSLogs/`` or reach into it (``.../AWSLogs/o-x/1111/``), down
    to a day folder or one object key (``.../CloudTrail/us-east-1/2026/11/25/``): what it names is the
    most that is read."""
    parts = [p for p in prefix.split("/") if p]
    if "AWSLogs" not in parts:
        base = "/".join([*parts, "AWSLogs"]) + "/"
        archive = "/".join(parts) + ("/" if parts and prefix.endswith("/") else "")
        return S3Location(bucket, base, organization_id, accounts, regions, archive=archive)
    cut = parts.index("AWSLogs")
    base = "/".join(parts[: cut + 1]) + "/"
    rest = parts[cut + 1 :]
    root = base
    if rest and _ORG.match(rest[0]):
        organization_id = rest.pop(0)
        root += f"{organization_id}/"
    account_root = None
    if rest and _ACCOUNT.match(rest[0]):
        accounts = (rest.pop(0),)
        account_root = f"{root}{accounts[0]}/"
    below = ""
    if account_root and len(rest) >= 2 and rest[0] == "CloudTrail":
        regions = (rest[1],)
        below = "/".join(rest[2:])
        if below and prefix.endswith("/"):
            below += "/"
    return S3Location(bucket, base, organization_id, accounts, regions, account_root, below)


@dataclass
class S3DeliveryLogs:
    """Lists and downloads the delivery files of one location for one window."""

    client: Any
    location: S3Location
    window: Window
    listing: Listing
    threads: int = 16
    unreadable: dict[str, str] = field(default_factory=dict)  # s3:// URI -> why
    list_calls: int = 0
    cancel: threading.Event | None = None  # set: the next listing call raises ScanCancelled
    max_pages: int = MAX_PAGES_PER_LISTING
    # How many pages a peek into a time folder outside the window lists before it enters the folder instead
    # (``_subfolders``): a time folder holds its next time folders (a page) or its objects (a Firehose
    # hour's, a few hundred to a few thousand); ten pages is 10,000 keys.
    peek_pages: int = PEEK_PAGES
    max_folders: int = MAX_ARCHIVE_FOLDERS
    # Objects larger than this are skipped and named, never downloaded; reads stop at it as well (the
    # scan then applies it to the inflated size). Downloads ahead of the scan are bounded by count and by
    # the listed sizes, so memory does not depend on what the bucket holds.
    max_object_bytes: int = DEFAULT_MAX_FILE_BYTES
    ahead_bytes: int = 64 * 1024 * 1024
    _sizes: dict[str, int] = field(default_factory=dict, repr=False)  # listed size of keys not yet fetched
    _named: set[str] = field(default_factory=set, repr=False)  # the key the URI names: read whole, unsniffed
    _no_layout: bool = field(default=False, repr=False)  # the URI's prefix holds no AWSLogs/ folder
    # the first pages of folders a peek listed and the walk is to enter (``_keep``), by folder
    _peeked: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict, repr=False)

    # -- listing -------------------------------------------------------------------------------------

    def _list(
        self, prefix: str, *, delimiter: bool, kept: tuple[dict[str, Any], ...] = ()
    ) -> Iterator[dict[str, Any]]:
        """The pages of one listing, at most ``max_pages``, checking ``cancel`` before every call. ``kept``:
        its first pages, listed already by a peek (``_subfolders``), given again without a call, the
        listing going on from the last one's continuation token.

        An endpoint that answers ``IsTruncated`` for ever (or repeats a continuation token) would keep a
        scan slot busy for ever: the cap makes it a permanent error naming the prefix. One day folder of
        one account and region holds a few thousand delivery files, far below the cap.
        """
        kwargs: dict[str, Any] = {"Bucket": self.location.bucket, "Prefix": prefix}
        if delimiter:
            kwargs["Delimiter"] = "/"
        where = f"s3://{self.location.bucket}/{prefix}"
        seen: set[str] = set()
        try:
            for page in kept:
                yield page
                if not (token := _next_token(page, seen, where)):
                    return
                kwargs["ContinuationToken"] = token
            for _ in range(self.max_pages - len(kept)):
                if self.cancel is not None and self.cancel.is_set():
                    raise ScanCancelled(f"cancelled while listing {where}")
                self.list_calls += 1
                page = self.client.list_objects_v2(**kwargs)
                self.listing.listed(0 if seen else 1, len(page.get("Contents", ())))
                yield page
                if not (token := _next_token(page, seen, where)):
                    return
                kwargs["ContinuationToken"] = token
        except (ClientError, BotoCoreError) as error:
            raise classify(error, f"listing {where}") from error
        raise ListingTooLong(
            f"listing {where}: more than {self.max_pages} pages ({self.max_pages * 1000} keys) in one "
            "folder; this is not a CloudTrail delivery folder, or the endpoint never ends its listing",
            permanence=Permanence.PERMANENT,
            field="source",
        )

    def _children(self, prefix: str) -> list[str]:
        """The next level of folder names under ``prefix``."""
        names: list[str] = []
        for page in self._list(prefix, delimiter=True):
            names.extend(p["Prefix"][len(prefix) :].rstrip("/") for p in page.get("CommonPrefixes", []))
        return sorted(names)

    def account_roots(self) -> list[str]:
        """``.../AWSLogs/[o-org/]ACCOUNT/`` prefixes to read; discovered only where not given."""
        loc = self.location
        if loc.account_root is not None:
            return [loc.account_root]
        if loc.organization_id and loc.account_ids:
            return [f"{loc.base}{loc.organization_id}/{a}/" for a in loc.account_ids]
        roots: list[str] = []
        children = self._children(loc.base)
        self._no_layout = not children
        for child in children:
            if _ACCOUNT.match(child) and loc.organization_id is None:
                roots.append(f"{loc.base}{child}/")
            elif _ORG.match(child) and loc.organization_id in (None, child):
                org = f"{loc.base}{child}/"
                roots.extend(f"{org}{a}/" for a in self._children(org) if _ACCOUNT.match(a))
        if loc.account_ids:
            kept = [r for r in roots if r.rstrip("/").rsplit("/", 1)[-1] in loc.account_ids]
            self.listing.folders_filtered_out += len(roots) - len(kept)
            roots = kept
        return roots

    def region_prefixes(self, roots: list[str]) -> Iterator[str]:
        for root in roots:
            trail = f"{root}CloudTrail/"
            regions = self.location.regions or tuple(self._children(trail))
            for region in regions:
                yield f"{trail}{region}/"

    def day_prefixes(self) -> list[str]:
        """What to list under each region folder: the window's day folders, narrowed to what the URI names
        below the region (a year, a month, a day folder, or one key inside a day folder)."""
        below = self.location.below_region
        prefixes: list[str] = []
        for day in self.window.days():
            folder = f"{day:%Y/%m/%d}/"
            if folder.startswith(below):
                prefixes.append(folder)
            elif below.startswith(folder):
                prefixes.append(below)  # a key, or a part of its name, inside this day folder
        return prefixes

    def keys(self) -> Iterator[str]:
        """Every delivery key of the window, day folder by day folder, oldest first; or, when the URI's
        prefix holds no ``AWSLogs/`` folder, every object of the archive there (``_archive_keys``). A prefix
        holding ``AWSLogs/`` is a trail's: the folders beside it (another trail's ``PREFIX/AWSLogs/``, which
        logs the same calls again, a Firehose stream, a data lake) are counted and said, not walked; a
        walk of them cost a request per object of a log bucket and read a second trail twice."""
        roots = self.account_roots()
        archive = self.location.archive
        if archive is not None and self._no_layout:
            yield from self._archive_keys(archive)
            return
        yield from self._delivery_keys(roots)
        if archive is not None:
            self._count_beside(archive)

    def _count_beside(self, archive: str) -> None:
        """The folders beside a prefix's ``AWSLogs/``, from one listing of its top (its first page): what
        the run did not read is said, with how to read it (their own prefix)."""
        try:
            for page in self._list(archive, delimiter=True):
                folders = [c["Prefix"] for c in page.get("CommonPrefixes", [])]
                self.listing.folders_beside_trail += sum(1 for f in folders if f != self.location.base)
                break
        except AwsError as error:
            if error.permanence is not Permanence.PERMANENT:
                raise
            # a bucket policy that grants AWSLogs/ alone: nothing beside it was going to be read anyway

    def _delivery_keys(self, roots: list[str]) -> Iterator[str]:
        days = self.day_prefixes()
        for region_prefix in self.region_prefixes(roots):
            for day in days:
                for page in self._list(f"{region_prefix}{day}", delimiter=False):
                    for entry in page.get("Contents", []):
                        key = entry["Key"]
                        if self._wanted(key):
                            self._sizes[key] = int(entry.get("Size") or 0)
                            yield key

    def _wanted(self, key: str) -> bool:
        if is_digest(key):
            self.listing.digests += 1
            return False
        name = parse_delivery_name(key)
        if name is not None and not self.window.may_hold(name.written):
            self.listing.outside_window += 1
            return False
        return True

    def _archive_keys(self, prefix: str) -> Iterator[str]:
        """The objects below ``prefix``, folder by folder in key order, each folder listed once (bounded by
        ``max_pages`` as every listing is) and a time folder outside the window never listed. A prefix that
        does not end in ``/`` names one object or one folder, never the siblings its text begins."""
        loc = self.location
        days = set(self.window.days())
        exact = prefix if prefix and not prefix.endswith("/") else None
        folders = [prefix]
        walked = 0
        while folders:
            folder = folders.pop()
            walked += 1
            if walked > self.max_folders:
                raise AwsError(
                    f"listing s3://{loc.bucket}/{prefix}: more than {self.max_folders} folders below it in "
                    "the window; give the prefix of one archive (a Firehose stream's, an export task's)",
                    permanence=Permanence.PERMANENT,
                    field="source",
                )
            found: list[str] = []
            try:
                for page in self._list(folder, delimiter=True, kept=self._peeked.pop(folder, ())):
                    for entry in page.get("Contents", []):
                        key = entry["Key"]
                        if (exact is not None and key != exact) or key.endswith("/"):  # a console's folder
                            continue
                        # the object the URI names is read whatever its name says, as a file given by
                        # name is (``local_files``): a user who names it wants it, and the scan says
                        # why, if it holds no logs; passed over by name, it vanished without a word
                        named = key == exact
                        if named:
                            self._named.add(key)
                        if named or self.listing.passes(key, self.window, loc.account_ids, loc.regions):
                            self._sizes[key] = int(entry.get("Size") or 0)
                            yield key
                    for common in page.get("CommonPrefixes", []):
                        sub = common["Prefix"]
                        if exact is not None and sub != f"{exact}/":
                            continue
                        peeked: list[dict[str, Any]] = []
                        peek = partial(self._subfolders, sub, peeked)
                        if self.listing.enters(sub, self.window, days, loc.account_ids, loc.regions, peek):
                            found.append(sub)
                            self._keep(sub, peeked)
            except ListingTooLong:
                # one folder of millions of objects (a log bucket's S3 access logs, flat) is not the archive
                # walk's end: what its pages held is read, the rest of it named, the other folders walked
                self.unreadable[f"s3://{loc.bucket}/{folder}"] = (
                    f"listed in part: more than {self.max_pages:,} pages ({self.max_pages * 1000:,} keys) in "
                    "one folder, the keys past them not listed; give the prefix of the archive to read"
                )
            exact = None
            folders.extend(reversed(found))

    def _subfolders(self, prefix: str, pages: list[dict[str, Any]]) -> Iterator[str | None]:
        """The folders of a folder, page by page (``Listing.enters``' peek at an archive's time folder
        outside the window, which stops asking at the first folder that is not a time folder); each page
        listed is put in ``pages``, for the walk to take up if it enters the folder (``_keep``).

        A page lists keys and folders together in key order, so a folder of more than a page of objects
        shows the folders sorting after them (``AWSLogs/`` after ``000000.gz``) only on a later page:
        reading the first page alone passed such a folder over, a trail's records of the window with it.
        Past ``peek_pages`` pages with more to come, None: the folder is entered rather than judged on
        what was not seen (entering costs its listing; a wrong skip, its records)."""
        for page in self._list(prefix, delimiter=True):
            pages.append(page)
            for common in page.get("CommonPrefixes", []):
                yield common["Prefix"][len(prefix) :].rstrip("/")
            if page.get("IsTruncated") and len(pages) >= min(self.peek_pages, self.max_pages):
                yield None
                return

    def _keep(self, folder: str, pages: list[dict[str, Any]]) -> None:
        """Keeps the pages a peek listed of a folder the walk is to enter, so that its listing starts
        from them (``_list``'s ``kept``) instead of asking for them again: a peeked folder that was
        entered was listed twice. At most ``peek_pages`` pages are held at once across the folders
        waiting to be walked; a folder past that keeps the first pages there is room for."""
        room = self.peek_pages - sum(len(held) for held in self._peeked.values())
        if pages and room > 0:
            self._peeked[folder] = tuple(pages[:room])

    # -- downloads -----------------------------------------------------------------------------------

    def _get(
        self, key: str, listed: int = 0, sniff: bool = False, held: tuple[_Budget, int] | None = None
    ) -> bytes | str | None:
        """The object's bytes; None when it is not read (named in ``unreadable``). With ``sniff`` (a name
        that does not say it holds logs) and an object larger than the head the decision needs, only its
        first ``HEAD_BYTES`` are fetched (``Range``), and the rest (``Range: bytes=N-``, on the same ETag)
        only when they begin as logs: a bucket's other objects (access logs, reports, query results) cost
        one small read each, not their size, and no byte is fetched twice. Returns the reason to count
        (``sniff.not_logs``) for an object passed over. ``held`` (the budget of ``objects`` and this
        object's place in it) counted the head alone: the rest waits for room in it."""
        uri = f"s3://{self.location.bucket}/{key}"
        try:
            if not sniff:
                return self._read(key)
            if listed == 0:
                return "notLogFiles"  # an empty object (a console's folder marker) holds nothing to read
            if listed <= HEAD_BYTES:
                return self._read_sniffed(key)
            head, total, etag, ranged = self._head(key)
            why = not_logs(head)
            if why is not None or len(head) >= total:  # passed over, or shrunk since listed: all of it
                return why or head
            if total > self.max_object_bytes:
                self.unreadable[uri] = self._too_large()
                return None
            if held is not None and not held[0].grow(held[1], total):
                return None  # the walk was given up while this waited
            if not ranged:  # the endpoint ignored Range: the rest cannot be asked for alone either
                return self._read_sniffed(key)
            try:
                rest = self._read(key, len(head), etag)
            except ClientError as error:
                if error_code(error) not in ("PreconditionFailed", "InvalidRange"):
                    raise
                return self._read_sniffed(key)  # replaced since its head was read: the new one, whole
            return None if rest is None else head + rest
        except ClientError as error:
            code = error_code(error)
            if code in UNREADABLE_OBJECT_CODES:
                self.unreadable[uri] = f"unreadable S3 object: {code}"
                return None
            raise classify(error, f"reading {uri}") from error
        except BotoCoreError as error:
            raise classify(error, f"reading {uri}") from error

    def _read_sniffed(self, key: str) -> bytes | str | None:
        """An object read whole in one request, when a ranged read of its head would not save one (it is
        no larger than the head) or no longer holds (it was replaced between the two reads): its bytes,
        or why it is passed over (``sniff.not_logs``)."""
        data = self._read(key)
        return data if data is None else not_logs(data[:HEAD_BYTES]) or data

    def _head(self, key: str) -> tuple[bytes, int, str, bool]:
        """The first ``HEAD_BYTES`` of an object, its whole size (``Content-Range``), its ETag, and whether
        the endpoint answered the range; an empty object (emptied since it was listed) answers a range with
        ``InvalidRange``. A server may ignore ``Range`` and send the whole object (RFC 9110, 14.2: "A server
        MAY ignore the Range header field"), without ``Content-Range``: its size is then the answer's
        ``Content-Length``, never the head's, which would cut the object to its first bytes."""
        try:
            response = self.client.get_object(
                Bucket=self.location.bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}"
            )
        except ClientError as error:
            if error_code(error) == "InvalidRange":
                return b"", 0, "", True
            raise
        body = response["Body"]
        try:
            head: bytes = body.read(HEAD_BYTES)
        finally:
            body.close()
        content_range = str(response.get("ContentRange") or "")
        whole = content_range.rpartition("/")[2]
        if content_range:
            total = int(whole) if whole.isdigit() else len(head)
        else:
            total = max(int(response.get("ContentLength") or 0), len(head))
        return head, total, str(response.get("ETag") or ""), bool(content_range)

    def _read(self, key: str, offset: int = 0, etag: str = "") -> bytes | None:
        """An object's bytes from ``offset`` up to the size cap; None, named in ``unreadable``, past it. A
        read of the rest (``offset``) is on the ETag of the head read: an object replaced between the two
        fails (``PreconditionFailed``) rather than give the new one's end after the old one's start."""
        uri = f"s3://{self.location.bucket}/{key}"
        limit = self.max_object_bytes - offset
        extra = {"Range": f"bytes={offset}-", **({"IfMatch": etag} if etag else {})} if offset else {}
        response = self.client.get_object(Bucket=self.location.bucket, Key=key, **extra)
        # a 200 without Content-Range to a read of the rest: the range was ignored, the object came whole
        # (``_head``), and the rest is what follows its first ``offset`` bytes
        from_start = offset if offset and not response.get("ContentRange") else 0
        limit += from_start
        body = response["Body"]
        try:
            if int(response.get("ContentLength") or 0) > limit:  # grew since it was listed
                self.unreadable[uri] = self._too_large()
                return None
            parts: list[bytes] = []
            size = 0
            while size <= limit and (part := body.read(min(_READ_BYTES, limit + 1 - size))):
                parts.append(part)
                size += len(part)
        finally:
            body.close()
        if size > limit:
            self.unreadable[uri] = self._too_large()
            return None
        return b"".join(parts)[from_start:]

    def _too_large(self) -> str:
        return f"S3 object larger than {describe_size(self.max_object_bytes)} (the file size cap)"

    def objects(self) -> Iterator[tuple[str, bytes]]:
        """``(s3:// URI, bytes)`` in listing order, at most ``2 * threads`` downloads and, beyond the
        first, ``ahead_bytes`` ahead (``_Budget``: an object named as logs counted at its listed size, one
        of another name at its head until the head says it is logs); objects named as logs and listed past
        the cap are named, not read, and one of another name only once its head says it is logs (a large
        report or table beside the trail is no file the scan skipped). An object passed over leaves the
        queue as soon as it is decided, whatever is ahead of it."""
        budget = _Budget(self.ahead_bytes)
        with ThreadPoolExecutor(self.threads, thread_name_prefix="policygen-s3") as pool:
            ahead: deque[tuple[int, str, Future[bytes | str | None]]] = deque()
            try:
                for place, key in enumerate(self.keys()):
                    size = self._sizes.pop(key, 0)
                    sniff = not key.endswith(LOG_SUFFIXES) and key not in self._named
                    if size > self.max_object_bytes and not sniff:
                        self.unreadable[f"s3://{self.location.bucket}/{key}"] = self._too_large()
                        continue
                    first = min(size, HEAD_BYTES) if sniff else size
                    while ahead and (len(ahead) >= self.threads * 2 or not budget.fits(first)):
                        if self._passed_over(ahead, budget):
                            continue
                        if ahead[0][2].done():
                            yield from self._ready(ahead, budget)
                        else:
                            wait([f for _, _, f in ahead if not f.done()], return_when=FIRST_COMPLETED)
                    budget.hold(place, first)
                    ahead.append((place, key, pool.submit(self._get, key, size, sniff, (budget, place))))
                while ahead:
                    yield from self._ready(ahead, budget)
            finally:
                budget.close()
                for _, _, future in ahead:
                    future.cancel()

    def _passed_over(self, ahead: deque[tuple[int, str, Future[bytes | str | None]]], budget: _Budget) -> int:
        """Takes the objects decided without data (passed over for their head, or not read) out of the
        queue wherever they are, counting them (``_ready``), and how many: they hold nothing the scan
        waits for, so neither their place nor their bytes are kept from the downloads after them."""
        done = [
            entry
            for entry in ahead
            if entry[2].done() and entry[2].exception() is None and not isinstance(entry[2].result(), bytes)
        ]
        for entry in done:
            ahead.remove(entry)
            budget.release(entry[0])
            data = entry[2].result()
            if isinstance(data, str):
                self.listing.skip(data)
        return len(done)

    def _ready(
        self, ahead: deque[tuple[int, str, Future[bytes | str | None]]], budget: _Budget
    ) -> Iterator[tuple[str, bytes]]:
        """The next object downloaded; one whose name is not a log's and whose first bytes are no form the
        scan reads (the marker ``aws-logs-write-test`` CloudWatch Logs writes beside an export is not) was
        passed over by ``_get``, and is counted here by reason."""
        place, key, future = ahead.popleft()
        try:
            data = future.result()
        finally:
            budget.release(place)
        if data is None:
            return
        if isinstance(data, str):
            self.listing.skip(data)
            return
        yield f"s3://{self.location.bucket}/{key}", data


def _next_token(page: dict[str, Any], seen: set[str], where: str) -> str:
    """The continuation token of a listing's next page ("" once the listing ended), kept in ``seen``; an
    endpoint that says the listing goes on but repeats or omits its token is a permanent error."""
    if not page.get("IsTruncated"):
        return ""
    token = page.get("NextContinuationToken")
    if not token or token in seen:
        raise AwsError(
            f"listing {where}: the endpoint said the listing goes on but repeated or omitted its "
            "continuation token",
            permanence=Permanence.PERMANENT,
            field="source",
        )
    seen.add(token)
    return str(token)


class _Budget:
    """The bytes the downloads ahead of the scan hold or are about to (``S3DeliveryLogs.objects``), by
    their place in the listing: an object named as logs its listed size, read whole; one of another name
    its head while the head decides (``sniff``), its size once it grows (``grow``) to its rest. Counting a
    sniffed object at its listed size held the budget for bytes never fetched: a log bucket's large
    objects of other services, each passed over for 4 KiB, were fetched one after another. The oldest
    place never waits to grow (it is the one the scan waits for), so a walk cannot stall on itself."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[int, int] = {}
        self._changed = threading.Condition()
        self._closed = False

    def fits(self, size: int) -> bool:
        with self._changed:
            return sum(self._held.values()) + size <= self.limit

    def hold(self, place: int, size: int) -> None:
        with self._changed:
            self._held[place] = size

    def release(self, place: int) -> None:
        with self._changed:
            self._held.pop(place, None)
            self._changed.notify_all()

    def grow(self, place: int, size: int) -> bool:
        """Waits until ``place`` may hold ``size``: room in the limit, or no older place; False once the
        walk is given up (``close``)."""
        with self._changed:
            while not self._closed and place != min(self._held, default=place):
                if sum(self._held.values()) - self._held.get(place, 0) + size <= self.limit:
                    break
                self._changed.wait()
            self._held[place] = size
            return not self._closed

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
