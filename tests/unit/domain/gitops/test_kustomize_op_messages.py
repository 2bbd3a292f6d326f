"""What a refusal of a JSON 6902 op by position says is what kustomize would do with it.

RFC 6902 "JavaScript Object Notation (JSON) Patch", section 4.6: ``test`` changes nothing and fails when the
value differs; sections 4.4 and 4.5: ``move`` and ``copy`` read the item their ``from`` names. The edit
removes the broad ARN (item 0 of the base's spec.policies), so item 0 is another policy afterwards.
"""

from __future__ import annotations

from tests.unit.domain.gitops.test_kustomize_json_patches import CLOUDWATCH, POWER, inline, refusal, tree


def test_a_test_of_an_item_by_position_is_said_to_fail_the_build() -> None:
    message = refusal(tree(inline(f"- op: test\n  path: /spec/policies/0\n  value: {POWER}\n")))
    assert (
        "its op 1 (test /spec/policies/0) would no longer apply once the Role is edited (the test of "
        "/spec/policies/0 fails), so kustomize build of that overlay would fail" in message
    ), message
    assert "change another policy" not in message


def test_a_copy_by_position_names_its_source_and_what_it_would_do() -> None:
    message = refusal(
        tree(inline("- op: copy\n  from: /spec/policies/0\n  path: /metadata/annotations/first\n"))
    )
    assert (
        "its op 1 (copy /spec/policies/0 to /metadata/annotations/first) names item 0 of spec.policies by "
        f"position: {POWER} before this edit, {CLOUDWATCH} after it, so the overlay would copy another "
        "policy than it did" in message
    ), message
