"""Bad input ends with a clear per-article status; the batch goes on; nothing is dropped."""

import json

import pytest

from dyad.article.readers import MAX_ARTICLE_BYTES, count_inputs, decode, read_inputs
from dyad.records import Article, Result


def statuses(items):
    return [(i.status, i.reason) if isinstance(i, Result) else ("article", None) for i in items]


def test_text_html_and_jsonl_files_in_a_directory_are_read_recursively(tmp_path, fixtures):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Police arrested two men in Lagos on Monday.")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "Talks resumed.", "url": "https://x.test/1"}) + "\n\n"
                                      + json.dumps({"text": "Troops withdrew."}) + "\n")
    (tmp_path / "c.html").write_bytes((fixtures / "html" / "news_page.html").read_bytes())
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    items = list(read_inputs([tmp_path]))
    assert [type(i) for i in items] == [Article, Article, Article, Article]
    assert count_inputs([tmp_path]) == 4
    assert items[0].url == "https://x.test/1"
    assert items[0].origin.endswith("b.jsonl:1") and items[1].origin.endswith("b.jsonl:3")


def test_malformed_jsonl_lines_fail_alone(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "Troops withdrew."}\n{"text": broken\n["a list"]\n{"title": "no text"}\n')
    items = list(read_inputs([path]))
    assert isinstance(items[0], Article)
    assert [s for s, _ in statuses(items[1:])] == ["failed", "failed", "failed"]
    assert "malformed JSON" in items[1].reason and items[1].article.origin.endswith(":2")
    assert "'text'" in items[3].reason


def test_undecodable_bytes_fail_with_a_message(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 50)
    (item,) = read_inputs([path])
    assert item.status == "failed" and "undecodable" in item.reason


def test_latin1_text_is_decoded():
    text, warning = decode("Le ministre a déclaré que la réunion aurait lieu à Genève.".encode("latin-1"))
    assert text.startswith("Le ministre a déclaré") and warning is None


def test_fifty_megabyte_file_is_skipped_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (item,) = read_inputs([path])
    assert item.status == "skipped" and "too large" in item.reason
    assert str(MAX_ARTICLE_BYTES // 1000) in item.reason.replace(",", "")


def test_malformed_html_fails_with_a_message(tmp_path):
    path = tmp_path / "broken.html"
    path.write_text("<html><body><div><p></div>")
    (item,) = read_inputs([path])
    assert item.status == "failed" and item.reason.startswith("HTML:")


def test_missing_path_fails(tmp_path):
    (item,) = read_inputs([tmp_path / "nope.txt"])
    assert item.status == "failed" and "no such file" in item.reason


@pytest.mark.parametrize("date", ["2024-13-01", "yesterday"])
def test_invalid_date_in_jsonl_fails_that_line(tmp_path, date):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": "Troops withdrew.", "date": date}) + "\n")
    (item,) = read_inputs([path])
    assert item.status == "failed" and date in item.reason


def test_warc_archive_yields_its_html_responses(tmp_path, fixtures):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = (fixtures / "html" / "news_page.html").read_bytes()
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for uri, content_type, body in [("https://news.test/a", "text/html; charset=utf-8", page),
                                        ("https://news.test/logo.png", "image/png", b"\x89PNG")]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(body),
                                                          http_headers=headers))
    items = list(read_inputs([tmp_path]))
    assert len(items) == 1 and isinstance(items[0], Article)
    assert items[0].url == "https://news.test/a" and items[0].origin.startswith(str(path))


def test_damaged_warc_archive_fails_with_a_message(tmp_path):
    path = tmp_path / "broken.warc"
    path.write_bytes(b"WARC/1.0\r\nnot really a warc\r\n")
    items = list(read_inputs([path]))
    assert items and all(isinstance(i, Result) for i in items)
    assert "WARC" in items[0].reason


DAMAGED_NEWS = "The minister said \u201cwe will not retreat\u201d \u2014 police arrested four men in the capital."


def test_a_repaired_text_file_carries_the_warning_on_its_article(tmp_path):
    path = tmp_path / "raid.txt"
    data = DAMAGED_NEWS.encode()
    path.write_bytes(data[:30] + b"\xff" + data[30:])
    (article,) = read_inputs([path])
    assert isinstance(article, Article) and "\ufffd" in article.text
    (warning,) = article.warnings
    assert warning.startswith("text repaired: 1 invalid UTF-8") and str(path) in warning and "byte 30" in warning


def test_of_a_repaired_jsonl_file_only_the_damaged_lines_carry_the_warning(tmp_path):
    path = tmp_path / "news.jsonl"
    good = json.dumps({"text": DAMAGED_NEWS}, ensure_ascii=False).encode()
    damaged = json.dumps({"text": DAMAGED_NEWS + " More."}, ensure_ascii=False).encode()
    path.write_bytes(good + b"\n" + damaged[:25] + b"\xfe" + damaged[25:] + b"\n")
    first, second = read_inputs([path])
    assert first.warnings == []
    assert len(second.warnings) == 1 and "text repaired" in second.warnings[0]


def test_clean_utf8_carries_no_warning(tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text(DAMAGED_NEWS, encoding="utf-8")
    (article,) = read_inputs([path])
    assert article.warnings == []
