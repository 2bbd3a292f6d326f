"""tests/unit/ mirrors the package: every folder of unit tests is a folder of policygen_operator, so the tests
of a module are found where the module is (tests/unit/domain/iam/ for domain/iam/, and so on)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "tests" / "unit"
PACKAGE = ROOT / "operator" / "policygen_operator"


def test_every_unit_test_folder_is_a_package_folder() -> None:
    folders = [p.relative_to(UNIT) for p in UNIT.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert folders, "no unit test folders found"
    strays = [str(f) for f in folders if not (PACKAGE / f).is_dir()]
    assert strays == [], f"tests/unit/<these> have no operator/policygen_operator/<same>: {strays}"
