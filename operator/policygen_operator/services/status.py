"""The status of a PolicyGeneration, shaped from plain values: no Kubernetes, no threads, no clock.

Everything here is a function of what the reconcile already knows (the status read at the start, the
conditions being edited, the scan's result), so tests can check every status and event without a fake API
server. ``services.reconcile`` decides what happens; this module decides how it reads in ``status``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from policygen_operator.adapters.errors import Permanence
from policygen_operator.domain.iam.validate import Finding
from policygen_operator.domain.timeutil import iso, parse_instant
from policygen_operator.domain.usage import UsageSummary
from policygen_operator.domain.wording import counted
from policygen_operator.services import conditions as c
from policygen_operator.services import spec as specs
from policygen_operator.services.errors import InvalidRequestError, PolicygenError
from policygen_operator.services.generation import GenerationResult, PrincipalResult, Progress
from policygen_operator.services.publish import part_key, pretty
from policygen_operator.services.pullrequest import PullRequestStatus
from policygen_operator.services.reasons import EventReason, Reason, decided_by, is_temporary
from policygen_operator.settings import OperatorSettings


@dataclass(frozen=True)
class Event:
    type: str  # Normal | Warning
    reason: str
    message: str


@dataclass
class Outcome:
    """What the handler writes (``status``), posts (``events``) and raises (``failure``)."""

    status: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    failure: Permanence | None = None  # the handler raises kopf's PermanentError or TemporaryError(delay)
    message: str = ""
    delay: float = 0.0
    cancelled: bool = False


def condition(status: Mapping[str, Any], type_: str) -> Mapping[str, Any]:
    """The condition of this type in a status read from the API server, or an empty one."""
    found: Mapping[str, Any] = next((x for x in status.get("conditions") or () if x.get("type") == type_), {})
    return found


def mark_generating(conds: c.Conditions, status: Mapping[str, Any], generation: int, message: str) -> None:
    """Ready Unknown with reason Generating at a run's start, unless the conditions already describe this
    generation: a scheduled run leaves Ready (and its lastTransitionTime) alone, and a retry keeps its
    failure until the run ends. One rule for a PolicyGeneration's own run and a Rightsizing's children."""
    if status.get("observedGeneration") != generation or not condition(status, c.READY):
        conds.set(c.READY, c.UNKNOWN, Reason.GENERATING, message)


def progress_fields(progress: Progress | None) -> dict[str, Any]:
    """``status.lastRun``'s counters from a progress report (nothing when there is none yet). What has been
    listed so far (``foldersListed``, ``objectsListed``) is shown as the CLI's progress line shows it: a
    large prefix or tree is listed for minutes before the first file is read, and a status of 0 files
    scanned all that time looked stuck."""
    if progress is None:
        return {}
    if progress.query is not None:  # an Athena query reads no files: its state and bytes scanned instead
        return {"athena": progress.query.to_status()}
    fields: dict[str, Any] = {
        "filesScanned": progress.files_scanned,
        "eventsScanned": progress.events_scanned,
        "eventsMatched": progress.events_matched,
    }
    if progress.files_total is not None:
        fields["filesTotal"] = progress.files_total
    if progress.folders_listed or progress.objects_listed:
        fields.update(foldersListed=progress.folders_listed, objectsListed=progress.objects_listed)
    return fields


# What a run counts as it goes (``progress_fields``, ``completed_run``): a new run's status starts without
# them, so a number the run has not reported yet is absent rather than the previous run's.
RUN_COUNTERS = (
    "filesScanned",
    "filesTotal",
    "filesSkipped",
    "foldersListed",
    "objectsListed",
    "eventsScanned",
    "eventsMatched",
    "badRecords",
    "rawDataRecords",
    "athena",
    "durationSeconds",
)


def started_run(
    now: datetime,
    generation: int,
    window_start: datetime,
    window_end: datetime,
    admin_generations: Mapping[str, int | None] | None = None,
) -> dict[str, Any]:
    """``status.lastRun`` (and a Rightsizing's ``lastScan``) as written when a run starts: ``completionTime``
    and every counter of the run
    before it cleared (None deletes a field in the merge patch). The status is level-based: until the
    first progress report, the previous run's files and events would read as this run's.

    ``admin_generations``: ``sourceGeneration``/``repositoryGeneration``, the generations of the admin
    objects this run read (None for an inline one), so that a nudge for a change the run already saw is
    not a second scan (``services.adminrefs.run_saw``).
    """
    return {
        "startTime": iso(now),
        "generation": generation,
        "windowStart": iso(window_start),
        "windowEnd": iso(window_end),
        "completionTime": None,
        **dict.fromkeys(RUN_COUNTERS),
        **(admin_generations or {}),
    }


_SKIP_KINDS = (
    ("KMS", ("kms",)),
    ("AccessDenied", ("accessdenied", "access denied", ": 403")),
    ("Archived", ("invalidobjectstate", "archiv", "glacier")),
    ("NotFound", ("nosuchkey", ": 404", "not found")),
    ("TooLarge", ("larger than", "too large", "size cap", "max-file-size", "inflate")),
)


def skipped_counts(skipped_files: Mapping[str, str]) -> dict[str, int]:
    """How many files were skipped for which kind of reason (AccessDenied, KMS, Archived, NotFound,
    TooLarge, Unreadable for anything else: corrupt gzip, bad JSON), from the scan's ``skipped_files``."""
    counts: dict[str, int] = {}
    for reason in skipped_files.values():
        text = reason.lower()
        kind = next((k for k, words in _SKIP_KINDS if any(w in text for w in words)), "Unreadable")
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def describe_skipped(counts: Mapping[str, int]) -> str:
    """``3 file(s) skipped (AccessDenied 2, KMS 1)``."""
    total = sum(counts.values())
    return f"{total} file(s) skipped ({', '.join(f'{k} {n}' for k, n in counts.items())})"


def incomplete_refusal(
    what: str, skipped: Mapping[str, int], way_out: str, field: str, bad_records: int = 0
) -> InvalidRequestError:
    """The refusal of a pull request that would take access away on incomplete data (``skipped``, by kind,
    and ``bad_records``): a skipped file, or a record that could not be used, may hold the only record of an
    action the role needs. One rule for a PolicyGeneration replacing managed policies, a Rightsizing's pull
    requests (each removes access) and ``policygen pr``; ``way_out`` says how the caller opts in."""
    missing = [describe_skipped(skipped)] if skipped else []
    if bad_records:
        missing.append(
            f"{bad_records} record(s) could not be used (malformed, or lacking a field the policy needs)"
        )
    # a skipped file is read by the next scan once its access is fixed; a malformed record reads no better
    # in another scan, so the way out is to check the records named and opt in
    if skipped:
        fix = "fix the access to those files (the next scan reads them) or "
    else:
        fix = "another scan reads those records no better: if none of those named can be the role's, "
    return InvalidRequestError(
        f"not proposing to {what}: {' and '.join(missing)} in the window, so the policy may lack actions "
        f"the role needs; {fix}{way_out}",
        field=field,
        reason=Reason.INCOMPLETE_DATA,
    )


def completeness(
    result: GenerationResult, skipped: Mapping[str, int], report: bool = True, bad_records: int | None = None
) -> tuple[bool, Reason, str]:
    """The Complete condition's status, reason and message: whether the policy was built from everything
    the window holds. Files skipped (``skipped``, ``skipped_counts``) or records that could not be used
    (``badRecords``, which ``--strict`` refuses alike in the CLI) make it False; both are said when both
    were met, so that a run is never called complete without a word about what it could not read.
    ``report``: whether the resource's ConfigMap holds the report that names them (a Rightsizing child's
    holds none, and a message sending its reader there would send them to nothing). ``bad_records``: the
    count that concerns the resource when the scan was for several principals (``bad_records_for``)."""
    summary = result.summary
    bad = describe_bad_records(summary.bad_records if bad_records is None else bad_records, report)
    if skipped:
        named = " (the ConfigMap's report names each file)" if report else ""
        message = (
            f"{describe_skipped(skipped)} of {summary.files_scanned + sum(skipped.values())}: the policy is "
            f"built from less than the window{named}"
        )
        return False, Reason.FILES_SKIPPED, message + (f"; {bad}" if bad else "")
    query = result.report.get("athena")
    read = describe_query(query) if query else f"{summary.files_scanned} file(s) read"
    if bad:
        return False, Reason.BAD_RECORDS, f"{read}, but {bad}"
    return True, Reason.QUERY_COMPLETED if query else Reason.ALL_FILES_READ, read


def completed_run(
    run: Mapping[str, Any], now: datetime, progress: Progress | None, result: GenerationResult | None = None
) -> dict[str, Any]:
    """``status.lastRun`` at the end of a run: the last counters (the result's when there is one)."""
    done = dict(run)
    done["completionTime"] = iso(now)
    done.update(progress_fields(progress))
    if result is not None:
        summary = result.summary
        done.update(record_counts(summary))
        query = result.report.get("athena")
        if query:  # None deletes a field in the merge patch: an earlier run's counters of the other kind
            done.update(
                athena=athena_run(query),
                filesScanned=None,
                filesTotal=None,
                filesSkipped=None,
                foldersListed=None,
                objectsListed=None,
            )
        else:
            done.update(
                filesScanned=summary.files_scanned, filesSkipped=len(summary.skipped_files), athena=None
            )
    start = parse_instant(str(run["startTime"]))
    done["durationSeconds"] = round((now - start).total_seconds(), 3)
    return done


def record_counts(summary: UsageSummary) -> dict[str, int]:
    """The event and record counters of a finished run, as the CLI's report has them: ``badRecords``
    (records that could not be used: malformed, or a requested principal's lacking a field the mapping
    reads; an Athena row without events, times or identity) and ``rawDataRecords`` (records read out of
    the base64 ``rawData`` of a Firehose stream's error output, also counted in ``eventsScanned``)."""
    return {
        "eventsScanned": summary.events_scanned,
        "eventsMatched": summary.events_matched,
        "badRecords": summary.bad_records,
        "rawDataRecords": summary.raw_data_records,
    }


def describe_bad_records(count: int, report: bool = True) -> str:
    """The Complete condition's words for unusable records (nothing when there are none); ``report`` as in
    ``completeness``."""
    if not count:
        return ""
    named = ": the ConfigMap's report's warnings name each" if report else ""
    return (
        f"{count} record(s) could not be used (malformed, or lacking a field the policy needs{named}), so "
        "the policy may lack what they recorded"
    )


def athena_run(query: Mapping[str, Any]) -> dict[str, Any]:
    """``status.lastRun.athena`` from the report's ``athena`` (``services.athena.scan_athena``'s details):
    what the query cost and found, without the SQL text (it is in the ConfigMap's report)."""
    keys = ("queryExecutionId", "bytesScanned", "estimatedCostUSD", "rows", "engineMilliseconds")
    return {"state": "SUCCEEDED", **{k: query[k] for k in keys if query.get(k) is not None}}


def describe_query(query: Mapping[str, Any]) -> str:
    """The Complete condition's message for an Athena run (it read the whole window, or it failed)."""
    return (
        f"Athena query {query.get('queryExecutionId')} read the window's partitions: "
        f"{int(query.get('rows') or 0):,} rows, {int(query.get('bytesScanned') or 0):,} bytes scanned, "
        f"estimated cost ${float(query.get('estimatedCostUSD') or 0):,.4f}"
    )


def finding_status(finding: Finding) -> dict[str, Any]:
    """One finding as ``status.findings`` holds it (the schema's fields): serialised here, at the edge."""
    return finding.to_dict()


def policy_status(found: PrincipalResult, sha256: str, generation: int) -> dict[str, Any]:
    """``status.policy``: the first part's text and what describes all parts. A split policy's further parts
    would not fit one status field people read, so ``parts`` and ``partKeys`` (the ConfigMap key of every
    part, in order) stand beside ``document`` and say where the rest is."""
    return {
        "document": pretty(found.policies[0]),
        "sha256": sha256,
        "actions": len(found.actions),
        "services": len(found.services),
        "characters": found.characters,
        "parts": len(found.policies),
        "partKeys": [part_key(i) for i in range(len(found.policies))],
        "generation": generation,
    }


def pull_request_status(opened: PullRequestStatus, *, with_diff: bool = True) -> dict[str, Any]:
    """``status.pullRequest``: the forge's answer without the fields it left empty; a preview's base commit
    and (``with_diff``: not in a rightsizing parent's row, which would hold every role's) its diff."""
    if opened.preview is not None:
        shown = {"branch": opened.branch, "baseSha": opened.head_sha, "state": opened.state}
        return {**shown, "diff": bounded_diff(opened.preview.diff)} if with_diff else shown
    return {
        k: v
        for k, v in {
            "url": opened.url,
            "number": opened.number,
            "branch": opened.branch,
            "headSha": opened.head_sha,
            "state": opened.state,
        }.items()
        if v is not None
    }


def pull_request_patch(opened: PullRequestStatus, before: Mapping[str, Any] | None) -> dict[str, Any]:
    """``status.pullRequest`` as the merge patch that writes it over ``before`` (the status the object
    has): a field the new answer lacks is set to None, which a merge patch takes as "remove" (RFC 7386), so
    a pull request opened after a preview keeps no preview's diff, and a preview no pull request's URL."""
    shown = pull_request_status(opened)
    return {**shown, **{key: None for key in before or {} if key not in shown}}


def pull_request_condition(opened: PullRequestStatus) -> tuple[str, str]:
    """The ``PullRequestOpened`` condition's reason and message for a pull request opened, refreshed or
    (``dryRun``) previewed."""
    if opened.preview is not None:
        if not opened.changed:
            return Reason.PULL_REQUEST_PREVIEWED, "dry run: the base branch already has this policy"
        files = ", ".join(opened.preview.files)
        return (
            Reason.PULL_REQUEST_PREVIEWED,
            f"dry run, nothing pushed: the pull request would change {files} (status.pullRequest.diff, "
            f"against {opened.head_sha[:12]}); set spec.output.pullRequest.dryRun to false to open it",
        )
    where = opened.url or f"branch {opened.branch}"
    reason = Reason.PULL_REQUEST_UPDATED if opened.changed else Reason.PULL_REQUEST_UP_TO_DATE
    return reason, f"{where} ({opened.state})"


# A preview's diff in status stays well inside an object's size (etcd's 1.5 MiB) beside the policy itself.
MAX_DIFF_BYTES = 64 * 1024


def bounded_diff(diff: str) -> str:
    """The diff, or its first whole lines up to ``MAX_DIFF_BYTES`` and a line saying how many were left out
    (``policygen pr --dry-run`` prints it whole). Lines end at ``\\n`` only, as git's do (a JSON string may
    hold U+2028, which ``str.splitlines`` would also end a line at: ``pullrequest._git_lines``)."""
    data = diff.encode("utf-8")
    if len(data) <= MAX_DIFF_BYTES:
        return diff
    head = data[:MAX_DIFF_BYTES]
    kept = head[: head.rfind(b"\n") + 1].decode("utf-8")
    left = diff.count("\n") - kept.count("\n")
    return kept + f"... {counted(left, 'more line')} cut; `policygen pr --dry-run` prints the whole diff\n"


def failure_message(
    err: PolicygenError, before: Mapping[str, Any], retry: int, delay: float | None, note: str = ""
) -> str:
    """What to fix, when the next try comes (``delay``, for a temporary failure; ``note`` says what a
    permanent one waits for), what is still in place."""
    message = str(err) + note
    if delay is not None:
        message += f"; retrying in {delay:.0f}s (attempt {retry + 1})"
    return message + kept_policy(before)


def kept_policy(before: Mapping[str, Any]) -> str:
    """``; the last good policy (generation N, sha256 ...) is kept``, or nothing when there is none yet."""
    kept = before.get("policy") or {}
    if not kept.get("sha256"):
        return ""
    sha256 = str(kept["sha256"])[:12]
    return f"; the last good policy (generation {kept.get('generation')}, sha256 {sha256}) is kept"


def outcome(
    before: Mapping[str, Any],
    conds: c.Conditions,
    status: dict[str, Any],
    failure: Permanence | None = None,
    message: str = "",
    delay: float = 0.0,
) -> Outcome:
    """Ready from the other conditions, the events its transition calls for, and the failure to raise."""
    required = [c.GENERATED, c.PUBLISHED]
    if conds.get(c.PULL_REQUEST_OPENED) is not None:
        required.append(c.PULL_REQUEST_OPENED)
    conds.summarize(required)
    status["conditions"] = conds.as_list()
    events = transition_events(before, conds, status)
    if failure is None:
        return Outcome(status=status, events=events)
    return Outcome(status=status, events=events, failure=failure, message=message, delay=delay)


def transition_events(
    before: Mapping[str, Any], conds: c.Conditions, status: Mapping[str, Any]
) -> list[Event]:
    """Events on transitions only: a retry that fails the same way again posts nothing."""
    ready = conds.get(c.READY) or {}
    was = condition(before, c.READY)
    if ready.get("status") == c.TRUE:
        if conds.flipped(c.READY) or "policy" in status:
            return [Event("Normal", EventReason.SUCCEEDED, str(ready.get("message", "")))]
        return []
    if conds.flipped(c.READY) or was.get("reason") != ready.get("reason"):
        return [Event("Warning", EventReason.FAILED, f"{ready.get('reason')}: {ready.get('message', '')}")]
    return []


def scheduled_run_due(
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    generation: int,
    now: datetime,
    settings: OperatorSettings,
) -> bool:
    """Whether ``spec.schedule.interval`` calls for a run now.

    Only for a generation the spec handlers have already handled (they own the first run of each spec);
    a temporary failure is retried after the backoff rather than a whole interval later.
    """
    try:
        interval = specs.schedule_interval(spec)
    except InvalidRequestError:
        return False
    if interval is None or status.get("observedGeneration") != generation:
        return False
    last_run = status.get("lastRun") or {}
    finished = last_run.get("completionTime")
    if not finished:
        return False  # never finished or running now: the spec handlers are on it
    generated = condition(status, c.GENERATED)
    if (
        generated.get("status") == c.FALSE
        and decided_by(generated.get("reason"))
        and not is_temporary(generated.get("reason"))
    ):
        # refused by an admin's object: the admin's change reruns it (services/adminrefs.py); a refused run
        # writes no completion time, so the schedule would otherwise run it again at every timer tick
        return False
    wait = interval.total_seconds()
    if generated.get("status") == c.FALSE and is_temporary(generated.get("reason")):
        wait = min(wait, settings.backoff(0))
    elapsed = (now - specs.parse_time(str(finished), "status.lastRun.completionTime")).total_seconds()
    return elapsed >= wait
