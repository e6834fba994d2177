"""HTML pages -> article text and metadata, with trafilatura.

One verb, :func:`extract_html`: give it a saved page (``str``, or ``bytes`` as read from disk or a
WARC record) and get back the article body as plain text, paragraphs separated by blank lines, with
the page's title, publication date, URL and site name. Navigation, footers, comments and related-link
blocks are left out. Nothing is ever fetched: the page is parsed once, in memory, and the text and the
metadata both come from that single trafilatura pass.

A page without article text (empty, truncated before the body, or only boilerplate) raises
:class:`ExtractionError`, which callers turn into a per-article "failed" or "skipped" status.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import re

import msgspec

# trafilatura (~50 ms of imports) is imported where a page is read, not by every `dyad code`

__all__ = ["TRAFILATURA_OPTIONS", "ExtractionError", "HtmlArticle", "decode_html", "extract_html"]

# Options passed to trafilatura.bare_extraction for every page.
# favor_precision is a design choice (event coding would rather lose a paragraph than code a sidebar);
# the rest were calibrated as a set on the article-extraction gold pages (../shared/gold/html, 181
# pages, shingle F1 as in dyad.evaluate.extraction) with trafilatura 2.3.1, extraction only:
#   .venv/bin/python benchmarks/html_extraction.py --no-clean [--set include_tables=false ...]
#   chosen (below)                     P 0.958  R 0.971  F1 0.964
#   favor_precision=False              P 0.942  R 0.978  F1 0.960  (trafilatura defaults)
#   include_tables=False               P 0.956  R 0.958  F1 0.957
#   fast=True (no fallback extractors) P 0.947  R 0.946  F1 0.946  (1.7x faster)
# Through dyad.article.clean.clean_text as the pipeline reads it (same command without --no-clean):
#   chosen                             P 0.967  R 0.965  F1 0.966  (re-measured with today's cleaner)
# deduplicate=True is left off: trafilatura keeps its duplicate cache across calls, so a page's text
# would depend on the pages read before it. include_comments=True scores the same here but reader
# comments are not the article. Re-run the command above after any change here or any
# trafilatura upgrade.
TRAFILATURA_OPTIONS: dict[str, object] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "fast": False,
    "deduplicate": False,
}

# Where a page declares its encoding: <meta charset="..."> or <meta http-equiv content="...; charset=...">.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_URL_SHOWN = 120  # characters of a page's URL an error message quotes: a bound, not tuned
_PRESCAN_BYTES = 8192  # how far into the page a meta charset is looked for (the HTML standard prescans 1024)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels browsers decode as windows-1252 (WHATWG Encoding Standard): pages labelled latin-1 routinely
# contain 0x80-0x9F curly quotes and dashes.
_WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}
# A heading (up to _HEADING_CHARS of it) and the code inside one: trafilatura takes a title from an <h1>'s
# whole text, scripts and styles included, so they are dropped from headings before it reads the page.
_HEADING_CHARS = 5000  # a bound on the search, far above any headline
_HEADING = re.compile(rf"<(h[1-6])\b[^>]*>.{{0,{_HEADING_CHARS}}}?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class ExtractionError(ValueError):
    """The page gave no article text."""


class HtmlArticle(msgspec.Struct, kw_only=True):
    """The article found in one HTML page."""

    text: str  # body paragraphs separated by blank lines
    title: str | None = None
    date: dt.date | None = None  # publication date found in the page (or its URL)
    url: str | None = None  # the URL given by the caller, else the page's canonical URL
    source: str | None = None  # site name, else host name


def _declared_encoding(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Decode a page's bytes: byte-order mark, then valid UTF-8, then the page's meta charset,
    then trafilatura's guess (charset detection). Gzip-compressed bytes are decompressed first."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data)
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # the label lies; fall back to detection
    from trafilatura.utils import decode_file

    return decode_file(data)


def _without_code_in_headings(page: str) -> str:
    """The page with the scripts and styles inside its headings removed (the rest of the page as it was)."""
    if not re.search(r"<(script|style|noscript|template)\b", page, re.IGNORECASE):
        return page
    return _HEADING.sub(lambda heading: _CODE.sub("", heading.group(0)), page)


def _paragraphs(text: str) -> str:
    # trafilatura's plain-text output puts each block (paragraph, heading, list item, line break) on
    # its own line; dyad separates paragraphs by a blank line.
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _shown(url: str) -> str:
    """A URL as an error message quotes it: one line, cut at _URL_SHOWN characters (it came with the input)."""
    url = " ".join(url.split())
    return url if len(url) <= _URL_SHOWN else url[:_URL_SHOWN] + "..."


def extract_html(html: str | bytes, *, url: str | None = None) -> HtmlArticle:
    """Extract the article of one HTML page (never fetches anything).

    ``url`` is where the page came from; it helps date and site-name detection and is kept on the
    result. Raises :class:`ExtractionError` when the page holds no article text.
    """
    where = f" ({_shown(url)})" if url else ""
    page = decode_html(html) if isinstance(html, bytes) else html
    if not page.strip():
        raise ExtractionError(f"empty HTML page{where}: nothing to extract")
    from trafilatura import bare_extraction

    document = bare_extraction(_without_code_in_headings(page), url=url, with_metadata=True, **TRAFILATURA_OPTIONS)
    text = _paragraphs(document.text or "") if document is not None else ""
    if not text:
        raise ExtractionError(
            f"no article text found in HTML page{where}: the page is malformed, truncated or holds "
            "only navigation/boilerplate; check that the file is a complete article page"
        )
    return HtmlArticle(
        text=text,
        title=document.title or None,
        date=_date(document.date),
        url=url or document.url or None,
        source=document.sitename or document.hostname or None,
    )
