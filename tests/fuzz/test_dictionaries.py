"""Fuzzing the TABARI and PETRARCH dictionary readers (issue 19): any file read as a dictionary gives
dictionaries the legacy coder loads and codes with, or a DictionaryError naming the file and line."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dyad.components.events.dictionaries import (
    Dictionaries,
    DictionaryError,
    load_dictionaries,
    read_actors,
    read_agents,
    read_config,
    read_discards,
    read_issues,
    read_ontology,
    read_options,
    read_prepositions,
    read_project,
    read_verbs,
)
from dyad.components.events.dictionaries.syntax import decode_bytes
from dyad.components.events.legacy.coder import LegacyCoder

from .conftest import one_line
from .strategies import hostile_bytes, seed_files

pytestmark = pytest.mark.fuzz

PATH = "fuzz.dictionary"
SENTENCE = ("The Ruritanian envoy parleyed with Turkish officials over talks on Monday. "
            "Police arrested the militants, the minister said.")
VERBS = seed_files("dictionaries", "*verbs*") + seed_files("legacy", "toy.verbs*") + seed_files("gold", "*verbs*")
ACTORS = seed_files("dictionaries", "*actors*") + seed_files("legacy", "toy.actors*") + seed_files("gold", "*actors*")
AGENTS = seed_files("dictionaries", "*agents*") + seed_files("legacy", "toy.agents*")


def _shared(dialect: str) -> dict:
    """The readers both dialects have: verbs, actors and agents files, read in `dialect`."""
    return {"verbs": (lambda text: read_verbs(PATH, dialect=dialect, text=text), VERBS),
            "actors": (lambda text: read_actors(PATH, dialect=dialect, text=text), ACTORS),
            "agents": (lambda text: read_agents(PATH, dialect=dialect, text=text), AGENTS)}


TABARI = {
    **_shared("tabari"),
    "options": (lambda text: read_options(PATH, text=text), seed_files("dictionaries", "*.options")
                + seed_files("gold", "*.options")),
    "project": (lambda text: Dictionaries(projects=[read_project(PATH, text=text)]),
                seed_files("dictionaries", "*.project") + seed_files("gold", "*.project")),
}
PETRARCH = {
    **_shared("petrarch"),
    "discards": (lambda text: read_discards(PATH, text=text), seed_files("dictionaries", "*discards*")
                 + seed_files("legacy", "*discards*")),
    "issues": (lambda text: read_issues(PATH, text=text), seed_files("dictionaries", "*issues*")),
    "prepositions": (lambda text: read_prepositions(PATH, text=text), (b"ABOUT\nACROSS\n# comment\nIN_FRONT_OF\n",)),
    "ontology": (lambda text: read_ontology(PATH, text=text), seed_files("dictionaries", "*Ontology*")),
    "config": (lambda text: _config(text), seed_files("dictionaries", "*.ini")),
}
NAMES = ("CAMEO.verbs.txt", "x.verbs", "Phoenix.actors.txt", "x.actors", "x.agents", "x.options", "x.project",
         "PETR_config.ini", "Phoenix.discards.txt", "Phoenix.issues.txt", "prepositions.txt", "Coding.Ontology.txt",
         "notes.txt")


def _config(text: str) -> Dictionaries:
    out, project = read_config(PATH, text=text)
    out.projects.append(project)
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-dictionaries")


@pytest.fixture(scope="module")
def doc():
    import spacy

    from dyad.pipeline import MODEL

    return spacy.load(MODEL)(SENTENCE)


def clear(error: DictionaryError, path: str = PATH) -> None:
    """What `dyad` prints of a DictionaryError is its first line: the file, the line, what was expected."""
    event("DictionaryError")
    first = str(error).splitlines()[0]
    assert first.startswith(f"{path}:"), first
    one_line(first, limit=2000)


def usable(dictionaries: Dictionaries, doc) -> None:
    """Dictionaries that read also load into the legacy coder and code a parsed sentence."""
    event("read and loaded")
    coder = LegacyCoder(dictionaries, nlp=object())  # no parse here: the sentence is parsed once
    coder.code_doc(doc.copy(), None, "fuzz-1")


def _surface(readers: dict):
    kinds = sorted(readers)
    return st.sampled_from(kinds).flatmap(lambda kind: st.tuples(st.just(kind), hostile_bytes(readers[kind][1])))


def _read_and_code(readers: dict, case, doc) -> None:
    """Read the hostile file with its reader: a clear DictionaryError, or dictionaries that code."""
    kind, data = case
    try:
        dictionaries = readers[kind][0](decode_bytes(data))
    except DictionaryError as error:
        clear(error)
        return
    usable(dictionaries, doc)


@given(case=_surface(TABARI))
def test_tabari_dictionaries(doc, case):
    _read_and_code(TABARI, case, doc)


@given(case=_surface(PETRARCH))
def test_petrarch_dictionaries(doc, case):
    _read_and_code(PETRARCH, case, doc)


@given(name=st.sampled_from(NAMES), data=hostile_bytes(VERBS + ACTORS + AGENTS))
def test_dictionary_files(folder, doc, name, data):
    """A file given to --dictionaries: its kind told from its name and content, then read and loaded."""
    path = folder / name
    path.write_bytes(data)
    try:
        dictionaries = load_dictionaries([path], cache=False)
    except DictionaryError as error:
        clear(error, str(path.resolve()))
        return
    usable(dictionaries, doc)
