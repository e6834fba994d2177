"""Tests for the legacy TABARI/PETRARCH dictionary readers (dyad.components.events.dictionaries).

The fixtures in tests/fixtures/dictionaries are invented; the real dictionaries in /work/shared
are only read (tests skip cleanly when that directory is absent).
"""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import msgspec
import pytest

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "dictionaries"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


import dyad.components.events.dictionaries as D  # noqa: E402
from dyad.components.events.dictionaries import loader as _loader  # noqa: E402
from dyad.components.events.dictionaries.elements import Alternatives, NounPhrase, PrepPhrase, Slot, SynsetRef, Word  # noqa: E402


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch):
    """Never touch the user's cache."""
    monkeypatch.setenv("DYAD_CACHE_DIR", str(tmp_path / "cache"))


def show(el) -> str:
    """Compact text of a pattern element, for assertions."""
    j = "~" if getattr(el, "joined", False) else ""
    if isinstance(el, Word):
        return el.text + ("_" if el.exact else "") + ("=" if el.fixed else "") + j
    if isinstance(el, SynsetRef):
        return el.name + j
    if isinstance(el, Slot):
        return {"source": "$", "target": "+", "compound": "%", "skip": "^", "attribution": "@"}[el.kind] + j
    if isinstance(el, Alternatives):
        return "{" + " | ".join(" ".join(show(x) for x in opt) for opt in el.options) + "}" + j
    if isinstance(el, NounPhrase):
        return "NP{" + " ".join(show(x) for x in el.elements) + "}" + j
    if isinstance(el, PrepPhrase):
        return "PP(" + " ".join(show(x) for x in [el.preposition, *el.objects]) + ")" + j
    raise AssertionError(el)


def show_pattern(p) -> str:
    before = " ".join(show(x) for x in p.before)
    after = " ".join(show(x) for x in p.after)
    return f"{before} *{'~' if p.verb_joined else ''} {after}".strip()


def entry(d, name):
    return next(v for v in d.verbs if v.name == name)


# --------------------------------------------------------------------------- TABARI verbs


def test_tabari_verbs_fixture():
    d = D.read_tabari_verbs(FIX / "demo.verbs")
    assert d.warnings == []
    # <SYNSETS>: labels, '_' label (no plurals), a member using another synset and a slot,
    # a Latin-1 byte decoded (the file is not UTF-8) and CRLF line ends stripped
    assert set(d.synsets) == {"&ENVOY", "&TALKS", "&ENVOYPHRASE"}
    assert d.synsets["&TALKS"].plurals is False
    assert [show(e) for m in d.synsets["&TALKS"].members for e in m.elements] == ["TALKS", "NEGOTIATIONS", "DÉTENTE"]
    assert [show(e) for e in d.synsets["&ENVOYPHRASE"].members[0].elements] == ["&ENVOY~", "OF_~", "$"]
    assert [show(e) for e in d.synsets["&ENVOY"].members[2].elements] == ["SPECIAL_~", "ENVOY"]
    # <TIME> section: day shifts, the spaced null code, a pattern
    fortnight, long_ago = entry(d, "NEXT_FORTNIGHT"), entry(d, "LONG_AGO")
    assert fortnight.section == long_ago.section == "time"
    assert fortnight.code.primary == "+14"
    assert long_ago.code.raw == "---" and long_ago.code.is_null
    assert long_ago.patterns[0].code.is_discard
    # a root with its code, a '{forms}' line and a ';' comment
    parley = entry(d, "PARLEY")
    assert parley.section == "verb" and parley.dialect == "tabari"
    assert parley.code.primary == "040" and parley.source.lineno == 20
    verb = parley.verbs[0]
    assert [D.phrase_text(f.words) for f in verb.forms] == ["PARLEYED_", "PARLAYED_"]
    assert "PARLEYS" in verb.conjugations()
    pats = {show_pattern(p): p for p in parley.patterns}
    assert list(pats) == [
        "+ WAS_~ * BY_ $",
        "$ * WITH_ +",
        "% * OVER &TALKS",
        "* IN_ ^ WITH +",
        "* SUMMIT~ MEETING",
        "NEVER *",
        "@ SAID *",
        "* {&ENVOY | MEDIATOR}~ FROM $",
        "* GAME_~ SHOW",
        "* RIDDLE",
    ]
    passive = pats["+ WAS_~ * BY_ $"]
    assert passive.code.primary == "041" and passive.code.secondary == "042" and passive.code.paired
    assert passive.comment == "passive phrase, paired codes"
    assert passive.source.lineno == 22
    assert pats["% * OVER &TALKS"].code.dominant
    assert pats["* IN_ ^ WITH +"].code.subordinate
    assert pats["* SUMMIT~ MEETING"].after[0].exact is False  # 'SUMMIT~_' is a joined stem
    assert pats["NEVER *"].code.is_null
    assert pats["* GAME_~ SHOW"].code.is_discard
    assert pats["* RIDDLE"].code.is_complex
    # '=' (no regular endings), a multi-word root, a slot joined to the verb
    shun = entry(d, "SHUN=")
    assert shun.verbs[0].words[0].fixed and not shun.verbs[0].regular
    assert show_pattern(shun.patterns[0]) == "* &ENVOYPHRASE"
    walk = entry(d, "WALK OUT_")
    assert [w.text for w in walk.verbs[0].words] == ["WALK", "OUT"]
    assert show_pattern(walk.patterns[0]) == "$~ * OF_ TALKS"
    # <ATTRIB> section (TABARI 10.4): roots and patterns without codes, '@' slot
    according = entry(d, "ACCORDING_TO")
    assert according.section == "attribution" and according.code.is_null
    assert show_pattern(according.patterns[0]) == "* @" and according.patterns[0].code.is_null
    # nothing after ~~FINISH is read
    assert [v.name for v in d.verbs] == ["NEXT_FORTNIGHT", "LONG_AGO", "PARLEY", "SHUN=", "WALK OUT_", "ACCORDING_TO"]


# --------------------------------------------------------------------------- PETRARCH verbs


def test_petrarch_verbs_fixture():
    d = D.read_petrarch_verbs(FIX / "Sample.verbs.txt")
    assert set(d.synsets) == {"&VESSEL", "&PARTICLE", "&CARGO"}
    vessel = d.synsets["&VESSEL"]
    assert vessel.plurals and [m.plural for m in vessel.members] == [True, False, True]
    assert d.synsets["&PARTICLE"].plurals is False
    assert show(d.synsets["&CARGO"].members[0].elements[0]) == "&VESSEL"
    ship = entry(d, "SHIP")
    assert ship.dialect == "petrarch" and ship.code.primary == "070" and ship.source.lineno == 20
    verbs = {D.phrase_text(v.words): v for v in ship.verbs}
    assert list(verbs) == ["SHIP", "FREIGHT", "SEND_OFF", "LOAD_UP", "CONVEY"]
    assert verbs["SHIP"].regular and verbs["SHIP"].code is None
    assert verbs["FREIGHT"].regular is False and len(verbs["FREIGHT"].forms) == 3
    send = verbs["SEND_OFF"]
    assert send.head == 0 and send.code.primary == "071"
    assert [D.phrase_text(f.words) for f in send.forms] == ["SENDS_OFF", "SENT_OFF", "SENDING_OFF"]
    assert verbs["LOAD_UP"].head == 1 and verbs["LOAD_UP"].forms == [] and not verbs["LOAD_UP"].regular
    assert verbs["CONVEY"].conjugations() == ["CONVEY", "CONVEYS", "CONVEYED", "CONVEYING"]
    pats = [show_pattern(p) for p in ship.patterns]
    assert pats == [
        "* &CARGO",
        "* NP{EMERGENCY &CARGO}",
        "* PP(TO +)",
        "* PP(FROM ^) PP(TO NP{NEIGHBOURING PORT})",
        "&VESSEL *",
        "$ * PP(WITH %)",
        "* NP{BLOCKADE RUNNER} $",
    ]
    passive_only = ship.patterns[4].code
    assert passive_only.primary is None and passive_only.secondary == "074" and not passive_only.is_null
    assert ship.patterns[0].comment == "SHIP"
    # a pattern naming an undefined synset is skipped with a warning, as PETRARCH does
    assert any("&UNKNOWNSYN" in w.message and w.lineno == 33 for w in d.warnings)
    stall = entry(d, "STALL")
    assert stall.code.is_null and stall.verbs[1].forms == [] and not stall.verbs[1].regular
    assert show_pattern(stall.patterns[0]) == "* PP(ON &PARTICLE)"
    (t,) = d.transformations
    assert (t.pattern.source, t.pattern.target.source, t.pattern.target.target) == ("a", "a", "b")
    assert (t.pattern.target.verb, t.pattern.verb, t.result_code) == ("STALL", "SHIP", "072")
    assert t.source.lineno == 41


# --------------------------------------------------------------------------- nouns


def test_tabari_actors_fixture():
    d = D.read_actors(FIX / "demo.actors")
    assert d.warnings == []
    assert list(d.nouns) == ["GADGETS", "BRIDGE_BUILDER"] and list(d.adjectives) == ["BRAVE"]
    a = d.actors
    assert "NOT_READ" not in a  # after ~~FINISH
    assert [c.code for c in a["FREEDONIA_"].codes] == ["FRD"]
    assert a["FREEDONIA_"].words[0].exact and not a["FREEDONIAN"].words[0].exact
    sylvania = a["SYLVANIA"].codes
    assert (sylvania[0].code, sylvania[0].start, sylvania[0].end) == ("SYL", None, datetime.date(1985, 12, 31))
    assert not sylvania[1].restricted
    assert a["SYLVANIA"].codes_on(datetime.date(1980, 1, 1)) == ["SYL"]
    assert a["SYLVANIA"].codes_on(datetime.date(1990, 1, 1)) == ["SYLREB"]
    trentino = a["TRENTINO"]
    assert trentino.codes[0].start == datetime.date(1980, 1, 1)  # YYYYMMDD
    assert trentino.codes[1].start == datetime.date(1986, 1, 1) and trentino.codes[1].end is None
    assert trentino.codes_on(datetime.date(2000, 1, 1)) == ["SYLELI"]
    assert trentino.codes_on(datetime.date(1970, 1, 1)) == ["---"]
    # blank vs '_' connectors make different entries (TABARI)
    assert a["GRAND FENWICK"].codes[0].code == "GFW" and not a["GRAND FENWICK"].words[0].joined
    assert a["GRAND_FENWICK_"].codes[0].code == "GFWGOV" and a["GRAND_FENWICK_"].words[0].joined
    # a multi-line record: synonyms share the codes, restrictions on indented lines
    firefly = a["RUFUS_FIREFLY_"]
    assert firefly.synonyms == ["FIREFLY_", "CHANCELLOR_FIREFLY"]
    assert a["FIREFLY_"].root == "RUFUS_FIREFLY_" and a["FIREFLY_"].codes == firefly.codes
    assert [c.lineno for c in firefly.codes] == [17, 18, 19]
    assert firefly.codes_on(datetime.date(1933, 6, 1)) == ["FRDGOV"]  # '330101 - 331231' with blanks
    assert firefly.codes_on(datetime.date(1950, 1, 1)) == ["FRDELI"]
    assert a["KLOPSTOKIA="].words[0].fixed
    assert a["DUAL_MONARCHY"].codes[0].parts == ["FRD", "SYL"]
    assert a["CIRCUS_PARADE"].codes[0].code == "###" and a["AMBIGUITY"].codes[0].code == "+++"


def test_petrarch_actors_fixture():
    d = D.read_actors(FIX / "Sample.actors.txt", dialect="petrarch")
    a = d.actors
    assert set(a) == {"MARVEL_CITY_", "MARVELLOUS_CITY_", "MAYOR_OF_MARVEL_CITY", "MARVEL_CITY_MAYOR",
                      "HARBOUR_GUILD_"}  # nothing after ---STOP---
    assert a["MARVELLOUS_CITY_"].root == "MARVEL_CITY_"
    # PETRARCH: a phrase with no code shares the codes of the record that follows it
    mayor = a["MAYOR_OF_MARVEL_CITY"]
    assert mayor.synonyms == ["MARVEL_CITY_MAYOR"]
    assert [c.code for c in mayor.codes] == ["MVCGOV", "MVCELI"]
    assert any("shares the codes" in w.message and w.lineno == 4 for w in d.warnings)
    assert a["HARBOUR_GUILD_"].codes[0].code == "MVCBUS" and a["HARBOUR_GUILD_"].source.lineno == 8


def test_agents_fixtures():
    t = D.read_agents(FIX / "demo.agents").agents
    assert t["HARBOUR_MASTER_"].code == "~MAR" and t["HARBOUR_MASTER_"].suffix
    assert t["SEA_SCOUTS_"].code == "SCT~" and not t["SEA_SCOUTS_"].suffix and t["SEA_SCOUTS_"].bare_code == "SCT"
    assert t["LIGHTHOUSE_KEEPER"].plurals is None  # regular plural generated
    p = D.read_agents(FIX / "Sample.agents.txt", dialect="petrarch").agents
    assert {"FERRYSEAMAN", "FERRYSEAMEN", "FERRYSEAWOMAN"} <= set(p)
    assert p["FERRYSEAMEN"].template == "FERRY!SAILOR! [~MAR]"
    assert [D.phrase_text(x) for x in p["DECKHAND"].plurals] == ["DECKHANDS_ALL"]
    assert p["CREW"].plurals == []
    assert p["PORT_AUTHORITY"].code == "PRT~" and p["PORT_AUTHORITY"].source.lineno == 6


def test_discards_issues_ontology():
    d = D.read_discards(FIX / "Sample.discards.txt").discards
    assert d["REGATTA RESULTS"].story and not d["KITE FESTIVAL"].story
    assert d["CROSSWORD"].whole_word and d["CROSSWORD"].source.lineno == 4
    i = D.read_issues(FIX / "Sample.issues.txt")
    assert [(c.name, c.type) for c in i.issue_categories] == [("MARITIME", "ALL")]
    by_phrase = {e.phrase: e for e in i.issues}
    assert by_phrase["N:LIGHTHOUSE"].forms == ["LIGHTHOUSE", "LIGHTHOUSES"]
    assert by_phrase["N:LIGHTHOUSE"].code == "LIGHTHOUSES" and by_phrase["N:LIGHTHOUSE"].category == "MARITIME"
    assert by_phrase["V:DREDGE HARBOUR"].forms == ["DREDGE HARBOUR", "DREDGES HARBOUR", "DREDGED HARBOUR",
                                                   "DREDGING HARBOUR"]
    assert by_phrase["SEA+LANE"].forms == ["SEA LANE", "SEA-LANE"]
    assert by_phrase["MODEL LIGHTHOUSE"].exclude == "sentence" and by_phrase["MODEL LIGHTHOUSE"].code is None
    assert by_phrase["LIGHTHOUSE MUSEUM"].exclude == "story"
    o = D.read_ontology(FIX / "Sample.Coding.Ontology.txt").ontology
    assert o["040"].value == 0x3000 and o["040"].label == "Parley"
    assert o["041"].value == 0x3010 and o["042"].value == -0xFFFF + 2 and o["---"].value == 0


def test_options_project_config():
    o = D.read_options(FIX / "demo.options").options
    assert o["SET:MINIMUM WORDS"].value == "5" and o["SET:HAIKU"].value == "FALSE"
    assert o["LABEL:040"].value == "PARLEY"
    assert o["COMPLEX"].value == "VERBS[4] NOACTPRIOR"
    assert o["OUTPUT"].value == "ID TEXT"  # repeated OUTPUT lines accumulate
    assert o["DEFAULT"].value == "SOURCE [SRCDEF] PRIOR" and o["DEFAULT"].source.lineno == 8  # 'DEFA:'
    project = D.read_project(FIX / "demo.project")
    assert project.files["actors"] == [str(FIX / "demo.actors")]
    assert project.files["agents"] == [str(FIX / "demo.agents")]
    assert project.linenos[str(FIX / "demo.verbs")] == 3
    assert "session" in project.other and "coder" in project.other
    options, config = D.read_config(FIX / "Sample_config.ini")
    assert options.options["Options.new_actor_length"].value == "0"
    assert options.options["Dictionaries.verbfile_name"].source.lineno == 3
    assert config.files["verbs"] == [str(FIX / "Sample.verbs.txt")]


def test_detect_kind():
    kinds = {p.name: D.detect_kind(p) for p in FIX.iterdir()}
    assert kinds["demo.verbs"] == ("verbs", "tabari")
    assert kinds["Sample.verbs.txt"] == ("verbs", "petrarch")
    assert kinds["demo.actors"] == ("actors", "tabari")
    assert kinds["Sample.actors.txt"] == ("actors", "petrarch")
    assert kinds["Sample.agents.txt"][0] == "agents" and kinds["Sample.discards.txt"][0] == "discards"
    assert kinds["Sample.issues.txt"][0] == "issues" and kinds["demo.options"][0] == "options"
    assert kinds["demo.project"][0] == "project" and kinds["Sample_config.ini"][0] == "config"
    assert kinds["Sample.Coding.Ontology.txt"][0] == "ontology"


def test_detect_kind_by_content(tmp_path):
    cases = {
        "a.txt": ("--- MEET [040] ---\nMEET\n- * ENVOY [041]\n", "verbs"),
        "b.txt": ("FREEDONIA [FRD]\n+FREEDONIAN\n", "actors"),
        "c.txt": ("CAPTAIN [~MAR]\n", "agents"),
        "d.txt": ("SET: HAIKU = FALSE\n", "options"),
        "e.txt": ('<ISSUE CATEGORY="X">\nfoo [X]\n</ISSUE>\n', "issues"),
    }
    for name, (text, kind) in cases.items():
        (tmp_path / name).write_text(text)
        assert D.detect_kind(tmp_path / name)[0] == kind
    (tmp_path / "f.txt").write_text("nothing recognisable here\n")
    with pytest.raises(D.DictionaryError, match="cannot tell what kind"):
        D.detect_kind(tmp_path / "f.txt")


# --------------------------------------------------------------------------- errors

MALFORMED = [
    ("x.verbs", "- * TALKS [040]\n", 1, "pattern before any verb"),
    ("x.verbs", "PARLEY [040]\n- * TALKS\n", 2, "pattern has no [CODE]"),
    ("x.verbs", "PARLEY [040]\n- TALKS [041]\n", 2, "no verb marker '*'"),
    ("x.verbs", "PARLEY [040]\n- * (TO BORDER [041]\n", 2, "'(' is never closed"),
    ("x.verbs", "PARLEY [040]\n\n- * | TALKS [041]\n", 3, "'|' outside"),
    ("x.verbs", "PARLEY [04:1:2]\n", 1, "more than one ':'"),
    ("x.verbs", "PARLEY [0 4$]\n", 1, "is not a code"),
    ("x.verbs", "PARLEY [040]\n{ PARLEYED\n", 2, "'{' is not closed"),
    ("x.verbs", "<SYNSETS>\n&ENVOY\n+\n", 3, "empty '+' line"),
    ("x.txt", "--- MEET [040] ---\nMEET\n~ a (a b MEET = a b 040\n", 3, "'(' is not closed"),
    ("x.actors", "FREEDONIA [FRD\n", 1, "'[' is not closed"),
    ("x.actors", "\t[FRD]\nFREEDONIA\n", 1, "code restriction before any actor"),
    ("x.actors", "FREEDONIA [FRD]\nSYLVANIA [991201-010114]\n", 2, "is not an actor code"),
    ("x.actors", "FREEDONIA []\n", 1, "empty code block"),
    ("x.actors", "FREEDONIA [FRD about 1985]\n", 1, "date restriction"),
    ("x.agents", "HARBOUR_MASTER [MAR]\n", 1, "needs '~'"),
    ("x.agents", "HARBOUR_MASTER {MASTERS [~MAR]\n", 1, "'{' is not closed"),
    ("x.options", "// fine\nTHIS IS NOT AN OPTION\n", 2, "expected 'COMMAND: value'"),
    ("x.discards", "KITE FESTIVAL\n1\t2\t3\t4\n", 2, "tab-separated data"),
    ("x.ini", "key = value\n", 1, "expected 'key = value' or '[Section]'"),
    ("x.issues", "<ISSUE CATEGORY=\"X\">\nfoo [A] [B]\n", 2, "exactly one non-empty [CODE]"),
    ("x.Ontology.txt", "040:0x10Q\n", 1, "not a sum of hexadecimal"),
]


@pytest.mark.parametrize(("name", "text", "lineno", "expected"), MALFORMED)
def test_malformed_line_names_file_and_line(tmp_path, name, text, lineno, expected):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(D.DictionaryError) as info:
        D.read_dictionary(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.path == str(path) and err.lineno == lineno
    assert str(err).startswith(f"{path}:{lineno}: ")
    assert expected in str(err)


def test_tolerated_quirks_are_warnings(tmp_path):
    path = tmp_path / "q.actors"
    path.write_text(
        "FREEDONIA [FRD] ; fine\n"
        "SYLVANIA [SYLGOV 9912-000101] [SYL]\n"  # uninterpretable date: restriction skipped (TABARI 6.5.2)
        "TRENTINO [TRN 20001231]\n"  # bare date: read as the default code (PETRARCH)
        "+OSTRIA_ +OSTRIAN_\n"  # two synonyms on one line
        "KLOPSTOKIA [KLP] Newspapers\t$1,000\n"  # junk after the code
        "FREEDONIA [XXX]\n"  # duplicate: first entry wins
    )
    d = D.read_actors(path)
    assert [c.code for c in d.actors["SYLVANIA"].codes] == ["SYL"]
    assert [c.code for c in d.actors["TRENTINO"].codes] == ["TRN"] and not d.actors["TRENTINO"].codes[0].restricted
    assert d.actors["OSTRIA_"].root == d.actors["OSTRIAN_"].root == "TRENTINO"
    assert d.actors["FREEDONIA"].codes[0].code == "FRD"
    assert {w.lineno for w in d.warnings} == {2, 3, 4, 5, 6}


def test_pattern_quirks(tmp_path):
    path = tmp_path / "q.verbs"
    path.write_text(
        "PARLEY [040]\n"
        "- + { WAS | WERE ] * BY_ $ [041]\n"  # '{' closed with ']'
        "- * COMMIT * AID [042]\n"  # second '*'
        "- *TALKS [043]\n"  # '*' glued to a word
    )
    d = D.read_tabari_verbs(path)
    assert [show_pattern(p) for p in d.verbs[0].patterns] == ["+ {WAS | WERE} * BY_ $", "* COMMIT AID", "* TALKS"]
    assert [w.lineno for w in d.warnings] == [2, 3, 4]


# --------------------------------------------------------------------------- loading and cache


def test_load_project_merges_files():
    d = D.load_dictionaries([FIX / "demo.project"])
    kinds = [(Path(f.path).name, f.kind) for f in d.files]
    assert kinds == [("demo.project", "project"), ("demo.options", "options"), ("demo.verbs", "verbs"),
                     ("demo.actors", "actors"), ("demo.agents", "agents")]
    assert "PARLEY" in [v.name for v in d.verbs] and "FREEDONIA_" in d.actors and "SEA_SCOUTS_" in d.agents
    assert d.options["LABEL:040"].value == "PARLEY"
    assert d.projects[0].path == str(FIX / "demo.project")


def test_load_config_merges_files():
    d = D.load_dictionaries([FIX / "Sample_config.ini"])
    assert {f.kind for f in d.files} == {"config", "verbs", "actors", "agents", "discards", "issues"}
    assert "MARVEL_CITY_" in d.actors and "CREW" in d.agents and "KITE FESTIVAL" in d.discards
    assert d.options["Options.require_dyad"].value == "True"


def test_merge_first_entry_wins(tmp_path):
    (tmp_path / "a.actors").write_text("FREEDONIA [FRD]\n")
    (tmp_path / "b.actors").write_text("FREEDONIA [XXX]\nSYLVANIA [SYL]\n")
    d = D.load_dictionaries([tmp_path / "a.actors", tmp_path / "b.actors"], cache=False)
    assert d.actors["FREEDONIA"].codes[0].code == "FRD" and "SYLVANIA" in d.actors
    assert any("already entered" in w.message and w.path.endswith("b.actors") for w in d.warnings)


def test_cache_hit_does_not_reparse_and_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    cache = tmp_path / "dict-cache"
    monkeypatch.setenv("DYAD_CACHE_DIR", str(cache))
    paths = [FIX / "Sample.verbs.txt", FIX / "Sample.actors.txt", FIX / "Sample.agents.txt"]
    calls = []
    real = _loader.read_dictionary
    monkeypatch.setattr(_loader, "read_dictionary", lambda *a, **k: calls.append(a[0]) or real(*a, **k))

    first = D.load_dictionaries(paths)
    assert len(calls) == 3
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".msgpack"  # no temporary files left behind

    second = D.load_dictionaries(paths)
    assert len(calls) == 3  # served from the cache: nothing re-parsed
    assert second == first

    files[0].write_bytes(b"\x00 definitely not msgpack")
    third = D.load_dictionaries(paths)
    assert len(calls) == 6 and third == first  # corrupt cache ignored and rebuilt
    assert msgspec.msgpack.decode(files[0].read_bytes(), type=D.Dictionaries) == first

    files[0].write_bytes(files[0].read_bytes()[:100])  # truncated
    assert D.load_dictionaries(paths) == first and len(calls) == 9


def test_cache_key_follows_file_changes(tmp_path):
    src = tmp_path / "c.actors"
    src.write_text("FREEDONIA [FRD]\n")
    cache = tmp_path / "cache"
    assert D.load_dictionaries([src], cache_dir=cache).actors["FREEDONIA"].codes[0].code == "FRD"
    src.write_text("FREEDONIA [FRDGOV]\n")
    os.utime(src, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert D.load_dictionaries([src], cache_dir=cache).actors["FREEDONIA"].codes[0].code == "FRDGOV"
    assert len(list(cache.iterdir())) == 1  # the stale cache file of the same file set is removed


def test_cache_fingerprint_covers_every_cached_struct():
    """The cache key hashes the modules of the dictionaries folder: every struct the cache stores
    must be defined there, or editing it would leave stale caches readable."""
    import sys

    import msgspec.inspect as mi

    from dyad.components.events.dictionaries import cache as cache_module

    seen: set[type] = set()

    def walk(info) -> None:
        if isinstance(info, mi.StructType):
            if info.cls not in seen:
                seen.add(info.cls)
                for f in info.fields:
                    walk(f.type)
        elif isinstance(info, mi.UnionType):
            for t in info.types:
                walk(t)
        elif isinstance(info, mi.DictType):
            walk(info.key_type)
            walk(info.value_type)
        elif hasattr(info, "item_type"):
            walk(info.item_type)

    walk(mi.type_info(D.Dictionaries))
    hashed = set(Path(cache_module.__file__).parent.glob("*.py"))
    modules = {Path(sys.modules[cls.__module__].__file__) for cls in seen}
    assert len(seen) > 20 and modules <= hashed


def test_unwritable_cache_still_loads(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    d = D.load_dictionaries([FIX / "demo.agents"], cache_dir=blocker / "sub")
    assert "SEA_SCOUTS_" in d.agents


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(D.DictionaryError, match="file not found"):
        D.load_dictionaries([tmp_path / "nope.verbs"])
    (tmp_path / "p.project").write_text("<actorfile> missing.actors\n")
    with pytest.raises(D.DictionaryError, match=r"p\.project:1: actors file missing\.actors"):
        D.load_dictionaries([tmp_path / "p.project"])


# --------------------------------------------------------------------------- real dictionaries

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="/work/shared reference dictionaries not present")

# (file, what, minimum): plausible sizes, well below the actual counts
REAL = [
    ("reference/dictionaries/phoenix/CAMEO.2.0.txt", "verbs", 350),
    ("reference/dictionaries/phoenix/CAMEO.2.0.txt", "patterns", 4500),
    ("reference/dictionaries/phoenix/CAMEO.2.0.txt", "synsets", 35),
    ("reference/dictionaries/phoenix/CAMEO.2.0.txt", "transformations", 5),
    ("reference/dictionaries/phoenix/Phoenix.Countries.actors.txt", "actors", 24000),
    ("reference/dictionaries/phoenix/Phoenix.International.actors.txt", "actors", 6000),
    ("reference/dictionaries/phoenix/Phoenix.MilNonState.actors.txt", "actors", 1600),
    ("reference/dictionaries/phoenix/Phoenix.agents.txt", "agents", 3000),
    ("reference/dictionaries/phoenix/Phoenix.discards.txt", "discards", 450),
    ("reference/dictionaries/phoenix/Phoenix.IssueCoding.txt", "issues", 3000),
    ("reference/dictionaries/phoenix/Phoenix.prepositions.txt", "prepositions", 100),
    ("reference/dictionaries/phoenix/PETR.Internal.Coding.Ontology.txt", "ontology", 250),
    ("reference/dictionaries/phoenix/PETR_config.ini", "options", 20),
    ("reference/dictionaries/tabari/CAMEO.091003.master.verbs", "verbs", 1150),
    ("reference/dictionaries/tabari/CAMEO.091003.master.verbs", "patterns", 15000),
    ("reference/dictionaries/tabari/CAMEO.09b5.options", "options", 280),
    ("reference/dictionaries/tabari/CAMEO.ECS.120522.actors", "actors", 580),
    ("reference/dictionaries/tabari/CAMEO.RCS.120521.actors", "actors", 1350),
    ("reference/dictionaries/tabari/Internatnl.120521.actors", "actors", 7000),
    ("reference/dictionaries/tabari/PSU.120522.agents", "agents", 2000),
    ("gold/events/tabari-validate/TABARI.Demo.actors", "actors", 110),
    ("gold/events/tabari-validate/TABARI.Demo.verbs", "patterns", 380),
    ("gold/events/tabari-validate/Validate.agents", "agents", 80),
    ("gold/events/tabari-validate/Validate.options", "options", 90),
    ("gold/events/petrarch-unittest/PETR.Validate.actors.txt", "actors", 150),
    ("gold/events/petrarch-unittest/PETR.Validate.agents.txt", "agents", 90),
    ("gold/events/petrarch-unittest/PETR.Validate.discards.txt", "discards", 8),
    ("gold/events/petrarch-unittest/PETR.Validate.verbs.txt", "patterns", 450),
    ("gold/events/udpetrarch-validate/PETR_Validate_Internal_Coding_Ontology_1_01.txt", "ontology", 250),
    ("gold/events/udpetrarch-validate/PETR_Validate_actors_2_02.txt", "actors", 150),
    ("gold/events/udpetrarch-validate/PETR_Validate_agents_2_02.txt", "agents", 90),
    ("gold/events/udpetrarch-validate/PETR_Validate_discards_2_02.txt", "discards", 8),
    ("gold/events/udpetrarch-validate/PETR_Validate_verbs_2_02.txt", "patterns", 330),
]


def _count(d, what: str) -> int:
    if what == "patterns":
        return d.patterns
    return len(getattr(d, what))


@pytest.mark.slow
@needs_shared
@pytest.mark.parametrize(("rel", "what", "minimum"), REAL)
def test_real_dictionary_loads(rel, what, minimum):
    d = D.read_dictionary(SHARED / rel)
    assert _count(d, what) >= minimum
    for v in d.verbs:  # every pattern has its verb split and a code
        for p in v.patterns:
            assert p.code.raw and p.source.lineno > 0


@pytest.mark.slow
@needs_shared
def test_real_file_that_is_not_a_discard_list():
    # tabari/discards.txt is a tab-separated spreadsheet export (54 columns), not a discard list
    with pytest.raises(D.DictionaryError, match=r"discards\.txt:1: .*tab-separated data with 54 fields"):
        D.read_dictionary(SHARED / "reference/dictionaries/tabari/discards.txt")


@pytest.mark.slow
@needs_shared
def test_real_entries_read_as_documented():
    phoenix = SHARED / "reference/dictionaries/phoenix"
    verbs = D.read_dictionary(phoenix / "CAMEO.2.0.txt")
    ask = entry(verbs, "ASK")
    assert ask.code.is_null and any(D.phrase_text(v.words) == "ASK_FOR" and v.code.primary == "020"
                                    for v in ask.verbs)
    assert any(p.code.secondary and p.code.primary is None for v in verbs.verbs for p in v.patterns)  # [:173]
    countries = D.read_dictionary(phoenix / "Phoenix.Countries.actors.txt").actors
    assert countries["AFGHAN_"].root == "AFGHANISTAN_"
    assert countries["AFGHANISTAN_"].codes_on(datetime.date(2010, 1, 1)) == ["AFG"]
    demo = D.read_dictionary(SHARED / "gold/events/tabari-validate/TABARI.Demo.actors").actors
    assert demo["AL_GORE"].codes[0].code != demo["AL GORE"].codes[0].code
    project = D.load_dictionaries([SHARED / "gold/events/tabari-validate/Validate.project"], cache=False)
    assert {f.kind for f in project.files} == {"project", "options", "verbs", "actors", "agents"}


@pytest.mark.slow
@needs_shared
def test_real_phoenix_set_round_trips_through_the_cache(tmp_path):
    """The load time itself is measured by benchmarks/dictionaries.py, not here."""
    phoenix = SHARED / "reference/dictionaries/phoenix"
    paths = [phoenix / n for n in ("CAMEO.2.0.txt", "Phoenix.Countries.actors.txt",
                                   "Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt",
                                   "Phoenix.agents.txt", "Phoenix.discards.txt")]
    cold = D.load_dictionaries(paths, cache_dir=tmp_path)
    assert list(tmp_path.glob("dictionaries-*.msgpack"))
    warm = D.load_dictionaries(paths, cache_dir=tmp_path)
    assert warm == cold
    assert len(warm.actors) > 30000 and warm.patterns > 4500
