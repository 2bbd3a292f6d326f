"""What `domain/` may do besides computing, as docs/architecture.md ("What the domain may do") states it.

import-linter keeps kopf, boto3/botocore, Kubernetes clients and our outer layers out. This test covers the
standard library: no network, no subprocesses, no event loop, no environment, and the few kinds of I/O the
domain does allowed only in the modules the architecture document names. A new one fails here until it is
either moved out (to adapters/ or services/) or added to the document and to ALLOWED.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "operator" / "policygen_operator" / "domain"

NEVER = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "subprocess",
    "asyncio",
    "shutil",
    "tempfile",
    "signal",
}

PACKAGE_DATA = "read the package's own data (importlib.resources)"

# capability -> the modules (relative to domain/) allowed to use it
ALLOWED: dict[str, set[str]] = {
    "read files it is given": {"cloudtrail/scan.py", "cloudtrail/nearby.py"},
    "walk a folder it is given": {"cloudtrail/local.py"},
    PACKAGE_DATA: {"iam/reference.py", "gitops/managed.py"},
    "processes and CPU count": {"engine.py"},
    "read the clock": {"timeutil.py", "engine.py"},
}


# module (relative to domain/) -> modules of NEVER it may import, for a row of the same document's table
IMPORTS_ALLOWED: dict[str, set[str]] = {
    "engine.py": {"signal"},  # "start processes": workers ignore SIGINT, the parent stops them
}


def _uses(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            packaged = _in_resources(tree)
            if name in {"open", "read_bytes", "read_text", "write_bytes", "write_text"}:
                found.add(PACKAGE_DATA if packaged else "read files it is given")
            if name in {"walk", "scandir", "listdir", "iterdir", "glob", "rglob"}:
                found.add(PACKAGE_DATA if packaged else "walk a folder it is given")
            if name in {"ProcessPoolExecutor", "get_context", "sched_getaffinity", "cpu_count"}:
                found.add("processes and CPU count")
            if name in {"now", "utcnow", "today", "time", "monotonic", "perf_counter"} and not isinstance(
                func, ast.Name
            ):
                found.add("read the clock")
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            found.add("read environment variables")
    return found


def _in_resources(tree: ast.AST) -> bool:
    return any(
        isinstance(n, ast.ImportFrom)
        and n.module == "importlib"
        and any(a.name == "resources" for a in n.names)
        for n in ast.walk(tree)
    )


MODULES = sorted(p for p in DOMAIN.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_does_only_what_the_architecture_allows(path: Path) -> None:
    rel = str(path.relative_to(DOMAIN))
    tree = ast.parse(path.read_text())
    imported = {
        (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    forbidden = imported & NEVER - IMPORTS_ALLOWED.get(rel, set())
    assert not forbidden, f"{rel} imports {sorted(forbidden)}"
    for use in _uses(tree):
        assert rel in ALLOWED.get(use, set()), f"{rel} may not {use} (docs/architecture.md)"
