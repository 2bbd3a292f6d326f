"""An admin's change to a source or repository reruns the PolicyGenerations it decides (issue 10).

``references`` is what kopf's index holds per PolicyGeneration; ``AdminRefs.nudge`` is what a watch event of
an admin object does with it: annotate (with the object's generation) every PolicyGeneration whose last run
that object refused, or which the object as it is now refuses; nothing else, and nothing twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from policygen_operator.services.adminrefs import (
    ABSENT,
    REPOSITORY_ANNOTATION,
    SOURCE_ANNOTATION,
    AdminRefs,
    Referrer,
    references,
    run_saw,
)
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_tenancy import PRINCIPAL, cluster_repository, cluster_source, pgen

SOURCE_KEY = ("ClusterCloudTrailSource", None, "org")
REPOSITORY_KEY = ("ClusterPolicyRepository", None, "infra")


def refused(reason: str, type_: str = "Generated") -> dict[str, Any]:
    return {"conditions": [{"type": type_, "status": "False", "reason": reason}]}


READY = {"conditions": [{"type": "Generated", "status": "True", "reason": "Generated"}]}


def referrer(
    namespace: str = "team-a",
    name: str = "api",
    status: dict[str, Any] | None = None,
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> Referrer:
    keys = references(namespace, name, pgen(**spec), status or READY, annotations or {})
    return keys[SOURCE_KEY]


def admin(body: dict[str, Any], generation: int) -> dict[str, Any]:
    return {**body, "metadata": {"generation": generation}}


@pytest.fixture
def kube() -> FakeKube:
    fake = FakeKube()
    fake.namespace_labels_by_name = {"team-a": {"team": "a"}, "team-b": {"team": "b"}}
    return fake


def test_the_index_keys_a_policygeneration_by_the_objects_it_names() -> None:
    keys = references(
        "team-a",
        "api",
        pgen(sourceRef={"name": "own"}),
        refused("PathNotAllowed"),
        {SOURCE_ANNOTATION: "3", "other": "x"},
    )
    assert set(keys) == {("CloudTrailSource", "team-a", "own"), REPOSITORY_KEY}
    entry = keys[REPOSITORY_KEY]
    assert entry.waiting == {"repository"} and entry.annotations == {SOURCE_ANNOTATION: "3"}
    inline = {"principalArn": PRINCIPAL, "cloudTrail": {"local": {"path": "/x"}}}
    assert references("team-a", "inline", inline, {}, {}) == {}
    missing = refused("CredentialsMissing", "PullRequestOpened")
    assert references("team-a", "x", pgen(), missing, {})[SOURCE_KEY].waiting == {"repository"}


async def test_a_source_that_now_allows_the_namespace_reruns_the_refused_ones(kube: FakeKube) -> None:
    service = AdminRefs(kube, "policygen-system")
    waiting = referrer(name="refused", status=refused("SourceNotAllowed"))
    fine = referrer(name="fine")
    other = referrer(
        name="principal", status=refused("PrincipalNotAllowed"), annotations={SOURCE_ANNOTATION: "4"}
    )
    unrelated = referrer(name="no-events", status=refused("NoMatchingEvents"))
    nudged = await service.nudge(SOURCE_KEY, admin(cluster_source(), 4), [waiting, fine, other, unrelated])
    # refused for what the source decides: rerun; allowed before and now: left alone; already at 4: not again
    assert nudged == [("team-a", "refused")]
    assert kube.annotated == [("team-a", "refused", {SOURCE_ANNOTATION: "4"})]


async def test_a_source_that_now_refuses_reruns_the_ones_it_allowed(kube: FakeKube) -> None:
    service = AdminRefs(kube, "policygen-system")
    narrowed = cluster_source(namespaces={"names": ["team-b"]})
    ready = [referrer(name="a"), referrer("team-b", "b")]
    assert await service.nudge(SOURCE_KEY, admin(narrowed, 5), ready) == [("team-a", "a")]
    principals = cluster_source(allowedPrincipals=["arn:aws:iam::111122223333:role/team-b-*"])
    assert await service.nudge(SOURCE_KEY, admin(principals, 6), ready[:1]) == [("team-a", "a")]
    # deleted: every PolicyGeneration naming it runs again (and waits for it with SourceNotFound)
    assert await service.nudge(SOURCE_KEY, None, ready) == [("team-a", "a"), ("team-b", "b")]
    assert kube.annotated[-1] == ("team-b", "b", {SOURCE_ANNOTATION: ABSENT})


async def test_a_repository_reruns_refused_paths_and_refuses_dropped_ones(kube: FakeKube) -> None:
    service = AdminRefs(kube, "policygen-system")
    keys = references("team-a", "api", pgen(), refused("PathNotAllowed"), {})
    waiting = keys[REPOSITORY_KEY]
    assert await service.nudge(REPOSITORY_KEY, admin(cluster_repository(), 2), [waiting]) == [
        ("team-a", "api")
    ]
    assert kube.annotated == [("team-a", "api", {REPOSITORY_ANNOTATION: "2"})]
    ready = references("team-a", "ok", pgen(), READY, {})[REPOSITORY_KEY]
    assert await service.nudge(REPOSITORY_KEY, admin(cluster_repository(), 3), [ready]) == []
    dropped = cluster_repository(allowedPaths=["teams/b/**"])
    assert await service.nudge(REPOSITORY_KEY, admin(dropped, 4), [ready]) == [("team-a", "ok")]


async def test_an_unanswerable_check_reruns_rather_than_waits(kube: FakeKube) -> None:
    class Down(FakeKube):
        async def namespace_labels(self, name: str) -> dict[str, str] | None:
            raise ConnectionError("API server down")

    down = Down()
    assert await AdminRefs(down, "ns").nudge(SOURCE_KEY, admin(cluster_source(), 2), [referrer()]) == [
        ("team-a", "api")
    ]


async def test_one_whose_spec_is_not_resolved_yet_reruns(kube: FakeKube) -> None:
    """Its first reconcile may have read the source before this change: it runs again once it is done."""
    service = AdminRefs(kube, "policygen-system")
    new = references("team-a", "new", pgen(), {}, {}, generation=1)[SOURCE_KEY]
    running = references("team-a", "running", pgen(), {"observedGeneration": 1}, {}, generation=1)
    assert not new.evaluated and running[SOURCE_KEY].evaluated
    source = admin(cluster_source(), 2)
    assert await service.nudge(SOURCE_KEY, source, [new, running[SOURCE_KEY]]) == [("team-a", "new")]


def finished(**admin_generations: int | None) -> dict[str, Any]:
    run = {"generation": 1, "completionTime": "2026-12-01T00:00:00Z", **admin_generations}
    return {**READY, "observedGeneration": 1, "lastRun": run}


@pytest.mark.parametrize(
    ("status", "generation", "annotations", "seen"),
    [
        # the nudge raced the first run, which read the source at the generation the annotation carries
        (finished(sourceGeneration=3), 1, {SOURCE_ANNOTATION: "3"}, True),
        (finished(sourceGeneration=3, repositoryGeneration=5), 1, {SOURCE_ANNOTATION: "3"}, True),
        (
            finished(sourceGeneration=3, repositoryGeneration=5),
            1,
            {SOURCE_ANNOTATION: "3", REPOSITORY_ANNOTATION: "5"},
            True,
        ),
        # the run read an older generation, or the object is gone since
        (finished(sourceGeneration=2), 1, {SOURCE_ANNOTATION: "3"}, False),
        (finished(sourceGeneration=3), 1, {SOURCE_ANNOTATION: ABSENT}, False),
        (finished(sourceGeneration=3, repositoryGeneration=5), 1, {REPOSITORY_ANNOTATION: "6"}, False),
        # refused before it read the repository (no generation recorded for it)
        (finished(sourceGeneration=3), 1, {REPOSITORY_ANNOTATION: "1"}, False),
        # the last run was of an older spec, is not finished, or there was none
        (finished(sourceGeneration=3), 2, {SOURCE_ANNOTATION: "3"}, False),
        (
            {"lastRun": {"generation": 1, "completionTime": None, "sourceGeneration": 3}},
            1,
            {SOURCE_ANNOTATION: "3"},
            False,
        ),
        ({}, 1, {SOURCE_ANNOTATION: "3"}, False),
    ],
)
def test_a_nudge_the_last_run_already_saw_runs_nothing(
    status: dict[str, Any], generation: int, annotations: dict[str, str], seen: bool
) -> None:
    assert run_saw(status, generation, annotations) is seen
