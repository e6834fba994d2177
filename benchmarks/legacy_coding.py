"""Legacy event coding against spaCy parsing: the full Phoenix dictionaries on PolNeAR articles.

    python benchmarks/legacy_coding.py [--articles 100] [--repeats 3]

Parses the texts once with `nlp.pipe` (timed: spaCy alone), then codes the same parsed Docs with
`dyad.components.events.legacy.LegacyCoder.code_doc` (timed: the coding step). Prints both times and the
ratio coding / parsing (budget: <= 0.20). Dictionary loading and index building happen before
timing (they are once per process). Medians over repeats.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from corpus import SHARED, polnear_texts, require_shared

PHOENIX = ["CAMEO.2.0.txt", "Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
           "Phoenix.MilNonState.actors.txt", "Phoenix.agents.txt", "Phoenix.discards.txt"]
BUDGET = 0.20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    require_shared()
    folder = SHARED / "reference/dictionaries/phoenix"
    paths = [folder / name for name in PHOENIX]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"skipped: {missing[0]} not found")
        return
    texts = polnear_texts(args.articles)
    if not texts:
        print("skipped: no PolNeAR texts found")
        return

    import spacy

    from dyad.components.events.dictionaries import load_dictionaries
    from dyad.components.events.legacy import LegacyCoder
    from dyad.pipeline import MODEL

    nlp = spacy.load(MODEL)
    t = time.perf_counter()
    coder = LegacyCoder(load_dictionaries([str(p) for p in paths]), nlp=nlp)
    setup = time.perf_counter() - t
    day = dt.date(2016, 10, 1)
    parse_times, code_times, events = [], [], 0
    for _ in range(args.repeats):
        t = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=args.batch_size))
        parse_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        events = sum(len(coder.code_doc(doc, day)) for doc in docs)
        code_times.append(time.perf_counter() - t)
    parse, code = statistics.median(parse_times), statistics.median(code_times)
    words = sum(len(doc) for doc in docs)
    print(f"articles: {len(texts)}  tokens: {words:,}  events: {events}  (dictionaries + indices: {setup:.1f} s, once)")
    print(f"spaCy nlp.pipe: {parse:.2f} s   legacy coding: {code:.2f} s")
    ratio = code / parse
    print(f"ratio coding / parsing: {ratio:.3f} (budget <= {BUDGET:.2f}) {'OK' if ratio <= BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
