"""`dyad code` as users run it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dyad.surfaces.cli import main

EVENT_FIELDS = {"event_id", "article_id", "sentence_index", "sentence", "source", "target", "code", "root_code",
                "quad_class", "goldstein", "plover", "date", "location", "provenance"}


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_scraped_article_end_to_end_in_a_fresh_process(fixtures):
    path = fixtures / "articles" / "scraped_raid.txt"
    dyad = Path(sys.executable).with_name("dyad")
    done = subprocess.run([str(dyad), "code", "--date", "2026-03-05", "--format", "results", str(path)],
                          capture_output=True, text=True, check=True)
    (result,) = [json.loads(line) for line in done.stdout.splitlines()]
    text = result["article"]["text"]
    assert "Read more" not in text and "Photo credit" not in text
    assert text.count("Rebels seize border post") == 1  # the repeated headline kept once, as its first paragraph
    assert result["article"]["title"] == "Rebels seize border post as army regroups"
    assert result["article"]["dateline"].upper().startswith("ABUJA")
    assert result["events"], "at least one event"
    for event in result["events"]:
        assert set(event) >= EVENT_FIELDS
        assert {"text", "code", "country", "sectors"} <= set(event["source"])
        assert {"event", "mode", "context"} <= set(event["plover"])
        assert {"rule", "spans", "dyad_version", "knowledge_version"} <= set(event["provenance"])


def test_jsonl_output_is_one_event_per_line(fixtures):
    out = run("code", str(fixtures / "articles" / "scraped_raid.txt"))
    assert out.exit_code == 0
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert events and all(set(e) >= EVENT_FIELDS for e in events)


def test_table_format_is_readable(fixtures):
    out = run("code", "--format", "table", "--date", "2026-03-05", str(fixtures / "articles" / "scraped_raid.txt"))
    assert out.exit_code == 0 and "dyad events" in out.stdout and "NGA" in out.stdout


def test_stdin_jsonl_with_bad_lines_reports_them_and_goes_on():
    feed = '{"text": "Police arrested 12 protesters in Nairobi."}\n{"text": oops}\n{"text": ""}\n'
    out = run("code", "--format", "results", "-", input=feed)
    assert out.exit_code == 0
    statuses = [json.loads(line)["status"] for line in out.stdout.splitlines()]
    assert statuses == ["coded", "failed", "skipped"]
    assert "<stdin>:2" in out.stderr and "malformed JSON" in out.stderr


def test_exit_code_is_nonzero_only_when_nothing_was_coded(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    out = run("code", str(empty))
    assert out.exit_code == 1 and "no article could be coded" in out.stderr


def test_version_and_help():
    assert run("--version").stdout.startswith("dyad, version")
    help_text = run("code", "--help").stdout
    assert "--format" in help_text and "--date" in help_text and "JSONL" in help_text


def test_bad_date_option_is_a_usage_error(fixtures):
    out = CliRunner().invoke(main, ["code", "--date", "2026-13-01", str(fixtures)])
    assert out.exit_code == 2 and "YYYY-MM-DD" in out.output


@pytest.mark.parametrize("command", ["code", "actors", "quotes", "places"])
def test_every_command_reports_skipped_and_failed_articles_alike(command):
    feed = '{"text": ""}\n{"text": oops}\n{"text": "Police arrested 12 protesters in Nairobi."}\n'
    out = run(command, "-", input=feed)
    assert out.exit_code == 0
    lines = out.stderr.splitlines()
    assert any(line.startswith("dyad: skipped <stdin>:1: ") for line in lines), out.stderr
    assert any(line.startswith("dyad: failed <stdin>:2: malformed JSON") for line in lines), out.stderr


def test_evaluate_help_lists_the_formats_each_task_reads():
    from dyad.evaluate.cli import TASK_FORMATS
    from dyad.evaluate.gold import FORMATS

    assert set().union(*TASK_FORMATS.values()) == set(FORMATS)  # no format listed that no task reads
    help_text = " ".join(run("evaluate", "--help").stdout.split())
    for task, formats in TASK_FORMATS.items():
        assert f"{task}: {', '.join(formats)}" in help_text.replace("- ", "-")
    assert "Implemented:" not in help_text


def test_code_prints_each_articles_warnings_on_stderr_and_in_results(tmp_path):
    news = "Police arrested 12 protesters in Nairobi on Monday, officials said \u201cno more\u201d."
    damaged = tmp_path / "damaged.txt"
    data = news.encode()
    damaged.write_bytes(data[:20] + b"\xff" + data[20:])
    out = run("code", "--format", "results", str(damaged))
    assert out.exit_code == 0
    (result,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert result["status"] == "coded" and len(result["warnings"]) == 2
    repaired, undated = result["warnings"]
    assert repaired.startswith("text repaired") and undated.startswith("no publication date")
    lines = [line for line in out.stderr.splitlines() if line.startswith("dyad: warning")]
    assert lines == [f"dyad: warning {damaged}: {w}" for w in result["warnings"]]
    dated = run("code", "--date", "2026-03-05", "--format", "results", str(damaged))
    assert json.loads(dated.stdout)["warnings"] == [repaired] and "no publication date" not in dated.stderr


def test_dyad_code_imports_no_store_server_or_evaluator_libraries():
    """`dyad code` starts without DuckDB, pyarrow, trafilatura, the evaluator or the watcher (cold start)."""
    import subprocess
    import sys

    code = ("import sys; from dyad.surfaces.cli import main; "
            "print(sorted(m for m in ('duckdb', 'pyarrow', 'trafilatura', 'fastapi', 'dyad.evaluate.cli', "
            "'dyad.surfaces.watch_cli', 'dyad.corpus.store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_every_lazy_command_is_listed_and_runs_its_help():
    from click.testing import CliRunner

    from dyad.surfaces.cli import LAZY_COMMANDS, main

    help_text = CliRunner().invoke(main, ["--help"]).output
    for name in LAZY_COMMANDS:
        assert name in help_text
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
