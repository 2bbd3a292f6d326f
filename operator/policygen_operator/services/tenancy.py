"""Resolve a PolicyGeneration's ``spec.sourceRef`` and ``spec.output.pullRequest.repositoryRef``.

Admins own where logs are read and where pull requests go (``CloudTrailSource``/``ClusterCloudTrailSource``,
``PolicyRepository``/``ClusterPolicyRepository``; the cert-manager Issuer/ClusterIssuer pattern); a team's
PolicyGeneration names one and says only what is its own (principal, window, path, format). This module
reads the named object, checks that the namespace may use it and that the principal and path are within
what it allows, and returns what a run needs. Every refusal is an ``InvalidRequestError`` whose reason is
one CamelCase word and whose message says what to ask the admin for; nothing has been read from AWS or sent
to a forge at that point.

The inline forms (``spec.cloudTrail``, ``spec.output.pullRequest.repository``) are honoured only when the
operator runs single-tenant (``POLICYGEN_SINGLE_TENANT=true``): there, whoever writes a PolicyGeneration is
the admin. ``resolve`` turns either form into the inline shape (``effective_spec``) that ``services.spec``
already reads, plus what the inline shape cannot carry (external id, where the credentials Secret lives).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from policygen_operator.domain.tenancy import namespace_allowed, path_allowed, principal_allowed
from policygen_operator.services.errors import InvalidRequestError, TemporaryError
from policygen_operator.services.pullrequest import safe_relative_path
from policygen_operator.services.reasons import Reason
from policygen_operator.services.spec import check_regions, region_field, region_fields

SOURCE_KINDS = {
    "CloudTrailSource": "cloudtrailsources",
    "ClusterCloudTrailSource": "clustercloudtrailsources",
}
REPOSITORY_KINDS = {
    "PolicyRepository": "policyrepositories",
    "ClusterPolicyRepository": "clusterpolicyrepositories",
}

SOURCE_NOT_ALLOWED = Reason.SOURCE_NOT_ALLOWED
SOURCE_NOT_FOUND = Reason.SOURCE_NOT_FOUND
PRINCIPAL_NOT_ALLOWED = Reason.PRINCIPAL_NOT_ALLOWED
SOURCE_INVALID = Reason.SOURCE_INVALID
REPOSITORY_NOT_ALLOWED = Reason.REPOSITORY_NOT_ALLOWED
REPOSITORY_REF_NOT_FOUND = Reason.REPOSITORY_REF_NOT_FOUND
PATH_NOT_ALLOWED = Reason.PATH_NOT_ALLOWED

_SOURCE_FIELD = "spec.sourceRef"
_REPOSITORY_FIELD = "spec.output.pullRequest.repositoryRef"


class TenancyPort(Protocol):
    """What resolution reads from the API server (``KubeClient`` implements it)."""

    async def get_policygen_object(
        self, plural: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        """A policygen.io/v1alpha1 object (``namespace`` None: cluster-scoped), or None when missing."""
        ...

    async def namespace_labels(self, name: str) -> dict[str, str] | None:
        """The labels of a Namespace, or None when it does not exist."""
        ...


class TenancyCache:
    """The admin objects and Namespace labels one pass reads, each read once: resolving the source for 200
    roles costs one API read, not 200."""

    def __init__(self, port: TenancyPort) -> None:
        self.port = port
        self._objects: dict[tuple[str, str | None, str], dict[str, Any] | None] = {}
        self._labels: dict[str, dict[str, str] | None] = {}

    async def get_policygen_object(
        self, plural: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        key = (plural, namespace, name)
        if key not in self._objects:
            self._objects[key] = await self.port.get_policygen_object(plural, namespace, name)
        return self._objects[key]

    async def namespace_labels(self, name: str) -> dict[str, str] | None:
        if name not in self._labels:
            self._labels[name] = await self.port.namespace_labels(name)
        return self._labels[name]

    def pin(self, plural: str, namespace: str | None, name: str, body: dict[str, Any] | None) -> None:
        """Answer for this object with ``body`` (as a watch event showed it; None: deleted), not a read."""
        self._objects[(plural, namespace, name)] = body

    def pin_labels(self, name: str, labels: dict[str, str] | None) -> None:
        """Answer for this Namespace's labels with ``labels`` (as a watch event showed them), not a read."""
        self._labels[name] = labels


@dataclass(frozen=True)
class SourceAccess:
    """Where and how to read the logs for one PolicyGeneration, from its source (or inline spec)."""

    cloud_trail: dict[str, Any]  # ``spec.cloudTrail``-shaped: {KIND: {...}}, s3/local/athena/lookupEvents
    region: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    ref: str | None = None  # "ClusterCloudTrailSource/org-trail"; None for an inline source
    generation: int | None = None  # the source object's metadata.generation as read (None: inline)


@dataclass(frozen=True)
class RepositoryAccess:
    """Where a PolicyGeneration's pull request goes, from its repository object (or inline spec)."""

    pull_request: dict[str, Any]  # the inline ``spec.output.pullRequest`` shape
    secret_namespace: str | None = None  # where credentialsSecretRef lives
    ref: str | None = None
    generation: int | None = None  # the repository object's metadata.generation as read (None: inline)


@dataclass(frozen=True)
class Resolved:
    """A PolicyGeneration with its references resolved: the inline-shaped spec plus what it cannot carry."""

    spec: dict[str, Any]
    source: SourceAccess
    repository: RepositoryAccess | None = None
    refs: dict[str, str] = field(default_factory=dict)  # for status: {"source": ..., "repository": ...}


@dataclass(frozen=True)
class _Kinds:
    plurals: Mapping[str, str]  # kind -> plural
    default: str
    field: str
    not_found: str
    not_allowed: str
    fix: str  # what else the user can do when the object is missing


_SOURCES = _Kinds(
    SOURCE_KINDS,
    "CloudTrailSource",
    _SOURCE_FIELD,
    SOURCE_NOT_FOUND,
    SOURCE_NOT_ALLOWED,
    "fix spec.sourceRef",
)
_REPOSITORIES = _Kinds(
    REPOSITORY_KINDS,
    "PolicyRepository",
    _REPOSITORY_FIELD,
    REPOSITORY_REF_NOT_FOUND,
    REPOSITORY_NOT_ALLOWED,
    "fix spec.output.pullRequest.repositoryRef",
)


@dataclass(frozen=True)
class _AdminObject:
    ref: str  # "kind/name"
    where: str  # as messages name it: "ClusterCloudTrailSource org-trail", "CloudTrailSource team/own"
    cluster: bool
    spec: Mapping[str, Any]
    generation: int | None


async def _admin_object(
    port: TenancyPort, ref: Mapping[str, Any], kinds: _Kinds, namespace: str
) -> _AdminObject:
    """The named object, once this namespace may use it.

    A namespaced object serves its own namespace only (it is read from there, so another namespace's reads
    as missing); a cluster one serves the namespaces its ``spec.namespaces`` lists or selects.
    """
    kind = str(ref.get("kind") or kinds.default)
    if kind not in kinds.plurals:
        raise InvalidRequestError(
            f"kind {kind!r} is not one of {', '.join(kinds.plurals)}", field=kinds.field
        )
    name = str(ref.get("name") or "")
    cluster = kind.startswith("Cluster")
    obj = await port.get_policygen_object(kinds.plurals[kind], None if cluster else namespace, name)
    where = f"{kind} {name}" if cluster else f"{kind} {namespace}/{name}"
    if obj is None:
        raise TemporaryError(
            f"{where} does not exist (or the operator may not read it); ask your admin to create it, or "
            f"{kinds.fix}. Retried with backoff, so creating it is enough",
            reason=kinds.not_found,
        )
    spec: Mapping[str, Any] = obj.get("spec") or {}
    if cluster:
        labels = await port.namespace_labels(namespace) or {}
        if not namespace_allowed(spec.get("namespaces"), namespace, labels):
            raise InvalidRequestError(
                f"{where} does not allow namespace {namespace} (its spec.namespaces lists neither it nor a "
                f"selector matching its labels); ask the admin to add {namespace} to it",
                field=kinds.field,
                reason=kinds.not_allowed,
            )
    generation = (obj.get("metadata") or {}).get("generation")
    return _AdminObject(
        f"{kind}/{name}", where, cluster, spec, generation if isinstance(generation, int) else None
    )


async def resolve_source(
    spec: Mapping[str, Any], namespace: str, port: TenancyPort, *, single_tenant: bool = False
) -> SourceAccess:
    """The source a PolicyGeneration may read, or an error saying what to ask the admin for."""
    principal = str(spec.get("principalArn") or "")
    ref = spec.get("sourceRef")
    if not ref:
        if spec.get("cloudTrail") and single_tenant:
            aws = spec.get("aws") or {}
            return SourceAccess(
                dict(spec["cloudTrail"]), aws.get("region") or None, aws.get("roleArn") or None
            )
        what = "spec.cloudTrail (an inline source)" if spec.get("cloudTrail") else "no source"
        raise InvalidRequestError(
            f"{what}: this operator serves many teams, so a PolicyGeneration names a source its admin made "
            "(spec.sourceRef: a CloudTrailSource in this namespace or a ClusterCloudTrailSource); ask your "
            "cluster admin which one to use, or for one that covers your principal",
            field="spec.cloudTrail",
            reason=SOURCE_NOT_ALLOWED,
        )
    source = await _admin_object(port, ref, _SOURCES, namespace)
    where, source_spec = source.where, source.spec
    patterns = [str(p) for p in source_spec.get("allowedPrincipals") or ()]
    if not principal_allowed(patterns, principal):
        raise InvalidRequestError(
            f"{where} does not allow principal {principal} (allowedPrincipals: "
            f"{', '.join(patterns) or 'none'}); ask the admin to add it, or a pattern covering it",
            field="spec.principalArn",
            reason=PRINCIPAL_NOT_ALLOWED,
        )
    kinds = ("s3", "local", "athena", "lookupEvents")  # lookupEvents may be {} (the region of aws.region)
    trail = {k: copy.deepcopy(source_spec[k]) for k in kinds if source_spec.get(k) is not None}
    aws = source_spec.get("aws") or {}
    # The admin's typo: a reason the source decides, so the admin's fix reruns the PolicyGeneration.
    check_regions(
        region_fields(trail, aws, f"{where} spec", f"{where} spec.aws"),
        reason=SOURCE_INVALID,
        fix="; ask the admin to fix the source",
        field=_SOURCE_FIELD,
    )
    return SourceAccess(
        trail,
        region=aws.get("region") or None,
        role_arn=aws.get("roleArn") or None,
        external_id=aws.get("externalId") or None,
        ref=source.ref,
        generation=source.generation,
    )


async def resolve_repository(
    spec: Mapping[str, Any],
    namespace: str,
    port: TenancyPort,
    *,
    operator_namespace: str,
    single_tenant: bool = False,
) -> RepositoryAccess | None:
    """The repository a PolicyGeneration's pull request may go to (None: no pull request wanted)."""
    pr: Mapping[str, Any] = (spec.get("output") or {}).get("pullRequest") or {}
    if not pr:
        return None
    ref = pr.get("repositoryRef")
    if not ref:
        if pr.get("repository") and single_tenant:
            return RepositoryAccess(dict(pr), secret_namespace=namespace)
        raise InvalidRequestError(
            "spec.output.pullRequest.repository (an inline repository): this operator serves many teams, so "
            "a pull request goes to a repository its admin made (spec.output.pullRequest.repositoryRef: a "
            "PolicyRepository in this namespace or a ClusterPolicyRepository); ask your cluster admin which "
            "one to use",
            field="spec.output.pullRequest.repository",
            reason=REPOSITORY_NOT_ALLOWED,
        )
    admin = await _admin_object(port, ref, _REPOSITORIES, namespace)
    where, repo = admin.where, admin.spec
    path = str(pr.get("path") or "")
    allowed = [str(p) for p in repo.get("allowedPaths") or ()]
    if not path_allowed(allowed, safe_relative_path(path)):
        raise InvalidRequestError(
            f"{where} does not allow path {path!r} (allowedPaths: {', '.join(allowed) or 'none'}); ask the "
            "admin to add it, or use a path inside one of those",
            field="spec.output.pullRequest.path",
            reason=PATH_NOT_ALLOWED,
        )
    inline: dict[str, Any] = {
        "provider": repo.get("provider"),
        "repository": repo.get("url"),
        "baseBranch": repo.get("baseBranch") or "main",
        "path": path,
        "format": pr.get("format"),
        "replaceManagedPolicies": list(pr.get("replaceManagedPolicies") or ()),
        "labels": list(pr.get("labels") or ()),
        "dryRun": pr.get("dryRun") is True,  # the team's choice: see the change before anything is pushed
    }
    if repo.get("apiURL"):
        inline["apiURL"] = repo["apiURL"]
    if repo.get("credentialsSecretRef"):
        inline["credentialsSecretRef"] = dict(repo["credentialsSecretRef"])
    return RepositoryAccess(
        inline,
        secret_namespace=operator_namespace if admin.cluster else namespace,
        ref=admin.ref,
        generation=admin.generation,
    )


async def resolve(
    spec: Mapping[str, Any],
    namespace: str,
    port: TenancyPort,
    *,
    operator_namespace: str,
    single_tenant: bool = False,
) -> Resolved:
    """Both references of a PolicyGeneration, as the inline-shaped spec ``services.spec`` reads."""
    # The team's own region, before a source's replaces it: a typo is the team's to fix (InvalidSpec, naming
    # the field), not something to ignore because the admin's region wins.
    check_regions(region_field(spec.get("aws") or {}, "spec.aws"))
    source = await resolve_source(spec, namespace, port, single_tenant=single_tenant)
    repository = await resolve_repository(
        spec, namespace, port, operator_namespace=operator_namespace, single_tenant=single_tenant
    )
    effective = copy.deepcopy(dict(spec))
    effective.pop("sourceRef", None)
    effective["cloudTrail"] = source.cloud_trail
    aws = {k: v for k, v in {"region": source.region, "roleArn": source.role_arn}.items() if v}
    if aws or "aws" in effective:
        effective["aws"] = {**(effective.get("aws") or {}), **aws}
        if source.ref is not None and not source.role_arn:
            effective["aws"].pop("roleArn", None)  # with a source, only the admin picks the role
    refs = {"source": source.ref} if source.ref else {}
    if repository is not None:
        effective.setdefault("output", {})["pullRequest"] = repository.pull_request
        if repository.ref:
            refs["repository"] = repository.ref
    return Resolved(effective, source, repository, refs)
