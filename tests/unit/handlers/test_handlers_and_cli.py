"""The thin layers: the handler's translation of an Outcome into kopf, and `policygen operator`'s flags."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import kopf
import pytest

from policygen_operator.adapters.errors import Permanence
from policygen_operator.cli import operator as cli
from policygen_operator.handlers import policygeneration as handlers
from policygen_operator.handlers.inflight import InFlight
from policygen_operator.services.status import Event, Outcome
from policygen_operator.settings import OperatorSettings


class FakePatch:
    def __init__(self) -> None:
        self.status: dict[str, Any] = {}


@pytest.fixture
def posted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    events: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        kopf, "event", lambda body, *, type, reason, message: events.append((type, reason, message))
    )
    return events


def test_success_writes_status_and_posts_events(posted: list[tuple[str, str, str]]) -> None:
    patch = FakePatch()
    outcome = Outcome(status={"observedGeneration": 2}, events=[Event("Normal", "Succeeded", "ok")])
    handlers._apply(outcome, kopf.Body({}), patch)  # type: ignore[arg-type]
    assert patch.status == {"observedGeneration": 2}
    assert posted == [("Normal", "Succeeded", "ok")]


def test_permanent_failure_is_a_kopf_permanent_error_after_writing_status(posted: list[Any]) -> None:
    patch = FakePatch()
    outcome = Outcome(status={"conditions": []}, failure=Permanence.PERMANENT, message="bucket missing")
    with pytest.raises(kopf.PermanentError, match="bucket missing"):
        handlers._apply(outcome, kopf.Body({}), patch)  # type: ignore[arg-type]
    assert patch.status == {"conditions": []}


def test_temporary_failure_carries_the_backoff(posted: list[Any]) -> None:
    with pytest.raises(kopf.TemporaryError) as raised:
        handlers._apply(
            Outcome(failure=Permanence.TEMPORARY, message="SlowDown", delay=120), kopf.Body({}), FakePatch()
        )  # type: ignore[arg-type]
    assert raised.value.delay == 120


def test_timer_failures_do_not_raise(posted: list[Any]) -> None:
    handlers._apply(
        Outcome(failure=Permanence.TEMPORARY, message="x", delay=1),
        kopf.Body({}),
        FakePatch(),  # type: ignore[arg-type]
        raise_failures=False,
    )


async def test_a_scheduled_run_posts_only_what_changed(posted: list[tuple[str, str, str]]) -> None:
    """A schedule reruns an unchanged spec every interval: a ``Started`` each time, with nothing to say
    after it, is noise in ``kubectl describe`` (the demo's control plane showed one per interval). The
    spec handlers announce their runs; the timer posts only the outcome's transitions."""
    announcers: list[Any] = []

    class Reconciler:
        async def reconcile(self, target: Any, announce: Any = None) -> Outcome:
            announcers.append(announce)
            if announce is not None:
                announce(Event("Normal", "Started", "Generating for generation 1"))
            return Outcome(status={"observedGeneration": 1})

    raw = {
        "metadata": {"namespace": "ns", "name": "pay", "uid": "u1", "generation": 1},
        "spec": {"schedule": {"interval": "30m"}},
        "status": {"observedGeneration": 1, "lastRun": {"completionTime": "2026-01-01T00:00:00Z"}},
    }
    body = kopf.Body(raw)
    memo = kopf.Memo(app=OperatorSettings(), reconciler=Reconciler(), inflight=InFlight())
    patch = FakePatch()
    await handlers.scheduled(  # type: ignore[call-arg]
        body=body, spec=body.spec, status=body.status, meta=body.meta, memo=memo, patch=patch
    )
    assert announcers == [None] and posted == []
    assert patch.status == {"observedGeneration": 1}


async def test_cluster_scoped_objects_events_go_to_the_operators_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kopf posts a cluster-scoped object's events (a ClusterRightsizing's) in its login's default namespace,
    else in ``default``; its kubernetes_asyncio login never sets one, in the cluster or not, and deploy/'s
    RBAC grants events only where the main role is bound. On the demo's control plane every ClusterRightsizing
    event was refused (403 on namespaces/default/events, retried nine times as ERROR lines). The operator's
    own namespace is where deploy/ and the chart's default bind it. (A ClusterRightsizing's events are now
    posted by the operator itself, in default where kubectl describe finds them:
    tests/unit/services/test_rightsizing_events.py.)"""

    async def upstream(**_: Any) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server="https://10.0.0.1:443", token="t")

    monkeypatch.setattr(kopf, "login_via_async_client", upstream)
    memo = kopf.Memo(app=OperatorSettings(operator_namespace="policygen-ops"))
    info = await handlers.login(  # type: ignore[call-arg]
        logger=logging.getLogger("test"), settings=kopf.OperatorSettings(), memo=memo
    )
    assert info is not None
    assert (info.server, info.token, info.default_namespace) == ("https://10.0.0.1:443", "t", "policygen-ops")


def test_kopf_settings_are_chosen_not_inherited() -> None:
    settings = kopf.OperatorSettings()
    handlers.configure_kopf(settings)
    assert isinstance(settings.persistence.progress_storage, kopf.AnnotationsProgressStorage)
    assert isinstance(settings.persistence.diffbase_storage, kopf.AnnotationsDiffBaseStorage)
    assert settings.persistence.finalizer == "policygen.io/finalizer"
    assert (settings.watching.server_timeout, settings.watching.client_timeout) == (270, 300)
    assert settings.watching.connect_timeout == 10
    assert settings.posting.loggers is False
    assert settings.scanning.disabled is True


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    return parser.parse_args(["operator", *argv])


def test_cli_flags() -> None:
    args = parse("-n", "a", "--namespace", "b", "--max-concurrent-scans", "3", "--log-format", "text")
    assert args.namespaces == ["a", "b"] and args.max_concurrent_scans == 3 and args.log_format == "text"
    assert parse("--all-namespaces").all_namespaces is True
    with pytest.raises(SystemExit):
        parse("--namespace", "a", "--all-namespaces")


def test_cli_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POLICYGEN_MAX_CONCURRENT_SCANS", "zero")
    assert cli.run(parse()) == 2
    assert "POLICYGEN_MAX_CONCURRENT_SCANS" in capsys.readouterr().err


@pytest.fixture
def kopf_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `policygen operator` would hand to kopf.run, with every POLICYGEN_ variable cleared first."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(kopf, "run", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(cli, "configure_logging", lambda level, fmt: None)
    for name in ("POLICYGEN_WATCH_NAMESPACES", "POLICYGEN_ALL_NAMESPACES", "POLICYGEN_LIVENESS_PORT"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_without_a_namespace_choice_the_operator_refuses_to_start(
    kopf_runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: no flag and no variable meant clusterwide=True, the whole cluster by omission.
    assert cli.run(parse()) == 2
    assert kopf_runs == []
    err = capsys.readouterr().err
    assert "--namespace" in err and "POLICYGEN_WATCH_NAMESPACES" in err and "--all-namespaces" in err


@pytest.mark.parametrize(
    ("argv", "env", "clusterwide", "namespaces"),
    [
        (("--namespace", "team-a", "-n", "team-b"), {}, False, ["team-a", "team-b"]),
        ((), {"POLICYGEN_WATCH_NAMESPACES": "team-a,team-b"}, False, ["team-a", "team-b"]),
        (("--all-namespaces",), {}, True, []),
        ((), {"POLICYGEN_ALL_NAMESPACES": "true"}, True, []),
        # a flag overrides the environment either way
        (("--namespace", "team-a"), {"POLICYGEN_ALL_NAMESPACES": "true"}, False, ["team-a"]),
        (("--all-namespaces",), {"POLICYGEN_WATCH_NAMESPACES": "team-a"}, True, []),
    ],
)
def test_the_watched_namespaces_are_the_ones_given(
    kopf_runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    env: dict[str, str],
    clusterwide: bool,
    namespaces: list[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.run(parse(*argv)) == 0
    [call] = kopf_runs
    assert (call["clusterwide"], call["namespaces"]) == (clusterwide, namespaces)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"POLICYGEN_WATCH_NAMESPACES": "*"}, "POLICYGEN_ALL_NAMESPACES=true"),
        ({"POLICYGEN_WATCH_NAMESPACES": "a", "POLICYGEN_ALL_NAMESPACES": "true"}, "not both"),
    ],
)
def test_ambiguous_namespace_settings_are_refused(
    kopf_runs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.run(parse()) == 2
    assert kopf_runs == [] and message in capsys.readouterr().err


def test_json_log_lines_carry_the_object() -> None:
    import json
    import logging

    record = logging.LogRecord("kopf.objects", logging.INFO, __file__, 1, "Handler succeeded", None, None)
    record.k8s_ref = {"namespace": "ns", "name": "pay", "uid": "u"}
    line = json.loads(cli.JsonFormatter().format(record))
    assert line["message"] == "Handler succeeded" and line["object"] == {"namespace": "ns", "name": "pay"}
