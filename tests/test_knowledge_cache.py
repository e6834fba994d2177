"""The compiled-knowledge disk cache: read when its key matches, rebuilt when what builds it changes."""

from __future__ import annotations

import msgspec
import pytest

from dyad.components.actors import component as actors_component
from dyad.components.actors import matching
from dyad.components.actors.knowledge import build_actor_knowledge, knowledge_key, load_actor_knowledge
from dyad.knowledge import cache


class Value(msgspec.Struct):
    words: list[str]


def test_an_entry_is_built_once_then_read(tmp_path):
    builds = []

    def build():
        builds.append(1)
        return Value(["a", "b"])

    assert cache.cached("thing", "k1", Value, build, tmp_path) == Value(["a", "b"])
    assert cache.cached("thing", "k1", Value, build, tmp_path) == Value(["a", "b"])
    assert len(builds) == 1


def test_a_new_key_rebuilds_and_removes_the_stale_entry(tmp_path):
    cache.cached("thing", "old", Value, lambda: Value(["old"]), tmp_path)
    assert cache.cached("thing", "new", Value, lambda: Value(["new"]), tmp_path) == Value(["new"])
    assert [p.name for p in tmp_path.glob("thing-*.msgpack")] == ["thing-new.msgpack"]


def test_a_corrupt_entry_is_rebuilt(tmp_path):
    (tmp_path / "thing-k.msgpack").write_bytes(b"\xc1 not msgpack")
    assert cache.cached("thing", "k", Value, lambda: Value(["fresh"]), tmp_path) == Value(["fresh"])
    assert cache.cached("thing", "k", Value, lambda: Value(["never"]), tmp_path) == Value(["fresh"])


def test_an_unwritable_cache_still_gives_the_value(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory would be")
    assert cache.cached("thing", "k", Value, lambda: Value(["x"]), blocked / "sub") == Value(["x"])


def test_the_key_changes_with_a_knowledge_file(monkeypatch):
    before = cache.digest(["actors/leaders.tsv"])
    original = cache.read_bytes
    monkeypatch.setattr(cache, "read_bytes", lambda path: original(path) + b"\nXXX\tnew row")
    assert cache.digest(["actors/leaders.tsv"]) != before


def test_the_actor_knowledge_key_hashes_its_tables(monkeypatch):
    before = knowledge_key()
    original = cache.read_bytes
    monkeypatch.setattr(cache, "read_bytes",
                        lambda path: original(path) + (b"\n" if path == "actors/organizations.tsv" else b""))
    assert knowledge_key() != before


def test_cached_actor_knowledge_and_patterns_equal_a_fresh_build(nlp, tmp_path, monkeypatch):
    monkeypatch.setenv("DYAD_CACHE_DIR", str(tmp_path))
    assert load_actor_knowledge() == build_actor_knowledge()
    fresh = matching.tokenize(nlp, build_actor_knowledge())
    first = matching.phrase_patterns(nlp, None)  # built and written
    again = matching.phrase_patterns(nlp, None)  # read back
    assert first == fresh and again == fresh
    assert list(tmp_path.glob("actor-patterns-*.msgpack"))


def test_another_tokenizer_gets_another_patterns_key(nlp):
    assert matching.tokenizer_fingerprint(nlp.tokenizer) == matching.tokenizer_fingerprint(
        nlp.tokenizer)
    import spacy

    blank = spacy.blank("en")
    blank.tokenizer.add_special_case("UN-led", [{"ORTH": "UN"}, {"ORTH": "-led"}])
    assert matching.tokenizer_fingerprint(blank.tokenizer) != matching.tokenizer_fingerprint(
        nlp.tokenizer)


@pytest.mark.parametrize("text", ["The U.S. Army and the Taliban met the UN in Kabul.",
                                  "French President Francois Hollande spoke to the police."])
def test_actors_from_the_cached_matcher_equal_a_fresh_one(nlp, text):
    fresh = actors_component.ActorCoder(nlp, build_actor_knowledge())  # tokenized now, not cached
    doc = nlp(text)
    assert fresh._matches(doc) == nlp.get_pipe("dyad_actors")._matches(doc)
    assert fresh._matches(doc)
