"""Cold start and memory: `dyad code` as a user runs it, in fresh processes.

    python benchmarks/cold_start.py [--repeats 3]

1. wall time of `dyad code` on one 600-word article (fresh process: imports, model and knowledge
   loading included), median of several runs; target <= 3 s;
2. peak resident memory of `dyad code` over 200 articles; target <= 1 GB.
Needs no ../shared: the articles are built from the bundled examples.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dyad_command() -> list[str]:
    exe = shutil.which("dyad", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "dyad.surfaces.cli"]


def six_hundred_words() -> str:
    paragraphs = []
    for path in sorted((ROOT / "examples").glob("*.txt")):
        paragraphs += [p for p in path.read_text().split("\n\n") if len(p.split()) > 12]
    words, text = 0, []
    while words < 600:
        paragraph = paragraphs[len(text) % len(paragraphs)]
        text.append(paragraph)
        words += len(paragraph.split())
    return "\n\n".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    article = six_hundred_words()
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "article.txt"
        one.write_text(article)
        walls = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            subprocess.run([*dyad_command(), "code", str(one)], check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t)
        many = Path(tmp) / "articles.jsonl"
        with many.open("w") as handle:
            for i in range(200):
                handle.write(json.dumps({"id": f"a{i}", "text": f"Report {i}.\n\n" + article}) + "\n")
        subprocess.run([*dyad_command(), "code", str(many)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env={**os.environ, "TERM": "dumb"})
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cold = statistics.median(walls)
    print(f"cold `dyad code` on one {len(article.split())}-word article: median {cold:.2f} s "
          f"of {args.repeats} ({', '.join(f'{w:.2f}' for w in walls)}); target <= 3 s "
          f"{'ok' if cold <= 3 else 'OVER'}")
    print(f"peak memory over 200 articles: {peak_mb:.0f} MB; target <= 1024 MB "
          f"{'ok' if peak_mb <= 1024 else 'OVER'}")
    print(json.dumps({"cold_seconds": round(cold, 3), "peak_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
