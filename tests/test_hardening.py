"""Failures users cause end as one sentence and the right exit code, never a traceback (issue 19):
a store in use, a missing extra, a missing folder, a binary dictionary, bad text sent to the API, damaged
WARC records and UTF-8, .json files, empty gold, mistyped paths, piped tables. Invented fixtures only."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.table import Table

from dyad.article.html import extract_html
from dyad.article.readers import decode, read_inputs
from dyad.corpus.store import Store
from dyad.records import Article, Result
from dyad.surfaces import terminal
from dyad.surfaces.cli import main

ENGLISH = ("Police arrested four suspects in the capital on Monday, officials said. The interior minister "
           "condemned the attack and promised an inquiry into the violence.")


def run(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "news.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def held(store):
    """The store held open for writing by another process, as a running `dyad ingest` holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
         "print('ready', flush=True)\ntime.sleep(120)", str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield store
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", [["ingest", "{article}", "--wait", "0"], ["serve", "--port", "0"], ["status"],
                                     ["query", "top-dyads"]])
def test_a_store_held_by_another_process_is_named_not_a_traceback(held, tmp_path, command):
    article = tmp_path / "a.txt"
    article.write_text(ENGLISH)
    result = run(*[part.format(article=article) for part in command], "--db", str(held))
    assert result.exit_code == 1
    assert str(held) in result.stderr and "another dyad process has this store open" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_spark_without_pyspark_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # find_spec answers None: not installed
    result = run("spark", str(tmp_path / "in.jsonl"), str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "pip install 'dyad[spark]'" in result.stderr and "Java 17" in result.stderr


def test_export_into_a_missing_folder_is_a_usage_error(store, tmp_path):
    target = tmp_path / "missing_dir" / "x.csv"
    result = run("export", "--db", str(store), "--format", "csv", "-o", str(target))
    assert result.exit_code == 2
    assert "missing_dir" in result.stderr and "does not exist" in result.stderr
    assert not target.parent.exists()


def test_a_binary_dictionary_is_named_without_its_bytes(tmp_path):
    dictionary = tmp_path / "CAMEO.verbs.txt"  # named like a verbs file, so it is parsed, not sniffed
    dictionary.write_bytes(bytes(range(256)) * 40)  # read as text it even passes as a (useless) dictionary
    article = tmp_path / "a.txt"
    article.write_text(ENGLISH)
    for command in (["code", str(article)], ["recode", "--db", str(article)]):
        result = run(*command, "--dictionaries", str(dictionary))
        assert result.exit_code == 2
        assert str(dictionary) in result.stderr and "binary file" in result.stderr
        assert len(result.stderr) < 400 and "\\x" not in result.stderr


def test_a_dictionary_error_on_binary_data_gives_one_line_without_the_bytes(tmp_path):
    from dyad.components.events.dictionaries import DictionaryError

    dictionary = tmp_path / "CAMEO.verbs.txt"
    dictionary.write_bytes(bytes(range(1, 256)) * 40)
    message = terminal.explain(DictionaryError(dictionary, 3, "'+' must mark a word", line="\x86\x93" * 1000))
    assert message.startswith(f"{dictionary}: a binary file") and len(message) < 200


def test_an_unreadable_text_dictionary_gives_one_line(tmp_path):
    dictionary = tmp_path / "notes.txt"
    dictionary.write_text("just some notes, " * 500)
    result = run("code", "--dictionaries", str(dictionary), "-", input=ENGLISH)
    assert result.exit_code == 1
    assert str(dictionary) in result.stderr and "cannot tell what kind of dictionary" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_api_code_answers_422_to_a_lone_surrogate(store):
    from fastapi.testclient import TestClient

    from dyad.surfaces.server import create_app

    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        for body in (b'{"text": "Police arrested \\ud800 four men."}', b'{"text": "ok", "title": "\\udfff"}'):
            response = client.post("/api/code", content=body, headers={"content-type": "application/json"})
            assert response.status_code == 422, body
            assert response.json()["detail"]


def _warc_record(headers: list[bytes], html: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
    head = b"WARC/1.0\r\n" + b"".join(h + b"\r\n" for h in headers) + b"Content-Length: %d\r\n\r\n" % len(http)
    return head + http + b"\r\n\r\n"


def test_a_warc_record_with_a_bogus_header_fails_alone(tmp_path):
    page = f"<html><body><article><p>{ENGLISH}</p></article></body></html>".encode()
    path = tmp_path / "crawl.warc"
    path.write_bytes(_warc_record([b"WARC-Type: response", b"WARC-Target-URI"], page)
                     + _warc_record([b"WARC-Type: response", b"WARC-Target-URI: https://news.test/a"], page))
    first, second = list(read_inputs([path]))
    assert isinstance(first, Result) and first.status == "failed"
    assert first.article.origin == f"{path}#1" and "WARC-Target-URI" in first.reason
    assert isinstance(second, Article) and second.url == "https://news.test/a"


def test_damaged_utf8_is_replaced_and_reported_not_decoded_as_a_code_page():
    text = "The minister said \u201cwe will not retreat\u201d \u2014 police arrested four men. " * 3
    data = text.encode()[:40] + b"\xff" + text.encode()[40:]
    decoded, warning = decode(data, "news/raid.txt")
    assert decoded.count("\ufffd") == 1 and "\u201cwe will not retreat\u201d" in decoded
    assert "news/raid.txt" in warning and "invalid UTF-8" in warning


def test_a_legacy_code_page_text_is_still_decoded_as_one():
    data = ("The minister said \x93we will not retreat\x94 and left. " * 5).encode("latin-1")  # cp1252 quotes
    text, warning = decode(data)
    assert "\ufffd" not in text and warning is None


def test_a_json_file_is_read_as_records(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"text": ENGLISH, "title": "Arrests", "id": "a1"}, indent=2))
    (article,) = read_inputs([one])
    assert isinstance(article, Article) and article.id == "a1" and article.title == "Arrests"
    assert "{" not in article.text
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": ENGLISH}, {"text": ENGLISH + " More."}, 7]))
    items = list(read_inputs([many]))
    assert [type(i).__name__ for i in items] == ["Article", "Article", "Result"]
    assert items[2].article.origin == f"{many}[3]" and items[2].status == "failed"


def test_a_multiline_json_object_on_stdin_is_one_record(monkeypatch):
    import io

    raw = json.dumps({"text": ENGLISH, "title": "Arrests"}, indent=2).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    (article,) = read_inputs(["-"])
    assert isinstance(article, Article) and article.title == "Arrests"


def test_evaluate_on_a_file_without_records_fails(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n\n")
    result = run("evaluate", str(gold))
    assert result.exit_code == 1
    assert f"no records read from {gold}" in result.stderr


def test_ingest_of_a_mistyped_path_is_a_usage_error_and_stores_nothing(tmp_path):
    db = tmp_path / "news.duckdb"
    result = run("ingest", str(tmp_path / "nosuch.txt"), "--db", str(db))
    assert result.exit_code == 2
    assert "nosuch.txt" in result.stderr and "no such file or directory" in result.stderr
    assert not db.exists()


def test_ingest_names_what_it_skipped_or_failed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "bad.jsonl").write_text('{"title": "no text"}\n')
    result = run("ingest", str(folder), "--db", str(tmp_path / "news.duckdb"))
    assert result.exit_code == 1  # nothing coded
    assert f"skipped {folder / 'empty.txt'}: empty text" in result.stderr
    assert f"failed {folder / 'bad.jsonl'}:1: no 'text'" in result.stderr


def test_uncoded_inputs_are_listed_up_to_a_bound(capsys):
    uncoded = [(f"in/{n}.txt", "skipped", "empty text") for n in range(terminal.UNCODED_LISTED + 5)]
    terminal.print_uncoded(uncoded, len(uncoded), "news.duckdb")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == terminal.UNCODED_LISTED + 1 and "and 5 more" in lines[-1]


def test_script_text_inside_a_headline_stays_out_of_the_title():
    body = "".join(f"<p>{ENGLISH}</p>" for _ in range(3))
    page = f"<html><body><h1>Arrests in the capital<script>var tracking = 1;</script></h1>" \
           f"<article>{body}</article></body></html>"
    assert extract_html(page).title == "Arrests in the capital"


def test_query_options_are_accepted_after_the_question(store):
    after = run("query", "top-dyads", "--db", str(store), "--format", "json")
    before = run("query", "--db", str(store), "--format", "json", "top-dyads")
    assert after.exit_code == before.exit_code == 0
    assert json.loads(after.stdout) == json.loads(before.stdout) == []
    missing = run("query", "top-dyads", "--db", str(store.parent / "nope.duckdb"))
    assert missing.exit_code == 2 and "nope.duckdb" in missing.stderr


def test_a_piped_table_keeps_long_values_whole(monkeypatch, capsys):
    monkeypatch.delenv("COLUMNS", raising=False)
    value = "a very long sentence " * 20
    table = Table(expand=True)
    table.add_column("code", no_wrap=True)
    table.add_column("sentence", overflow="ellipsis", no_wrap=True, ratio=3)
    table.add_row("190", value)
    console = terminal.stdout_console()  # stdout is captured here: not a terminal
    console.print(terminal.fit(table, console))
    assert value.strip() in capsys.readouterr().out


def test_a_bug_keeps_its_traceback():
    assert terminal.explain(RuntimeError("boom")) is None


def test_help_states_the_exit_codes():
    assert "2 for a usage error" in textwrap.dedent(run("--help").stdout)
