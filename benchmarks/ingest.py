"""Corpus ingest against spaCy alone, worker scaling, re-coding and memory (issue 8's bars).

    python benchmarks/ingest.py [--articles N] [--skip-jobs2] [--batch-size N]

Texts: the real articles in ../shared (PolNeAR train and dev, the GeoWebNews, LGL and GeoVirus texts,
the HTML pages: about 2,100). Prints articles/s for: spaCy `nlp.pipe` alone on the cleaned texts,
`ingest --jobs 1` (target >= 0.75 x spaCy), `--jobs 2` (target >= 1.5 x jobs 1), `recode` (target
>= 5 x ingest), and the peak resident memory of one worker (target <= 1.5 GB). Each ingest runs in
a fresh process into a fresh store. `--batch-size` (articles per transaction, default
`dyad.corpus.ingest.BATCH_SIZE`) re-measures that setting: compare two runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import SHARED, jsonl_feed, polnear_texts, require_shared

from dyad.corpus.ingest import BATCH_SIZE as INGEST_BATCH


def shared_articles(limit: int | None) -> list[dict]:
    texts = polnear_texts(10_000)
    for name in ("GWN.xml", "lgl.xml", "GeoVirus.xml"):
        path = SHARED / "gold/places" / name
        if path.exists():
            raw = re.findall(r"<text>(.*?)</text>", path.read_text(encoding="utf-8"), flags=re.S)
            texts += [re.sub(r"^<!\[CDATA\[|\]\]>$", "", t.strip()) for t in raw]
    records = [{"id": f"t{i}", "text": t} for i, t in enumerate(texts)]
    for i, page in enumerate(sorted((SHARED / "gold/html/html").glob("*.html.gz"))):
        records.append({"id": f"h{i}", "text": gzip.decompress(page.read_bytes()).decode("utf-8", "replace"),
                        "format": "html"})
    return records[:limit] if limit else records


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a fresh dyad process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("dyad")), *args], check=True, capture_output=True)
    wall = time.perf_counter() - started
    return wall, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


SPACY_ALONE = """
import json, sys, time
from dyad.pipeline import BATCH_SIZE, MODEL, _admit
import spacy
articles = [_admit(json.loads(line)) for line in open(sys.argv[1])]
texts = [a.text for a in articles if hasattr(a, "text")]
nlp = spacy.load(MODEL)
t = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
    pass
print(time.perf_counter() - t, len(texts))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="limit (default: all, about 2,100)")
    parser.add_argument("--skip-jobs2", action="store_true")
    parser.add_argument("--batch-size", type=int, default=INGEST_BATCH, help="articles per transaction")
    args = parser.parse_args()
    require_shared()
    records = shared_articles(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        feed = jsonl_feed(records, tmp)
        # first, so that the children's peak memory read after it is the ingest worker's own
        batch = ["--batch-size", str(args.batch_size)]
        one, peak_one = run(["ingest", str(feed), "--db", f"{tmp}/one.duckdb", *batch])
        out = subprocess.run([sys.executable, "-c", SPACY_ALONE, str(feed)], check=True, capture_output=True,
                             text=True).stdout.split()
        spacy_seconds, parsed = float(out[0]), int(out[1])
        figures = {"articles": len(records), "parsed_by_spacy": parsed,
                   "spacy_articles_per_s": round(parsed / spacy_seconds, 2),
                   "jobs1_articles_per_s": round(len(records) / one, 2), "peak_mb_one_worker": round(peak_one)}
        # ingest's wall includes start-up (imports, model, knowledge); spaCy's figure is the pipe alone
        figures["jobs1_vs_spacy"] = round(figures["jobs1_articles_per_s"] / figures["spacy_articles_per_s"], 3)
        recode_seconds, _ = run(["recode", "--db", f"{tmp}/one.duckdb"])
        figures["recode_speedup"] = round(one / recode_seconds, 2)
        if not args.skip_jobs2:
            two, _ = run(["ingest", str(feed), "--db", f"{tmp}/two.duckdb", "--jobs", "2", *batch])
            figures["jobs2_articles_per_s"] = round(len(records) / two, 2)
            figures["jobs2_vs_jobs1"] = round(one / two, 3)
    print(f"{figures['articles']} articles: spaCy alone {figures['spacy_articles_per_s']}/s; "
          f"ingest --jobs 1 {figures['jobs1_articles_per_s']}/s = {figures['jobs1_vs_spacy']} x spaCy (>= 0.75)")
    if "jobs2_vs_jobs1" in figures:
        print(f"ingest --jobs 2 {figures['jobs2_articles_per_s']}/s = {figures['jobs2_vs_jobs1']} x jobs 1 (>= 1.5)")
    print(f"recode {figures['recode_speedup']} x faster than ingest (>= 5); "
          f"peak memory of one worker {figures['peak_mb_one_worker']} MB (<= 1536)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
