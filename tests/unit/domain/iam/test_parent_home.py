"""A child lives where its parent does: a parent given by an ARN of another account or Region puts the
child's ARN there. A VPC Lattice service another account shares through AWS RAM is named by its ARN, and
its listeners are that account's resources; before, the listener's ARN was built in the caller's account and
Region (``service/svc-.../listener/...`` under the wrong account: no call is authorized on it).
"""

from __future__ import annotations

from tests.unit.domain.iam.records import ACCOUNT, OTHER_ACCOUNT, granted

SERVICE = "svc-0123456789abcdef0"


def test_a_shared_services_listener_is_in_the_services_account_and_region() -> None:
    params = {
        "serviceIdentifier": f"arn:aws:vpc-lattice:us-west-2:{OTHER_ACCOUNT}:service/{SERVICE}",
        "listenerIdentifier": "listener-0123456789abcdef0",
    }
    assert granted("vpc-lattice.amazonaws.com", "GetListener", params) == {
        (
            "vpc-lattice:GetListener",
            f"arn:aws:vpc-lattice:us-west-2:{OTHER_ACCOUNT}:service/{SERVICE}/listener/listener-0123456789abcdef0",
        )
    }


def test_a_parent_named_by_id_keeps_the_calls_account() -> None:
    params = {"serviceIdentifier": SERVICE, "listenerIdentifier": "listener-0123456789abcdef0"}
    assert granted("vpc-lattice.amazonaws.com", "GetListener", params) == {
        (
            "vpc-lattice:GetListener",
            f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:service/{SERVICE}/listener/listener-0123456789abcdef0",
        )
    }
