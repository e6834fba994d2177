"""Article extraction from HTML: shingle precision/recall/F1 of dyad's text against gold bodies.

    .venv/bin/python benchmarks/html_extraction.py                # extract_html + clean_text
    .venv/bin/python benchmarks/html_extraction.py --no-clean     # extract_html alone
    .venv/bin/python benchmarks/html_extraction.py --no-clean --set include_tables=false

Reads ``ground-truth.json`` and ``html/<id>.html.gz`` from the gold directory (default
``../shared/gold/html`` beside the repository) and prints the figures as JSON, with the extraction
speed in pages per second. ``--set`` overrides one of ``dyad.article.html.TRAFILATURA_OPTIONS`` for this run
(how its values were calibrated). The measure is described in ``dyad.evaluate.extraction``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _option(value: str) -> tuple[str, bool]:
    key, sep, raw = value.partition("=")
    if not sep or raw.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected KEY=true|false, got {value!r}")
    return key, raw.lower() == "true"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "gold_dir",
        nargs="?",
        type=Path,
        default=REPO.parent / "shared" / "gold" / "html",
    )
    parser.add_argument(
        "--no-clean",
        action="store_true",
        help="score extract_html output without clean_text",
    )
    parser.add_argument(
        "--set",
        type=_option,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a trafilatura option for this run (repeatable)",
    )
    args = parser.parse_args(argv)
    if not (args.gold_dir / "ground-truth.json").is_file():
        print(f"skipped: {args.gold_dir} not found (the gold pages live in ../shared)")
        return 0
    sys.path.insert(0, str(REPO / "src"))  # run from a checkout without installing
    from dyad.article import html
    from dyad.evaluate.extraction import evaluate_html_dir

    unknown = [key for key, _ in args.set if key not in html.TRAFILATURA_OPTIONS]
    if unknown:
        parser.error(f"unknown option {unknown[0]!r}; --set takes one of: {', '.join(html.TRAFILATURA_OPTIONS)}")
    html.TRAFILATURA_OPTIONS.update(dict(args.set))
    figures = evaluate_html_dir(args.gold_dir, clean=not args.no_clean)
    figures["trafilatura_options"] = html.TRAFILATURA_OPTIONS
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
