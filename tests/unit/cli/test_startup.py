"""``policygen generate`` starts fast: its types come in under TYPE_CHECKING, its heavy modules when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "kopf",
    "boto3",
    "botocore",
    "kubernetes_asyncio",
    "isal",
    "simdjson",
    "policygen_operator.services.generation",
    "policygen_operator.domain.iam.validate",
)


def test_parsing_generate_flags_imports_no_heavy_module() -> None:
    """In a fresh interpreter (this one has imported everything already)."""
    code = (
        "import sys\n"
        "from policygen_operator.cli import main\n"
        "main.build_parser(['generate']).parse_args(['generate', '--logs', '.', '--principal', 'x'])\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_generation_service_loads_the_event_mapping_only_when_a_record_matches() -> None:
    """The mapping (its tables and modules, ~40 ms to import) is loaded by the scan on the first matched
    record (``scan.cached_mapper``) and by the Athena source on first use; importing the service that runs
    every generation does not pull it in."""
    code = (
        "import sys\n"
        "import policygen_operator.services.generation\n"
        "print(','.join(m for m in sys.modules if m.startswith('policygen_operator.domain.iam.mapping')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
