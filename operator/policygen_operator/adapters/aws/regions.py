"""The AWS regions this installation knows: botocore's partition data (``botocore/data/partitions.json``).

A region name only prunes a listing or a query (``--region``, the Athena table's region enum), so a typo
(``us-est-1``) reads nothing and says nothing. botocore's data is the list AWS's SDKs ship and update with
each new region, for every partition (aws, aws-cn, aws-us-gov, the ISO and European sovereign ones); a
region newer than the installed botocore is known once botocore is upgraded. The file is read as data
(no botocore session or loader), so checking a flag costs reading one small JSON file.
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import importlib.resources
import json
import re
from collections.abc import Iterable


@functools.cache
def known_regions() -> dict[str, frozenset[str]]:
    """Region names by partition. Pseudo-regions such as ``aws-global`` (an endpoint, never a folder of
    CloudTrail's delivery layout nor a record's ``awsRegion``) fail their partition's ``regionRegex`` and are
    left out."""
    data = json.loads(importlib.resources.files("botocore").joinpath("data/partitions.json").read_text())
    regions: dict[str, frozenset[str]] = {}
    for partition in data["partitions"]:
        shape = re.compile(partition["regionRegex"])
        regions[partition["id"]] = frozenset(r for r in partition["regions"] if shape.fullmatch(r))
    return regions


class UnknownRegionError(ValueError):
    """A region name no partition of the installed botocore holds; ``where`` is the flag or field it was
    given in, when the caller said (``check_regions``)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


def check_region(region: str) -> None:
    """Raise ``UnknownRegionError`` naming ``region``, the nearest known names and where the list comes
    from (a region AWS opened after this botocore release is refused until botocore is upgraded)."""
    partitions = known_regions()
    if any(region in names for names in partitions.values()):
        return
    every = sorted(set().union(*partitions.values()))
    near = difflib.get_close_matches(region, every, n=3, cutoff=0.75)
    hint = ""
    if near:
        listed = f"{', '.join(near[:-1])} or {near[-1]}" if len(near) > 1 else near[0]
        hint = f"did you mean {listed}? "
    version = importlib.metadata.version("botocore")
    raise UnknownRegionError(
        f"{region!r} is not an AWS region ({hint}the regions known are those of botocore {version}, "
        f"partitions {', '.join(partitions)}; a newer region needs a newer botocore)"
    )


def check_regions(named: Iterable[tuple[str, object]]) -> None:
    """``check_region`` for each (where, name): the first unknown name raises with its ``where``, so that a
    flag and a spec field are checked alike and each caller words the refusal as its own kind of error."""
    for where, region in named:
        try:
            check_region(str(region))
        except UnknownRegionError as error:
            error.where = where
            raise
