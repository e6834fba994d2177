"""What the server and browser tests share: the store they serve, coded from the server fixtures, and
how they find Chromium (skipped, with the reason, where it or playwright is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTICLES = Path(__file__).parents[1] / "fixtures" / "server" / "articles.jsonl"
# markup the fixtures' articles carry, which no page may let through as markup
PAYLOADS = ("<script>window.__xss", "<img src=x onerror", "<script>alert('xss-quote')", "<b>Wire</b>")
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_OUTPUT = Path(__file__).parents[1] / "output" / "browser"  # screenshots (git-ignored)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def build_store(path: Path) -> Path:
    """A store at `path` holding the server fixtures' articles, coded for real."""
    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest

    ingest(read_inputs([str(ARTICLES)]), path)
    return path
