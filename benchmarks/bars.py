"""Every accuracy bar of the issues, measured on the gold data in ../shared, in one table.

    python benchmarks/bars.py [--only NAME ...]

Each row runs `dyad evaluate --json` (or the HTML extraction benchmark) in a fresh process and
compares the figures with the issue's bar. Skips with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
from pathlib import Path

from corpus import ROOT, SHARED, require_shared

GOLD = SHARED / "gold"
PHOENIX = SHARED / "reference/dictionaries/phoenix"
# name: (issue, command arguments after `dyad evaluate`, {figure: (comparison, bar)})
BARS = {
    "html": ("2", None, {"f1": (">=", 0.95)}),
    "tabari": ("3", [GOLD / "events/tabari-validate/Validate.text"], {"exact_rate": (">=", 0.80)}),
    "petrarch": ("3", [GOLD / "events/petrarch-unittest/PETR.UnitTest.records.xml"],
                 {"exact_rate": (">=", 0.80), "f1": (">=", 0.85)}),
    "udpetrarch": ("3", [GOLD / "events/udpetrarch-validate/PETR_Validate_records_2_02.xml"],
                   {"recall": (">=", 0.86), "precision": (">=", 0.88)}),
    "actors-ner": ("4", ["--task", "actors", "--format", "conflibert-ner",
                         GOLD / "events/conflibert/cameo_ner_train.txt"],
                   {"recall": (">=", 0.85), "mentions_per_span": ("<=", 2.0)}),
    "actors-gsr": ("4", ["--task", "actors", "--format", "plover-gsr", GOLD / "events/plover-gsr-dev.json"],
                   {"code_accuracy": (">=", 0.85)}),
    "plover": ("5", [GOLD / "events/plover-gsr-dev.json"], {"type_f1": (">=", 0.70), "dyad_f1": (">=", 0.55)}),
    "plover-phoenix": ("5", [GOLD / "events/plover-gsr-dev.json", "--dictionaries",
                             PHOENIX / "PETR_config.ini"], {"type_f1": ("<", "plover"), "dyad_f1": ("<", "plover")}),
    "pentaclass": ("5", [GOLD / "events/conflibert/cameo_class_train.tsv"],
                   {"macro_f1": (">=", 0.60), "coverage": (">=", 0.75)}),
    "roles": ("5", ["--task", "actors", "--format", "conflibert-ner",
                    GOLD / "events/conflibert/cameo_ner_train.txt"],
              {"source_f1": (">=", 0.60), "target_f1": (">=", 0.60)}),
    "quotes": ("6", ["--task", "quotes", GOLD / "quotes/polnear/data/dev"],
               {"f1": (">=", 0.80), "speaker_accuracy": (">=", 0.88), "pronoun_resolved": (">=", 0.80)}),
    "gwn": ("7", ["--task", "places", "--format", "gwn", GOLD / "places/GWN.xml"],
            {"f1": (">=", 0.72), "within_161km": (">=", 0.92)}),
    "lgl": ("7", ["--task", "places", "--format", "lgl", GOLD / "places/lgl.xml"],
            {"f1": (">=", 0.65), "within_161km": (">=", 0.80)}),
    # halves: tuned on lines 2, 4, ... (even), held out 1, 3, ... (odd); gap = |F1 even - F1 odd|
    "articles": ("15", ["--format", "articles", GOLD / "articles/gwn-events.jsonl"],
                 {"f1": (">=", 0.60), "precision": (">=", 0.55), "recall": (">=", 0.55),
                  "halves.odd.f1": (">=", 0.55), "halves.gap": ("<=", 0.10)}),
    "art-quotes": ("15", ["--task", "quotes", "--format", "articles", GOLD / "articles/gwn-events.jsonl"],
                   {"speaker_accuracy": (">=", 0.85)}),
    "where-when": ("16", ["--task", "where-when", "--format", "articles", GOLD / "articles/gwn-events.jsonl"],
                   {"matched_events": (">=", 40), "location_accuracy": (">=", 0.80), "date_accuracy": (">=", 0.85)}),
    "event-places": ("16", ["--task", "places", "--format", "plover-gsr", GOLD / "events/plover-gsr-dev.json"],
                     {"accuracy": (">=", 0.80)}),
}


@functools.cache
def _evaluate(args: tuple[str, ...]) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "dyad"), "evaluate", "--json", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        return json.dumps({"error": message})
    return done.stdout


def measure(name: str) -> dict:
    _, args, _ = BARS[name]
    if args is None:
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks/html_extraction.py")], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out[out.index("{"):])
    return json.loads(_evaluate(tuple(map(str, args))))


def _figure(result: dict, figure: str):
    """A figure of the result; a dotted name reaches into nested objects (``halves.odd.f1``)."""
    value = result
    for key in figure.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(BARS), help="measure only these")
    args = parser.parse_args()
    require_shared()
    summary = {}
    print(f"{'bar':<12}{'issue':>6}  {'figure':<18}{'measured':>10}  {'bar':>8}  verdict")
    for name in args.only or BARS:
        issue, _, figures = BARS[name]
        result = measure(name)
        summary[name] = result
        if "error" in result:
            print(f"{name:<12}{issue:>6}  error: {result['error']}")
            continue
        for figure, (op, bar) in figures.items():
            value = _figure(result, figure)
            if isinstance(bar, str):  # "<" another row: this (a peer's) figure must stay below dyad's
                bar = summary.get(bar, {}).get(figure)
                ok = value is not None and bar is not None and value < bar
                shown = "-" if value is None else f"{value:.3f}"
                print(f"{name:<12}{issue:>6}  {figure:<18}{shown:>10}  < dyad  {'met' if ok else 'NOT MET'}")
                continue
            ok = value is not None and (value >= bar if op == ">=" else value <= bar)
            shown = "-" if value is None else f"{value:.3f}"
            print(f"{name:<12}{issue:>6}  {figure:<18}{shown:>10}  {op}{bar:>6}  {'met' if ok else 'NOT MET'}")
    (ROOT / "benchmarks/output").mkdir(exist_ok=True)
    (ROOT / "benchmarks/output/bars.json").write_text(json.dumps(summary, indent=1, default=str))


if __name__ == "__main__":
    main()
