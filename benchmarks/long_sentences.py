"""Bounded cost per article (issue 19): pages that are one sentence full of events.

    python benchmarks/long_sentences.py [--skip-subprocess] [--corpus]

1. pages of 10k/20k/40k/80k characters, each ONE sentence of event clauses joined by commas and "and"
   (no full stop), coded in this process after a warm-up (best of 3): time(80k) / time(10k) <= 10 (before issue 19
   date resolution, event location and event coding grew with the square of sentence length);
2. a 200,000-character page of that kind through `dyad code` in a fresh process: it ends, coded or failed
   with its reason, within 90 s, with a peak resident memory <= 1 GB;
3. that page through `dyad ingest --jobs 2 --batch-size 4` with ten ordinary articles (three in its
   batch): every other article is stored, coded; once with the default --article-timeout, once with
   `--article-timeout 5`, where the page must end failed, "timed out after 5 s".
Prints a pass/fail table and a JSON line. Needs no ../shared (the texts are invented), except
`--corpus`: the longest sentence, and the longest run without sentence punctuation, that spaCy finds in
the shared corpora, which `dyad.components.long_sentences.MAX_SENTENCE_TOKENS` was set from.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cold_start import dyad_command
from corpus import require_shared

SIZES = (10_000, 20_000, 40_000, 80_000)
BIG = 200_000
REPEATS = 3  # the best of three: a 10k page codes in ~0.3 s, where a busy machine's noise shows
COUNTRIES = ("France", "Germany", "Turkey", "Greece", "Kenya", "Nigeria", "Egypt", "Israel", "Iran", "Iraq",
             "Syria", "Russia", "Ukraine", "China", "India", "Pakistan", "Brazil", "Mexico", "Peru", "Chile")
CITIES = ("Nairobi", "Lagos", "Cairo", "Baghdad", "Damascus", "Kyiv", "Ankara", "Athens", "Tehran", "Lima")
PEOPLE = ("Amina Diallo", "Jonas Berger", "Elif Kaya", "Nikos Pappas", "Omar Haddad")
# actors, places, dates, a pronoun and domestic dissent in every period of the page
CLAUSES = ("the army of {a} attacked rebels in {c} on Monday", "the government of {b} condemned the attack",
           "police in {c} arrested protesters yesterday", "the president of {a} met the foreign minister of {b}",
           "{a} accused {b} of supporting militants", "troops from {b} shelled villages near {c}",
           "President {p} of {a} said he would punish {b}", "workers in {a} went on strike",
           "the prime minister of {b} promised aid to {a} last week")
NORMAL = ("Police arrested four protesters in Nairobi on Monday, officials said. The Kenyan interior minister "
          "condemned the violence and promised an inquiry.\n\nThe opposition accused the government of "
          "using force against peaceful marchers.")
BARS = {"ratio": 10.0, "seconds": 90.0, "peak_mb": 1024.0}


def run_on_page(chars: int) -> str:
    """One sentence of `chars` characters: event clauses joined by commas and 'and', no full stop."""
    parts, length = [], 0
    for i in itertools.count():
        clause = CLAUSES[i % len(CLAUSES)].format(a=COUNTRIES[i % 20], b=COUNTRIES[(7 * i + 3) % 20],
                                                  c=CITIES[i % 10], p=PEOPLE[i % 5])
        parts.append((", and " if i % 2 else ", ") + clause if parts else clause[0].upper() + clause[1:])
        length += len(parts[-1])
        if length >= chars:
            return "".join(parts)[:chars].rsplit(" ", 1)[0]


def in_process() -> dict[int, tuple[float, int]]:
    """Seconds (the best of REPEATS) and events of each size, coded in this process after a warm-up."""
    from dyad.pipeline import load, process

    nlp = load()
    list(process([run_on_page(5_000), NORMAL], nlp))  # the model, knowledge and gazetteer
    figures = {}
    for chars in SIZES:
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            (result,) = process([{"text": run_on_page(chars), "date": "2024-05-14"}], nlp)
            times.append(time.perf_counter() - started)
        figures[chars] = (min(times), len(result.events))
    return figures


def measured(args: list[str], timeout: float) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (MB) of one command, run by a fresh Python process whose only child it
    is (so RUSAGE_CHILDREN is its own), with its output."""
    probe = ("import resource, subprocess, sys, time\nt = time.perf_counter()\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(done.returncode, time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
             "sys.stderr.write(done.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=timeout)
    code, wall, peak = done.stdout.split()
    return float(wall), float(peak), subprocess.CompletedProcess(args, int(code), "", done.stderr)


def code_big_page(folder: Path) -> dict:
    page = folder / "page.txt"
    page.write_text(run_on_page(BIG))
    wall, peak, done = measured([*dyad_command(), "code", "--date", "2024-05-14", str(page)], timeout=600)
    said = [line for line in done.stderr.splitlines() if "page.txt" in line]
    return {"seconds": round(wall, 1), "peak_mb": round(peak), "exit": done.returncode, "said": said}


def ingest_with_page(folder: Path, timeout: float | None) -> dict:
    """The page among ten ordinary articles, two workers, four articles a batch; what the store holds."""
    import duckdb

    records = [{"id": f"n{i}", "text": f"Report {i}.\n\n{NORMAL}", "date": "2024-05-14"} for i in range(10)]
    records.insert(2, {"id": "page", "text": run_on_page(BIG), "date": "2024-05-14"})
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    db = folder / f"ingest-{timeout}.duckdb"
    extra = ["--article-timeout", str(timeout)] if timeout else []
    started = time.perf_counter()
    subprocess.run([*dyad_command(), "ingest", str(feed), "--db", str(db), "--jobs", "2", "--batch-size", "4",
                    *extra], capture_output=True, timeout=900)
    wall = time.perf_counter() - started
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(((i, (s, r)) for i, s, r in con.execute("SELECT id, status, reason FROM articles").fetchall()))
    con.close()
    others = [rows.get(r["id"], ("missing", None))[0] for r in records if r["id"] != "page"]
    page = rows.get("page", ("missing", None))
    return {"seconds": round(wall, 1), "others_coded": others.count("coded"), "others": len(others),
            "page": page[0], "page_reason": page[1]}


def corpus_sentences() -> None:
    """Over the articles of benchmarks/ingest.py (PolNeAR, GeoWebNews, LGL, GeoVirus, the HTML pages):
    the longest sentence the parser makes, the longest run without sentence punctuation or a paragraph
    break (in tokens), and how many articles dyad_long_sentences cuts (0 is the point)."""
    from ingest import shared_articles

    from dyad.components.long_sentences import CUT_WARNING, ends_sentence
    from dyad.pipeline import _admit, load

    require_shared()
    texts = [a.text for a in map(_admit, shared_articles(None)) if hasattr(a, "text")]
    nlp = load()
    longest = longest_run = cut = 0
    with nlp.select_pipes(enable=["tok2vec", "tagger", "dyad_paragraphs", "dyad_long_sentences", "parser"]):
        for doc in nlp.pipe(texts, batch_size=16):
            longest = max([longest, *(len(s) for s in doc.sents)])
            cut += CUT_WARNING in (doc._.dyad_warnings or [])
            run = 0
            for token in doc:
                run = 0 if ends_sentence(token) or "\n" in token.whitespace_ or token.is_space else run + 1
                longest_run = max(longest_run, run)
    print(f"{len(texts)} articles: longest sentence {longest} tokens; longest run without sentence punctuation "
          f"or a paragraph break {longest_run} tokens; articles cut by dyad_long_sentences: {cut}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-subprocess", action="store_true", help="only the in-process pages")
    parser.add_argument("--corpus", action="store_true", help="only the sentence lengths of the shared corpora")
    args = parser.parse_args()
    if args.corpus:
        corpus_sentences()
        return
    figures = in_process()
    for chars, (seconds, events) in figures.items():
        print(f"{chars:>7,} characters, one sentence: {seconds:6.2f} s, {events} events")
    ratio = figures[SIZES[-1]][0] / figures[SIZES[0]][0]
    rows = [(f"time({SIZES[-1] // 1000}k) / time({SIZES[0] // 1000}k)", f"{ratio:.1f}", f"<= {BARS['ratio']:g}",
             ratio <= BARS["ratio"])]
    report: dict = {"seconds": {c: round(s, 3) for c, (s, _) in figures.items()}, "ratio": round(ratio, 2)}
    if not args.skip_subprocess:
        with tempfile.TemporaryDirectory() as tmp:
            big = report["code"] = code_big_page(Path(tmp))
            ended = big["exit"] == 0 or any("failed" in line for line in big["said"])
            rows += [("200k page, dyad code: ends", f"exit {big['exit']}", "coded or failed", ended),
                     ("200k page, dyad code: seconds", f"{big['seconds']:.1f}", f"<= {BARS['seconds']:g}",
                      big["seconds"] <= BARS["seconds"]),
                     ("200k page, dyad code: peak MB", f"{big['peak_mb']}", f"<= {BARS['peak_mb']:g}",
                      big["peak_mb"] <= BARS["peak_mb"])]
            for timeout in (None, 5):
                run = report[f"ingest_timeout_{timeout or 'default'}"] = ingest_with_page(Path(tmp), timeout)
                name = f"ingest --jobs 2{f' --article-timeout {timeout}' if timeout else ''}"
                rows.append((f"{name}: others stored", f"{run['others_coded']}/{run['others']} coded",
                             "all", run["others_coded"] == run["others"]))
                expected = run["page"] == "failed" and "timed out after 5 s" in (run["page_reason"] or "") \
                    if timeout else run["page"] in ("coded", "failed")
                rows.append((f"{name}: the page", f"{run['page']} ({run['page_reason'] or '-'}), "
                             f"{run['seconds']:.0f} s", "timed out" if timeout else "stored", expected))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'bar':<{width}}  {'measured':<42}{'target':<18}result")
    for name, value, target, ok in rows:
        print(f"{name:<{width}}  {value:<42}{target:<18}{'pass' if ok else 'FAIL'}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
