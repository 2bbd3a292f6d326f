"""The ``forge`` fixture every pull-request test module declares, each with its own token."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakeforge.server import FakeForge


def forge_fixture(token: str, name: str = "forge") -> Callable[..., Iterator[FakeForge]]:
    """A module-scoped fixture: one fake forge per module, so repositories and recorded calls stay apart."""

    @pytest.fixture(scope="module", name=name)
    def forge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeForge]:
        server = FakeForge(tmp_path_factory.mktemp("forge"), token)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    return forge
