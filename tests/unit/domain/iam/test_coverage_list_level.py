"""``coverage.py --list-level``: the operations of one resource level of ``make coverage --resources``, each
with what it was granted and the resource types the reference gives its actions, to judge each ``*``."""

from __future__ import annotations

import pytest

from tests.fixtures.scripts import load_script


def test_a_level_lists_each_operation_with_its_grants_types_and_parameters() -> None:
    """CloudWatch's ``PutMetricData`` takes only the optional ``dataset`` type its API cannot name: ``*`` is
    its exact grant, so it is listed under "no resource to name", not under the ``*`` of the finding. The
    service is named by its eventSource host (``monitoring``), not botocore's ``cloudwatch``."""
    module = load_script("operator/scripts/coverage.py")
    lines = module.list_level("no resource to name", frozenset({"monitoring"}))
    at = lines.index("monitoring.amazonaws.com:PutMetricData")
    assert lines[at + 1 : at + 3] == [
        "    cloudwatch:PutMetricData on *  [types: dataset]",
        "    parameters: namespace",
    ]
    assert "monitoring.amazonaws.com:PutMetricData" not in module.list_level(
        "* for all actions", frozenset({"cloudwatch"})
    )


def test_a_star_for_all_actions_is_listed_with_the_finding_and_the_required_type() -> None:
    """A ``*`` with the finding shows the finding's words and marks the type the reference requires."""
    module = load_script("operator/scripts/coverage.py")
    calls = [c for c in module.resource_calls(frozenset({"monitoring"})) if c.level == "* for all actions"]
    assert calls and all(c.why for c in calls)
    lines = module.list_level("* for all actions", frozenset({"monitoring"}))
    for call in calls:
        at = lines.index(f"{call.source}:{call.operation}")
        (action,) = call.uses
        assert lines[at + 1].startswith(f"    {action} on *  [types: ")
        assert lines[at + 3 :][: len(call.why)] == [f"    finding: {why}" for why in call.why]
    assert any(t.endswith("*") for c in calls for types in c.types.values() for t in types)


def test_the_levels_listed_add_up_to_the_counts() -> None:
    """Listing is the same classification ``--resources`` counts: every call of a service at one level."""
    module = load_script("operator/scripts/coverage.py")
    calls = list(module.resource_calls(frozenset({"sqs"})))
    listed = sum(
        sum(1 for line in module.list_level(level, frozenset({"sqs"})) if not line.startswith(" "))
        for level in module.LEVELS
    )
    assert listed == len(calls) > 0


def test_an_unknown_level_is_refused_with_the_levels() -> None:
    module = load_script("operator/scripts/coverage.py")
    with pytest.raises(ValueError, match="named ARNs"):
        module.list_level("everything")


def test_the_command_line_lists_a_level(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_script("operator/scripts/coverage.py")
    assert module.main(["--list-level", "no resource to name", "--services", "monitoring"]) == 0
    assert "monitoring.amazonaws.com:PutMetricData\n" in capsys.readouterr().out
