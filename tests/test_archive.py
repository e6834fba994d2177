"""dyad.live.archive: responses and item dates into rotating WARC 1.1 files, and back out by replay."""

from __future__ import annotations

import gzip
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from dyad.live.archive import ROLES, Archive, Capture, replay
from dyad.version import __version__

START = datetime(2024, 5, 14, 10, 0, 0, 250_000, tzinfo=UTC)
REQUEST = {"User-Agent": "dyad-watch/test (+https://dyad.example/bot)", "Accept-Encoding": "gzip, br"}


def _exchange(archive: Archive, n: int, role: str = "article", body: bytes | None = None) -> None:
    archive.record_exchange(
        f"https://paper.example/story/{n}?ref=feed", "GET", REQUEST, 200, "OK",
        {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Transfer-Encoding": "chunked",
         "Content-Length": "31", "Set-Cookie": "a=1"},
        body if body is not None else f"<html><p>Story {n}</p></html>".encode(), START + timedelta(seconds=n), role)


def _written(folder: Path, records: int = 6) -> list[Path]:
    with Archive(folder) as archive:
        for n in range(records):
            _exchange(archive, n, role=sorted(ROLES)[n % len(ROLES)])
            archive.record_item_date(f"https://paper.example/story/{n}?ref=feed", "https://paper.example/rss",
                                     datetime(2024, 5, 14, 9, n, tzinfo=timezone(timedelta(hours=2))))
    return archive.paths


def test_exchanges_and_item_dates_replay_in_order_with_roles(tmp_path):
    paths = _written(tmp_path)
    assert len(paths) == 1 and re.fullmatch(r"dyad-\d{14}-00000\.warc\.gz", paths[0].name)
    errors = []
    captures = list(replay(paths, on_error=lambda path, message: errors.append(message)))
    assert errors == [] and len(captures) == 12
    first, date = captures[0], captures[1]
    assert first == Capture(
        kind="response", url="https://paper.example/story/0?ref=feed", role="article", date=START, status=200,
        headers={"content-type": "text/html; charset=utf-8", "set-cookie": "a=1", "content-length": "27"},
        body=b"<html><p>Story 0</p></html>")  # no Content-Encoding nor Transfer-Encoding: the body is decoded
    assert date.kind == "item-date" and date.url == first.url and date.role is None
    assert date.published == datetime(2024, 5, 14, 7, 0, tzinfo=UTC) and date.via == "https://paper.example/rss"
    assert [c.role for c in captures if c.kind == "response"] == [sorted(ROLES)[n % len(ROLES)] for n in range(6)]
    assert [c.date for c in captures if c.kind == "response"] == [START + timedelta(seconds=n) for n in range(6)]


def test_warcio_reads_the_files_as_valid_warc_1_1(tmp_path):
    paths = _written(tmp_path, records=2)
    with paths[0].open("rb") as handle:
        records = []
        for record in ArchiveIterator(handle, check_digests=True):
            record.content_stream().read()
            assert record.digest_checker.passed is not False, record.digest_checker.problems
            records.append(record)
    assert [r.rec_type for r in records] == ["warcinfo", *["response", "request", "metadata"] * 2]
    assert all(r.rec_headers.protocol == "WARC/1.1" for r in records)
    response, request = records[1], records[2]
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header("WARC-Record-ID")
    assert request.rec_headers.get_header("WARC-Date") == response.rec_headers.get_header("WARC-Date") == \
        "2024-05-14T10:00:00.250000Z"
    assert request.rec_headers.get_header("WARC-Target-URI") == "https://paper.example/story/0?ref=feed"
    assert request.http_headers.protocol == "GET" and request.http_headers.statusline == "/story/0?ref=feed HTTP/1.1"
    assert request.http_headers.get_header("Host") == "paper.example"
    assert response.rec_headers.get_header("WARC-Dyad-Role") == "article"
    assert response.http_headers.get_header("Content-Encoding") is None
    warcinfo = gzip.decompress(paths[0].read_bytes()).split(b"WARC/1.1\r\nWARC-Type: response")[0].decode()
    assert f"software: dyad/{__version__}" in warcinfo and "format: WARC File Format 1.1" in warcinfo


def test_rotation_at_max_file_bytes(tmp_path):
    with Archive(tmp_path, prefix="test", max_file_bytes=3_000) as archive:
        for n in range(12):
            _exchange(archive, n, body=bytes(range(256)) * 8)  # 2 KB that gzip cannot shrink much
    assert len(archive.paths) >= 4
    assert sorted(archive.paths) == archive.paths  # names sort in writing order
    assert all(re.fullmatch(r"test-\d{14}-\d{5}\.warc\.gz", p.name) for p in archive.paths)
    assert [int(p.name[-13:-8]) for p in archive.paths] == list(range(len(archive.paths)))
    for path in archive.paths:
        with path.open("rb") as handle:  # each file opens with its warcinfo
            assert next(iter(ArchiveIterator(handle))).rec_type == "warcinfo"
    urls = [c.url for c in replay(reversed(archive.paths))]  # in file-name order, whatever order given
    assert urls == [f"https://paper.example/story/{n}?ref=feed" for n in range(12)]
    assert [c.url for c in replay([tmp_path])] == urls  # a folder: its .warc.gz files


def test_a_new_archive_never_overwrites_a_file(tmp_path, monkeypatch):
    import dyad.live.archive

    class Frozen(datetime):  # two archives opened within one second
        @classmethod
        def now(cls, tz=None):
            return datetime(2024, 5, 14, 10, 0, 0, tzinfo=tz)

    monkeypatch.setattr(dyad.live.archive, "datetime", Frozen)
    first, second = _written(tmp_path, records=1), _written(tmp_path, records=1)
    assert [p.name for p in first + second] == ["dyad-20240514100000-00000.warc.gz",
                                                "dyad-20240514100000-00001.warc.gz"]
    assert len(list(replay([tmp_path]))) == 4


@pytest.mark.parametrize("kept", [5, 60, 0.5, 0.9])
def test_a_truncated_last_record_keeps_every_earlier_capture(tmp_path, kept):
    path = _written(tmp_path, records=3)[0]
    whole = path.read_bytes()
    complete = list(replay([path]))
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        last = [records.get_record_offset() for _ in records][-1]  # story 2's item date
    path.write_bytes(whole[:last + (kept if isinstance(kept, int) else int(kept * (len(whole) - last)))])
    errors = []
    captures = list(replay([path], on_error=lambda p, message: errors.append((p, message))))
    assert captures == complete[:-1]
    assert len(errors) == 1 and errors[0][0] == path, errors
    assert "(a kill while writing?)" in errors[0][1] and "\n" not in errors[0][1]


def test_damage_is_reported_and_the_next_file_read(tmp_path, caplog):
    first, second = _written(tmp_path / "a", records=2)[0], _written(tmp_path / "b", records=1)[0]
    data = first.read_bytes()
    first.write_bytes(data[: len(data) - 100])
    errors = []
    captures = list(replay([first, second], on_error=lambda p, m: errors.append(p)))
    assert errors == [first]
    assert [c.kind for c in captures] == ["response", "item-date", "response", "response", "item-date"]
    with caplog.at_level("WARNING", logger="dyad.live.archive"):  # without on_error: a logged warning
        assert len(list(replay([first]))) == 3
    assert str(first) in caplog.text and "cut short" in caplog.text


def test_garbage_and_missing_files_are_reported(tmp_path):
    garbage = tmp_path / "x.warc.gz"
    garbage.write_bytes(b"this is not a WARC file\r\n" * 10)
    errors = []
    assert list(replay([garbage, tmp_path / "missing.warc.gz"], on_error=lambda p, m: errors.append(m))) == []
    assert errors[0].startswith("cannot read: ")  # missing.warc.gz sorts first
    assert errors[1] == "not a WARC file: record 1 reads as ARC"


def test_duplicate_captures_of_one_url_pass_in_order(tmp_path):
    with Archive(tmp_path) as archive:
        for body in (b"first", b"second"):
            archive.record_exchange("https://paper.example/live", "GET", {}, 200, "OK", {}, body, START, "page")
    assert [c.body for c in replay(archive.paths)] == [b"first", b"second"]


def test_unknown_role_and_closed_archive_raise(tmp_path):
    archive = Archive(tmp_path)
    with pytest.raises(ValueError, match="unknown role 'image'"):
        _exchange(archive, 1, role="image")
    archive.close()
    with pytest.raises(ValueError, match="closed"):
        _exchange(archive, 1)
    assert archive.paths == []  # nothing written, no file


def test_header_values_cannot_break_the_record(tmp_path):
    with Archive(tmp_path) as archive:
        archive.record_exchange("https://paper.example/x", "GET", {"X-Evil": "a\r\nWARC-Type: x"}, 200, "OK",
                                {"Location": "b\r\n\r\nbody"}, b"ok", START, "page")
    capture, = replay(archive.paths)
    assert capture.headers["location"] == "b body" and capture.body == b"ok"


def test_thread_safety_every_record_readable(tmp_path):
    archive = Archive(tmp_path, max_file_bytes=20_000)

    def work(thread: int) -> None:
        for n in range(40):
            _exchange(archive, thread * 1000 + n, body=f"<p>{thread}-{n}</p>".encode() * 50)
            archive.record_item_date(f"https://paper.example/story/{thread * 1000 + n}?ref=feed",
                                     "https://paper.example/rss", START)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    archive.close()
    errors = []
    captures = list(replay(archive.paths, on_error=lambda p, m: errors.append(m)))
    assert errors == [] and len(archive.paths) > 1
    responses = [c for c in captures if c.kind == "response"]
    assert len(responses) == 8 * 40 and len(captures) == 2 * 8 * 40
    for capture in responses:
        story = capture.url.split("/")[-1].split("?")[0]
        thread, n = divmod(int(story), 1000)
        assert capture.body == f"<p>{thread}-{n}</p>".encode() * 50
