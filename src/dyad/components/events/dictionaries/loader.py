"""Detect what each dictionary file is, read it, merge the results (with an on-disk cache)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from dyad.components.events.dictionaries import cache as _cache
from dyad.components.events.dictionaries.elements import Diagnostic, Dialect
from dyad.components.events.dictionaries.errors import DictionaryError
from dyad.components.events.dictionaries.model import Dictionaries, Project, SourceFile
from dyad.components.events.dictionaries.petrarch import (
    read_config,
    read_discards,
    read_issues,
    read_ontology,
    read_prepositions,
)
from dyad.components.events.dictionaries.syntax import read_text
from dyad.components.events.dictionaries.tabari import read_actors, read_agents, read_options, read_project
from dyad.components.events.dictionaries.verbs import read_verbs, sniff_verbs_dialect

__all__ = ["KINDS", "detect_kind", "load_dictionaries", "read_dictionary", "resolve_inputs"]

KINDS = ("verbs", "actors", "agents", "discards", "issues", "options", "project", "config",
         "prepositions", "ontology")

_SUFFIXES = {".project": "project", ".ini": "config", ".options": "options", ".verbs": "verbs",
             ".actors": "actors", ".agents": "agents", ".issues": "issues", ".discards": "discards"}
_NAME_PARTS = (("ontology", "ontology"), ("preposition", "prepositions"), ("discard", "discards"),
               ("issue", "issues"), ("agent", "agents"), ("actor", "actors"), ("verb", "verbs"),
               ("cameo", "verbs"), ("options", "options"), ("config", "config"))


# Characters of a file read to tell its kind: every real dictionary shows its kind well within them.
# Set by hand; re-measure with `python -m pytest tests/test_dictionaries.py`.
_SNIFF_CHARS = 200_000


def _sniff(text: str) -> str | None:
    head = text[:_SNIFF_CHARS]
    if re.search(r"^\s*\[(Dictionaries|Options)\]\s*$", head, re.M):
        return "config"
    if re.search(r"^<\s*(actor|verb|agent|option)s?file", head, re.M | re.I):
        return "project"
    if re.search(r"^---+\s*\S.*---\s*$", head, re.M) or re.search(r"^-\s.*\*.*\[[^\]]*\]", head, re.M):
        return "verbs"
    if re.search(r"<ISSUE\b", head, re.I):
        return "issues"
    if re.search(r"\[\s*~\w+\s*\]|\[\s*\w+~\s*\]", head):
        return "agents"
    if re.search(r"^(SET|LABEL|COMPLEX|OUTPUT|DEFAULT|COMMA|FORWARD|NONEVENTS)\s*:", head, re.M):
        return "options"
    if re.search(r"\[[A-Za-z0-9/]+(\s*[<>]?\s*\d{6,8}(\s*-\s*\d{6,8})?)?\s*\]", head):
        return "actors"
    return None


def detect_kind(path: str | Path, text: str | None = None) -> tuple[str, Dialect]:
    """What a file is (one of :data:`KINDS`) and which dialect it follows, from its name and,
    failing that, its content. Raises :class:`DictionaryError` if it cannot be told."""
    path = Path(path)
    name = path.name.lower()
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        kind = next((k for part, k in _NAME_PARTS if part in name), None)
    if kind is None or kind == "verbs":
        if text is None:
            text = read_text(path)
        if kind is None:
            kind = _sniff(text)
        if kind is None:
            raise DictionaryError(path, 1, "cannot tell what kind of dictionary this is: expected a verbs, actors, "
                                           "agents, discards, issues, options, project or PETR_config.ini file")
    if kind == "verbs":
        assert text is not None
        return kind, sniff_verbs_dialect(text)
    tabari = path.suffix.lower() in _SUFFIXES and kind not in ("config",)
    return kind, "tabari" if tabari else "petrarch"


def read_dictionary(path: str | Path, kind: str | None = None, dialect: Dialect | None = None) -> Dictionaries:
    """Read one file of the given (or detected) kind into a partial :class:`Dictionaries`."""
    path = Path(path)
    text = read_text(path)
    if kind is None:
        kind, detected = detect_kind(path, text)
        dialect = dialect or detected
    if dialect is None:
        dialect = sniff_verbs_dialect(text) if kind == "verbs" else (
            "tabari" if path.suffix.lower() in _SUFFIXES else "petrarch")
    p = str(path)
    if kind == "verbs":
        return read_verbs(p, dialect=dialect, text=text)
    if kind == "actors":
        return read_actors(p, dialect=dialect, text=text)
    if kind == "agents":
        return read_agents(p, dialect=dialect, text=text)
    if kind == "discards":
        return read_discards(p, text=text)
    if kind == "issues":
        return read_issues(p, text=text)
    if kind == "options":
        return read_options(p, text=text)
    if kind == "prepositions":
        return read_prepositions(p, text=text)
    if kind == "ontology":
        return read_ontology(p, text=text)
    if kind == "config":
        out, project = read_config(p, text=text)
        out.projects.append(project)
        return out
    if kind == "project":
        return Dictionaries(projects=[read_project(p, text=text)])
    raise ValueError(f"unknown dictionary kind {kind!r}")


def resolve_inputs(paths: Iterable[str | Path]) -> list[tuple[Path, str, Dialect]]:
    """The files to read, in order: each given file, and for a TABARI ``.project`` or a
    ``PETR_config.ini`` the dictionary files it names (resolved beside it)."""
    seen: set[Path] = set()
    out: list[tuple[Path, str, Dialect]] = []

    def add(path: Path, kind: str, dialect: Dialect) -> None:
        if path not in seen:
            seen.add(path)
            out.append((path, kind, dialect))

    for given in paths:
        path = Path(given).expanduser().resolve()
        if not path.is_file():
            raise DictionaryError(path, 0, "file not found: expected a dictionary file")
        kind, dialect = detect_kind(path)
        add(path, kind, dialect)
        if kind not in ("project", "config"):
            continue
        if kind == "project":
            project: Project = read_project(path)
        else:
            project = read_config(path)[1]
        order = ("options", "verbs", "actors", "agents", "discards", "issues")
        for sub_kind in order:
            for name in project.files.get(sub_kind, []):
                sub = Path(name)
                if not sub.is_file():
                    raise DictionaryError(path, project.linenos.get(name, 0),
                                          f"{sub_kind} file {sub.name} named here does not exist (looked for {sub})")
                sub_dialect: Dialect = dialect
                if sub_kind == "verbs":
                    sub_dialect = sniff_verbs_dialect(read_text(sub))
                add(sub, sub_kind, sub_dialect)
    return out


def _merge(into: Dictionaries, part: Dictionaries) -> None:
    warnings = into.warnings

    def first_wins(target: dict, items: dict, what: str) -> None:
        for key, value in items.items():
            prior = target.get(key)
            if prior is None:
                target[key] = value
            else:
                warnings.append(Diagnostic(value.source.path, value.source.lineno,
                                           f"{what} {key} already entered at {prior.source}; ignored"))

    warnings.extend(part.warnings)
    into.verbs.extend(part.verbs)
    into.transformations.extend(part.transformations)
    first_wins(into.synsets, part.synsets, "synset")
    first_wins(into.actors, part.actors, "actor")
    first_wins(into.agents, part.agents, "agent")
    first_wins(into.discards, part.discards, "discard")
    first_wins(into.nouns, part.nouns, "noun")
    first_wins(into.adjectives, part.adjectives, "adjective")
    first_wins(into.prepositions, part.prepositions, "preposition")
    first_wins(into.ontology, part.ontology, "ontology code")
    into.issues.extend(part.issues)
    into.issue_categories.extend(part.issue_categories)
    into.options.update(part.options)
    into.projects.extend(part.projects)


def _count(part: Dictionaries) -> int:
    return (len(part.verbs) + sum(len(v.patterns) for v in part.verbs) + len(part.synsets)
            + len(part.transformations) + len(part.actors) + len(part.agents) + len(part.discards)
            + len(part.issues) + len(part.nouns) + len(part.adjectives) + len(part.prepositions)
            + len(part.ontology) + len(part.options))


def build(inputs: list[tuple[Path, str, Dialect]]) -> Dictionaries:
    """Read and merge the resolved inputs (no cache)."""
    result = Dictionaries()
    for path, kind, dialect in inputs:
        part = read_dictionary(path, kind, dialect)
        st = path.stat()
        result.files.append(SourceFile(str(path), kind, dialect, st.st_size, st.st_mtime_ns, _count(part)))
        _merge(result, part)
    return result


def load_dictionaries(
    paths: Iterable[str | Path],
    *,
    cache: bool = True,
    cache_dir: str | Path | None = None,
) -> Dictionaries:
    """Read, merge and cache a set of dictionary files.

    Each file's kind (verbs, actors, agents, discards, issues, options, project, config, ...)
    is detected from its name and content; a TABARI ``.project`` or ``PETR_config.ini`` also
    brings in the dictionaries it names. Entries are merged in the order given: verb entries
    and issues accumulate; for phrases (actors, agents, ...) the first entry wins; later
    options override earlier ones.

    The merged result is cached as msgpack in ``cache_dir`` (default ``$DYAD_CACHE_DIR`` or
    ``~/.cache/dyad/dictionaries``), keyed by every file's path, size and modification time
    and the reader version: a second load of unchanged files only decodes the cache. A
    corrupt cache file is ignored and rebuilt; cache files are written atomically.
    """
    inputs = resolve_inputs(paths)
    if not cache:
        return build(inputs)
    directory = Path(cache_dir) if cache_dir is not None else _cache.default_cache_dir()
    key = _cache.cache_key(inputs)
    cached = _cache.read_cache(directory, key)
    if cached is not None:
        return cached
    result = build(inputs)
    _cache.write_cache(directory, key, result)
    return result
