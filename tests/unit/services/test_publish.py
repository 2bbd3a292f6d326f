"""Publishing compares what the ConfigMap holds with what it should hold, by meaning.

Its data and its sha256 annotation are as easy to edit as each other: an edited policy must be written back
by the next run even when the annotation still claims the right digest, and a ConfigMap that holds the same
policy in another spelling must not be written (watchers would wake for nothing).
"""

from __future__ import annotations

import json
from typing import Any

from policygen_operator.services.publish import (
    SHA_ANNOTATION,
    holds_policies,
    policies_sha256,
    pretty,
    publish_configmap,
)
from tests.fixtures.kube import FakeKube

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    ],
}
PART2 = {"Version": "2012-10-17", "Statement": [{**POLICY["Statement"][0], "Sid": "S3b"}]}
WIDENED = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
OWNER = {"apiVersion": "policygen.io/v1alpha1", "kind": "PolicyGeneration", "name": "pay", "uid": "uid-1"}


async def publish(kube: FakeKube, policies: list[dict[str, Any]] | None = None) -> Any:
    return await publish_configmap(kube, "ns", "pay-policy", policies or [POLICY], OWNER, "ns/pay")


async def test_a_widened_policy_is_written_back_although_the_annotation_still_matches() -> None:
    kube = FakeKube()
    await publish(kube)
    kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"] = json.dumps(WIDENED)
    published = await publish(kube)
    assert published.changed and published.repaired == ("its data did not hold this policy",)
    assert kube.configmap_writes == 2
    assert json.loads(kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"]) == POLICY


async def test_an_edited_annotation_is_written_back() -> None:
    kube = FakeKube()
    await publish(kube)
    kube.configmaps[("ns", "pay-policy")]["metadata"]["annotations"][SHA_ANNOTATION] = "0" * 64
    published = await publish(kube)
    assert published.changed and published.repaired == (f"its {SHA_ANNOTATION} did not match",)
    assert kube.configmaps[("ns", "pay-policy")]["metadata"]["annotations"][SHA_ANNOTATION] == (
        policies_sha256([POLICY])
    )


async def test_the_same_policy_in_another_spelling_is_not_written() -> None:
    kube = FakeKube()
    await publish(kube)
    reordered = {"Statement": POLICY["Statement"], "Version": "2012-10-17"}
    kube.configmaps[("ns", "pay-policy")]["data"]["policy.json"] = json.dumps(reordered)
    published = await publish(kube)
    assert not published.changed and kube.configmap_writes == 1


async def test_a_new_policy_is_an_update_not_a_repair() -> None:
    kube = FakeKube()
    await publish(kube)
    published = await publish(kube, [WIDENED])
    assert published.changed and published.repaired == ()


async def test_a_policygeneration_created_again_sets_itself_as_owner_of_the_adopted_configmap() -> None:
    kube = FakeKube()
    await publish(kube)
    # `kubectl delete --cascade=orphan`: the garbage collector removes the ownerReference, data stays.
    kube.configmaps[("ns", "pay-policy")]["metadata"]["ownerReferences"] = []
    recreated = {**OWNER, "uid": "uid-2"}
    published = await publish_configmap(kube, "ns", "pay-policy", [POLICY], recreated, "ns/pay")
    assert published.changed and published.repaired == ("it was not owned by this PolicyGeneration",)
    owners = kube.configmaps[("ns", "pay-policy")]["metadata"]["ownerReferences"]
    assert [o["uid"] for o in owners] == ["uid-2"]
    again = await publish_configmap(kube, "ns", "pay-policy", [POLICY], recreated, "ns/pay")
    assert not again.changed and kube.configmap_writes == 2


async def test_a_deleted_configmap_is_created_again() -> None:
    kube = FakeKube()
    await publish(kube)
    del kube.configmaps[("ns", "pay-policy")]
    published = await publish(kube)
    assert published.changed and published.repaired == ()
    assert ("ns", "pay-policy") in kube.configmaps


def test_holds_policies_compares_every_part_and_only_the_parts() -> None:
    data = {"policy.json": pretty(POLICY), "policy-part2.json": pretty(PART2), "report.json": "{}"}
    assert holds_policies(data, [POLICY, PART2])
    assert not holds_policies(data, [POLICY])  # a part too many
    assert not holds_policies({**data, "policy-part3.json": pretty(WIDENED)}, [POLICY, PART2])
    assert not holds_policies({"policy.json": pretty(POLICY)}, [POLICY, PART2])  # a part missing
    assert not holds_policies({"policy.json": "not json"}, [POLICY])
    assert not holds_policies({"policy.json": '"a string"'}, [POLICY])
    assert not holds_policies({}, [POLICY])
