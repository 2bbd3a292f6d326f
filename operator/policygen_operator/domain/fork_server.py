"""What the scan's fork server loads before it forks any worker (``engine._context``), imported there only.

A worker forked by the fork server starts with what that process holds. Without this each worker of each
scan imported the scan's modules (~0.1 CPU s) and read the reference data its mapper needs (~0.04 s) for
itself: in the operator, whose fork server lives as long as it does, that was every scan's cost twice over
(two workers), and a CLI run on S3 (threads: a fork server too) paid it the same.
"""

import contextlib

from policygen_operator.domain import engine  # noqa: F401  (the workers' code: the engine, the scan, the mapper)
from policygen_operator.domain.iam.reference import load_reference

# Not here if it fails: an error would stop the fork server, and every scan would fail with a lost
# connection; each worker then reads it itself and its error names what failed.
with contextlib.suppress(Exception):
    load_reference()
