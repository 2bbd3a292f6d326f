"""``spec.output.pullRequest.dryRun``: the operator clones and edits as for a pull request, pushes nothing
and shows the diff in status, so a team sees what would change in its code before it lets the operator
push. Against a real repository on disk (``provider: git``, ``file://``), through the Reconciler."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policygen_operator.services import reconcile as rec
from policygen_operator.services import status as st
from policygen_operator.services.reasons import Reason
from policygen_operator.settings import OperatorSettings
from tests.fixtures.crd_schema import check_status
from tests.fixtures.kube import FakeKube
from tests.unit.services.test_reconcile import POLICY, SPEC, result, target

# what the role's file holds on main before the pull request
BROAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository whose main holds the role's file (format json: a policy per file)."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "--quiet", "-b", "main")
    _git(work, "config", "user.email", "t@example.com")
    _git(work, "config", "user.name", "t")
    (work / "iam").mkdir()
    (work / "iam" / "payments-api.json").write_text(json.dumps(BROAD_POLICY, indent=2) + "\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "init")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "--quiet", "--bare", str(work), str(bare))
    return bare


def _spec(origin: Path, dry_run: bool) -> dict[str, Any]:
    return {
        **SPEC,
        "output": {
            "pullRequest": {
                "provider": "git",
                "repository": origin.as_uri(),
                "path": "iam/payments-api.json",
                "format": "json",
                "dryRun": dry_run,
            }
        },
    }


def _reconciler(kube: FakeKube, origin: Path, executor: ThreadPoolExecutor) -> rec.Reconciler:
    settings = OperatorSettings(
        progress_interval=0.02, single_tenant=True, allowed_repositories=(origin.as_uri(),)
    )
    return rec.Reconciler(
        settings,
        kube,
        executor,
        generate=lambda req, p, c: result(),
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
    )


def _condition(outcome: st.Outcome, kind: str) -> dict[str, Any]:
    return next(c for c in outcome.status["conditions"] if c["type"] == kind)


async def test_a_dry_run_shows_the_diff_and_pushes_nothing_until_it_is_turned_off(origin: Path) -> None:
    kube = FakeKube()
    with ThreadPoolExecutor(2) as executor:
        reconciler = _reconciler(kube, origin, executor)
        before = _git(origin, "for-each-ref", "--format=%(refname) %(objectname)")

        outcome = await reconciler.reconcile(target(kube, spec=_spec(origin, dry_run=True)))
        assert outcome.failure is None, outcome.message
        check_status("policygenerations", outcome.status)
        shown = outcome.status["pullRequest"]
        assert shown["state"] == "preview" and shown["branch"] == "policygen/ns/pay"
        assert shown["baseSha"] == _git(origin, "rev-parse", "main").strip()
        assert "--- a/iam/payments-api.json\n+++ b/iam/payments-api.json\n" in shown["diff"]
        assert '+      "Action": [\n+        "s3:GetObject"' in shown["diff"]
        assert '-      "Action": "*",' in shown["diff"]
        opened = _condition(outcome, "PullRequestOpened")
        assert opened["status"] == "True" and opened["reason"] == Reason.PULL_REQUEST_PREVIEWED
        assert "iam/payments-api.json" in opened["message"] and "dryRun" in opened["message"]
        assert _git(origin, "for-each-ref", "--format=%(refname) %(objectname)") == before  # nothing pushed

        # the same policy and spec again: level-based, nothing to do
        again = await reconciler.reconcile(target(kube, status=outcome.status, spec=_spec(origin, True)))
        assert again.status.get("pullRequest") in (None, shown)

        kube.generation += 1  # the team sets dryRun: false
        pushed = await reconciler.reconcile(target(kube, status=outcome.status, spec=_spec(origin, False)))
        assert pushed.failure is None, pushed.message
        assert pushed.status["pullRequest"]["state"] == "pushed"
        # a merge patch: None removes the preview's fields (the control-plane test sees them gone)
        assert (
            pushed.status["pullRequest"]["diff"] is None and pushed.status["pullRequest"]["baseSha"] is None
        )
        branch = _git(origin, "show", "policygen/ns/pay:iam/payments-api.json")
        assert json.loads(branch) == POLICY


async def test_a_dry_run_on_a_base_that_already_has_the_policy_says_so(origin: Path, tmp_path: Path) -> None:
    work = tmp_path / "again"
    _git(tmp_path, "clone", "--quiet", str(origin), str(work))
    _git(work, "config", "user.email", "t@example.com")
    _git(work, "config", "user.name", "t")
    (work / "iam" / "payments-api.json").write_text(json.dumps(POLICY, indent=2) + "\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "policy")
    _git(work, "push", "--quiet", "origin", "main")
    kube = FakeKube()
    with ThreadPoolExecutor(2) as executor:
        outcome = await _reconciler(kube, origin, executor).reconcile(
            target(kube, spec=_spec(origin, dry_run=True))
        )
    assert outcome.failure is None, outcome.message
    assert outcome.status["pullRequest"]["diff"] == ""
    assert (
        _condition(outcome, "PullRequestOpened")["message"]
        == "dry run: the base branch already has this policy"
    )


def test_a_long_diff_is_cut_at_a_line_and_says_how_much_is_left() -> None:
    """Cut at a whole line as git counts lines (``\\n`` only: a policy's JSON string may hold U+2028)."""
    lines = [f"+line {n:05d} {'x' * 60}{chr(0x2028) if n % 7 == 0 else ''}\n" for n in range(3000)]
    diff = "".join(lines)
    shown = st.bounded_diff(diff)
    kept, said = shown[: shown.rindex("... ")], shown[shown.rindex("... ") :]
    assert diff.startswith(kept) and kept.endswith("\n") and len(kept.encode()) <= st.MAX_DIFF_BYTES
    left = 3000 - kept.count("\n")
    assert said == f"... {left:,} more lines cut; `policygen pr --dry-run` prints the whole diff\n"
    assert st.bounded_diff("".join(lines[:10])) == "".join(lines[:10])


def test_a_rightsizing_dry_run_previews_its_grouped_pull_request_and_pushes_nothing(tmp_path: Path) -> None:
    """A parent's pull requests are previewed too (grouping namespace: one preview editing every role's
    file): each child PolicyGeneration gets the diff, the parent's row only the state and base commit (a row
    per role of the fleet must not hold every diff)."""
    from dataclasses import replace

    from policygen_operator.domain.rightsizing import IRSA, Binding, child_name
    from policygen_operator.services.rightsizing import RightsizingService
    from tests.fixtures.rightsizing import FakeAws
    from tests.unit.services.test_rightsizing import DEPLOYER, NOW, ORDERS, parent, run
    from tests.unit.services.test_rightsizing import SPEC as FLEET

    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "--quiet", "-b", "main")
    _git(work, "config", "user.email", "t@example.com")
    _git(work, "config", "user.name", "t")
    for role in ("order-processor", "ci-deployer"):
        (work / "iam" / "team-a").mkdir(parents=True, exist_ok=True)
        (work / "iam" / "team-a" / f"{role}.json").write_text(json.dumps(BROAD_POLICY, indent=2) + "\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "init")
    origin = tmp_path / "origin.git"
    _git(tmp_path, "clone", "--quiet", "--bare", str(work), str(origin))
    before = _git(origin, "for-each-ref", "--format=%(refname) %(objectname)")

    kube = FakeKube(
        {"team-a": [Binding(ORDERS, IRSA, "team-a", "orders"), Binding(DEPLOYER, IRSA, "team-a", "deploy")]}
    )
    pull_request = {
        "provider": "git",
        "repository": origin.as_uri(),
        "path": "iam/{namespace}/{role}.json",
        "format": "json",
        "grouping": "namespace",
        "dryRun": True,
    }
    spec = {**FLEET, "guards": {}, "output": {"mode": "pullRequest", "pullRequest": pull_request}}
    settings = OperatorSettings(
        progress_interval=0.05, single_tenant=True, allowed_repositories=(origin.as_uri(),)
    )
    with ThreadPoolExecutor(2) as executor:
        service = RightsizingService(settings, kube, FakeAws(), executor, clock=lambda: NOW)
        outcome = run(service, replace(parent(), spec=spec))
    assert outcome.failure is None, outcome.message
    assert _git(origin, "for-each-ref", "--format=%(refname) %(objectname)") == before  # nothing pushed
    rows = {row["arn"]: row for row in outcome.status["roles"]}
    base = _git(origin, "rev-parse", "main").strip()
    for role in (ORDERS, DEPLOYER):
        assert rows[role]["pullRequest"] == {
            "branch": rows[ORDERS]["pullRequest"]["branch"],
            "baseSha": base,
            "state": "preview",
        }
        child = kube.objects[("fleet", child_name("fleet", role))]["status"]
        check_status("policygenerations", child)
        shown = child["pullRequest"]
        assert shown["state"] == "preview" and shown["baseSha"] == base
        # the one preview edits both roles' files
        for name in ("order-processor", "ci-deployer"):
            assert f"+++ b/iam/team-a/{name}.json\n" in shown["diff"]
        cond = next(c for c in child["conditions"] if c["type"] == "PullRequestOpened")
        assert cond["reason"] == Reason.PULL_REQUEST_PREVIEWED, cond
