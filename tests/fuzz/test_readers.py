"""Fuzzing the input readers (issue 19): any bytes in a .txt, .html, .jsonl, .json or .warc file, or on
standard input, end as Articles ready to code or skipped/failed Results that say why; nothing raises."""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dyad.article.html import ExtractionError, extract_html
from dyad.article.readers import read_inputs
from dyad.pipeline import _admit
from dyad.records import Result

from .conftest import accounted, one_line
from .strategies import hostile_bytes, hostile_text, json_values, records, seed_files

pytestmark = pytest.mark.fuzz

TEXT_SEEDS = seed_files("scraped", "*.txt") + seed_files("articles", "*.txt")
HTML_SEEDS = seed_files("html", "*.html", lines=200)
ARTICLE = {"text": st.sampled_from([s.decode("utf-8", "replace") for s in TEXT_SEEDS]) | hostile_text(),
           "title": hostile_text(), "date": st.sampled_from(["2024-05-14", "2024-05-14T09:30:00Z", "14 May"]),
           "url": st.sampled_from(["https://news.test/a", ""]) | hostile_text(), "source": hostile_text(),
           "id": hostile_text(), "format": st.sampled_from(["html", "text"])}
JSONL_SEEDS = seed_files("server", "*.jsonl", lines=3) + seed_files("actors", "*.jsonl", lines=3)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    _admit("Police arrested four men in the capital on Monday.")  # load the language detector once
    return tmp_path_factory.mktemp("fuzz-readers")


def read_all(path) -> list:
    """Everything read from `path`, each Article through the pipeline's admission (cleaned, language checked)."""
    items = [_admit(item) for item in read_inputs([path])]
    assert items, "an input that ended as nothing"
    for item in items:
        accounted(item)
        event(f"ended as {item.status if isinstance(item, Result) else 'an article to code'}")
    return items


@given(data=hostile_bytes(TEXT_SEEDS))
def test_text_files(folder, data):
    path = folder / "article.txt"
    path.write_bytes(data)
    assert len(read_all(path)) == 1


@given(data=hostile_bytes(HTML_SEEDS) | hostile_text(tuple(s.decode("utf-8", "replace") for s in HTML_SEEDS)))
def test_html_files(folder, data):
    if isinstance(data, str):  # the extractor itself, on a page already decoded
        try:
            page = extract_html(data, url="https://news.test/a")
        except ExtractionError as error:
            one_line(str(error))
        else:
            assert page.text.strip()
        return
    path = folder / "page.html"
    path.write_bytes(data)
    assert len(read_all(path)) == 1


def _jsonl_line(value) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()  # json.dumps keeps "\ud800" escaped


@given(lines=st.lists(records(ARTICLE) | json_values() | hostile_bytes(JSONL_SEEDS), max_size=5))
def test_jsonl_files(folder, lines):
    path = folder / "articles.jsonl"
    path.write_bytes(b"\n".join(_jsonl_line(line) for line in lines))
    read_all(path)


@given(value=st.lists(records(ARTICLE) | json_values(), max_size=4) | records(ARTICLE) | json_values()
       | hostile_bytes(tuple(json.dumps([json.loads(s.split(b"\n")[0])], indent=1).encode() for s in JSONL_SEEDS)))
def test_json_files(folder, value):
    path = folder / "articles.json"
    path.write_bytes(_jsonl_line(value) if not isinstance(value, bytes) else value)
    read_all(path)


@given(data=hostile_bytes(TEXT_SEEDS + JSONL_SEEDS + HTML_SEEDS[:1]))
def test_standard_input(data):
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        read_all("-")
    finally:
        sys.stdin = stdin


def warc_record(kind: bytes, headers: list[bytes], payload: bytes) -> bytes:
    head = b"WARC/1.0\r\nWARC-Type: " + kind + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
    return head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload + b"\r\n\r\n"


def _warc(page: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page
    return (warc_record(b"warcinfo", [b"WARC-Record-ID: <urn:uuid:1>"], b"software: dyad-fuzz\r\n")
            + warc_record(b"request", [b"WARC-Target-URI: https://news.test/a"], b"GET /a HTTP/1.1\r\n\r\n")
            + warc_record(b"response", [b"WARC-Target-URI: https://news.test/a", b"WARC-Date: 2024-05-14T00:00:00Z"],
                          http))


WARC_SEEDS = (*(_warc(page) for page in HTML_SEEDS[:2]), _warc(b"<html><body><p>" + TEXT_SEEDS[0] + b"</p>"))


@given(data=hostile_bytes(WARC_SEEDS), compressed=st.booleans())
def test_warc_files(folder, data, compressed):
    import gzip

    path = folder / ("crawl.warc.gz" if compressed else "crawl.warc")
    path.write_bytes(gzip.compress(data) if compressed else data)
    read_all(path)
