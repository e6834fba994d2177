"""A download of every event of a big store, streamed by `dyad serve` (issue 20): the server's memory.

    python benchmarks/download.py --db benchmarks/output/bigstore.duckdb [--formats csv parquet] [--sort date]

The server runs in its own process (benchmarks/serve.py's `start_server`, answer cache off) on a free
loopback port; each format's download of every event (`/api/download/events`, no filter) is read here
through httpx, streaming, and thrown away, while the server's resident memory is sampled every
`SAMPLE_SECONDS` (VmRSS in /proc; its peak cross-checked with VmHWM, reset before each download through
/proc/PID/clear_refs). Prints rows, bytes, seconds, rows/s, and the server's memory before, at its peak
and the growth; the bar: growth <= 100 MB for every format. Writes benchmarks/output/download.json.

Each format is downloaded twice by a fresh server: "cold", its first read of the store, and "warm", the
same download again. A download reads through an instance of its own (`reading.BulkReader`, at most
`BULK_MEMORY`), so the cold growth is that instance's cache of the column blocks, the chunk being sorted
and encoded, and the allocators' first high water; read through the pages' instance it was 150-160 MB,
80 MB of it that instance's cache of the events table. The bar is judged on both runs: a user's first
download meets a cold server.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import threading
import time
from pathlib import Path

import httpx
import pyarrow.parquet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from serve import free_port, start_server  # noqa: E402 (a sibling script, found through the path above)

OUTPUT = ROOT / "benchmarks" / "output"
TARGET_GROWTH_MB = 100.0
SAMPLE_SECONDS = 0.05


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and at its peak since the last reset (VmHWM), in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, kilobytes = line.split()[:2]
            figures[name.rstrip(":")] = int(kilobytes) / 1024
    return figures


class Sampler(threading.Thread):
    """The largest VmRSS seen, every SAMPLE_SECONDS until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0.0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, memory_mb(self.pid)["VmRSS"])
            self.samples += 1
            self.done.wait(SAMPLE_SECONDS)


class Rows:
    """Counts a CSV download's rows as its bytes go by (a header first), holding one partial line at most."""

    def __init__(self):
        self.tail, self.lines = b"", 0

    def feed(self, data: bytes) -> None:
        data = self.tail + data
        cut = data.rfind(b"\n") + 1
        # whole lines only; a quoted line break inside a cell would count twice: csv reads them properly
        self.lines += sum(1 for _ in csv.reader(io.StringIO(data[:cut].decode())))
        self.tail = data[cut:]


def download(base: str, pid: int, file_format: str, sort: str, spool: Path) -> dict:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM from here
    before = memory_mb(pid)["VmRSS"]
    sampler = Sampler(pid)
    sampler.start()
    started, size, rows = time.perf_counter(), 0, Rows()
    url = f"{base}/api/download/events"
    with httpx.stream("GET", url, params={"format": file_format, "sort": sort}, timeout=600) as response, \
            spool.open("wb") as out:
        response.raise_for_status()
        for data in response.iter_bytes():
            size += len(data)
            if file_format == "csv":
                rows.feed(data)
            else:
                out.write(data)
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    high_water = memory_mb(pid)["VmHWM"]
    count = {"csv": lambda: rows.lines - 1, "parquet": lambda: pyarrow.parquet.ParquetFile(spool).metadata.num_rows,
             }.get(file_format, lambda: sum(1 for _ in spool.open("rb")))()  # jsonl, gdelt: a row a line
    peak = max(sampler.peak, high_water)
    return {"format": file_format, "sort": sort, "rows": count, "bytes": size, "seconds": round(seconds, 1),
            "rows_per_second": round(count / seconds), "rss_before_mb": round(before, 1),
            "rss_peak_mb": round(peak, 1), "growth_mb": round(peak - before, 1), "samples": sampler.samples,
            "within_bar": peak - before <= TARGET_GROWTH_MB}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=OUTPUT / "bigstore.duckdb")
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"],
                        choices=["csv", "jsonl", "parquet", "gdelt"])
    parser.add_argument("--sort", default="date", help="the order asked (sort= of /api/events)")
    args = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    spool = OUTPUT / "download.spool"
    results = []
    try:
        for file_format in args.formats:
            port = free_port()
            server, _ = start_server(args.db, port, cache_size=0)  # a fresh server for each format
            try:
                base = f"http://127.0.0.1:{port}"
                total = httpx.get(f"{base}/api/events", params={"per_page": 1}, timeout=60).json()["total"]
                for run in ("cold", "warm"):
                    result = {"run": run, **download(base, server.pid, file_format, args.sort, spool)}
                    all_rows = file_format == "gdelt" or result["rows"] == total  # gdelt's rows are aggregates
                    result["passed"] = all_rows and result["within_bar"]
                    results.append(result)
                    print(f"{file_format:8s} {run}: {result['rows']} rows of {total}, {result['bytes'] / 1e6:.0f} MB "
                          f"in {result['seconds']} s ({result['rows_per_second']} rows/s); server RSS "
                          f"{result['rss_before_mb']} MB before, peak {result['rss_peak_mb']} MB, growth "
                          f"{result['growth_mb']} MB (target <= {TARGET_GROWTH_MB:.0f} MB): "
                          f"{'PASS' if result['passed'] else 'FAIL'}",
                          flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        spool.unlink(missing_ok=True)
    passed = all(r["passed"] for r in results)
    (OUTPUT / "download.json").write_text(json.dumps(
        {"db": str(args.db), "target_growth_mb": TARGET_GROWTH_MB, "downloads": results, "passed": passed},
        indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
