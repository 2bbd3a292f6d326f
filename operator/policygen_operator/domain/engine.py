"""Runs the CloudTrail scan over many files on every core, with bounded memory.

Files are handed to worker processes in small batches; each worker returns the ``ScanResult`` of its
batch (a summary of a few KB, not records) and the parent merges them. At most ``2 * workers`` batches
are in flight and the input iterator is pulled only as batches finish, so memory does not grow with the
number of files: a scan of 5 million events holds what a scan of 1 million holds. Inputs too small to
repay starting processes are scanned in this process.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from policygen_operator.domain.cloudtrail.scan import (
    Mapper,
    Scanner,
    ScanResult,
    ScanSpec,
    cached_mapper,
    new_result,
    worker_init,
    worker_scan,
)

# (display name, local path or the file's bytes)
WorkItem = tuple[str, str | bytes]
ProgressHook = Callable[[ScanResult, int], None]  # (running totals, files done)

# Files per batch: the first batches of a scan small, so that a few dozen files still keep every core
# busy; later ones larger, since each batch's result is pickled and merged into the parent's, one entry
# per distinct call of the batch (a call repeated in every batch, on a role's table or queue, is merged
# as often as there are batches): for a scan of every role of a cluster, where most records are matched,
# 64-file batches took 12% less CPU than 16-file ones, and 256-file ones 10% less again (the
# many-principals set, 500 principals: 10.2-10.4 -> 9.1-9.4 CPU s; 9.7-9.9 with the middle step of 64,
# which keeps a few hundred files spread over every core: ``_batches``).
BATCH_FILES = 16
BATCH_FILES_MIDDLE = 64
BATCH_FILES_LATER = 256
BATCH_BYTES = 16 * 1024 * 1024
PROGRESS_EVERY = 0.5  # seconds


class ScanCancelled(Exception):
    """The caller's cancel check said stop; raised between files."""


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_scan(
    spec: ScanSpec,
    items: Iterable[WorkItem],
    *,
    workers: int | None = None,
    progress: ProgressHook | None = None,
    cancelled: Callable[[], bool] | None = None,
    mapper: Mapper | None = None,
) -> ScanResult:
    """Scan every item; ``mapper`` (tests) forces the scan into this process."""
    count = default_workers() if workers is None else max(1, workers)
    iterator = iter(items)
    head = list(itertools.islice(iterator, BATCH_FILES * 2))
    if count == 1 or mapper is not None or len(head) < BATCH_FILES * 2:
        with fewer_collections():
            return _scan_here(spec, itertools.chain(head, iterator), mapper, progress, cancelled)
    with fewer_collections():  # the parent merges the workers' results, as many objects again
        batches = _batches(itertools.chain(head, iterator), small=2 * count)
        return _scan_pool(spec, batches, count, progress, cancelled)


# CPython's collector thresholds while a scan runs: the youngest generation every 100,000 allocations
SCAN_COLLECTION_THRESHOLDS = (100_000, 50, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """A scan builds hundreds of thousands of small objects that live to its end (usage entries,
    readings, times) and almost no reference cycles, which are all CPython's collector finds: with its
    default thresholds it traversed the growing heap again and again, 7-10% of the CPU of a scan for
    every principal of a cluster (``benchmarks/run.py --only many``). Objects from before the scan are
    frozen (never traversed) and collections are rarer while it runs; both are undone after it (the
    operator scans in its own long-lived process)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*SCAN_COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _scan_here(
    spec: ScanSpec,
    items: Iterator[WorkItem],
    mapper: Mapper | None,
    progress: ProgressHook | None,
    cancelled: Callable[[], bool] | None,
) -> ScanResult:
    scanner = Scanner(spec, mapper)
    ticker = _Ticker(progress)
    done = 0
    for done in _scanning(scanner, items, cancelled):
        ticker.tick(scanner.counted, done)
    ticker.tick(scanner.counted, done, force=True)
    return scanner.take_result(final=True)


def _scanning(
    scanner: Scanner, items: Iterable[WorkItem], cancelled: Callable[[], bool] | None
) -> Iterator[int]:
    """Scans the items one by one, the cancel check before each; yields how many are done after each."""
    for done, (name, item) in enumerate(items, start=1):
        if cancelled is not None and cancelled():
            raise ScanCancelled()
        scanner.scan_item(name, item)
        yield done


def _scan_pool(
    spec: ScanSpec,
    batches: Iterator[list[WorkItem]],
    workers: int,
    progress: ProgressHook | None,
    cancelled: Callable[[], bool] | None,
) -> ScanResult:
    total = new_result(len(spec.principals))
    ticker = _Ticker(progress)
    done = 0
    context = _context(spec)
    if context.get_start_method() == "fork":
        first = next(batches, None)
        if first is not None:
            total.merge(_warmed(spec, first, cancelled))
            done += len(first)
            ticker.tick(lambda: total, done)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=(spec,))
    pending: dict[Future[ScanResult], int] = {}
    try:
        for batch in batches:
            while len(pending) >= workers * 2:
                if cancelled is not None and cancelled():
                    raise ScanCancelled()
                done += _collect(pending, total, spec.mapper_factory)
                ticker.tick(lambda: total, done)
            if cancelled is not None and cancelled():
                raise ScanCancelled()
            with _interrupt_blocked():  # a worker may start here: it must not see SIGINT before worker_init
                future = pool.submit(worker_scan, batch)
            _forget_prepared()  # a forking pool starts every worker on its first batch
            pending[future] = len(batch)
        while pending:
            if cancelled is not None and cancelled():
                raise ScanCancelled()
            done += _collect(pending, total, spec.mapper_factory)
            ticker.tick(lambda: total, done)
    except BaseException:  # KeyboardInterrupt, a cancel, a failed batch: stop the workers, do not wait
        _forget_prepared()
        _stop(pool, pending)
        raise
    pool.shutdown(wait=True)
    if total.links.waiting:  # follow-ups whose id another batch returned, or none did
        total.settle_links(cached_mapper(spec.mapper_factory), final=True)
    ticker.tick(lambda: total, done, force=True)
    return total


# The scanner the parent scanned a scan's first batch with, for the workers it forks next (``_warmed``).
_PREPARED: Scanner | None = None


def _warmed(spec: ScanSpec, batch: list[WorkItem], cancelled: Callable[[], bool] | None) -> ScanResult:
    """The first batch scanned here, by the scanner the forked workers then start from (``worker_init``):
    each worker otherwise met the same calls for the first time, mapped them, derived their templates
    (``templates.derive``, ~0.4 ms each) and filled the mapper's memo again: where 500 principals make
    every event, 1,163 records read in Python by each of two workers, against 442 here and ~717 by each.
    A worker that starts from it is one that scanned this batch, as a worker scans batch after batch. Only
    where workers are forked: from a fork server they start with the modules, the default mapper and the
    reference data (``fork_server.py``), without this batch's readings."""
    global _PREPARED
    scanner = Scanner(spec)
    for _ in _scanning(scanner, batch, cancelled):
        pass
    _PREPARED = scanner
    return scanner.take_result()


def _forget_prepared() -> None:
    global _PREPARED
    _PREPARED = None


def _worker_start(spec: ScanSpec) -> None:
    """A scan worker ignores SIGINT: Ctrl-C reaches every process of the terminal's group, and a worker
    interrupted between batches dies with a traceback, or with the pool's queue lock held (the parent then
    waited for ever in ``shutdown``). The parent alone handles it: ``_stop`` terminates the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # started blocked (_interrupt_blocked)
    worker_init(spec, _PREPARED)
    gc.freeze()  # a worker scans until the pool stops: no need to undo (``fewer_collections``)
    gc.set_threshold(*SCAN_COLLECTION_THRESHOLDS)


@contextlib.contextmanager
def _interrupt_blocked() -> Iterator[None]:
    """SIGINT held back (delivered when the block ends) in this thread and in processes started meanwhile:
    a worker forked, or a fork server started, inside it begins with SIGINT blocked, so Ctrl-C, which a
    terminal sends to every process of the group, cannot interrupt one before ``worker_init`` makes it
    ignore SIGINT (the parent alone handles it: it stops the pool)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(pool: ProcessPoolExecutor, pending: dict[Future[ScanResult], int]) -> None:
    """Stop a pool at once: cancel what has not started and terminate the workers.

    Waiting for running batches (``shutdown(wait=True)`` alone) could take as long as the batches, and a
    worker interrupted while it held the call queue's lock left ``shutdown`` waiting for ever. Terminated
    workers make the pool's own manager thread take its "broken pool" path and close the queues. That
    thread is not waited for: joining it hung once in a CI run of the Ctrl-C test. The workers themselves
    are reaped, killed if they outlive a terminate. A second Ctrl-C meanwhile waits for the end of this."""
    with _interrupt_blocked():
        for future in pending:
            future.cancel()
        # pid -> Process: private, but there since 3.2 and what the pool's own broken path terminates
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=_REAP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join(timeout=_REAP_SECONDS)


_REAP_SECONDS = 5.0  # for a terminated worker to exit before it is killed


def _context(spec: ScanSpec) -> multiprocessing.context.BaseContext:
    """``fork`` when this process runs no other thread (the CLI on local files): workers start at once
    and share the parent's loaded mapper. With threads (S3 downloads, the operator) forking could copy
    a held lock, so workers then come from a fork server, a process without threads that has loaded
    their modules and the reference data (``fork_server.py``)."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        cached_mapper(spec.mapper_factory)
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    # read when the fork server starts (the first scan of this process), ignored after: "__main__" is
    # multiprocessing's own default
    context.set_forkserver_preload(["__main__", FORK_SERVER_PRELOAD])
    return context


# The module the fork server imports before it forks workers: the workers' code and data, loaded once.
FORK_SERVER_PRELOAD = "policygen_operator.domain.fork_server"


def _collect(
    pending: dict[Future[ScanResult], int], total: ScanResult, mapper_factory: Callable[[], Mapper]
) -> int:
    finished, _ = wait(pending, timeout=PROGRESS_EVERY, return_when=FIRST_COMPLETED)
    files = 0
    for future in finished:
        files += pending.pop(future)
        total.merge(future.result())
    if total.links.crowded:
        total.settle_links(cached_mapper(mapper_factory), final=False)
    return files


def _batches(items: Iterator[WorkItem], small: int = 0) -> Iterator[list[WorkItem]]:
    """Batches of ``BATCH_FILES`` files for the first ``small``, of ``BATCH_FILES_MIDDLE`` for the next
    ``small``, then of ``BATCH_FILES_LATER``, each cut short at ``BATCH_BYTES`` of items held in memory."""
    batch: list[WorkItem] = []
    size = 0
    made = 0
    for item in items:
        batch.append(item)
        size += len(item[1]) if isinstance(item[1], bytes) else 0
        files = BATCH_FILES if made < small else BATCH_FILES_MIDDLE if made < 2 * small else BATCH_FILES_LATER
        if len(batch) >= files or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
            made += 1
    if batch:
        yield batch


class _Ticker:
    """Calls the progress hook at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, hook: ProgressHook | None) -> None:
        self.hook = hook
        self.last = 0.0
        self.shown = -1

    def tick(self, result: Callable[[], ScanResult], done: int, *, force: bool = False) -> None:
        """``result`` is asked for only when the hook is called: a scanner's counts are made whole then
        (``Scanner.counted``), not after every file."""
        if self.hook is None or done == self.shown:
            return
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_EVERY:
            self.last = now
            self.shown = done
            self.hook(result(), done)
