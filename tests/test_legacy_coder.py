"""dyad.components.events.legacy: coding with legacy dictionaries (invented toy dictionaries and sentences)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyad.components.events.dictionaries import load_dictionaries
from dyad.components.events.legacy import LegacyCoder

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
DAY = dt.date(2010, 5, 1)


@pytest.fixture(scope="module")
def petrarch() -> LegacyCoder:
    return LegacyCoder(load_dictionaries(sorted(str(p) for p in FIXTURES.glob("toy.*.txt"))), {})


@pytest.fixture(scope="module")
def tabari() -> LegacyCoder:
    # short invented sentences: below TABARI's default minimum of 8 words
    return LegacyCoder(load_dictionaries([str(FIXTURES / "toy.verbs"), str(FIXTURES / "toy.actors")]),
                       {"SET:MINIMUM WORDS": "1"})


def triples(coder: LegacyCoder, text: str, day: dt.date | None = DAY) -> set[tuple]:
    return {(e.source.code, e.target.code if e.target else None, e.code) for e in coder.code(text, day)}


def test_subject_object(petrarch):
    assert triples(petrarch, "Pangaea praised Istria.") == {("PNG", "IST", "041")}


def test_passive_voice(petrarch):
    assert triples(petrarch, "Istria was praised by Pangaea.") == {("PNG", "IST", "041")}


def test_compound_actors(petrarch):
    assert triples(petrarch, "Pangaea and North Istria praised Zorbia.") == {
        ("PNG", "ZRB", "041"), ("NIS", "ZRB", "041")}


def test_agents_attach_to_actors(petrarch):
    assert triples(petrarch, "The Pangaean police praised Istria.") == {("PNGCOP", "IST", "041")}
    assert triples(petrarch, "The minister of Istria praised Pangaea.") == {("ISTGOV", "PNG", "041")}


def test_pattern_with_synset_and_target_slot(petrarch):
    events = petrarch.code("Pangaea sent lamps to Istria.", DAY)
    assert {(e.source.code, e.target.code, e.code) for e in events} == {("PNG", "IST", "073")}
    assert events[0].provenance.rule.endswith("toy.verbs.txt:13")
    assert set(events[0].provenance.spans) == {"source", "verb", "target"}


def test_paired_codes(petrarch):
    assert triples(petrarch, "Pangaea visited Istria.") == {("PNG", "IST", "042"), ("IST", "PNG", "043")}


def test_negation(petrarch):
    assert triples(petrarch, "Pangaea did not praise Istria.") == set()


def test_discards(petrarch):
    assert triples(petrarch, "Pangaea praised Istria at the chess tournament.") == set()


def test_date_restricted_codes(petrarch):
    assert triples(petrarch, "Zorbia praised Istria.", dt.date(2010, 1, 1)) == {("ZRB", "IST", "041")}
    assert triples(petrarch, "Zorbia praised Istria.", dt.date(2020, 1, 1)) == {("ZRN", "IST", "041")}


def test_reporting_clause_and_several_events(petrarch):
    got = triples(petrarch, "Zorbia praised Istria and said Pangaea shelled Istria.")
    assert ("ZRB", "IST", "041") in got and ("PNG", "IST", "190") in got


def test_options_require_dyad(petrarch):
    loose = LegacyCoder(petrarch.d, {"Options.require_dyad": "false"})
    assert triples(petrarch, "Pangaea said nothing.") == set()
    assert triples(loose, "Pangaea said nothing.") == {("PNG", "---", "010")}


def test_tabari_linear_defaults(tabari):
    assert triples(tabari, "Aldoria greeted Carvania.") == {("ALD", "CAR", "041")}


def test_tabari_designated_actors(tabari):
    assert triples(tabari, "Carvania was greeted by Aldoria.") == {("CAR", "ALD", "042")}


def test_tabari_joined_pattern(tabari):
    assert triples(tabari, "Aldoria hurled stones at Carvania.") == {("ALD", "CAR", "145")}


def test_tabari_capitalised_verb_is_a_noun(tabari):
    assert triples(tabari, "Aldoria praised the Greet delegation of Carvania.") == set()


def test_tabari_exact_word(tabari):
    assert triples(tabari, "Belmonte greeted Carvania.") == set()


def test_tabari_clauses_keep_the_source(tabari):
    assert triples(tabari, "Aldoria greeted Carvania but then hurled stones at Belmont.") == {
        ("ALD", "CAR", "041"), ("ALD", "BEL", "145")}


def test_code_many_batches(petrarch):
    out = petrarch.code_many(["Pangaea praised Istria.", "Nothing here."], [DAY, None])
    assert len(out) == 2 and len(out[0]) == 1 and out[1] == []


# --------------------------------------------------------------------------- mechanisms added later


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def petrarch2(tmp_path_factory) -> LegacyCoder:
    """PETRARCH-2 style: a {NOUN PHRASE} pattern marks the dictionary; a coded compound actor."""
    folder = tmp_path_factory.mktemp("p2")
    verbs = _write(folder, "p2.verbs.txt", "--- PRAISE [041] ---\nPRAISE\n\n--- SAY [010] ---\n"
                   "SAY {SAYS SAID SAYING}\n\n--- SEND [070] ---\nSEND {SENDS SENT SENDING}\n"
                   "- * {WARM BLANKETS} [074]\n")
    actors = _write(folder, "p2.actors.txt", "PANGAEA [PNG]\nISTRIA [IST]\nTHE_TWINS [ALB/BOB]\n")
    agents = _write(folder, "p2.agents.txt", "MINISTER [~GOV]\n")
    return LegacyCoder(load_dictionaries([verbs, actors, agents]), {})


def test_agent_list_shares_the_actor_before(petrarch):
    assert triples(petrarch, "Pangaean police and ministers praised Istria.") == {
        ("PNGCOP", "IST", "041"), ("PNGGOV", "IST", "041")}


def test_agent_list_with_actor_list_after(petrarch):
    assert triples(petrarch, "Police and ministers of Pangaea and Istria praised Zorbia.") >= {
        ("PNGCOP", "ZRB", "041"), ("ISTCOP", "ZRB", "041"), ("PNGGOV", "ZRB", "041"), ("ISTGOV", "ZRB", "041")}


def test_compound_list_ends_at_comma_after_and():
    from dyad.components.events.legacy.text import Tok
    from dyad.components.events.legacy.units import Unit, group_units

    words = ["A", "AND", "B", ",", "AND", "C", "AND", "D"]
    toks = [Tok(i, w, False, "CCONJ" if w == "AND" else "PROPN", "", "", 0, w, w == ",") for i, w in enumerate(words)]
    units = [Unit(i, i + 1, [w], []) for i, w in enumerate(words) if w not in ("AND", ",")]
    groups = group_units(units, toks)
    assert [[c for u in g.units for c in u.codes] for g in groups] == [["A", "B"], ["C", "D"]]


def test_adverbial_clause_adds_no_event(petrarch):
    assert triples(petrarch, "Pangaea praised Istria after Zorbia shelled Istria.") == {("PNG", "IST", "041")}


def test_petrarch2_reporting_clause_folds_into_reported_event(petrarch2):
    assert triples(petrarch2, "Pangaea praised Istria, the minister said.") == {("PNG", "IST", "041")}


def test_petrarch2_noun_phrase_head_follows(petrarch2):
    assert triples(petrarch2, "Pangaea sent warm blankets to Istria.") == {("PNG", "IST", "074")}
    assert triples(petrarch2, "Pangaea sent warm blankets and old lamps to Istria.") == {("PNG", "IST", "074")}
    assert triples(petrarch2, "Pangaea sent warm old woolen blankets to Istria.") == {("PNG", "IST", "070")}


def test_petrarch2_keeps_coded_compounds_whole(petrarch2):
    assert triples(petrarch2, "The twins praised Istria.") == {("ALB/BOB", "IST", "041")}


@pytest.fixture(scope="module")
def tabari_files(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("tab")
    agents = _write(folder, "toy.agents", "SOLDIER [~MIL]\n")
    return [str(FIXTURES / "toy.verbs"), str(FIXTURES / "toy.actors"), agents]


def test_tabari_converted_agent_keeps_its_tilde(tabari_files):
    coder = LegacyCoder(load_dictionaries(tabari_files), {"SET:CONVERT AGENT": "TRUE"})
    assert triples(coder, "The soldiers hurled stones at Carvania near the old border town.") == {
        ("~MIL", "CAR", "145")}


def test_tabari_minimum_words(tabari_files):
    coder = LegacyCoder(load_dictionaries(tabari_files), {})
    assert triples(coder, "Aldoria greeted Carvania.") == set()  # fewer than 8 words by default
    short = LegacyCoder(load_dictionaries(tabari_files), {"SET:MINIMUM WORDS": "3"})
    assert triples(short, "Aldoria greeted Carvania.") == {("ALD", "CAR", "041")}


def test_tabari_default_target_after_and_source_without_prior(tabari_files):
    after = LegacyCoder(load_dictionaries(tabari_files), {"DEFAULT": "SOURCE [DS] PRIOR TARGET [DT] AFTER"})
    assert triples(after, "Aldoria and Carvania greeted the crowds in the square yesterday.") == {
        ("ALD", "DT", "041"), ("CAR", "DT", "041")}
    plain = LegacyCoder(load_dictionaries(tabari_files), {"DEFAULT": "SOURCE [DS] TARGET [DT] AFTER"})
    assert triples(plain, "The crowds greeted Aldoria and Carvania in the square yesterday.") == {
        ("ALD", "CAR", "041")}


def test_tabari_forward_pronoun_to_next_record(tabari_files):
    coder = LegacyCoder(load_dictionaries(tabari_files), {"FORWARD": "^^***NNN*SSS"})
    texts = ["Aldoria greeted Carvania warmly at the summit on Monday.",
             "He then hurled stones at Belmont during the closing dinner.",
             "He then hurled stones at Belmont during the closing dinner."]
    out = coder.code_many(texts, [DAY] * 3, ["AB-001-001", "AB-001-002", "AB-002-004"])
    assert {(e.source.code, e.target.code, e.code) for e in out[1]} == {("ALD", "BEL", "145")}
    assert out[2] == []  # another story: nothing to forward


def test_component_codes_the_parsed_doc(petrarch):
    from dyad.components.events.legacy import add_legacy_events

    nlp = petrarch.nlp
    try:
        add_legacy_events(nlp, sorted(str(p) for p in FIXTURES.glob("toy.*.txt")))
        doc = nlp("Pangaea praised Istria.")
        assert [(e.source.code, e.target.code, e.code) for e in doc._.legacy_events] == [("PNG", "IST", "041")]
    finally:
        nlp.remove_pipe("dyad_legacy_events")


@pytest.fixture(scope="module")
def petrarch2_pico(tmp_path_factory) -> LegacyCoder:
    """PETRARCH-2 dictionary with an internal coding ontology (invented, small)."""
    folder = tmp_path_factory.mktemp("p2pico")
    verbs = _write(folder, "pico.verbs.txt",
                   "--- QUARREL [110] ---\nQUARREL\n- * (OVER {WATER RIGHTS}) [111]\n\n"
                   "--- HELP [060] ---\nHELP\n\n--- PRAISE [041] ---\nPRAISE\n\n"
                   "--- SNUB [110] ---\nSNUB\n\n--- CENSURE [111] ---\nCENSURE\n- LOUDLY * [112]\n"
                   "- SENATORS * [114]\n\n--- STRIKE [190] ---\nSTRIKE {STRIKES STRUCK STRIKING}\n\n"
                   "--- SHIP [070] ---\nSHIP {SHIPS SHIPPED SHIPPING}\n")
    actors = _write(folder, "pico.actors.txt", "PANGAEA [PNG]\nISTRIA [IST]\nZORBIA [ZRB]\n")
    agents = _write(folder, "pico.agents.txt", "SENATOR [~LEG]\n")
    onto = _write(folder, "pico.ontology.txt",
                  "041:0xB001\n050:0x0080\n060:0x0070\n070:0x0040\n110:0x1007f#0xFFFF+0x0080\n"
                  "111:0x7001\n112:0x70a0\n114:0x7003\n121:-0xFFFF+0x0070\n190:0x00A0\n")
    return LegacyCoder(load_dictionaries([verbs, actors, agents, onto]), {})


def test_petrarch2_negation_through_the_ontology(petrarch2_pico):
    # PICO value - 0xFFFF read back as CAMEO; no CAMEO code for it: no event
    assert triples(petrarch2_pico, "Pangaea did not snub Istria.") == {("PNG", "IST", "050")}
    assert triples(petrarch2_pico, "Pangaea did not help Istria.") == {("PNG", "IST", "121")}
    assert triples(petrarch2_pico, "Pangaea did not praise Istria.") == set()
    assert triples(petrarch2_pico, "Pangaea snubbed Istria.") == {("PNG", "IST", "110")}


def test_negate_code_reads_roots_and_drops_unknown():
    from dyad.components.events.dictionaries.elements import EventCode
    from dyad.components.events.legacy.petrarch import negate_code

    pico = {"110": 0x1007F, "050": 0x0080, "057": 0x0087, "170": 0x10086, "060": 0x0070, "121": -0xFFFF + 0x70}
    back = {v: c for c, v in pico.items()}
    assert negate_code(EventCode("170", "170"), pico, back).primary == "057"
    assert negate_code(EventCode("113", "113"), pico, back).primary == "050"  # 113 read as its root 110
    assert negate_code(EventCode("200", "200"), pico, back) is None  # not in the ontology
    assert negate_code(EventCode("063", "063"), pico, back).primary == "121"  # root 060
    assert negate_code(EventCode("050", "050"), pico, back) is None


def test_petrarch2_passive_without_agent(petrarch2_pico):
    assert triples(petrarch2_pico, "Istria was struck in Pangaea.") == {("PNG", "IST", "190")}
    assert triples(petrarch2_pico, "Istria was shipped to Pangaea.") == set()  # a goal is no actor


def test_petrarch2_words_before_the_verb_are_nouns(petrarch2_pico):
    assert triples(petrarch2_pico, "Pangaea loudly censured Istria.") == {("PNG", "IST", "111")}
    assert triples(petrarch2_pico, "The senators censured Istria.") == {("---LEG", "IST", "114")}
