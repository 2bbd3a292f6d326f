"""Every Terraform file a test's edit writes must parse as HCL (python-hcl2's parser of the HCL2 grammar):
the editors splice text, and a stray brace, comma or heredoc marker would otherwise only show at
``terraform plan`` in the user's pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import hcl2
import pytest

from policygen_operator.domain.gitops import terraform


def parses(text: str) -> None:
    hcl2.loads(text)


@pytest.fixture(autouse=True)
def terraform_output_parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original: Callable[..., Any] = terraform.edit

    def checked(files: dict[str, str], request: Any, **options: Any) -> Any:
        result = original(files, request, **options)
        for path, text in result.changes.items():
            if text is not None and path.endswith(".tf"):
                parses(text)
        return result

    monkeypatch.setattr(terraform, "edit", checked)
    yield
