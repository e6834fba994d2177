"""Tests for event-coding evaluation (dyad.evaluate: gold readers, scoring, the coder harness and
`dyad evaluate`).

The fixtures in tests/fixtures/gold are invented; the real suites in ../shared are only read (the
slow tests skip cleanly when that directory is absent).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from dyad.evaluate import events as ev
from dyad.evaluate.cli import evaluate
from dyad.evaluate.gold import (
    FormatNotImplemented,
    GoldError,
    GoldEvent,
    GoldRecord,
    GoldSet,
    category_of,
    detect_format,
    read_gold,
)
from dyad.evaluate.scoring import (
    PredictedEvent,
    RecordScore,
    actor_matches,
    code_matches,
    dedupe,
    event_matches,
    match_events,
    score_events,
    score_record,
    summarize,
    worst,
)

HERE = Path(__file__).resolve().parent
GOLD = HERE / "fixtures" / "gold"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch):
    """Never touch the user's dictionary cache."""
    monkeypatch.setenv("DYAD_CACHE_DIR", str(tmp_path / "cache"))


def G(source, target, code) -> GoldEvent:
    return GoldEvent(source, target, code)


def P(source, target, code) -> PredictedEvent:
    return PredictedEvent(source, target, code)


def by_id(gold: GoldSet) -> dict[str, GoldRecord]:
    return {r.id: r for r in gold.records}


# --------------------------------------------------------------------------- TABARI reader


def test_tabari_records_and_kinds():
    gold = read_gold(GOLD / "ruritania.text")
    assert gold.format == "tabari"
    ids = [r.id for r in gold.records]
    # stops at FINAL-01; the repeated ID is kept twice; banners are not records
    assert ids == ["INTRO-00", "SETUP-Modify", "BASIC-01", "BASIC-02", "BASIC-03", "BASIC-04", "LIST-01",
                   "LIST-02", "LIST-03", "OPTS-Change", "LIST-01"]
    kinds = {r.id: (r.kind, r.checked, r.skip) for r in gold.records[:-1]}
    assert kinds["INTRO-00"] == ("complex", False, "complex {+++}")
    assert kinds["SETUP-Modify"] == ("options", False, "sets options only")
    assert kinds["BASIC-01"] == ("events", True, None)
    assert kinds["BASIC-03"] == ("no_event", True, None)
    assert kinds["BASIC-04"] == ("discard", True, None)  # "{ ### }" with blanks
    assert kinds["LIST-02"] == ("events", False, "nothing checked before -{")
    assert kinds["OPTS-Change"] == ("options", False, "sets options only")
    assert [r.id for r in gold.checked] == ["BASIC-01", "BASIC-02", "BASIC-03", "BASIC-04", "LIST-01", "LIST-03",
                                            "LIST-01"]


def test_tabari_text_events_dates():
    gold = read_gold(GOLD / "ruritania.text")
    records = gold.records
    basic1, basic2 = records[2], records[3]
    assert basic1.text == "Ruritania will reopen its consulate in Borduria next month, a spokesman said."
    assert basic1.events == [G("RUR", "BOR", "064")]
    assert basic1.date == dt.date(2001, 1, 2) and basic1.category == "BASIC"
    assert basic1.lineno == 17 and basic1.where.endswith("ruritania.text:17")
    # a story number after the ID is ignored; text ends at a "/*" inside the line; dates after } ignored
    assert basic2.id == "BASIC-02" and basic2.text == "The Syldavian king travelled to Ruritania on Monday."
    assert basic2.events == [G("SYLGOV", "RUR", "032"), G("RUR", "SYLGOV", "033")]
    # a repeated date before the ID
    assert records[5].id == "BASIC-04"
    # -{ ends the checked list
    list1 = records[6]
    assert list1.truncated and list1.events == [G("RUR", "---", "051"), G("BOR", "---", "051")]
    # 8-digit date; a record without "/*": text ends at the first "\n" line
    list3 = records[8]
    assert list3.date == dt.date(2001, 1, 8) and list3.text == "Borduria accused Ruritania of hoarding grain."
    assert list3.events == [G("BOR", "RUR", "112")]


def test_tabari_options_apply_to_later_records():
    gold = read_gold(GOLD / "ruritania.text")
    records = gold.records
    assert records[0].options_before == {} and records[1].options_before == {}
    assert records[2].options_before == {"SET:MINIMUM WORDS": "3"}
    assert records[2].option_lines == ["SET: MINIMUM WORDS = 3"]
    last = records[-1]
    # the second block of OPTS-Change is left open ("... = 5  */"): still read
    assert last.options_before == {"SET:MINIMUM WORDS": "5", "DEFAULT": "OFF"}
    assert last.option_lines == ["SET: MINIMUM WORDS = 3", "DEFAULT: OFF", "SET: MINIMUM WORDS = 5"]
    assert records[9].options_before == {"SET:MINIMUM WORDS": "3"}  # its own options come after it


def test_tabari_dictionaries_from_project():
    gold = read_gold(GOLD / "ruritania.text")
    assert gold.dictionaries == [str((GOLD / "ruritania.project").resolve())]


def test_tabari_dates():
    from dyad.evaluate.gold.tabari import parse_tabari_date

    assert parse_tabari_date("950101") == dt.date(1995, 1, 1)
    assert parse_tabari_date("020304") == dt.date(2002, 3, 4)
    assert parse_tabari_date("19510724") == dt.date(1951, 7, 24)
    assert parse_tabari_date("9501201") is None
    assert parse_tabari_date("951301") is None


# --------------------------------------------------------------------------- PETRARCH readers


def test_petrarch_unittest_xml():
    gold = read_gold(GOLD / "unittest.xml")
    assert gold.format == "petrarch-xml"
    assert [r.id for r in gold.records] == ["BASIC-01", "BASIC-02", "MODIFY-01", "ERROR-01", "NOCAT-02"]
    assert gold.dictionaries == [str((GOLD / n).resolve()) for n in ("unittest.verbs.txt", "unittest.actors.txt")]
    assert gold.environment["include"] == "BASIC MODIFY"
    assert gold.options == {"Options.require_dyad": "True"}
    r = by_id(gold)
    assert r["BASIC-01"].text == "Ruritania will reopen its consulate in Borduria next month."
    assert r["BASIC-01"].date == dt.date(2001, 1, 2) and r["BASIC-01"].events == [G("RUR", "BOR", "064")]
    # blanks around "=", single quotes and entities
    assert r["BASIC-02"].events == [G('"THE CITY ELDERS"', "BOR", "012"), G("BOR", '"THE CITY ELDERS"', "013")]
    assert r["BASIC-02"].text == "The city elders scolded Borduria & its allies."
    assert r["MODIFY-01"].kind == "no_event" and r["MODIFY-01"].checked
    assert r["ERROR-01"].kind == "error" and not r["ERROR-01"].checked and r["ERROR-01"].skip == "error=bad_input_parse"
    assert r["NOCAT-02"].category == "NOCAT"  # no category attribute: the ID prefix
    # <Config> elements apply to the records after them, the environment's to all
    assert r["BASIC-02"].options_before == {"Options.require_dyad": "True"}
    assert r["MODIFY-01"].options_before == {"Options.require_dyad": "false", "Options.new_actor_length": "3"}
    assert r["MODIFY-01"].option_lines == ["require_dyad = True", "require_dyad = false", "new_actor_length = 3"]


def test_udpetrarch_xml_is_read_tolerantly():
    gold = read_gold(GOLD / "udpetrarch.xml")
    assert gold.format == "petrarch-xml"
    # the "<Sentence ... evaluate=...>" in the header comment is not a record
    assert [r.id for r in gold.records] == ["BASIC-01", "COMPOUND-01", "COMPOUND-02", "BASIC-02", "BASIC-03"]
    r = by_id(gold)
    assert r["COMPOUND-01"].events == [G("RUR", "SYL", "051"), G("BOR", "SYL", "051")]  # PLEvent ignored
    assert r["COMPOUND-01"].options_before == {"Options.require_dyad": "false"}
    assert r["BASIC-01"].options_before == {}  # the commented-out <Config> is not read
    assert not r["COMPOUND-02"].checked and r["COMPOUND-02"].skip == "evaluate=false"
    # BASIC-02 is not closed: it ends where the next record starts
    assert r["BASIC-02"].kind == "no_event" and r["BASIC-02"].text == "The weather in Ruritania stayed mild."
    assert any("not closed" in w for w in gold.warnings)
    assert r["BASIC-03"].kind == "error" and not r["BASIC-03"].checked
    assert [Path(p).name for p in gold.dictionaries] == ["ud.verbs.txt", "ud.actors.txt", "ud.ontology.txt"]
    assert [x.id for x in gold.checked] == ["BASIC-01", "COMPOUND-01", "BASIC-02"]


# --------------------------------------------------------------------------- JSONL reader


def test_jsonl_gold():
    gold = read_gold(GOLD / "gold.jsonl")
    assert gold.format == "jsonl"
    r = by_id(gold)
    assert list(r) == ["n1", "n2", "n3", "n4", "n5", "n6"]
    assert r["n1"].date == dt.date(2021, 3, 4) and r["n1"].category == "diplomacy"
    assert r["n2"].date == dt.date(2021, 3, 5) and r["n2"].events == [G("BOR", "RUR", "112")]
    assert r["n2"].optional_events == [G("RUR", "BOR", "1")]
    # a `dyad code --format results` line serves as gold
    assert r["n3"].text == "Syldavia appealed for calm." and r["n3"].events == [G("SYL", None, "02")]
    assert r["n4"].kind == "no_event" and r["n4"].checked
    assert r["n5"].kind == "discard"
    assert not r["n6"].checked and r["n6"].skip == "evaluate=false"
    assert r["n1"].lineno == 2 and r["n4"].lineno == 6  # blank line 5 skipped
    problems = "\n".join(gold.warnings)
    assert ":9: skipped" in problems and "not YYYY-MM-DD" in problems  # bad date
    assert ":10: skipped" in problems  # not an object
    assert ":11: skipped" in problems and "needs a source and a code" in problems


def test_category_of():
    assert category_of("DEMO-01") == "DEMO"
    assert category_of("FBIS-001-001") == "FBIS"
    assert category_of("doc12") == "doc"
    assert category_of("123") == "123"


# --------------------------------------------------------------------------- format detection


def test_detect_format_fixtures():
    assert detect_format(GOLD / "ruritania.text") == "tabari"
    assert detect_format(GOLD / "unittest.xml") == "petrarch-xml"
    assert detect_format(GOLD / "udpetrarch.xml") == "petrarch-xml"
    assert detect_format(GOLD / "gold.jsonl") == "jsonl"


@pytest.mark.parametrize(("name", "content", "fmt"), [
    ("plover.json", '[\n {"id": "x", "event": "ASSAULT", "text": "..."}\n]', "plover-gsr"),
    ("classes.tsv", "One sentence.\t3\nAnother one.\t0\n", "conflibert-class"),
    ("ner.txt", "Ruritania B-S\nattacked O\nBorduria B-T\n. O\n", "conflibert-ner"),
    ("lgl.xml", "<?xml version='1.0'?>\n<articles>\n<article docid='1'></article></articles>", "lgl"),
    ("story.ann", "T1\tSource 0 4\tThey\n", "polnear"),
])
def test_detect_other_formats_not_implemented(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == fmt
    with pytest.raises(FormatNotImplemented, match="not implemented yet"):
        read_gold(path)


def test_detect_format_unknown(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some prose\nwith no gold in it\n", encoding="utf-8")
    with pytest.raises(GoldError, match="cannot tell the format"):
        detect_format(path)
    with pytest.raises(GoldError, match="not found"):
        read_gold(tmp_path / "missing.jsonl", "jsonl")


# --------------------------------------------------------------------------- scoring


def test_actor_prefix_matching():
    assert actor_matches("FRA", "FRA")
    assert actor_matches("FRA", "FRAGOV")
    assert actor_matches("fra", " FRAGOV ")
    assert not actor_matches("FRAGOV", "FRA")
    assert not actor_matches("FRA", "GBR")
    assert not actor_matches("FRA", None)
    assert actor_matches(None, None) and actor_matches("", None)
    assert not actor_matches(None, "FRA")
    assert actor_matches('"CITY ELDERS"', '"CITY ELDERS"')
    assert not actor_matches('"CITY ELDERS"', '"CITY ELDERS OF X"')


def test_code_precision():
    assert code_matches("06", "064") and code_matches("06", "0641") and code_matches("06", "06")
    assert code_matches("064", "064") and code_matches("064", "0641")
    assert not code_matches("064", "06")
    assert not code_matches("064", "063")
    assert code_matches("075A", "075a") and not code_matches("075A", "075A1")  # non-numeric: equal


def test_event_matches_needs_all_three():
    gold = G("FRA", "DEU", "04")
    assert event_matches(gold, P("FRAGOV", "DEUMIL", "042"))
    assert not event_matches(gold, P("DEU", "FRA", "042"))
    assert not event_matches(gold, P("FRA", "DEU", "05"))


def test_dedupe_by_normalised_triple():
    events = [P("FRA", "DEU", "042"), P("fra ", "DEU", "042"), P("FRA", "DEU", "043"), P("FRA", None, "042")]
    assert dedupe(events) == [P("FRA", "DEU", "042"), P("FRA", "DEU", "043"), P("FRA", None, "042")]


def test_matching_is_one_to_one_and_maximal():
    # a greedy pairing would give FRAGOV/DEU/042 to gold FRA/DEU/04 and leave FRAGOV/DEU/042 unmatched
    gold = [G("FRA", "DEU", "04"), G("FRAGOV", "DEU", "042")]
    predicted = [P("FRAGOV", "DEU", "042"), P("FRA", "DEU", "040")]
    assert match_events(gold, predicted) == [(0, 1), (1, 0)]
    score = score_events(gold, predicted)
    assert (score.tp, score.fp, score.fn) == (2, 0, 0) and score.exact
    # one prediction cannot stand for two gold events
    score = score_events(gold, [P("FRAGOV", "DEU", "042")])
    assert (score.tp, score.fp, score.fn) == (1, 0, 1) and not score.exact


def test_duplicates_are_counted_once():
    score = score_events([G("FRA", "DEU", "042")], [P("FRA", "DEU", "042")] * 3)
    assert (score.tp, score.fp, score.fn) == (1, 0, 0) and score.exact
    # a gold list that repeats an event asks for it once
    score = score_events([G("FRA", "DEU", "042")] * 2, [P("FRAGOV", "DEU", "042")])
    assert (score.tp, score.fp, score.fn) == (1, 0, 0) and score.exact
    # two distinct predictions under one gold event: one right, one extra
    score = score_events([G("FRA", "DEU", "04")], [P("FRA", "DEU", "042"), P("FRA", "DEU", "043")])
    assert (score.tp, score.fp, score.fn) == (1, 1, 0) and not score.exact


def test_optional_events_count_neither_way():
    gold, optional = [G("FRA", "DEU", "042")], [G("DEU", "FRA", "04")]
    score = score_events(gold, [P("FRA", "DEU", "042"), P("DEU", "FRA", "043")], optional)
    assert (score.tp, score.fp, score.fn) == (1, 0, 0) and score.exact
    assert score.ignored == [P("DEU", "FRA", "043")]
    score = score_events(gold, [P("FRA", "DEU", "042")], optional)  # missing an optional event is fine
    assert score.exact


def test_truncated_records_do_not_check_extra_events():
    record = GoldRecord(id="T-1", text="x", events=[G("FRA", "DEU", "051")], truncated=True)
    score = score_record(record, [P("FRA", "DEU", "051"), P("ITA", "DEU", "051")])
    assert (score.tp, score.fp, score.fn) == (1, 0, 0) and score.exact
    assert score.ignored == [P("ITA", "DEU", "051")]
    score = score_record(record, [P("ITA", "DEU", "051")])  # the listed events must still be coded
    assert (score.tp, score.fp, score.fn) == (0, 0, 1) and not score.exact


@pytest.mark.parametrize("kind", ["no_event", "discard"])
def test_no_event_records(kind):
    record = GoldRecord(id="N-1", text="x", kind=kind, events=[G("FRA", "DEU", "051")])  # events ignored
    assert score_record(record, []).exact
    score = score_record(record, [P("FRA", "DEU", "051")])
    assert (score.tp, score.fp, score.fn) == (0, 1, 0) and not score.exact


def test_crashed_records_predict_nothing_and_are_wrong():
    record = GoldRecord(id="C-1", text="x", kind="no_event")
    score = score_record(record, [P("FRA", "DEU", "051")], crashed="RuntimeError: boom")
    assert score.predicted == [] and score.crashed == "RuntimeError: boom" and not score.exact


def test_summary_rates_and_categories():
    records = [
        (GoldRecord(id="A-1", text="", category="A", events=[G("FRA", "DEU", "04")]), [P("FRA", "DEU", "042")]),
        (GoldRecord(id="A-2", text="", category="A", events=[G("FRA", "DEU", "04"), G("ITA", None, "10")]),
         [P("ITA", None, "101"), P("ESP", "DEU", "19")]),
        (GoldRecord(id="B-1", text="", category="B", kind="no_event"), []),
    ]
    summary = summarize(score_record(r, p) for r, p in records)
    t = summary.total
    assert (t.records, t.exact_records, t.tp, t.fp, t.fn) == (3, 2, 2, 1, 1)
    assert t.exact_rate == pytest.approx(2 / 3)
    assert t.precision == pytest.approx(2 / 3) and t.recall == pytest.approx(2 / 3) and t.f1 == pytest.approx(2 / 3)
    assert list(summary.by_category) == ["A", "B"]
    b = summary.by_category["B"]
    assert (b.records, b.exact_records, b.precision, b.recall, b.f1) == (1, 1, None, None, None)
    d = t.to_dict()
    assert d["gold_events"] == 3 and d["predicted_events"] == 3 and d["crashed"] == 0


def test_f1_zero_when_nothing_right():
    t = summarize([score_record(GoldRecord(id="x", text="", events=[G("A", "B", "01")]), [P("C", "D", "02")])]).total
    assert (t.precision, t.recall, t.f1) == (0.0, 0.0, 0.0)


def test_worst_records():
    scores = [
        RecordScore(id="ok"),
        RecordScore(id="one", missed=[G("A", "B", "01")]),
        RecordScore(id="three", missed=[G("A", "B", "01")], extra=[P("C", "D", "02"), P("E", "F", "03")]),
        RecordScore(id="crash", missed=[G("A", "B", "01")], crashed="boom"),
        RecordScore(id="one-later", extra=[P("C", "D", "02")]),
    ]
    assert [s.id for s in worst(scores, 3)] == ["three", "crash", "one"]
    assert [s.id for s in worst(scores, 10)] == ["three", "crash", "one", "one-later"]
    assert worst(scores, 0) == []


# --------------------------------------------------------------------------- the harness


def test_to_predicted_accepts_what_coders_return():
    from dyad.records import Actor, Event, Plover, Provenance

    event = Event(event_id="e", article_id="a", sentence_index=0, sentence="s", source=Actor(text="x", code="FRA"),
                  target=None, code="042", root_code="04", quad_class=1, goldstein=1.0, plover=Plover(),
                  provenance=Provenance(rule="r"))
    expected = P("FRA", None, "042")
    assert ev.to_predicted([event]) == [expected]
    assert ev.to_predicted([("FRA", None, "042")]) == [expected]
    assert ev.to_predicted([{"source": {"code": "FRA"}, "target": None, "code": "042"}]) == [expected]
    assert ev.to_predicted([expected]) == [expected]
    assert ev.to_predicted(types.SimpleNamespace(events=[event])) == [expected]
    assert ev.to_predicted(None) == []


def test_evaluate_events_catches_crashes_and_passes_settings():
    gold = read_gold(GOLD / "unittest.xml")
    seen: dict[str, ev.CoderSettings] = {}

    def coder(record, settings):
        seen[record.id] = settings
        if record.id == "BASIC-02":
            raise RuntimeError("the coder tripped")
        return [(e.source + "GOV", e.target, e.code) for e in record.events]

    result = ev.evaluate_events(gold, coder)
    assert set(seen) == {"BASIC-01", "BASIC-02", "MODIFY-01", "NOCAT-02"}  # the error record is not coded
    assert seen["MODIFY-01"].options == {"Options.require_dyad": "false", "Options.new_actor_length": "3"}
    assert seen["BASIC-01"].dictionaries == gold.dictionaries and seen["BASIC-01"].gold_format == "petrarch-xml"
    t = result.summary.total
    assert (t.records, t.exact_records, t.crashed, t.tp, t.fn, t.fp) == (4, 3, 1, 2, 2, 0)
    assert result.left_out == {"error=bad_input_parse": 1} and result.records_read == 5
    out = ev.evaluation_to_dict(result, errors=5)
    assert out["crashed"] == 1 and out["crashes"][0]["id"] == "BASIC-02"
    assert "RuntimeError: the coder tripped" in out["crashes"][0]["error"]
    assert [e["id"] for e in out["errors"]] == ["BASIC-02"]
    json.dumps(out)  # JSON-ready


def test_batch_failure_falls_back_to_single_records():
    class Flaky(ev.EventCoderAdapter):
        name = "flaky"

        def code(self, record, settings):
            if record.id == "n2":
                raise ValueError("bad record")
            return []

        def code_batch(self, records, settings):
            raise RuntimeError("the whole batch failed")

    result = ev.evaluate_events(read_gold(GOLD / "gold.jsonl"), Flaky())
    assert result.summary.total.crashed == 1 and result.coder == "flaky"
    assert [s.id for s in result.scores if s.crashed] == ["n2"]


def test_make_coder_defaults(monkeypatch):
    assert isinstance(ev.make_coder(read_gold(GOLD / "gold.jsonl")), ev.DyadCoder)
    monkeypatch.setitem(sys.modules, "dyad.components.events.legacy", None)  # as if the module did not exist
    with pytest.raises(ev.CoderUnavailable, match="coding with legacy dictionaries is not implemented yet"):
        ev.make_coder(read_gold(GOLD / "ruritania.text"))
    with pytest.raises(FileNotFoundError, match="dictionary file not found"):
        ev.make_coder(read_gold(GOLD / "udpetrarch.xml"))


def _fake_legacy(monkeypatch) -> list:
    """Install a stand-in dyad.components.events.legacy whose LegacyCoder codes every record the same."""
    built: list = []

    class LegacyCoder:
        def __init__(self, dictionaries, options):
            built.append((dictionaries, options))

        def code(self, text, date):
            from dyad.records import Actor

            return [types.SimpleNamespace(source=Actor(text="x", code="BOR"), target=Actor(text="y", code="RUR"),
                                          code="112")]

    module = types.ModuleType("dyad.components.events.legacy")
    module.LegacyCoder = LegacyCoder
    monkeypatch.setitem(sys.modules, "dyad.components.events.legacy", module)
    return built


def test_legacy_adapter_contract(monkeypatch):
    built = _fake_legacy(monkeypatch)
    gold = read_gold(GOLD / "ruritania.text")
    coder = ev.make_coder(gold)
    assert isinstance(coder, ev.LegacyCoderAdapter)
    result = ev.evaluate_events(gold, coder)
    # the project's dictionaries are loaded once; one LegacyCoder per distinct option set
    dictionaries = built[0][0]
    assert len(dictionaries.actors) == 5 and "SET:MINIMUM WORDS" in dictionaries.options
    assert [options for _, options in built] == [{"SET:MINIMUM WORDS": "3"},
                                                 {"SET:MINIMUM WORDS": "5", "DEFAULT": "OFF"}]
    assert {s.id: s.exact for s in result.scores}["LIST-03"]


def test_legacy_adapter_with_explicit_dictionaries(monkeypatch):
    built = _fake_legacy(monkeypatch)
    gold = read_gold(GOLD / "udpetrarch.xml")  # names dictionaries that do not exist: --dictionaries wins
    coder = ev.make_coder(gold, [GOLD / "ruritania.actors"])
    result = ev.evaluate_events(gold, coder, dictionaries=[GOLD / "ruritania.actors"])
    assert result.dictionaries == [str(GOLD / "ruritania.actors")]
    assert len(built) == 2  # options change after BASIC-01


def test_dyad_coder_runs_the_pipeline(nlp):
    gold = read_gold(GOLD / "gold.jsonl")
    result = ev.evaluate_events(gold, ev.DyadCoder(nlp))
    assert result.summary.total.records == 5 and result.summary.total.crashed == 0


# --------------------------------------------------------------------------- the command


@pytest.fixture
def fake_coder(monkeypatch):
    def coder(record, settings):
        if record.id == "LIST-03":
            raise RuntimeError("boom")
        if record.id == "BASIC-01":
            return [("RURGOV", "BOR", "0641"), ("BOR", "RUR", "111")]
        return list(record.events) if record.kind == "events" else []

    monkeypatch.setattr(ev, "make_coder", lambda gold, dictionaries=None: ev.FunctionCoder(coder, "fake"))


def test_cli_json(fake_coder):
    result = CliRunner().invoke(evaluate, [str(GOLD / "ruritania.text"), "--json", "--errors", "2"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in ("records", "exact_records", "exact_rate", "precision", "recall", "f1", "by_category", "crashed"):
        assert key in out
    assert out["records"] == 7 and out["crashed"] == 1 and out["coder"] == "fake" and out["format"] == "tabari"
    assert out["exact_records"] == 5
    assert set(out["by_category"]) == {"BASIC", "LIST"}
    assert out["by_category"]["LIST"]["records"] == 3
    assert out["left_out"] == {"complex {+++}": 1, "sets options only": 2, "nothing checked before -{": 1}
    assert [e["id"] for e in out["errors"]] == ["LIST-03", "BASIC-01"]  # one error each: the crash first
    assert out["errors"][1]["extra"] == [{"source": "BOR", "target": "RUR", "code": "111"}]


def test_cli_table_and_errors(fake_coder):
    result = CliRunner().invoke(evaluate, [str(GOLD / "unittest.xml"), "--errors", "3"])
    assert result.exit_code == 0, result.output
    assert "event coding" in result.stdout and "BASIC" in result.stdout and "MODIFY" in result.stdout
    assert "BASIC-01" in result.stdout and "predicted BOR / RUR / 111   <- extra" in result.stdout


def test_cli_all_right(monkeypatch):
    perfect = ev.FunctionCoder(lambda record, settings: record.events if record.kind == "events" else [])
    monkeypatch.setattr(ev, "make_coder", lambda gold, dictionaries=None: perfect)
    result = CliRunner().invoke(evaluate, [str(GOLD / "gold.jsonl"), "--errors", "3"])
    assert result.exit_code == 0, result.output
    assert "no record has an error" in result.stdout and "100.0" in result.stdout
    assert "skipped" in result.stderr  # the gold's bad lines are reported


def test_cli_reports_crashes_in_table(fake_coder):
    result = CliRunner().invoke(evaluate, [str(GOLD / "ruritania.text"), "--errors", "2"])
    assert result.exit_code == 0, result.output
    assert "crashed the coder" in result.stdout and "LIST-03" in result.stdout
    assert "<- extra" in result.stdout


@pytest.mark.parametrize("args", [["--format", "lgl"], ["--format", "gwn"]])
def test_events_task_says_a_places_format_is_not_an_event_gold(fake_coder, args):
    result = CliRunner().invoke(evaluate, [str(GOLD / "gold.jsonl"), *args])
    assert result.exit_code == 2
    assert "not implemented yet" in result.stderr


def test_places_task_names_the_gold_formats_it_reads(fake_coder):
    result = CliRunner().invoke(evaluate, [str(GOLD / "gold.jsonl"), "--task", "places"])
    assert result.exit_code == 2
    assert "gwn" in result.stderr and "lgl" in result.stderr


def test_cli_legacy_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "dyad.components.events.legacy", None)
    result = CliRunner().invoke(evaluate, [str(GOLD / "ruritania.text")])
    assert result.exit_code == 2
    assert "coding with legacy dictionaries is not implemented yet" in result.stderr


def test_cli_missing_dictionaries():
    result = CliRunner().invoke(evaluate, [str(GOLD / "udpetrarch.xml")])
    assert result.exit_code == 1
    assert "dictionary file not found" in result.stderr and "ud.verbs.txt" in result.stderr


def test_cli_is_registered():
    import click

    from dyad.evaluate.cli import evaluate
    from dyad.surfaces.cli import main

    ctx = click.Context(main)
    assert "evaluate" in main.list_commands(ctx)  # imported when run (DyadGroup.lazy_commands)
    assert main.get_command(ctx, "evaluate") is evaluate


# --------------------------------------------------------------------------- the real suites

needs_shared = pytest.mark.skipif(not (SHARED / "gold" / "events").is_dir(), reason="../shared is absent")


@pytest.mark.slow
@needs_shared
def test_real_tabari_validation_suite():
    """README: 472 records before FINAL-01 (a few IDs repeat), 521 event blocks. Records are the
    header lines before FINAL-01; event blocks are the { SRC / TGT / CODE } fields of those records
    that a -{ does not end or follow (a {+++} record's blocks included)."""
    gold = read_gold(SHARED / "gold/events/tabari-validate/Validate.text")
    assert gold.format == "tabari"
    assert len(gold.records) == 472
    assert sum(len(r.events) for r in gold.records) == 521
    repeated = [i for i, n in Counter(r.id for r in gold.records).items() if n > 1]
    assert 0 < len(repeated) < 20
    assert "FINAL-01" not in {r.id for r in gold.records}
    assert Path(gold.dictionaries[0]).name == "Validate.project"
    kinds = Counter(r.kind for r in gold.records)
    assert kinds["options"] > 0 and kinds["complex"] > 0 and kinds["no_event"] > 0 and kinds["discard"] > 0
    assert sum(r.truncated for r in gold.records) >= 1
    assert all(r.text for r in gold.records)


@pytest.mark.slow
@needs_shared
def test_real_petrarch_unittest_suite():
    """README: 284 records, 359 events (<EventCoding> elements with codes)."""
    gold = read_gold(SHARED / "gold/events/petrarch-unittest/PETR.UnitTest.records.xml")
    assert len(gold.records) == 284
    assert sum(len(r.events) for r in gold.records) == 359
    assert sum(r.kind == "error" for r in gold.records) == 7
    assert all(Path(p).is_file() for p in gold.dictionaries) and len(gold.dictionaries) == 4
    assert all(r.text and r.date for r in gold.records)


@pytest.mark.slow
@needs_shared
def test_real_udpetrarch_suite():
    """README: 274 records, 264 with evaluate="true" holding 308 events."""
    gold = read_gold(SHARED / "gold/events/udpetrarch-validate/PETR_Validate_records_2_02.xml")
    assert len(gold.records) == 274
    evaluated = [r for r in gold.records if r.skip != "evaluate=false"]
    assert len(evaluated) == 264
    assert sum(len(r.events) for r in evaluated) == 308
    assert all(Path(p).is_file() for p in gold.dictionaries) and len(gold.dictionaries) == 5
    assert all(r.text for r in gold.records)


@pytest.mark.slow
@needs_shared
def test_real_suites_score_perfectly_with_an_oracle():
    for path in ("tabari-validate/Validate.text", "petrarch-unittest/PETR.UnitTest.records.xml",
                 "udpetrarch-validate/PETR_Validate_records_2_02.xml"):
        gold = read_gold(SHARED / "gold/events" / path)
        result = ev.evaluate_events(gold, lambda r, s: r.events if r.kind == "events" else [])
        t = result.summary.total
        assert t.records == len(gold.checked) and t.exact_records == t.records and t.f1 == 1.0, path
