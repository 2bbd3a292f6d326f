"""Conditions follow the API conventions: lastTransitionTime moves only on a flip, Ready summarizes."""

from __future__ import annotations

from policygen_operator.services.conditions import Conditions


def test_transition_time_changes_only_when_status_flips() -> None:
    first = Conditions(None, "2026-01-01T00:00:00Z", 1)
    first.set("Generated", True, "Generated", "3 actions")
    later = Conditions(first.as_list(), "2026-01-02T00:00:00Z", 2)
    later.set("Generated", True, "Generated", "4 actions")
    [generated] = later.as_list()
    assert generated["lastTransitionTime"] == "2026-01-01T00:00:00Z"
    assert generated["message"] == "4 actions"
    assert generated["observedGeneration"] == 2
    assert not later.flipped("Generated")
    later.set("Generated", False, "TemporaryFailure", "throttled")
    assert later.as_list()[0]["lastTransitionTime"] == "2026-01-02T00:00:00Z"
    assert later.flipped("Generated")


def test_ready_summarizes_the_first_condition_that_is_not_true() -> None:
    conds = Conditions(None, "2026-01-01T00:00:00Z", 1)
    conds.set("Generated", True, "Generated", "3 actions")
    conds.set("Published", False, "ConfigMapConflict", "ConfigMap x is not ours")
    conds.summarize(["Generated", "Published"])
    ready = conds.get("Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "ConfigMapConflict",
        "ConfigMap x is not ours",
    )
    conds.set("Published", True, "ConfigMapUpdated", "ConfigMap x updated")
    conds.summarize(["Generated", "Published"])
    ready = conds.get("Ready")
    assert ready is not None and ready["status"] == "True" and ready["reason"] == "Ready"
    assert [c["type"] for c in conds.as_list()] == ["Ready", "Generated", "Published"]


def test_reasons_are_kept_camel_case() -> None:
    conds = Conditions(None, "2026-01-01T00:00:00Z", 1)
    conds.set("Generated", False, "not a reason!", "m")
    assert conds.as_list()[0]["reason"] == "NotAReason"
