"""EventBridge PutEvents is authorized on the event bus of each entry: "EventBusName: The name or ARN of the
event bus to receive the event ... If you omit this, the default event bus is used" (EventBridge API
Reference, PutEventsRequestEntry). One request may send entries to several buses, some of them to the default
one. iam-dataset's template took the named buses when any entry named one and dropped the default bus of the
entries that named none, so a producer that sends to both was granted one of them only.

The request is the API reference's ``Entries`` in CloudTrail's lowerCamelCase (``entries[].eventBusName``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted

BUS = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/"


def entry(bus: str | None = None) -> dict[str, Any]:
    event = {"source": "com.example.orders", "detailType": "OrderPlaced", "detail": '{"id": "42"}'}
    return {**event, "eventBusName": bus} if bus is not None else event


def put_events(*entries: dict[str, Any]) -> set[tuple[str, str]]:
    return granted("events.amazonaws.com", "PutEvents", {"entries": list(entries)})


@pytest.mark.parametrize(
    ("entries", "buses"),
    [
        ([entry("orders"), entry()], {BUS + "orders", BUS + "default"}),
        ([entry(), entry(f"{BUS}orders")], {BUS + "default", BUS + "orders"}),
        ([entry("orders"), entry("audit")], {BUS + "orders", BUS + "audit"}),
        ([entry(), entry()], {BUS + "default"}),
        ([entry("orders")], {BUS + "orders"}),
    ],
)
def test_each_entry_is_granted_on_its_bus(entries: list[dict[str, Any]], buses: set[str]) -> None:
    assert put_events(*entries) == {("events:PutEvents", bus) for bus in buses}


def test_a_bus_of_another_account_is_granted_by_its_arn() -> None:
    """A bus of another account can only be named by its ARN (a name is looked up in the caller's account),
    and is granted in that account."""
    central = f"arn:aws:events:us-east-1:{OTHER_ACCOUNT}:event-bus/central"
    assert put_events(entry(central), entry()) == {
        ("events:PutEvents", central),
        ("events:PutEvents", BUS + "default"),
    }
