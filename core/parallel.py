"""CPU-bound, pure work spread over the cores: the same results, in the same order, as a loop.

Rendering a payee's documents (a PDF is pure Python: fpdf2 and fontTools) costs 15-40 ms, and a
run renders one statement per payee and one plan document per payee, plan and year: at 2,000
payees about a minute each on one core, while the run's other core waits. ``map_in_order``
renders them in worker processes when there are enough of them to pay for the workers' start.

* The workers are forks of a fresh server process (multiprocessing's ``forkserver``), never of
  the run's process, which holds Dagster's threads and DuckDB's and polars' thread pools; the
  server imports ``preload`` once, so a worker starts in milliseconds with the renderers loaded.
  As with any ``forkserver`` or ``spawn`` worker, a script run by its path must guard its work
  with ``if __name__ == "__main__":``.
* ``function`` must be a module-level function and ``items`` picklable; the work must not depend
  on which process does it (no clock, no shared state), so the bytes are a loop's bytes
  (tests/core/test_parallel.py).
* ``SPM_RENDER_PROCESSES`` (default 0: one per core the process may use) caps the workers;
  1 renders in the calling process. Fewer than ``MIN_ITEMS`` items always render in process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from core.settings import Settings

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a worker's start (~0.5-1 s for the server's imports, once per process)
# costs more than half the rendering saves.
MIN_ITEMS = 64
# Items per task, at most: large enough that the pipe's round trips are noise, small enough
# (and at most a quarter of a worker's share) that the workers finish together and the
# progress lines move.
CHUNK_ITEMS = 16


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's share)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def render_processes(item_count: int, settings: Settings | None = None) -> int:
    """How many processes render ``item_count`` items: 1 (in process) for a small set, else
    SPM_RENDER_PROCESSES, or one per usable core when it is 0."""
    if item_count < MIN_ITEMS:
        return 1
    configured = (settings or Settings.from_env()).render_processes
    return max(1, min(configured or usable_cores(), item_count))


def _main_module() -> list[str]:
    """The main module's name, when it was run by name (``python -m orchestration.cli``): every
    worker runs it again as ``__mp_main__`` (what multiprocessing does), which is cheap only when
    the server has imported it before."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = getattr(spec, "name", None)
    return [name] if name and name != "__main__" and not name.endswith(".__main__") else []


def map_in_order(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    preload: Iterable[str] = (),
    processes: int | None = None,
    on_done: Callable[[], object] | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, in worker processes when ``processes`` (default
    ``render_processes(len(items))``) is above 1; ``on_done`` is called once per item, in order."""
    count = render_processes(len(items)) if processes is None else processes
    if count <= 1:
        return _collected(map(function, items), on_done)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(sorted({function.__module__, *preload, *_main_module()}))
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        chunk = max(1, min(CHUNK_ITEMS, len(items) // (count * 4)))
        return _collected(pool.map(function, items, chunksize=chunk), on_done)


def _collected(results: Iterable[R], on_done: Callable[[], object] | None) -> list[R]:
    """``results`` as a list, ``on_done`` called as each one arrives."""
    collected = []
    for result in results:
        collected.append(result)
        if on_done is not None:
            on_done()
    return collected
