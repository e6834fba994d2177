"""Corpus ingest against spaCy alone, worker scaling, re-coding and memory (issues 8 and 18's bars).

    python benchmarks/ingest.py [--articles N] [--skip-jobs2] [--batch-size N]

Texts: the real articles in ../shared (PolNeAR train and dev, the GeoWebNews, LGL and GeoVirus texts,
the HTML pages: about 2,100). Prints articles/s for: spaCy `nlp.pipe` alone on the cleaned texts,
`ingest --jobs 1` (target >= 0.90 x spaCy), `--jobs 2` (target >= 1.9 x jobs 1), `recode` (target
>= 10.6 x faster than ingest, and <= 1.5 x the dyad components' own time on the same stored parses),
and the peak resident memory of one worker (target <= 1.5 GB). Each ingest and the recode run in a
fresh process (their walls include start-up); spaCy alone and the components alone are timed in a
process of their own, model loading excluded. `--batch-size` (articles per transaction, default
`dyad.corpus.ingest.BATCH_SIZE`) re-measures that setting: compare two runs. Read the ratios from a
quiet machine (load average < 1, printed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import SHARED, core_scaling, jsonl_feed, polnear_texts, require_shared

from dyad.corpus.ingest import BATCH_SIZE as INGEST_BATCH

# The bars (issue 18): ingest with one worker against spaCy alone, two workers against one, recode
# against ingest and against the components' own time on the stored parses.
JOBS1_VS_SPACY = 0.90
JOBS2_VS_JOBS1 = 1.9
RECODE_SPEEDUP = 10.6
RECODE_VS_COMPONENTS = 1.5
PEAK_MB = 1536


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


COMPONENTS_ALONE = """
import sys, time
from dyad.corpus.ingest import doc_from_bytes
from dyad.corpus.store import Store
from dyad.pipeline import BEFORE_PARSER, NO_DATE_WARNING, load
nlp = load()
stages = [proc for name, proc in nlp.pipeline if name.startswith("dyad_") and name not in BEFORE_PARSER]
store = Store(sys.argv[1], read_only=True)
docs = []
for batch in store.stored_parses(64):
    for article, data in batch:
        article.warnings = [w for w in article.warnings if w != NO_DATE_WARNING]
        doc = doc_from_bytes(data, nlp.vocab)
        doc._.article = article
        docs.append(doc)
store.close()
list(nlp.pipe(["Police arrested four protesters in Paris on Monday, the French government said."]))  # warm
t = time.perf_counter()
for doc in docs:
    for stage in stages:
        doc = stage(doc)
print(time.perf_counter() - t, len(docs))
"""


def components_alone(db: str) -> tuple[float, int]:
    """Seconds of dyad's coding components alone over a store's parses (read and decoded untimed)."""
    out = subprocess.run([sys.executable, "-c", COMPONENTS_ALONE, db], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), int(out[1])


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


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
        components_seconds, recoded = components_alone(f"{tmp}/one.duckdb")
        figures.update(recode_seconds=round(recode_seconds, 2), components_seconds=round(components_seconds, 2),
                       recoded_articles=recoded, recode_vs_components=round(recode_seconds / components_seconds, 3))
        if not args.skip_jobs2:
            two, _ = run(["ingest", str(feed), "--db", f"{tmp}/two.duckdb", "--jobs", "2", *batch])
            figures["jobs2_articles_per_s"] = round(len(records) / two, 2)
            figures["jobs2_vs_jobs1"] = round(one / two, 3)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    print(f"{figures['articles']} articles (load average {figures['load_average']}): spaCy alone "
          f"{figures['spacy_articles_per_s']}/s; ingest --jobs 1 {figures['jobs1_articles_per_s']}/s = "
          f"{figures['jobs1_vs_spacy']} x spaCy (>= {JOBS1_VS_SPACY}) "
          f"{verdict(figures['jobs1_vs_spacy'] >= JOBS1_VS_SPACY)}")
    if "jobs2_vs_jobs1" in figures:
        figures["core_scaling"] = core_scaling()
        print(f"ingest --jobs 2 {figures['jobs2_articles_per_s']}/s = {figures['jobs2_vs_jobs1']} x jobs 1 "
              f"(>= {JOBS2_VS_JOBS1}) {verdict(figures['jobs2_vs_jobs1'] >= JOBS2_VS_JOBS1)}; two busy processes "
              f"on this machine now do {figures['core_scaling']} x the work of one (2.0: two whole cores)")
    print(f"recode {figures['recode_speedup']} x faster than ingest (>= {RECODE_SPEEDUP}) "
          f"{verdict(figures['recode_speedup'] >= RECODE_SPEEDUP)}; recode {figures['recode_seconds']} s = "
          f"{figures['recode_vs_components']} x the components alone on the same {recoded} parses "
          f"({figures['components_seconds']} s; <= {RECODE_VS_COMPONENTS}) "
          f"{verdict(figures['recode_vs_components'] <= RECODE_VS_COMPONENTS)}")
    print(f"peak memory of one worker {figures['peak_mb_one_worker']} MB (<= {PEAK_MB}) "
          f"{verdict(figures['peak_mb_one_worker'] <= PEAK_MB)}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
