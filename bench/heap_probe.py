"""`appraisal worker` with a heap probe, for `bench.memory --probe`.

    python -m bench.heap_probe FILE      (then, from outside: kill -USR1 <pid>)

HEAP_PROBE_EVERY=S also probes every S seconds from a thread of its own, into
HEAP_PROBE_TIMELINE (default: FILE with .timeline.jsonl); each of those probes collects and trims
too, so a run with a timeline is not the worker as deployed.

Runs the worker as `appraisal worker` does and, each time the process gets SIGUSR1, appends one
JSON line to FILE: what the process holds and how much of it is garbage or the allocator's.

- resident memory now (VmRSS);
- the objects the cyclic collector tracks, in all and by type (the most numerous), and its
  generations' counts (`gc.get_count()`);
- a full collection: how many unreachable objects it found, and resident memory after it;
- `malloc_trim(0)`: resident memory once the C allocator gave its free pages back;
- what lies outside Python's heap: the resident memory by kind (anonymous, file-backed) and
  all the memory SQLite holds (page caches, statements, schemas, over all its connections), now
  and at its peak; read from the libsqlite3 the sqlite3 module links to (a Python that links
  SQLite statically would show another copy's counters).

A signal's probe runs in the main thread between two bytecodes of the event loop, and a
timeline's holds the interpreter's lock for most of its work, so the worker stands still while
either counts; one probe runs at a time. A collection and a trim change what is measured
next; the bench reads the worker's memory before it probes."""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from appraisal_engine.appraisal.collector import c_allocator_trim
from bench.memory import proc_memory

TOP_TYPES = 25


def rss_mb() -> float:
    """This process's resident memory, in MB."""
    return proc_memory(os.getpid())["rss_mb"]


def _by_type() -> tuple[int, list[tuple[str, int]]]:
    objects = gc.get_objects()
    kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects)
    return len(objects), kinds.most_common(TOP_TYPES)


def pymalloc() -> dict[str, int]:
    """Python's small-object allocator: the arenas it holds and the bytes in use in them,
    from `sys._debugmallocstats()` (which writes to the C stderr, redirected here for it)."""
    with tempfile.TemporaryFile() as text:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(text.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        text.seek(0)
        report = text.read().decode(errors="replace")
    wanted = {
        "# arenas allocated current": "arenas",
        "# bytes in allocated blocks": "allocated_bytes",
        "# bytes in available blocks": "available_bytes",
        "# bytes lost to pool headers": "pool_header_bytes",
    }
    found: dict[str, int] = {}
    for line in report.splitlines():
        name, _, value = line.rpartition("=")
        key = wanted.get(name.strip())
        if key is not None:
            found[key] = int(value.strip().replace(",", ""))
    return found


@functools.cache
def _sqlite_status() -> Any:
    try:  # the library the sqlite3 module links to: the same one, so the same counters
        status = ctypes.CDLL("libsqlite3.so.0").sqlite3_status64
    except (OSError, AttributeError):
        return None
    status.restype = ctypes.c_int
    return status


def sqlite_memory() -> dict[str, float] | None:
    """What SQLite holds in this process (SQLITE_STATUS_MEMORY_USED), now and at its peak, in
    MB; None where the library cannot be read."""
    status = _sqlite_status()
    if status is None:
        return None
    now, peak = ctypes.c_int64(), ctypes.c_int64()
    if status(0, ctypes.byref(now), ctypes.byref(peak), 0) != 0:
        return None
    return {"used_mb": round(now.value / 2**20, 1), "peak_mb": round(peak.value / 2**20, 1)}


def probe() -> dict[str, Any]:
    """What the process holds, then what a full collection and a trim give back."""
    began = time.perf_counter()
    memory = proc_memory(os.getpid())
    before = memory["rss_mb"]
    sqlite = sqlite_memory()  # all read before the collection and the trim below
    small = pymalloc()
    counts = list(gc.get_count())
    tracked, kinds = _by_type()
    collect_began = time.perf_counter()
    unreachable = gc.collect()
    collect_s = time.perf_counter() - collect_began
    collected = rss_mb()
    small_collected = pymalloc()
    tracked_after, kinds_after = _by_type()
    trim = c_allocator_trim()
    if trim is not None:
        trim(0)
    return {
        "rss_mb": before,
        "resident": {key: memory[key] for key in ("anon_mb", "file_mb")},
        "sqlite": sqlite,
        "tracked_objects": tracked,
        "gc_counts": counts,
        "unreachable_found": unreachable,
        "collect_s": round(collect_s, 3),
        "rss_mb_after_collect": collected,
        "tracked_after_collect": tracked_after,
        "rss_mb_after_trim": rss_mb(),
        "pymalloc": small,
        "pymalloc_after_collect": small_collected,
        "top_types": kinds,
        "top_types_after_collect": kinds_after,
        "probe_s": round(time.perf_counter() - began, 2),
    }


def main(out: Path) -> None:
    one_at_a_time = threading.Lock()  # a probe redirects fd 2: never two at once

    def write(to: Path) -> None:
        with one_at_a_time:
            line = json.dumps({"at": round(time.time(), 1), **probe()}) + "\n"
        with to.open("a") as f:
            f.write(line)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        write(out)

    signal.signal(signal.SIGUSR1, on_signal)
    every = float(os.environ.get("HEAP_PROBE_EVERY", "0"))
    if every:  # a timeline too, in a file of its own: each probe also collects and trims
        timeline = Path(os.environ.get("HEAP_PROBE_TIMELINE") or out.with_suffix(".timeline.jsonl"))

        def tick() -> None:
            while True:
                time.sleep(every)
                write(timeline)

        threading.Thread(target=tick, daemon=True).start()
    from appraisal_engine.appraisal.cli import main as appraisal

    sys.argv = ["appraisal", "worker"]
    appraisal()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
