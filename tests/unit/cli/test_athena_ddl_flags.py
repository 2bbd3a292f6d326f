"""``policygen athena ddl``: a value the table cannot be built from is a usage error naming its flag.

Found trying the README's commands as a new user: ``--bucket b`` said "bucket 'b' is not an S3 bucket name"
and ``--account 1`` "account '1' is not ...", naming no flag, while ``--region`` and ``--start-date`` (checked
in the CLI) and every ``generate`` and ``pr`` usage error lead with the flag.
"""

from __future__ import annotations

import dataclasses

import pytest

from policygen_operator.cli.main import EXIT_USAGE, main
from policygen_operator.domain.cloudtrail.athena_ddl import TrailTable

GOOD = ["--bucket", "my-trail-bucket", "--account", "111122223333"]


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--bucket", "b"),
        ("--account", "1"),
        ("--database", "audit-db"),
        ("--table", "org.trail"),
        ("--prefix", "central logs"),
        ("--organization-id", "abc123"),
    ],
)
def test_a_bad_value_names_its_flag(flag: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["athena", "ddl", *GOOD, flag, value])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"policygen athena ddl: error: {flag}: " in err and repr(value) in err


def test_every_field_a_table_checks_has_a_flag() -> None:
    """A field the domain names in a DdlError must be one the CLI can spell."""
    from policygen_operator.cli.athena import FLAGS

    checked = {f.name for f in dataclasses.fields(TrailTable)} - {"first_day"}  # --start-date: CLI-checked
    assert set(FLAGS) == checked
