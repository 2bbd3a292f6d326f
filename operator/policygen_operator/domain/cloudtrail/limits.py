"""How much of one log file a scan may hold, and sizes as users write them (``256M``) and read them.

Kept apart from the scan so that settings and the CLI can parse a size without loading the parsers.
"""

from __future__ import annotations

import re

# The largest log file the scan holds in memory, measured inflated (a gzip file that inflates past it
# is skipped and named, however small it is on disk). A CloudTrail event is at most 256 KB (CloudTrail
# quotas, event version 1.05 on), delivery files are a few MB; the cap is what one worker may hold.
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024


_SIZE = re.compile(r"^\s*(\d+)\s*(?:([KMG])(?:i?B?)?|B)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``256M``, ``256Mi``, ``1G``, ``65536``: binary units (K = 1024), bytes without a unit."""
    match = _SIZE.match(text)
    if match is None or int(match[1]) < 1:
        raise ValueError(f"{text!r} is not a size (a positive number of bytes, or with K, M or G: 256M)")
    size: int = int(match[1]) * 1024 ** " KMG".index((match[2] or " ").upper())
    return size


def describe_size(size: int) -> str:
    """``256 MiB``, ``1.5 GiB``, ``700 bytes``: sizes in messages, as a user would set them."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} bytes"
