"""What the scan's fork server loads before it forks any worker (``engine._context``), imported there only.

A worker forked by the fork server starts with what that process holds. Without this each worker of each
scan imported the scan's modules and the mapper's (~0.13 CPU s) and read the reference data (~0.04 s) for
itself: in the operator, whose fork server lives as long as it does, that was every scan's cost twice over
(two workers), and a CLI run on S3 (threads: a fork server too) paid it the same.
"""

import contextlib

from policygen_operator.domain import engine  # noqa: F401  (the workers' code: the engine, the scan)
from policygen_operator.domain.cloudtrail.scan import cached_mapper, default_mapper

# The default mapper, its module and the reference data it reads (a scan with another mapper factory
# builds its own in each worker, as before). Not here if it fails: an error would stop the fork server,
# and every scan would fail with a lost connection; each worker then builds it and its error names what
# failed.
with contextlib.suppress(Exception):
    cached_mapper(default_mapper)
