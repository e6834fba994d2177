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

from dyad.article.clean import make_article, unicode_text
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
# Bytes that are not UTF-8 are read as UTF-8 with replacement characters when at least this share of the
# non-ASCII characters decode as UTF-8 (a damaged UTF-8 file), else as the legacy encoding that fits (a
# cp1252 file has no valid UTF-8 sequences at all). Set by hand; `python -m pytest tests/test_readers.py`.
MIN_UTF8_SHARE = 0.5
MAX_REASON_CHARS = 200  # a library's error quoted in a reason is cut here: one line, never a dump
SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json",
            ".warc": "warc", ".gz": "warc"}  # .gz only as .warc.gz (see _kind)

Item = Article | Result


def _rejected(origin: str, status: str, reason: str, **fields) -> Result:
    article = Article(id=article_id(None, "origin:" + origin), text="", origin=origin, **fields)
    return Result(article=article, status=status, reason=reason)


def decode(data: bytes, origin: str = "<bytes>") -> tuple[str, str | None]:
    """The text and, for damaged UTF-8 (its bad bytes replaced), the warning its articles carry; else the
    encoding charset-normalizer is confident about (no warning); binary data is an error."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        text = data.decode("utf-8-sig", errors="replace")
        invalid = text.count("\ufffd") - data.count("\ufffd".encode())
        valid = sum(1 for c in text if ord(c) > 127 and c != "\ufffd")
        if valid and valid >= MIN_UTF8_SHARE * (valid + invalid) and "\x00" not in text:
            return text, (f"text repaired: {invalid} invalid UTF-8 byte sequence(s) in {origin} replaced with "
                          f"U+FFFD (first at byte {error.start}); the rest is UTF-8")
        best = from_bytes(data[:CHARSET_SAMPLE_BYTES]).best()
        if best is None or best.chaos > MAX_CHAOS or "\x00" in str(best):
            raise ValueError(
                f"undecodable bytes: not UTF-8 (invalid byte at offset {error.start}) and no other "
                "text encoding fits; convert the file to UTF-8"
            ) from None
        return data.decode(best.encoding, errors="replace"), None


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


def _loads(text: str):
    """json.loads, with JSON nested deeper than it can read (it raises RecursionError) malformed like the rest."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def from_jsonl_line(line: str, origin: str) -> Item:
    try:
        record = _loads(line)
    except json.JSONDecodeError as error:
        return _rejected(origin, "failed", f"malformed JSON: {error.msg} at column {error.colno}")
    if not isinstance(record, dict):
        return _rejected(origin, "failed", "a JSONL line must hold an object with a 'text' field")
    return from_record(record, origin)


def from_record(record: dict, origin: str) -> Item:
    """An article given as a mapping: `text`, optionally `id`, `url`, `title`, `date`, `source` (strings);
    lone surrogates in them are replaced and the article says so, as for damaged UTF-8."""
    text = record.get("text")
    if not isinstance(text, str):
        return _rejected(origin, "failed", "no 'text' string field in this JSON object")
    metadata = {k: record[k] for k in ("url", "title", "date", "source") if record.get(k) is not None}
    for name in ("url", "title", "source"):
        if not isinstance(metadata.get(name, ""), str):
            return _rejected(origin, "failed", f"the '{name}' field must be a string, not "
                                               f"{type(metadata[name]).__name__}")
    text, replaced = unicode_text(text)
    for name, value in metadata.items():
        if isinstance(value, str):
            metadata[name], count = unicode_text(value)
            replaced += count
    if "html" in str(record.get("format", "")):
        item = from_html(text, origin, url=metadata.get("url"))
    else:
        item = from_text(text, origin, **metadata)
    if isinstance(item, Article) and record.get("id"):
        item.id, count = unicode_text(str(record["id"]))
        replaced += count
    if isinstance(item, Article) and replaced:
        item.warnings.append(f"text repaired: {replaced} lone surrogate(s) in {origin} (JSON \\ud800-\\udfff "
                             "escapes that are not characters) replaced with U+FFFD")
    return item


def from_json_document(text: str, origin: str) -> Iterator[Item]:
    """A .json file: one article object, or an array of them (as JSONL lines: `text`, optionally `id`...)."""
    try:
        value = _loads(text)
    except json.JSONDecodeError as error:
        yield _rejected(origin, "failed", f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}")
        return
    if isinstance(value, dict):
        yield from_record(value, origin)
    elif isinstance(value, list):
        for number, record in enumerate(value, start=1):
            where = f"{origin}[{number}]"
            yield from_record(record, where) if isinstance(record, dict) else _rejected(
                where, "failed", "an element of a JSON array must be an object with a 'text' field")
        if not value:
            yield _rejected(origin, "skipped", "an empty JSON array: no article")
    else:
        yield _rejected(origin, "failed", "a .json file must hold an object with a 'text' field, or an array of them")


def _sniff(text: str) -> str:
    """What standard input holds: JSON (one multi-line object or an array), JSONL, HTML or plain text."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            value = _loads(stripped)
        except json.JSONDecodeError:
            return "jsonl" if stripped[0] == "{" else "text"
        multiline = len([line for line in stripped.splitlines() if line.strip()]) > 1
        return "json" if isinstance(value, list) or multiline else "jsonl"
    return "html" if stripped[:1] == "<" else "text"


def _read_stream(data: bytes, origin: str, kind: str | None) -> Iterator[Item]:
    try:
        text, repaired = decode(data, origin)
    except ValueError as error:
        yield _rejected(origin, "failed", str(error))
        return
    if kind is None:  # stdin: sniff
        kind = _sniff(text)
    items = _items(text, origin, kind)
    if repaired is None:
        yield from items
        return
    one_article = kind not in ("json", "jsonl")
    for item in items:
        # of a file of many articles, only those whose own fields hold a replaced byte were repaired
        if isinstance(item, Article) and (one_article or _replaced(item)):
            item.warnings.append(repaired)
        yield item


def _replaced(article: Article) -> bool:
    return any("\ufffd" in (value or "") for value in (article.text, article.title, article.source, article.url))


def _items(text: str, origin: str, kind: str) -> Iterator[Item]:
    if kind == "json":
        yield from from_json_document(text, origin)
    elif kind == "jsonl":
        lines = 0
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            lines += 1
            where = f"{origin}:{number}"
            if len(line) > MAX_ARTICLE_BYTES:
                yield _rejected(where, "skipped", f"too large: {len(line):,} characters > {MAX_ARTICLE_BYTES:,}")
            else:
                yield from_jsonl_line(line, where)
        if not lines:  # nothing silently: an empty file is reported, as an empty .txt is
            yield _rejected(origin, "skipped", "an empty JSONL file: no article")
    elif kind == "html":
        yield from_html(text, origin)
    else:
        yield from_text(text, origin)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    return None if name.endswith(".gz") else SUFFIXES.get(path.suffix.lower())


def warc_http_headers(record):
    """A response record's HTTP status and headers, parsed from its stream here rather than by warcio's iterator
    (open it with no_record_parse=True), so a record with bad headers fails alone, not the archive."""
    from warcio.recordloader import ArcWarcRecordLoader
    from warcio.statusandheaders import StatusAndHeadersParser

    record.http_headers = StatusAndHeadersParser(ArcWarcRecordLoader.HTTP_TYPES, verify=False).parse(record.raw_stream)
    return record.http_headers


def _warc_page(record, origin: str) -> Item | None:
    """One WARC record: its HTML page, or None for a record that holds none (a request, an image, DNS)."""
    from warcio.recordloader import ArcWarcRecordLoader

    if record.rec_type != "response":
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    if not url:
        return _rejected(origin, "failed", "WARC response record without a WARC-Target-URI header")
    if not url.startswith(ArcWarcRecordLoader.HTTP_SCHEMES):
        return None
    warc_http_headers(record)
    if "html" not in (record.http_headers.get_header("Content-Type") or "").lower():
        return None
    data = record.content_stream().read()
    if len(data) > HTML_SIZE_FACTOR * MAX_ARTICLE_BYTES:
        return _rejected(origin, "skipped", f"too large: {len(data):,} bytes of HTML", url=url)
    return from_html(data, origin, url=url)


def warc_error(error: Exception) -> str:
    """warcio's message as one line: its explanations run over several."""
    message = str(error)
    if "non-chunked gzip" in message:
        return ("compressed as one gzip stream, not record by record; recompress it (`warcio recompress IN OUT`) "
                "or gunzip it")
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return first[:MAX_REASON_CHARS] or type(error).__name__


def read_warc(path: Path) -> Iterator[Item]:
    """Every HTML response of a WARC archive (warcio), with its target URI and date; a record that cannot
    be read ends as failed with the reason, and the records after it are read."""
    from warcio.archiveiterator import ArchiveIterator

    pages = records = 0
    try:
        with path.open("rb") as handle:
            for number, record in enumerate(ArchiveIterator(handle, no_record_parse=True), start=1):
                records = number
                origin = f"{path}#{number}"
                try:
                    item = _warc_page(record, origin)
                except Exception as error:  # warcio raises several types for a damaged record
                    item = _rejected(origin, "failed", f"unreadable WARC record: {warc_error(error)}")
                if item is not None:
                    pages += 1
                    yield item
    except Exception as error:  # warcio raises several types for a damaged archive
        yield _rejected(str(path), "failed", f"unreadable WARC archive after {records} records: {warc_error(error)}")
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
        if path.is_dir():  # .json files only when named: a folder's may be anything (settings, metadata)
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) not in (None, "json"))
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
        if path is None or _kind(path) in ("warc", "json"):
            return None  # unknown until read
        if path.suffix.lower() == ".jsonl" and path.is_file():
            with path.open("rb") as handle:
                total += max(1, sum(1 for line in handle if line.strip()))  # an empty file is one skipped input
        else:
            total += 1
    return total
