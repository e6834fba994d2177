"""Loading the full Phoenix dictionary set: first load (parse + cache) and warm loads from cache.

    python benchmarks/dictionaries.py [--repeats 5]

Target (issue 3): warm load <= 1 s. Each load runs in a fresh process, as a user's `dyad code
--dictionaries ...` would, with its own empty cache directory for the first load; the time is the
load call's (importing dyad and spaCy is the cold-start benchmark's business).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

from corpus import SHARED, require_shared

FILES = ("CAMEO.2.0.txt", "Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
         "Phoenix.MilNonState.actors.txt", "Phoenix.agents.txt", "Phoenix.discards.txt")
LOAD = """
import sys, time
from dyad.components.events.dictionaries import load_dictionaries
t = time.perf_counter()
d = load_dictionaries(sys.argv[1:])
print(time.perf_counter() - t, len(d.actors))
"""


def timed_load(cache: str) -> float:
    paths = [str(SHARED / "reference/dictionaries/phoenix" / name) for name in FILES]
    out = subprocess.run([sys.executable, "-c", LOAD, *paths], check=True, capture_output=True, text=True,
                         env={"DYAD_CACHE_DIR": cache, "PATH": ""}).stdout
    return float(out.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    require_shared()
    with tempfile.TemporaryDirectory() as cache:
        first = timed_load(cache)
        warm = statistics.median(timed_load(cache) for _ in range(args.repeats))
    print(f"Phoenix set: first load {first:.2f} s; warm load median {warm:.3f} s (target <= 1 s) "
          f"{'ok' if warm <= 1 else 'OVER'}")
    print(json.dumps({"first_seconds": round(first, 3), "warm_seconds": round(warm, 3)}))


if __name__ == "__main__":
    main()
