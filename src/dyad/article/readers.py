"""Input: files, directories, JSONL, HTML and stdin -> Articles, or Results that say why not.

Every input ends as something: an Article to code, or a skipped/failed Result naming its origin
(file, line) and the reason. Nothing is dropped silently.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from dyad.article.clean import make_article
from dyad.article.html import ExtractionError, extract_html
from dyad.records import Article, Result, article_id

# Largest input file or JSONL line read as one article. The longest article in the shared gold
# corpora (PolNeAR, GeoWebNews, LGL, the HTML set) is under 60 KB of text; 2 MB leaves room for
# long reports while keeping a runaway file (a log, a dump) from being parsed as one document.
MAX_ARTICLE_BYTES = 2_000_000
# An HTML page (of a WARC archive) may be this many times larger than its text: markup, scripts and
# styles. Set by hand; the gold HTML pages of benchmarks/html_extraction.py are far below it.
HTML_SIZE_FACTOR = 5
# Bytes charset-normalizer reads to guess an encoding: enough text for a confident guess at a fixed
# cost. Set by hand; re-measure with `python -m pytest tests/test_readers.py`.
CHARSET_SAMPLE_BYTES = 200_000
# The largest "chaos" (mess ratio) accepted as a plausible decoding: charset-normalizer's own default.
MAX_CHAOS = 0.2
SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".warc": "warc",
            ".gz": "warc"}  # .gz only as .warc.gz (see _kind)

Item = Article | Result


def _rejected(origin: str, status: str, reason: str, **fields) -> Result:
    article = Article(id=article_id(None, "origin:" + origin), text="", origin=origin, **fields)
    return Result(article=article, status=status, reason=reason)


def decode(data: bytes) -> str:
    """UTF-8, else the encoding charset-normalizer is confident about; binary data is an error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        best = from_bytes(data[:CHARSET_SAMPLE_BYTES]).best()
        if best is None or best.chaos > MAX_CHAOS or "\x00" in str(best):
            raise ValueError(
                f"undecodable bytes: not UTF-8 (invalid byte at offset {error.start}) and no other "
                "text encoding fits; convert the file to UTF-8"
            ) from None
        return data.decode(best.encoding, errors="replace")


def from_text(raw: str, origin: str, **metadata) -> Item:
    try:
        article, _ = make_article(raw, origin=origin, **metadata)
    except ValueError as error:
        return _rejected(origin, "failed", str(error))
    return article


def from_html(data: str | bytes, origin: str, url: str | None = None) -> Item:
    try:
        page = extract_html(data, url=url)
    except ExtractionError as error:
        return _rejected(origin, "failed", f"HTML: {error}", url=url)
    return from_text(page.text, origin, url=page.url or url, title=page.title, date=page.date,
                     source=page.source)


def from_jsonl_line(line: str, origin: str) -> Item:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return _rejected(origin, "failed", f"malformed JSON: {error.msg} at column {error.colno}")
    if not isinstance(record, dict):
        return _rejected(origin, "failed", "a JSONL line must hold an object with a 'text' field")
    return from_record(record, origin)


def from_record(record: dict, origin: str) -> Item:
    """An article given as a mapping: `text`, optionally `id`, `url`, `title`, `date`, `source`."""
    text = record.get("text")
    if not isinstance(text, str):
        return _rejected(origin, "failed", "no 'text' string field in this JSON object")
    metadata = {k: record[k] for k in ("url", "title", "date", "source") if record.get(k) is not None}
    if "html" in str(record.get("format", "")):
        return from_html(text, origin, url=metadata.get("url"))
    item = from_text(text, origin, **metadata)
    if isinstance(item, Article) and record.get("id"):
        item.id = str(record["id"])
    return item


def _read_stream(data: bytes, origin: str, kind: str | None) -> Iterator[Item]:
    try:
        text = decode(data)
    except ValueError as error:
        yield _rejected(origin, "failed", str(error))
        return
    if kind is None:  # stdin: sniff
        stripped = text.lstrip()
        if stripped.startswith("{"):
            kind = "jsonl"
        elif stripped[:1] == "<":
            kind = "html"
        else:
            kind = "text"
    if kind == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{origin}:{number}"
            if len(line) > MAX_ARTICLE_BYTES:
                yield _rejected(where, "skipped", f"too large: {len(line):,} characters > {MAX_ARTICLE_BYTES:,}")
            else:
                yield from_jsonl_line(line, where)
    elif kind == "html":
        yield from_html(text, origin)
    else:
        yield from_text(text, origin)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    return None if name.endswith(".gz") else SUFFIXES.get(path.suffix.lower())


def read_warc(path: Path) -> Iterator[Item]:
    """Every HTML response of a WARC archive (warcio), with its target URI and date."""
    from warcio.archiveiterator import ArchiveIterator

    pages = records = 0
    try:
        with path.open("rb") as handle:
            for number, record in enumerate(ArchiveIterator(handle), start=1):
                records = number
                if record.rec_type != "response":
                    continue
                content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if "html" not in content_type.lower():
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                origin = f"{path}#{number}"
                data = record.content_stream().read()
                if len(data) > HTML_SIZE_FACTOR * MAX_ARTICLE_BYTES:
                    yield _rejected(origin, "skipped", f"too large: {len(data):,} bytes of HTML", url=url)
                    continue
                pages += 1
                yield from_html(data, origin, url=url)
    except Exception as error:  # warcio raises several types for a damaged archive
        yield _rejected(str(path), "failed", f"unreadable WARC archive after {records} records: {error}")
        return
    if pages == 0:  # nothing silently: an archive without pages is reported
        yield _rejected(str(path), "skipped", f"no HTML response in this WARC archive ({records} records read)")


def read_path(path: Path) -> Iterator[Item]:
    kind = _kind(path)
    origin = str(path)
    if kind == "warc":
        yield from read_warc(path)
        return
    try:
        size = path.stat().st_size
        if kind != "jsonl" and size > MAX_ARTICLE_BYTES:
            yield _rejected(origin, "skipped", f"too large: {size:,} bytes > {MAX_ARTICLE_BYTES:,} for one "
                                               "article; split it or make it JSONL")
            return
        data = path.read_bytes()
    except OSError as error:
        yield _rejected(origin, "failed", f"cannot read: {error.strerror or error}")
        return
    yield from _read_stream(data, origin, kind or "text")


def expand_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | None]:
    """Files as given; directories recursively (.txt, .html, .jsonl, .warc[.gz]); None for stdin ('-')."""
    for raw in paths:
        if str(raw) == "-":
            yield None
            continue
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) is not None)
        else:
            yield path


def read_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[Item]:
    """Every article in the given paths (or stdin for '-'), in order."""
    for path in expand_paths(paths):
        if path is None:
            yield from _read_stream(sys.stdin.buffer.read(), "<stdin>", None)
        elif not path.exists():
            yield _rejected(str(path), "failed", "no such file or directory")
        else:
            yield from read_path(path)


def count_inputs(paths: Iterable[str | os.PathLike]) -> int | None:
    """How many articles `read_inputs` will yield (JSONL lines counted); None with stdin or WARC input."""
    total = 0
    for path in expand_paths(paths):
        if path is None or _kind(path) == "warc":
            return None  # unknown until read
        if path.suffix.lower() == ".jsonl" and path.is_file():
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        else:
            total += 1
    return total
