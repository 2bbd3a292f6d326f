"""The operator's own Kubernetes calls (kopf does the watching): status progress, ConfigMaps, Secrets.

kopf applies a handler's ``patch`` only when the handler returns, so anything that must reach the API
server *during* a run (progress in ``status.lastRun``, noticing that the object was deleted or changed)
goes through this client. One ``ApiClient`` per process: connections are pooled and reused.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.rest import ApiException

from policygen_operator.adapters.errors import AdapterError, Permanence
from policygen_operator.domain.timeutil import iso, utcnow

GROUP = "policygen.io"
VERSION = "v1alpha1"
PLURAL = "policygenerations"
MERGE_PATCH = "application/merge-patch+json"
CREDENTIALS_SECRET_TYPE = "policygen.io/credentials"
CREDENTIALS_LABEL = "policygen.io/credentials"
# Where a cluster-scoped object's events go. `kubectl describe` looks them up in every namespace with
# involvedObject.namespace="" in its field selector (kubectl's describe.go, searchEvents, and the events
# client's GetFieldSelector), so the event must name no namespace for its object; the API server's validation
# of a core/v1 Event without eventTime (legacyValidateEvent) then takes it only in "" or "default". kopf names
# its login's default namespace in the object reference instead: describe never listed its events of a
# ClusterRightsizing.
CLUSTER_EVENTS_NAMESPACE = "default"
MAX_EVENT_MESSAGE = 1024  # kopf's MAX_MESSAGE_LENGTH, cut the same way (head ... tail)

logger = logging.getLogger(__name__)
_Method = TypeVar("_Method", bound=Callable[..., Awaitable[Any]])


class KubernetesError(AdapterError):
    """An API call failed: permanent when retrying the same request cannot help (400, 403, 404, 422)."""

    def __init__(
        self,
        message: str,
        *,
        permanence: Permanence = Permanence.TEMPORARY,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, permanence=permanence, retry_after=retry_after)


def _error(action: str, exc: ApiException) -> KubernetesError:
    """The API server's own message (which names the bad field) rather than just the status line."""
    detail = exc.reason
    with contextlib.suppress(TypeError, ValueError, AttributeError):
        detail = json.loads(exc.body or "").get("message") or detail
    permanent = exc.status in (400, 403, 404, 422)
    permanence = Permanence.PERMANENT if permanent else Permanence.TEMPORARY
    retry_after = None
    headers: Mapping[str, str] = exc.headers if isinstance(exc.headers, Mapping) else {}
    header = headers.get("Retry-After")
    with contextlib.suppress(TypeError, ValueError):
        retry_after = float(header) if header is not None else None  # 429 and some 5xx say when
    return KubernetesError(
        f"{action}: HTTP {exc.status}: {detail}", permanence=permanence, retry_after=retry_after
    )


def _transport_errors_are_temporary(method: _Method) -> _Method:
    """An API server that is briefly unreachable (restart, network blip) is a temporary error, not a bug:
    aiohttp's connection errors and timeouts become a temporary ``KubernetesError`` naming the call."""

    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except (TimeoutError, aiohttp.ClientError) as exc:
            what = f"{method.__name__}({', '.join(str(a) for a in args[1:3])})"
            raise KubernetesError(
                f"{what}: the API server could not be reached: {type(exc).__name__}: {exc}",
                permanence=Permanence.TEMPORARY,
            ) from exc

    return call  # type: ignore[return-value]


@dataclass(frozen=True)
class ObjectState:
    """What a progress patch tells us back about the object: still there, and which generation."""

    exists: bool
    generation: int | None = None
    uid: str | None = None


@dataclass(frozen=True)
class ConfigMapObject:
    """What a ConfigMap holds, as publishing compares it with what it should hold: its annotations, its data
    (a user who may edit ConfigMaps can change either) and the uids of its owners (a PolicyGeneration deleted
    with ``--cascade=orphan`` and created again has a new uid)."""

    annotations: dict[str, str]
    data: dict[str, str]
    owner_uids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventReporter:
    """Who posts an event, as kopf's ``settings.posting`` names it for its own (``source.component`` is the
    "From" column of ``kubectl describe``), so an object's events read the same whoever posted them."""

    component: str = "kopf"
    instance: str = "dev"
    name_prefix: str = "kopf-event-"


def event_message(message: str) -> str:
    """The message cut as kopf cuts its own: the start and the end kept, "..." between them."""
    if len(message) <= MAX_EVENT_MESSAGE:
        return message
    infix = "..."
    keep = MAX_EVENT_MESSAGE - len(infix)
    return message[: (keep + 1) // 2] + infix + message[len(message) - keep // 2 :]


def cluster_event_body(
    involved: Mapping[str, str],
    type_: str,
    reason: str,
    message: str,
    reporter: EventReporter,
    now: datetime,
) -> dict[str, Any]:
    """A core/v1 Event about a cluster-scoped object, as ``kubectl describe`` finds it (see
    ``CLUSTER_EVENTS_NAMESPACE``): its object reference has no namespace, and it has no ``eventTime`` (with
    one, the API server also wants ``action``, and takes only "default" or "kube-system")."""
    stamp = iso(now)
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": reporter.name_prefix, "namespace": CLUSTER_EVENTS_NAMESPACE},
        "involvedObject": {key: str(involved[key]) for key in ("apiVersion", "kind", "name", "uid")},
        "type": type_,
        "reason": reason,
        "message": event_message(message),
        "source": {"component": reporter.component},
        "reportingComponent": reporter.component,
        "reportingInstance": reporter.instance,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }


class KubeClient:
    def __init__(self, api: client.ApiClient) -> None:
        self._api = api
        self._core = client.CoreV1Api(api)
        self._custom = client.CustomObjectsApi(api)

    @classmethod
    async def connect(cls) -> KubeClient:
        """In-cluster credentials when running in a pod, else the kubeconfig (``$KUBECONFIG`` honoured)."""
        configuration = client.Configuration()
        try:
            config.load_incluster_config(client_configuration=configuration)
        except config.ConfigException:
            await config.load_kube_config(client_configuration=configuration)
        return cls(client.ApiClient(configuration))

    async def close(self) -> None:
        await self._api.close()

    @_transport_errors_are_temporary
    async def patch_status(self, namespace: str, name: str, status: Mapping[str, Any]) -> ObjectState:
        """Merge-patch ``status``; a missing object is an answer (deleted), not an error."""
        try:
            body = await self._custom.patch_namespaced_custom_object_status(
                GROUP,
                VERSION,
                namespace,
                PLURAL,
                name,
                {"status": dict(status)},
                _content_type=MERGE_PATCH,  # type: ignore[call-arg]  # a generated-client kwarg the stubs omit
            )
        except ApiException as exc:
            if exc.status == 404:
                return ObjectState(exists=False)
            raise _error(f"patching the status of {namespace}/{name}", exc) from exc
        meta = body.get("metadata", {})
        if meta.get("deletionTimestamp"):
            return ObjectState(exists=False, generation=meta.get("generation"), uid=meta.get("uid"))
        return ObjectState(exists=True, generation=meta.get("generation"), uid=meta.get("uid"))

    @_transport_errors_are_temporary
    async def annotate_policygeneration(
        self, namespace: str, name: str, annotations: Mapping[str, str]
    ) -> None:
        """Merge-patch annotations onto a PolicyGeneration (services/adminrefs.py); a missing one: skipped."""
        body = {"metadata": {"annotations": dict(annotations)}}
        await self._merge_patch(namespace, name, body, f"annotating {namespace}/{name}", missing_ok=True)

    async def _merge_patch(
        self, namespace: str, name: str, body: Mapping[str, Any], what: str, missing_ok: bool = False
    ) -> None:
        """A JSON merge patch of a PolicyGeneration (not its status)."""
        try:
            await self._custom.patch_namespaced_custom_object(
                GROUP,
                VERSION,
                namespace,
                PLURAL,
                name,
                dict(body),
                _content_type=MERGE_PATCH,  # type: ignore[call-arg]  # a generated-client kwarg the stubs omit
            )
        except ApiException as exc:
            if not (missing_ok and exc.status == 404):
                raise _error(what, exc) from exc

    @_transport_errors_are_temporary
    async def get_state(self, namespace: str, name: str) -> ObjectState:
        try:
            body = await self._custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
        except ApiException as exc:
            if exc.status == 404:
                return ObjectState(exists=False)
            raise _error(f"reading {namespace}/{name}", exc) from exc
        meta = body.get("metadata", {})
        exists = not meta.get("deletionTimestamp")
        return ObjectState(exists=exists, generation=meta.get("generation"), uid=meta.get("uid"))

    async def _read_configmap(self, namespace: str, name: str) -> client.V1ConfigMap | None:
        try:
            return await self._core.read_namespaced_config_map(name, namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise _error(f"reading ConfigMap {namespace}/{name}", exc) from exc

    @_transport_errors_are_temporary
    async def read_configmap(self, namespace: str, name: str) -> ConfigMapObject | None:
        """A ConfigMap's annotations and data (one GET), or None when it does not exist."""
        cm = await self._read_configmap(namespace, name)
        if cm is None:
            return None
        meta = cm.metadata
        return ConfigMapObject(
            annotations=dict(meta.annotations or {}),
            data=dict(cm.data or {}),
            owner_uids=tuple(str(o.uid) for o in meta.owner_references or ()),
        )

    @_transport_errors_are_temporary
    async def read_configmap_data(self, namespace: str, name: str) -> dict[str, str] | None:
        """The data of a ConfigMap, or None when it does not exist."""
        cm = await self._read_configmap(namespace, name)
        return None if cm is None else dict(cm.data or {})

    @_transport_errors_are_temporary
    async def put_configmap(self, namespace: str, body: dict[str, Any]) -> None:
        """Create, or replace when it exists: the name is deterministic, so reruns never make a second."""
        name = body["metadata"]["name"]
        try:
            await self._core.create_namespaced_config_map(namespace, body)  # type: ignore[arg-type]
            return
        except ApiException as exc:
            if exc.status != 409:
                raise _error(f"creating ConfigMap {namespace}/{name}", exc) from exc
        try:
            await self._core.replace_namespaced_config_map(name, namespace, body)  # type: ignore[arg-type]
        except ApiException as exc:
            raise _error(f"replacing ConfigMap {namespace}/{name}", exc) from exc

    @_transport_errors_are_temporary
    async def read_secret(self, namespace: str, name: str) -> dict[str, str] | None:
        """Decoded string data of a Secret marked for policygen, or None. Callers must never log the values.

        Only a Secret of type ``policygen.io/credentials`` or labelled ``policygen.io/credentials: "true"``
        is read as credentials: a name in a spec must not turn any Secret the operator can get (a
        ServiceAccount token, another tool's key that happens to have a ``token`` entry) into a token
        sent to a forge. An unmarked Secret is treated like a missing one, and its data is never decoded.
        """
        try:
            secret = await self._core.read_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status in (403, 404):
                return None
            raise _error(f"reading Secret {namespace}/{name}", exc) from exc
        if not is_policygen_secret(secret.type, (secret.metadata.labels if secret.metadata else None)):
            logger.warning(
                "Secret %s/%s is not marked for policygen (type %s or label %s=true); not read",
                namespace,
                name,
                CREDENTIALS_SECRET_TYPE,
                CREDENTIALS_LABEL,
            )
            return None
        return {k: base64.b64decode(v).decode("utf-8") for k, v in (secret.data or {}).items()}

    @_transport_errors_are_temporary
    async def get_policygen_object(
        self, plural: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        """A policygen.io object (``namespace`` None: cluster-scoped), or None when missing or forbidden.

        Forbidden reads as missing: with per-namespace RBAC the operator may not see a namespace's sources,
        and the condition then says to ask the admin, which is the fix either way.
        """
        try:
            if namespace is None:
                body = await self._custom.get_cluster_custom_object(GROUP, VERSION, plural, name)
            else:
                body = await self._custom.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, plural, name
                )
        except ApiException as exc:
            if exc.status in (403, 404):
                return None
            raise _error(f"reading {plural} {namespace + '/' if namespace else ''}{name}", exc) from exc
        return dict(body)

    @_transport_errors_are_temporary
    async def namespace_labels(self, name: str) -> dict[str, str] | None:
        """The labels of a Namespace (for a cluster object's namespace selector), or None when missing."""
        try:
            namespace = await self._core.read_namespace(name)
        except ApiException as exc:
            if exc.status in (403, 404):
                return None
            raise _error(f"reading Namespace {name}", exc) from exc
        return dict((namespace.metadata.labels if namespace.metadata else None) or {})

    @_transport_errors_are_temporary
    async def post_cluster_event(
        self,
        involved: Mapping[str, str],
        type_: str,
        reason: str,
        message: str,
        reporter: EventReporter,
    ) -> None:
        """Post one event about the cluster-scoped object ``involved`` (apiVersion, kind, name, uid) where
        ``kubectl describe`` lists it. One attempt: the caller decides what a refusal or an outage means."""
        body = cluster_event_body(involved, type_, reason, message, reporter, utcnow())
        try:
            await self._core.create_namespaced_event(CLUSTER_EVENTS_NAMESPACE, body)  # type: ignore[arg-type]
        except ApiException as exc:
            what = f"posting the event {reason} of {involved.get('kind')}/{involved.get('name')}"
            raise _error(f"{what} in namespace {CLUSTER_EVENTS_NAMESPACE}", exc) from exc

    @_transport_errors_are_temporary
    async def published_schemas(self) -> dict[str, Any] | None:
        """The API server's OpenAPI v3 document of policygen.io/v1alpha1, which holds the installed CRDs'
        schemas (``components.schemas``), or None when the group is not served (no CRD installed). Any
        authenticated identity may read /openapi/* (Kubernetes docs, "Using RBAC Authorization", "API
        discovery roles": ``system:discovery``), so this needs no rule in the operator's RBAC."""
        try:
            document = await self._api.call_api(
                f"/openapi/v3/apis/{GROUP}/{VERSION}",
                "GET",
                header_params={"Accept": "application/json"},
                response_types_map={200: "object"},
                auth_settings=["BearerToken"],
                _return_http_data_only=True,
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise _error(f"reading /openapi/v3/apis/{GROUP}/{VERSION}", exc) from exc
        return dict(document)


def is_policygen_secret(secret_type: str | None, labels: Mapping[str, str] | None) -> bool:
    """Whether a Secret was marked by its owner as credentials for policygen."""
    return secret_type == CREDENTIALS_SECRET_TYPE or (labels or {}).get(CREDENTIALS_LABEL) == "true"
