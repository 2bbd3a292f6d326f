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
    NAMESPACE_ANNOTATION,
    REPOSITORY_ANNOTATION,
    SOURCE_ANNOTATION,
    AdminRefs,
    Referrer,
    namespace_references,
    namespace_rerun_due,
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
    unrelated = referrer(name="conflict", status=refused("ConfigMapConflict", "Published"))
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


async def test_an_edit_of_the_object_a_failed_step_used_reruns_it(kube: FakeKube) -> None:
    """The admin fixes what their object names (a source's bucket, prefix or regions; a repository's URL or
    credentials) and the team's PolicyGeneration, which that failed for good, runs again by itself: the
    team cannot fix it in its own spec. Seen on the control plane: a ClusterCloudTrailSource naming a bucket
    that does not exist left its PolicyGeneration `InvalidSpec` ("NoSuchBucket") after the admin corrected
    the bucket, a wrong prefix left `NoMatchingEvents`, a ClusterPolicyRepository's wrong URL left
    `PullRequestOpened=False/RepositoryNotFound` after the admin corrected it. A PolicyGeneration that is
    Ready, or failed for something no admin object decides, keeps its result (no rescan of every team)."""
    service = AdminRefs(kube, "policygen-system")
    no_bucket = referrer(name="no-bucket", status=refused("InvalidSpec"))
    wrong_prefix = referrer(name="wrong-prefix", status=refused("NoMatchingEvents"))
    ready = referrer(name="ready")
    conflict = referrer(name="conflict", status=refused("ConfigMapConflict", "Published"))
    source = admin(cluster_source(), 2)
    nudged = await service.nudge(SOURCE_KEY, source, [no_bucket, wrong_prefix, ready, conflict])
    assert nudged == [("team-a", "no-bucket"), ("team-a", "wrong-prefix")]
    # the repository's failures are the pull request's; a failed scan is not the repository's to rerun
    not_found = references("team-a", "pr", pgen(), refused("RepositoryNotFound", "PullRequestOpened"), {})
    token = references("team-a", "token", pgen(), refused("Unauthorized", "PullRequestOpened"), {})
    scan = references("team-a", "scan", pgen(), refused("InvalidSpec"), {})
    referrers = [keys[REPOSITORY_KEY] for keys in (not_found, token, scan)]
    repository = admin(cluster_repository(), 3)
    assert await service.nudge(REPOSITORY_KEY, repository, referrers) == [
        ("team-a", "pr"),
        ("team-a", "token"),
    ]


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


# A Namespace's labels decide a cluster source's (or repository's) `namespaces.selector`: its watch events
# reach the PolicyGenerations in it, both ways (docs/tenancy.md).


def in_namespace(
    name: str, status: dict[str, Any] | None = None, annotations: dict[str, str] | None = None, **spec: Any
) -> Referrer:
    keys = namespace_references("team-c", name, pgen(**spec), status or READY, annotations or {})
    return keys["team-c"]


def namespace(labels: dict[str, str], version: str = "812") -> dict[str, Any]:
    return {"metadata": {"name": "team-c", "labels": labels, "resourceVersion": version}}


@pytest.fixture
def selecting(kube: FakeKube) -> FakeKube:
    """The cluster source selects `team: a`; the cluster repository lists team-c by name."""
    kube.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source()
    kube.admin_objects[("clusterpolicyrepositories", None, "infra")] = cluster_repository(
        namespaces={"names": ["team-c"]}, allowedPaths=["**"]
    )
    return kube


def test_the_namespace_index_holds_the_policygenerations_naming_a_cluster_object() -> None:
    assert set(namespace_references("team-c", "api", pgen(), READY, {})) == {"team-c"}
    own = pgen(sourceRef={"name": "own"}, output={"configMap": {}})
    assert namespace_references("team-c", "own", own, READY, {}) == {}
    refused_here = namespace_references("team-c", "x", pgen(), refused("SourceNotAllowed"), {})["team-c"]
    assert refused_here.namespace_refused
    principal = namespace_references("team-c", "x", pgen(), refused("PrincipalNotAllowed"), {})["team-c"]
    assert not principal.namespace_refused


async def test_labelling_a_namespace_reruns_the_ones_its_selector_refused(selecting: FakeKube) -> None:
    service = AdminRefs(selecting, "policygen-system")
    waiting = in_namespace("waiting", refused("SourceNotAllowed"))
    principal = in_namespace("principal", refused("PrincipalNotAllowed"))
    ready = in_namespace("ready")
    nudged = await service.nudge_namespace("team-c", namespace({"team": "a"}), [waiting, principal, ready])
    # refused for its namespace: rerun; refused for something else, or allowed before and now: left alone
    assert nudged == [("team-c", "waiting")]
    assert selecting.annotated == [("team-c", "waiting", {NAMESPACE_ANNOTATION: "allowed@812"})]
    # the same event again (a restart's listing): nothing twice
    again = in_namespace("waiting", refused("SourceNotAllowed"), {NAMESPACE_ANNOTATION: "allowed@812"})
    assert await service.nudge_namespace("team-c", namespace({"team": "a"}), [again]) == []
    # labels that still do not match: nothing to rerun
    assert await service.nudge_namespace("team-c", namespace({"team": "b"}, "813"), [waiting]) == []


async def test_unlabelling_a_namespace_refuses_the_ones_it_allowed_at_once(selecting: FakeKube) -> None:
    service = AdminRefs(selecting, "policygen-system")
    ready = in_namespace("ready")
    assert await service.nudge_namespace("team-c", namespace({}), [ready]) == [("team-c", "ready")]
    assert selecting.annotated == [("team-c", "ready", {NAMESPACE_ANNOTATION: "refused@812"})]
    # a repository that stops selecting it counts too (the source listing it by name is no help)
    selecting.admin_objects[("clustercloudtrailsources", None, "org")] = cluster_source(
        namespaces={"names": ["team-c"]}
    )
    selecting.admin_objects[("clusterpolicyrepositories", None, "infra")] = cluster_repository(
        namespaces={"selector": {"matchLabels": {"team": "a"}}}, allowedPaths=["**"]
    )
    assert await service.nudge_namespace("team-c", namespace({"team": "x"}, "9"), [ready]) == [
        ("team-c", "ready")
    ]
    # a deleted Namespace takes its PolicyGenerations with it: nothing to annotate
    assert await service.nudge_namespace("team-c", None, [ready]) == []


async def test_a_namespace_event_reruns_one_not_resolved_yet_and_one_it_cannot_check(
    selecting: FakeKube,
) -> None:
    service = AdminRefs(selecting, "policygen-system")
    new = namespace_references("team-c", "new", pgen(), {}, {}, generation=1)["team-c"]
    assert await service.nudge_namespace("team-c", namespace({"team": "a"}), [new]) == [("team-c", "new")]

    class Down(FakeKube):
        async def get_policygen_object(
            self, plural: str, namespace: str | None, name: str
        ) -> dict[str, Any] | None:
            raise ConnectionError("API server down")

    down = Down()
    assert await AdminRefs(down, "ns").nudge_namespace("team-c", namespace({}), [in_namespace("x")]) == [
        ("team-c", "x")
    ]
    assert down.annotated == [("team-c", "x", {NAMESPACE_ANNOTATION: "unknown@812"})]


def test_a_namespace_nudge_runs_only_while_the_status_disagrees() -> None:
    def status(*conditions: dict[str, Any]) -> dict[str, Any]:
        return {"observedGeneration": 2, "conditions": list(conditions)}

    allowed, revoked = {NAMESPACE_ANNOTATION: "allowed@5"}, {NAMESPACE_ANNOTATION: "refused@6"}
    not_allowed = refused("SourceNotAllowed")["conditions"][0]
    ok = READY["conditions"][0]
    assert namespace_rerun_due(status(not_allowed), 2, allowed)
    assert not namespace_rerun_due(status(ok), 2, allowed)  # a run in progress already read the new labels
    assert namespace_rerun_due(status(ok), 2, revoked)
    assert not namespace_rerun_due(status(not_allowed), 2, revoked)
    repo = refused("RepositoryNotAllowed", "PullRequestOpened")["conditions"][0]
    assert not namespace_rerun_due(status(ok, repo), 2, revoked)
    assert namespace_rerun_due(status(ok), 3, allowed)  # this spec has not been resolved yet
    assert namespace_rerun_due(status(ok), 2, {NAMESPACE_ANNOTATION: "unknown@7"})
