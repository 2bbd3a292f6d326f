"""iam-dataset's small template language, compiled once per template into a closure.

Templates fill resource ARNs from an API call's parameters: ``${Bucket}``, ``${Budget.BudgetName}``,
``${Names[]}`` (one value per list item), and four operators: ``%%regex%VALUE%/re/g%%`` (first capture
group; with our flag ``p``, ``/re/gp``, percent-decoded), ``%%iftruthy%VALUE%THEN%ELSE%%``,
``%%many%A%B%%`` (every value of every argument) and ``%%iftemplatematch%VALUE%%`` (the value; the
caller checks it against the resource type's ARN format).

A template evaluates to a list of strings, or to None when a value it needs is absent: an absent value
means "this resource cannot be determined", never an empty segment inside an ARN. CloudTrail spells
request parameters in lowerCamelCase (``tableName``) where the SDK spells them in UpperCamelCase
(``TableName``), so lookups try both; S3 adds its own names (``bucketName``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from itertools import product
from typing import Any

Values = list[str] | None
Lookup = Callable[[str], Values]
Compiled = Callable[[Lookup], Values]

# SDK parameter name -> the names CloudTrail writes instead (tried after the lowerCamelCase spelling)
PARAMETER_ALIASES: dict[str, tuple[str, ...]] = {
    "Bucket": ("bucketName",),
    "Path": ("path",),
}

# SDK list parameters EC2's query protocol writes as "xSet": {"items": [...]} in CloudTrail.
PATH_ALIASES: dict[str, str] = {
    "InstanceIds[]": "InstancesSet.Items[].InstanceId",
}

_REF = re.compile(r"\$\{([^}]+)\}")
_ESCAPES = {"*": "${*}", "?": "${?}", "$": "${$}"}


def escape(value: str) -> str:
    """A literal name as a policy Resource writes it: ``*``, ``?`` and ``$`` become IAM's policy-variable
    escapes ``${*}``, ``${?}``, ``${$}`` (IAM User Guide, "IAM policy elements: Variables and tags",
    special characters), so ``reports/*draft?.csv`` grants that key and no other."""
    if "*" not in value and "?" not in value and "$" not in value:  # 3 memchr: ~7x a set walk, per ARN
        return value
    return "".join(_ESCAPES.get(c, c) for c in value)


def unescape(value: str) -> str:
    return value.replace("${*}", "*").replace("${?}", "?").replace("${$}", "$")


_OPERATOR = re.compile(r"%%(regex|iftruthy|many|iftemplatematch)%(.*?)%%(?!%)", re.DOTALL)


_SPELLINGS: dict[str, tuple[str, ...]] = {}
_PATHS: dict[str, tuple[tuple[tuple[str, ...], bool], ...]] = {}


def spellings(name: str) -> tuple[str, ...]:
    """The keys CloudTrail may write for an SDK parameter name: as is (``Bucket``), lowerCamelCase
    (``tableName``, ``dBInstanceIdentifier``), the known aliases (S3's ``bucketName``) and kebab-case, as
    REST APIs label path and query parameters (Pinpoint's records: ``application-id``)."""
    known = _SPELLINGS.get(name)
    if known is None:
        candidates = [name, name[:1].lower() + name[1:], *PARAMETER_ALIASES.get(name, ()), _kebab(name)]
        known = _SPELLINGS[name] = tuple(dict.fromkeys(candidates))
    return known


def _kebab(name: str) -> str:
    return _WORD_START.sub("-", name).lower()


_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def get_field(params: Mapping[str, Any], name: str) -> Any:
    """A request parameter by its SDK name, accepting CloudTrail's spellings of it."""
    for key in spellings(name):
        value = params.get(key)
        if value is not None:
            return value
    return None


def _segments(path: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    known = _PATHS.get(path)
    if known is None:
        known = _PATHS[path] = tuple(
            (spellings(segment.removesuffix("[]")), segment.endswith("[]")) for segment in path.split(".")
        )
    return known


def lookup_raw(params: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at ``A.B[].C`` in the parameters, whatever its type (lists are flattened)."""
    current: list[Any] = [params]
    for keys, _many in _segments(path):
        following: list[Any] = []
        for node in current:
            if not isinstance(node, Mapping):
                continue
            value = None
            for key in keys:
                value = node.get(key)
                if value is not None:
                    break
            if value is None:
                continue
            if isinstance(value, str) and value[:1] in ("[", "{"):
                value = json_or_text(value)  # CloudTrail Lake keeps nested parameters as JSON text
            if isinstance(value, list):
                following.extend(value)
            else:
                following.append(value)
        current = following
    return current


def json_or_text(text: str) -> Any:
    """A parameter value that holds JSON (CloudTrail Lake's nested parameters, a policy document) parsed,
    any other text as it is."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def lookup_path(params: Mapping[str, Any], path: str) -> Values:
    """Every scalar value at ``A.B[].C`` in the parameters, as strings; None when there is none."""
    result = _scalars(lookup_raw(params, path))
    if result is None and path in PATH_ALIASES:
        result = _scalars(lookup_raw(params, PATH_ALIASES[path]))
    return result


def _scalars(values: list[Any]) -> Values:
    result = [
        str(v).lower() if isinstance(v, bool) else str(v)
        for v in values
        if isinstance(v, str | int | float) and v != ""
    ]
    return result or None


def compile_template(template: str) -> Compiled:
    """Compile a template into a function of a lookup (path -> values)."""
    pieces: list[Compiled] = []
    last = 0
    for match in _OPERATOR.finditer(template):
        if match.start() > last:
            pieces.append(_compile_plain(template[last : match.start()]))
        pieces.append(_compile_operator(match.group(1), match.group(2)))
        last = match.end()
    if last < len(template) or not pieces:
        pieces.append(_compile_plain(template[last:]))
    if len(pieces) == 1:
        return pieces[0]

    def concatenate(lookup: Lookup) -> Values:
        parts: list[list[str]] = []
        for piece in pieces:
            values = piece(lookup)
            if values is None:
                return None
            parts.append(values)
        return ["".join(combination) for combination in product(*parts)]

    return concatenate


def _compile_plain(text: str) -> Compiled:
    refs = _REF.findall(text)
    if not refs:
        return lambda lookup: [text]
    literals = _REF.split(text)[0::2]  # text between the references

    def fill(lookup: Lookup) -> Values:
        columns: list[list[str]] = []
        for ref in refs:
            values = lookup(ref)
            if values is None:
                return None
            columns.append(values)
        out = []
        for combination in product(*columns):
            pieces = [literals[0]]
            for value, literal in zip(combination, literals[1:], strict=True):
                pieces.append(value)
                pieces.append(literal)
            out.append("".join(pieces))
        return out

    return fill


_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")


def percent_decoded(text: str) -> str:
    """URL decoding (``%20`` -> space, UTF-8 sequences as characters) without importing ``urllib``, which
    the domain keeps out (it also opens connections)."""
    if "%" not in text:
        return text
    raw = _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode())
    return raw.decode("utf-8", "replace")


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def percent_encoded(text: str) -> str:
    """URL encoding of every byte but RFC 3986's unreserved characters (``:`` -> ``%3A``, ``/`` -> ``%2F``),
    as a path segment holding a whole ARN is sent (API Gateway's ``/tags/arn%3Aaws%3A...``), without
    ``urllib`` (``percent_decoded``)."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode())


def _compile_operator(name: str, body: str) -> Compiled:
    if name == "regex":
        value_text, _, pattern_text = body.partition("%")
        value = compile_template(value_text)
        source, _, flags = pattern_text.strip()[1:].rpartition("/")
        pattern = re.compile(source)
        # "p", our own flag (no JavaScript regex flag has that letter): the capture is percent-encoded
        # (S3's x-amz-copy-source "must be URL-encoded", S3 API Reference, CopyObject) and the ARN needs
        # the name itself
        decode = percent_decoded if "p" in flags else str

        def regex(lookup: Lookup) -> Values:
            values = value(lookup)
            if values is None:
                return None
            out = []
            for v in values:
                # values arrive with IAM's escapes for * ? $ (the mapper's lookup): match the literal text
                m = pattern.search(unescape(v))
                if m:
                    captured = decode(m.group(1) if pattern.groups else m.group(0))
                    if captured:
                        out.append(escape(captured))
            return out or None

        return regex
    if name == "iftruthy":
        args = [*body.split("%", 2), "", ""]
        condition, then, otherwise = (compile_template(a) for a in args[:3])

        def iftruthy(lookup: Lookup) -> Values:
            values = condition(lookup)
            truthy = bool(values) and any(v not in ("", "false", "0") for v in values or ())
            return then(lookup) if truthy else otherwise(lookup)

        return iftruthy
    if name == "many":
        parts = [compile_template(a) for a in body.split("%") if a]

        def many(lookup: Lookup) -> Values:
            out: list[str] = []
            for part in parts:
                out.extend(part(lookup) or ())
            return out or None

        return many
    return compile_template(body)  # iftemplatematch: the value itself


def compile_condition(condition: Mapping[str, Any] | None) -> Callable[[Mapping[str, Any]], bool] | None:
    """iam-dataset's entry conditions (``{"lhs", "op", "rhs", "andCondition"}``) as a parameter predicate."""
    if not condition:
        return None
    lhs, op, rhs = condition.get("lhs", ""), condition.get("op", ""), str(condition.get("rhs", ""))
    also = compile_condition(condition.get("andCondition"))
    pattern = re.compile(rhs) if op in ("Matches", "NotMatches") else None
    # A condition on one top-level parameter (S3's ``x-amz-acl``, ``VersionId``), the usual kind: its
    # spellings are known now, and a request that holds none of them has no value for it, which is what the
    # path walk would find. S3 PutObject tests six such conditions on every memo miss (a new key), absent
    # from most requests: the walk took ~0.72 us a condition, this test ~0.20 us (4.3 -> 1.2 us a PutObject).
    top = spellings(lhs) if lhs and "." not in lhs and "[" not in lhs and lhs not in PATH_ALIASES else None

    def test(params: Mapping[str, Any]) -> bool:
        unset = top is not None and params.__class__ is dict and _none_of(params, top)
        if op in ("Exists", "NotExists"):
            present = not unset and any(v not in (None, "", [], {}) for v in lookup_raw(params, lhs))
            return (present if op == "Exists" else not present) and (also is None or also(params))
        values = [] if unset else lookup_path(params, lhs) or []
        if op == "Equals":
            ok = rhs in values
        elif op == "NotEquals":
            ok = rhs not in values
        elif op == "IEquals":  # our own entries: a value in any case (DynamoDB's logged item "operation")
            ok = any(v.lower() == rhs.lower() for v in values)
        elif op == "StartsWith":
            ok = any(v.startswith(rhs) for v in values)
        elif op == "NotStartsWith":
            ok = not any(v.startswith(rhs) for v in values)
        elif op == "Contains":
            ok = any(rhs in v for v in values)
        elif op == "IContains":
            ok = any(rhs.lower() in v.lower() for v in values)
        elif op == "FirstWordIEquals":  # PartiQL statements: the statement kind is the first word
            ok = any(v.split(None, 1)[0].upper() == rhs.upper() for v in values if v.strip())
        elif op == "INotContains":
            ok = not any(rhs.lower() in v.lower() for v in values)
        elif pattern is not None:  # our own entries: a regular expression searched in each value
            found = any(pattern.search(v) for v in values)
            ok = found if op == "Matches" else bool(values) and not found
        else:
            ok = True  # an operator this version does not know: the condition does not narrow
        return ok and (also is None or also(params))

    return test


def _none_of(params: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Whether the parameters hold no value (or null) under any of these keys. A loop, not ``all()`` over a
    generator: that doubled the cost of the condition test (measured, 0.2 -> 0.4 us)."""
    for key in keys:  # noqa: SIM110
        if params.get(key) is not None:
            return False
    return True
