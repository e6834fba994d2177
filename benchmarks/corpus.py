"""Benchmark texts: real articles from ../shared when it is there, else nothing (benchmarks skip)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def polnear_files(limit: int) -> list[Path]:
    """Up to `limit` PolNeAR article files (US election news, 2016; named outlet_date_slug), in name order."""
    folders = [SHARED / "gold/quotes/polnear/data" / split / "text" for split in ("dev", "train")]
    return [f for folder in folders if folder.is_dir() for f in sorted(folder.glob("*.txt"))][:limit]


def polnear_texts(limit: int) -> list[str]:
    """Up to `limit` PolNeAR article texts, in file-name order."""
    return [f.read_text(encoding="utf-8", errors="replace") for f in polnear_files(limit)]


def jsonl_feed(records: list[dict], folder: str | Path) -> Path:
    """The records as one JSONL input file in `folder` (what `dyad ingest` and `dyad spark` read)."""
    import json

    feed = Path(folder) / "corpus.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    return feed


def require_shared() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the benchmark needs the shared gold corpora)")
        sys.exit(0)


def _spin(seconds: float, counts) -> None:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += sum(range(10_000))
    counts.put(n)


def core_scaling(seconds: float = 3.0) -> float:
    """How much work two busy processes get done against one, on this machine now (2.0 on two free cores).
    A ratio bar between one and two workers cannot read higher than this: a shared machine's cores are
    not always whole (measured at 1.63 on this 2-core machine while its ratio bars read 1.3-1.6)."""
    import multiprocessing

    def run(processes: int) -> int:
        counts = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=_spin, args=(seconds, counts)) for _ in range(processes)]
        for w in workers:
            w.start()
        total = sum(counts.get() for _ in workers)
        for w in workers:
            w.join()
        return total

    return round(run(2) / run(1), 2)
