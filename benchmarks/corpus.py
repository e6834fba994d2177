"""Benchmark texts: real articles from ../shared when it is there, else nothing (benchmarks skip)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def polnear_texts(limit: int) -> list[str]:
    """Up to `limit` PolNeAR article texts (US election news, 2016), in file-name order."""
    folders = [SHARED / "gold/quotes/polnear/data" / split / "text" for split in ("dev", "train")]
    files = [f for folder in folders if folder.is_dir() for f in sorted(folder.glob("*.txt"))]
    return [f.read_text(encoding="utf-8", errors="replace") for f in files[:limit]]


def jsonl_feed(records: list[dict], folder: str | Path) -> Path:
    """The records as one JSONL input file in `folder` (what `dyad ingest` and `dyad spark` read)."""
    import json

    feed = Path(folder) / "corpus.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    return feed


def require_shared() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the benchmark needs the shared gold corpora)")
        sys.exit(0)
