"""Readers for the TABARI formats (TABARI 0.8.4 manual), which PETRARCH inherited for actors
and agents: ``.actors`` / ``Phoenix.*.actors.txt``, ``.agents`` / ``Phoenix.agents.txt``,
``.options``, ``.project``; and :func:`read_tabari_verbs`.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

from dyad.components.events.dictionaries.elements import Dialect, Source, Word, phrase_text
from dyad.components.events.dictionaries.entries import ActorCode, ActorEntry, AgentEntry, LexicalEntry, Option
from dyad.components.events.dictionaries.errors import MAX_FORMS, ReadContext, resolve_beside
from dyad.components.events.dictionaries.model import Dictionaries, Project
from dyad.components.events.dictionaries.syntax import (
    numbered_lines,
    parse_actor_code,
    parse_phrase,
    split_code_blocks,
    split_comment,
)
from dyad.components.events.dictionaries.verbs import read_verbs

__all__ = ["read_actors", "read_agents", "read_options", "read_project", "read_tabari_verbs"]


def read_tabari_verbs(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """A TABARI ``.verbs`` file (TABARI 5.5-5.7, 10.4, 10.5): see :mod:`.verbs`."""
    return read_verbs(path, dialect="tabari", text=text)


def _skip(s: str, dialect: Dialect) -> bool:
    return not s or s[0] == "#" or (dialect == "tabari" and s[0] == "/")


def _clean_phrase(text: str, ctx: ReadContext) -> str:
    tokens = text.split()
    kept = [t for t in tokens if t.strip("\"'`") != ""]
    if len(kept) != len(tokens):
        ctx.warn("stray quote mark in phrase ignored")
    return " ".join(kept)


# --------------------------------------------------------------------------- actors


class _ActorGroup:
    __slots__ = ("codes", "lineno", "members")

    def __init__(self, lineno: int):
        self.members: list[tuple[list[Word], int]] = []
        self.codes: list[ActorCode] = []
        self.lineno = lineno


# Long: a line-by-line reader in which one actor record spans several lines
# (primary phrase, "+" synonyms, indented code restrictions) held in the open group; the section
# tag, the group and the two closures that complete it share that state.
def read_actors(path: str | Path, *, dialect: Dialect = "tabari",  # noqa: C901 (a record reader, see above)
                text: str | None = None) -> Dictionaries:
    """Read an actors dictionary (TABARI 5.3, 5.3.1, 5.3.2, 6.5; PETRARCH docs "Actor Dictionary").

    Records are a primary phrase with optional ``[codes]``, optional ``+synonym`` lines and
    optional indented ``[code restriction]`` lines; ``<NOUN>``/``<ADJECTIVE>`` sections list
    bare phrases. As in PETRARCH, a primary phrase with no code at all shares the codes of the
    record that follows it. Raises :class:`~.errors.DictionaryError` for unreadable lines.
    """
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    group: _ActorGroup | None = None
    section = "actors"

    def close(g: _ActorGroup | None) -> None:
        if g is None:
            return
        if not g.codes:
            ctx.warn("actor has no code; it is null-coded", g.members[0][1])
        root_words = g.members[0][0]
        root_key = phrase_text(root_words)
        root_entry = None
        for i, (words, lineno) in enumerate(g.members):
            key = phrase_text(words)
            prior = out.actors.get(key)
            if prior is not None:
                ctx.warn(f"actor {key} already entered at line {prior.source.lineno}; ignored", lineno)
                continue
            entry = ActorEntry(words, g.codes, Source(path, lineno), None if i == 0 else root_key)
            out.actors[key] = entry
            if i == 0:
                root_entry = entry
            elif root_entry is not None:
                root_entry.synonyms.append(key)

    def add_codes(blocks: list[str], lineno: int) -> None:
        assert group is not None
        for block in blocks:
            code = parse_actor_code(block, ctx, lineno)
            if code is not None:
                group.codes.append(code)

    for lineno, line in numbered_lines(path, text, ctx):
        s = line.strip()
        if _skip(s, dialect):
            continue
        if s.startswith(("~~", "---STOP---")):
            break
        if s[0] == "<":
            m = re.fullmatch(r"<\s*(/?)\s*([A-Za-z]+)\s*>", s)
            tag = m.group(2).upper() if m else ""
            if tag in ("NOUN", "NOUNS", "ADJ", "ADJECTIVE", "ADJECTIVES"):
                close(group)
                group = None
                section = "actors" if m.group(1) else ("nouns" if tag.startswith("NOUN") else "adjectives")  # type: ignore[union-attr]
            else:
                ctx.warn(f"unknown tag {s!r} ignored")
            continue
        content, _ = split_comment(line)
        s = content.strip()
        if not s:
            continue
        if section != "actors":
            words = parse_phrase(_clean_phrase(split_code_blocks(s, ctx)[0], ctx))
            if not words:
                raise ctx.error(f"expected a phrase in the <{section.upper()}> list")
            table = out.nouns if section == "nouns" else out.adjectives
            table.setdefault(phrase_text(words), LexicalEntry(words, Source(path, lineno)))
            continue
        indented = content[:1] in (" ", "\t")
        if indented and s[0] == "[":
            # date restriction line(s) (TABARI 5.3.1; PETRARCH: "\t[code restriction]")
            if group is None:
                raise ctx.error("code restriction before any actor: expected an actor phrase first")
            head, blocks, rest = split_code_blocks(s, ctx)
            add_codes(blocks, lineno)
            if rest.strip():
                ctx.warn(f"text {rest.strip()!r} after the code ignored")
            continue
        synonym = s[0] == "+"
        if synonym:
            s = s[1:]
        head, blocks, rest = split_code_blocks(s, ctx)
        if rest.strip():
            ctx.warn(f"text {rest.strip()!r} after the code ignored")
        phrases = [p for p in re.split(r"\s\+", head)]
        if len(phrases) > 1:
            ctx.warn("several '+' synonyms on one line; read as separate synonyms")
        parsed = []
        for p in phrases:
            words = parse_phrase(_clean_phrase(p, ctx))
            if not words:
                raise ctx.error("expected an actor phrase (words separated by blanks or '_')")
            parsed.append(words)
        if indented and not synonym:
            if group is None:
                raise ctx.error("indented line before any actor: expected an actor phrase first")
            ctx.warn("indented phrase read as a synonym of the actor above")
            synonym = True
        if synonym:
            if group is None:
                raise ctx.error("'+' synonym before any actor: expected an actor phrase first")
            if blocks:
                ctx.warn("code on a '+' synonym line added to the codes of its actor")
        if not synonym:
            if group is not None and not group.codes:
                # PETRARCH: a primary phrase without codes shares the next record's codes
                ctx.warn(f"actor {phrase_text(group.members[-1][0])} has no code; it shares the codes of "
                         "the next actor (PETRARCH)", group.members[-1][1])
            else:
                close(group)
                group = _ActorGroup(lineno)
        assert group is not None
        for words in parsed:
            group.members.append((words, lineno))
        add_codes(blocks, lineno)
    close(group)
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- agents

_AGENT_CODE = re.compile(r"~[A-Za-z0-9]+|[A-Za-z0-9]+~")
_MARKER_DEF = re.compile(r"!([^!\s]+)!\s*=\s*(.*)")
_MARKER = re.compile(r"!([^!\s]+)!")


# Long: one branch per kind of agents line (entry, synonym, restriction, section tag), in file order.
def read_agents(path: str | Path, *, dialect: Dialect = "tabari",  # noqa: C901
                text: str | None = None) -> Dictionaries:
    """Read an agents dictionary (TABARI 5.4; PETRARCH docs "Agent Dictionary").

    ``PHRASE {PLURAL} [~CODE]`` lines; ``{}`` suppresses the plural; ``!MARKER! = A, B`` defines
    a substitution set used as ``CONGRESS!PERSON!``. Raises :class:`~.errors.DictionaryError`
    for unreadable lines; a phrase without any code is skipped with a warning (PETRARCH).
    """
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    markers: dict[str, list[str]] = {}
    for lineno, line in numbered_lines(path, text, ctx):
        s = line.strip()
        if _skip(s, dialect):
            continue
        if s.startswith("~~"):
            break
        if s[0] == "<":
            ctx.warn(f"tag {s.split()[0]!r} not supported (agent combination rules); ignored")
            continue
        content, _ = split_comment(line)
        s = content.strip()
        if not s:
            continue
        m = _MARKER_DEF.fullmatch(s)
        if m is not None:
            items = [x.strip().upper() for x in m.group(2).split(",") if x.strip()]
            if not items:
                raise ctx.error(f"substitution set !{m.group(1)}! is empty: expected !NAME! = A, B, ...")
            markers[m.group(1).upper()] = items
            continue
        if "[" not in s:
            ctx.warn("agent phrase without [code]; skipped (PETRARCH: codes are required)")
            continue
        head, blocks, rest = split_code_blocks(s, ctx, what="~CODE")
        if len(blocks) != 1:
            raise ctx.error("an agent line has exactly one [~CODE]")
        if rest.strip():
            ctx.warn(f"text {rest.strip()!r} after the code ignored")
        code = "".join(blocks[0].split())
        if not _AGENT_CODE.fullmatch(code):
            raise ctx.error(f"agent code [{blocks[0].strip()}] needs '~' before or after it: expected [~GOV] or [NGO~]")
        plurals: list[list[Word]] | None = None
        if "{" in head:
            a, b = head.find("{"), head.find("}")
            if b < a:
                raise ctx.error("'{' is not closed: expected PHRASE {PLURAL} [~CODE]")
            plural_text = head[a + 1 : b].strip()
            plurals = [parse_phrase(plural_text.upper())] if plural_text else []
            head = head[:a] + " " + head[b + 1 :]
        elif "}" in head:
            raise ctx.error("'}' without '{'")
        head = _clean_phrase(head, ctx)
        variants = [head]
        names = _MARKER.findall(head)
        if names:
            missing = [n for n in names if n.upper() not in markers]
            if missing:
                ctx.warn(f"substitution marker !{missing[0]}! is not defined; line skipped")
                continue
            count = math.prod(len(markers[n.upper()]) for n in names)
            if count > MAX_FORMS:
                raise ctx.error(f"this phrase's markers expand to {count:,} forms, more than {MAX_FORMS:,}; "
                                "split it into several lines")
            variants = []
            for combo in itertools.product(*(markers[n.upper()] for n in names)):
                pieces = _MARKER.split(head)  # text, name, text, name, ..., text
                variants.append("".join(p if i % 2 == 0 else combo[i // 2] for i, p in enumerate(pieces)))
        for variant in variants:
            words = parse_phrase(variant)
            if not words:
                raise ctx.error("expected an agent phrase before [~CODE]")
            key = phrase_text(words)
            prior = out.agents.get(key)
            if prior is not None:
                ctx.warn(f"agent {key} already entered at line {prior.source.lineno}; ignored")
                continue
            out.agents[key] = AgentEntry(words, code, code.startswith("~"), Source(path, lineno), plurals,
                                         s if names else None)
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- options

_COMMANDS = {"SET": "SET", "LABE": "LABEL", "FORW": "FORWARD", "DEFA": "DEFAULT", "COMM": "COMMA",
             "COMP": "COMPLEX", "NONE": "NONEVENTS", "OUTP": "OUTPUT"}


def read_options(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """Read a TABARI ``.options`` file (TABARI 8) into :attr:`Dictionaries.options`.

    ``SET: NAME = VALUE`` -> ``SET:NAME``; ``LABEL: CODE=TEXT`` -> ``LABEL:CODE``; other commands
    by their full name (TABARI looks at the first four letters: ``DEFA:`` is ``DEFAULT``);
    repeated ``OUTPUT:`` lines accumulate. ``//`` and ``#`` start comments. A line that is not
    ``COMMAND: ...`` raises :class:`~.errors.DictionaryError`."""
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    for lineno, line in numbered_lines(path, text, ctx):
        for marker in ("//", "#"):
            if marker in line:
                line = line[: line.find(marker)]
        s = line.strip()
        if not s:
            continue
        if s.startswith("~~"):
            break
        cmd, colon, rest = s.partition(":")
        if not colon or not cmd.strip():
            raise ctx.error("expected 'COMMAND: value' (SET:, LABEL:, COMPLEX:, OUTPUT:, DEFAULT:, ...)")
        word = " ".join(cmd.split()).upper()
        name = _COMMANDS.get(word[:4], word)
        if name == word and word[:4] not in _COMMANDS:
            ctx.warn(f"unknown options command {word}:")
        rest = rest.strip()
        src = Source(path, lineno)
        if name == "SET":
            key, eq, value = rest.partition("=")
            key = " ".join(key.split()).upper()
            out.options[f"SET:{key}"] = Option(f"SET:{key}", value.strip() if eq else "", src)
        elif name == "LABEL":
            code, eq, label = rest.partition("=")
            if not eq:
                raise ctx.error("expected 'LABEL: CODE=TEXT'")
            out.options[f"LABEL:{code.strip()}"] = Option(f"LABEL:{code.strip()}", label.strip(), src)
        elif name == "OUTPUT" and name in out.options:
            out.options[name] = Option(name, out.options[name].value + " " + rest, src)
        else:
            out.options[name] = Option(name, rest, src)
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- project

_PROJECT_KINDS = {"ac": "actors", "ve": "verbs", "op": "options", "ag": "agents", "is": "issues",
                  "te": "text", "ev": "events", "ou": "output", "pr": "problems", "er": "errors",
                  "fr": "frequencies", "di": "discards"}


def read_project(path: str | Path, *, text: str | None = None) -> Project:
    """Read a TABARI ``.project`` file (TABARI 4.1): ``<actorfile> name`` etc.

    Only the first two letters of a tag matter. File names are resolved relative to the
    project file's directory. Lines not starting with ``<`` are comments; ``<session ...>``,
    ``<coder>``, ``<system>`` and other tags are kept verbatim in ``other``."""
    path = Path(path)
    ctx = ReadContext(path)
    project = Project(str(path), {}, {}, {})
    for lineno, line in numbered_lines(str(path), text, ctx):
        s = line.strip()
        if not s.startswith("<"):
            continue
        m = re.match(r"<\s*([A-Za-z]+)[^>]*>\s*(.*)", s)
        if m is None:
            raise ctx.error("expected '<tag> value'")
        tag, value = m.group(1).lower(), m.group(2)
        kind = _PROJECT_KINDS.get(tag[:2])
        if kind is None or tag.startswith("se"):
            project.other.setdefault(tag, []).append(value)
            continue
        value = re.sub(r"</[^>]*>.*$", "", value).strip()
        if not value:
            raise ctx.error(f"<{tag}> has no file name")
        name = value.split()[0] if kind != "text" else value
        resolved = resolve_beside(path, name, ctx)
        project.files.setdefault(kind, []).append(resolved)
        project.linenos.setdefault(resolved, lineno)
    return project
