"""The gazetteer's cached load: time and resident memory, in fresh processes.

    python benchmarks/gazetteer.py [--repeats 5]

Builds the on-disk index first if needed (once per cache key: package versions, knowledge tables,
build code), then loads it in several fresh processes and prints the median load time (target <= 1 s)
and the median resident memory the loaded gazetteer adds (target <= 400 MB), plus the whole
process's peak. Needs no ../shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = """
import json, resource, time
import dyad.resources.gazetteer as gazetteers
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
before = rss_mb()
t = time.perf_counter()
gazetteer = gazetteers.load_gazetteer()
gazetteer.candidates("Tripoli")
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "added_mb": rss_mb() - before,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warm = "from dyad.resources.gazetteer import load_index; load_index()"
    subprocess.run([sys.executable, "-c", warm], check=True)
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True,
                                      text=True).stdout) for _ in range(args.repeats)]
    seconds = statistics.median(r["seconds"] for r in runs)
    added = statistics.median(r["added_mb"] for r in runs)
    peak = statistics.median(r["peak_mb"] for r in runs)
    print(f"cached gazetteer load: median {seconds:.3f} s of {len(runs)} "
          f"({', '.join(format(r['seconds'], '.3f') for r in runs)}); target <= 1 s "
          f"{'ok' if seconds <= 1 else 'OVER'}")
    print(f"resident memory added by the gazetteer: median {added:.0f} MB; target <= 400 MB "
          f"{'ok' if added <= 400 else 'OVER'} (whole process peak, spaCy imported: {peak:.0f} MB)")
    print(json.dumps({"load_seconds": round(seconds, 3), "added_mb": round(added), "peak_mb": round(peak)}))


if __name__ == "__main__":
    main()
