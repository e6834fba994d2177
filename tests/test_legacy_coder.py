"""dyad.events.legacy: coding with legacy dictionaries (invented toy dictionaries and sentences)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dyad.events.dictionaries import load_dictionaries
from dyad.events.legacy import LegacyCoder

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
DAY = dt.date(2010, 5, 1)


@pytest.fixture(scope="module")
def petrarch() -> LegacyCoder:
    return LegacyCoder(load_dictionaries(sorted(str(p) for p in FIXTURES.glob("toy.*.txt"))), {})


@pytest.fixture(scope="module")
def tabari() -> LegacyCoder:
    return LegacyCoder(load_dictionaries([str(FIXTURES / "toy.verbs"), str(FIXTURES / "toy.actors")]), {})


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
