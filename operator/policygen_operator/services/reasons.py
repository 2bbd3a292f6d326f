"""Every condition and event reason the operator writes, by name (as cert-manager keeps its reasons).

A reason is one CamelCase word for scripts (``kubectl wait``, alerts); the message is the sentence for
people. Code sets reasons from these constants and never decides anything by comparing a reason it reads
back: what a decision needs (was the last failure temporary?) is asked of ``is_temporary`` here, in one
place, or carried by the error's ``Permanence``.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # Ready and the step conditions while or after running
    GENERATING = "Generating"
    PENDING = "Pending"
    READY = "Ready"
    GENERATED = "Generated"
    CONFIGMAP_UPDATED = "ConfigMapUpdated"
    CONFIGMAP_UNCHANGED = "ConfigMapUnchanged"
    PULL_REQUEST_UPDATED = "PullRequestUpdated"
    PULL_REQUEST_UP_TO_DATE = "PullRequestUpToDate"
    PULL_REQUEST_PREVIEWED = "PullRequestPreviewed"  # dryRun: cloned and edited, nothing pushed
    # failures that a retry may fix
    TEMPORARY_FAILURE = "TemporaryFailure"
    INTERNAL_ERROR = "InternalError"  # an error nothing classified: temporary by the rule in services.errors
    # failures that need a change first
    ERROR = "Error"
    INVALID_SPEC = "InvalidSpec"
    BAD_INPUT = "BadInput"
    NO_MATCHING_EVENTS = "NoMatchingEvents"
    VALIDATION_FAILED = "ValidationFailed"
    CONFIGMAP_CONFLICT = "ConfigMapConflict"
    CONFIGMAP_REJECTED = "ConfigMapRejected"
    CREDENTIALS_MISSING = "CredentialsMissing"
    CREDENTIALS_UNREADABLE = "CredentialsUnreadable"
    CREDENTIALS_INVALID = "CredentialsInvalid"  # no token looks so: see pullrequest.clean_token
    REPOSITORY_NOT_ALLOWED = "RepositoryNotAllowed"
    REPOSITORY_NOT_FOUND = "RepositoryNotFound"
    UNAUTHORIZED = "Unauthorized"
    ROLE_DEFINITION_NOT_EDITABLE = "RoleDefinitionNotEditable"
    PULL_REQUEST_REJECTED = "PullRequestRejected"
    DISCOVERY_FAILED = "DiscoveryFailed"  # rightsizing: roles could not be discovered
    CHILD_NAMESPACE_NOT_WATCHED = "ChildNamespaceNotWatched"  # a child there would never be reconciled
    CHILD_NAME_TAKEN = "ChildNameTaken"  # another object holds the name a role's child would have
    # rightsizing's own steps
    ROLES_DISCOVERED = "RolesDiscovered"
    SCANNED = "Scanned"
    SCANNING = "Scanning"  # a scan is running (Unknown for a spec not reported yet, else the status it had)
    NO_ROLES = "NoRoles"
    UP_TO_DATE = "UpToDate"
    NO_ACTIVITY = "NoActivity"
    # tenancy (services/tenancy.py, docs/tenancy.md): what a namespace may use, and credentials' destination
    SOURCE_NOT_ALLOWED = "SourceNotAllowed"
    SOURCE_NOT_FOUND = "SourceNotFound"  # temporary: creating the source is enough
    PRINCIPAL_NOT_ALLOWED = "PrincipalNotAllowed"
    SOURCE_INVALID = "SourceInvalid"  # the source object itself asks for something that cannot be (a region)
    REPOSITORY_REF_NOT_FOUND = "RepositoryRefNotFound"  # temporary: creating the repository is enough
    PATH_NOT_ALLOWED = "PathNotAllowed"
    API_HOST_NOT_ALLOWED = "APIHostNotAllowed"
    # completeness (Complete condition; a replacing pull request from incomplete data)
    ALL_FILES_READ = "AllFilesRead"
    QUERY_COMPLETED = "QueryCompleted"  # an Athena source: the query read the window's partitions
    FILES_SKIPPED = "FilesSkipped"
    BAD_RECORDS = "BadRecords"  # every file read, but records of them could not be used (lastRun.badRecords)
    INCOMPLETE_DATA = "IncompleteData"
    SCAN_TIMED_OUT = "ScanTimedOut"  # a scan ran past POLICYGEN_SCAN_TIMEOUT (permanent: narrow the window)


class EventReason(StrEnum):
    STARTED = "Started"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


# The reasons a TemporaryError may carry: a reason given to one must be listed here (tests/unit/services/
# test_errors.py lists them again, so adding one is a deliberate act), or the schedule would wait a whole
# interval instead of the backoff after it.
_TEMPORARY = frozenset(
    {
        Reason.TEMPORARY_FAILURE,
        Reason.INTERNAL_ERROR,
        Reason.SOURCE_NOT_FOUND,
        Reason.REPOSITORY_REF_NOT_FOUND,
    }
)


def is_temporary(reason: object) -> bool:
    """Whether a condition read back from status records a failure that is retried with backoff."""
    return reason in _TEMPORARY


# The refusals an admin's object decides, by the reference that names it (services/adminrefs.py): a change
# to that source or repository may lift them, so it makes the PolicyGenerations refused this way run again.
_DECIDED_BY: dict[str, str] = {
    Reason.SOURCE_NOT_ALLOWED: "source",
    Reason.SOURCE_NOT_FOUND: "source",
    Reason.PRINCIPAL_NOT_ALLOWED: "source",
    Reason.SOURCE_INVALID: "source",
    Reason.REPOSITORY_NOT_ALLOWED: "repository",
    Reason.REPOSITORY_REF_NOT_FOUND: "repository",
    Reason.PATH_NOT_ALLOWED: "repository",
    Reason.API_HOST_NOT_ALLOWED: "repository",
    Reason.CREDENTIALS_MISSING: "repository",
    Reason.CREDENTIALS_INVALID: "repository",
}


# Permanent failures of a scan that may come from where it read (a source object's bucket that does not
# exist, a prefix or regions that hold nothing): an admin's change to the source reruns them
# (services/adminrefs.py), and their message says whose the location is (services/reconcile.py).
READ_FAILURES = frozenset({Reason.INVALID_SPEC, Reason.BAD_INPUT, Reason.NO_MATCHING_EVENTS})


# Permanent failures of a pull request that may come from the repository object (its url, provider or
# credentials): an admin's change to it reruns them, and their message says whose those are.
REPOSITORY_FAILURES = frozenset({Reason.REPOSITORY_NOT_FOUND, Reason.UNAUTHORIZED})


def decided_by(reason: object) -> str | None:
    """``"source"`` or ``"repository"``: which admin object a refusal read back from status is about."""
    return _DECIDED_BY.get(reason) if isinstance(reason, str) else None
