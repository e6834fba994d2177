"""Readers for the formats PETRARCH added (PETRARCH docs; ``PETRreader.py``): verb blocks
(:func:`read_petrarch_verbs`), discards, issues, ``PETR_config.ini``, and the PETRARCH-2
preposition list and internal coding ontology.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from dyad.components.events.dictionaries.elements import Source, phrase_text
from dyad.components.events.dictionaries.entries import (
    DiscardEntry,
    IssueCategory,
    IssueEntry,
    LexicalEntry,
    OntologyEntry,
    Option,
)
from dyad.components.events.dictionaries.errors import MAX_FORMS, ReadContext, resolve_beside
from dyad.components.events.dictionaries.model import Dictionaries, Project
from dyad.components.events.dictionaries.syntax import (
    numbered_lines,
    parse_phrase,
    read_text,
    split_code_blocks,
    split_comment,
)
from dyad.components.events.dictionaries.verbs import read_verbs

__all__ = [
    "expand_issue",
    "read_config",
    "read_discards",
    "read_issues",
    "read_ontology",
    "read_petrarch_verbs",
    "read_prepositions",
]


def read_petrarch_verbs(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """A PETRARCH-1/2 verbs file such as ``CAMEO.2.0.txt``: see :mod:`.verbs`."""
    return read_verbs(path, dialect="petrarch", text=text)


def _skip(s: str) -> bool:
    return not s or s[0] == "#"


# --------------------------------------------------------------------------- discards


def read_discards(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """Read a discard list (PETRARCH docs "Discard List").

    One phrase per line; ``+PHRASE`` discards the whole story; a final ``_`` requires the match
    to end at a word boundary. A tab-separated data row raises
    :class:`~.errors.DictionaryError` (a spreadsheet export is not a discard list)."""
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    for lineno, line in numbered_lines(path, text, ctx):
        if line.strip() and len([f for f in line.split("\t") if f.strip()]) >= 3:
            raise ctx.error(
                f"expected one discard phrase per line, found tab-separated data with "
                f"{len(line.split(chr(9)))} fields (a spreadsheet export, not a discard list?)"
            )
        s = line.strip()
        if _skip(s):
            continue
        content, _ = split_comment(line)
        s = content.strip()
        if not s:
            continue
        story = s.startswith("+")
        if story:
            s = s[1:].strip()
        whole = s.endswith("_")
        words = " ".join(s.replace("_", " ").split()).upper()
        if not words:
            raise ctx.error("expected a discard phrase after '+'")
        prior = out.discards.get(words)
        if prior is not None:
            ctx.warn(f"discard {words} already entered at line {prior.source.lineno}; ignored")
            continue
        out.discards[words] = DiscardEntry(words, Source(path, lineno), story, whole)
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- issues


def _issue_piece(piece: str) -> list[str]:
    if piece.startswith("N:"):
        noun = piece[2:]
        return [noun, noun[:-1] + "IES" if noun.endswith("Y") else noun + "S"] if noun else [noun]
    if piece.startswith("V:"):
        verb = piece[2:]
        if not verb:
            return [verb]
        if verb.endswith("E"):
            return [verb, verb + "S", verb + "D", verb[:-1] + "ING"]
        return [verb, verb + "S", verb + "ED", verb + "ING"]
    return [piece]


def expand_issue(text: str) -> list[str]:
    """Surface forms of an issue phrase (PETRARCH docs "Issues List", as PETRARCH expands
    them): ``N:word`` gives the word and its plural (``Y`` -> ``IES``, otherwise ``+S``),
    ``V:word`` the word and ``+S``, ``+ED`` (``+D`` after E) and ``+ING`` (dropping a final E),
    and ``a+b`` both ``a b`` and ``a-b``. More than :data:`MAX_FORMS` is a ValueError: the count
    doubles with each ``+``, so a damaged line would fill memory."""
    forms = [""]
    for token in text.upper().split():
        pieces = [_issue_piece(p) for p in token.split("+")]
        variants = pieces[0]
        for options in pieces[1:]:
            _check_forms(len(forms) * len(variants) * 2 * len(options))
            variants = [v + sep + o for v in variants for sep in (" ", "-") for o in options]
        _check_forms(len(forms) * len(variants))
        forms = [f"{f} {v}".strip() for f in forms for v in variants]
    return list(dict.fromkeys(f for f in forms if f))


def _check_forms(count: int) -> None:
    if count > MAX_FORMS:
        raise ValueError(f"this phrase expands to more than {MAX_FORMS:,} forms (each '+', N: and V: multiplies "
                         "them); split it into several lines")


def _expand(phrase: str, ctx: ReadContext) -> list[str]:
    try:
        return expand_issue(phrase)
    except ValueError as error:
        raise ctx.error(str(error)) from None


_ATTR = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')


def read_issues(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """Read an issues file (PETRARCH docs "Issues List"; TABARI 9.2).

    ``<ISSUE CATEGORY="..." TYPE="...">`` ... ``</ISSUE>`` sections of ``phrase [CODE]`` lines;
    ``~phrase`` and ``~~phrase`` are sentence- and story-level ignore phrases."""
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    category: str | None = None
    for lineno, line in numbered_lines(path, text, ctx):
        s = line.strip()
        if _skip(s):
            continue
        if s[0] == "<":
            m = re.fullmatch(r"<\s*(/?)\s*ISSUE\b(.*?)/?>", s, re.IGNORECASE)
            if m is None:
                ctx.warn(f"unknown tag {s.split()[0]!r} ignored")
            elif m.group(1):
                category = None
            else:
                attrs = {k.upper(): v for k, v in _ATTR.findall(m.group(2))}
                category = attrs.get("CATEGORY")
                out.issue_categories.append(IssueCategory(category or "", Source(path, lineno),
                                                          attrs.get("TYPE"), attrs.get("DEFAULT")))
            continue
        content, _ = split_comment(line, "#")
        s = content.strip()
        if not s:
            continue
        src = Source(path, lineno)
        if s.startswith("~"):
            story = s.startswith("~~")
            phrase = s.lstrip("~").strip().upper()
            if not phrase:
                raise ctx.error("expected a phrase after '~'")
            out.issues.append(IssueEntry(phrase, _expand(phrase, ctx), src, None, category,
                                         "story" if story else "sentence"))
            continue
        if "[" not in s:
            ctx.warn("issue phrase without [CODE]; skipped (as PETRARCH does)")
            continue
        while s:
            head, blocks, rest = split_code_blocks(s, ctx, what="CODE")
            phrase = " ".join(head.split()).upper()
            if not phrase:
                raise ctx.error("expected 'phrase [CODE]'")
            codes = list(dict.fromkeys(b.strip() for b in blocks))
            if len(codes) > 1 or not codes[0]:
                raise ctx.error("an issue phrase has exactly one non-empty [CODE]")
            if len(blocks) > 1:
                ctx.warn("repeated [CODE] ignored")
            out.issues.append(IssueEntry(phrase, _expand(phrase, ctx), src, codes[0], category))
            s = rest.strip()
            if s and "[" not in s:
                ctx.warn(f"text {s!r} after the code ignored")
                break
            if s:
                ctx.warn("several issue phrases on one line; read separately")
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- small lists


def read_prepositions(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """Read the PETRARCH-2 preposition list (one word or phrase per line)."""
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    for lineno, line in numbered_lines(path, text, ctx):
        content, _ = split_comment(line, "#")
        words = parse_phrase(content.replace("\u00a0", " ").strip())
        if words:
            out.prepositions.setdefault(phrase_text(words), LexicalEntry(words, Source(path, lineno)))
    out.warnings = ctx.warnings
    return out


_HEX_TERM = re.compile(r"([+-]?)\s*(0x[0-9A-Fa-f]+|[0-9]+)")


def read_ontology(path: str | Path, *, text: str | None = None) -> Dictionaries:
    """Read the PETRARCH-2 internal coding ontology: ``CAMEO:0xHEX[+-0xHEX...]#label``."""
    path = str(path)
    ctx = ReadContext(path)
    out = Dictionaries()
    for lineno, line in numbered_lines(path, text, ctx):
        s = line.strip()
        if _skip(s):
            continue
        content, label = split_comment(s, "#")
        code, colon, expr = content.partition(":")
        expr = expr.replace(" ", "")
        if not colon or not code.strip() or not expr:
            raise ctx.error("expected 'CAMEO:0xHEX' (e.g. 010:0x1000)")
        terms = _HEX_TERM.findall(expr)
        if "".join(sign + num for sign, num in terms) != expr:
            raise ctx.error(f"'{expr}' is not a sum of hexadecimal numbers")
        # hexadecimal, or decimal (leading zeros allowed, as "01": int(num, 0) refuses them)
        value = sum((-1 if sign == "-" else 1) * (int(num, 16) if num[:2] == "0x" else int(num)) for sign, num in terms)
        out.ontology[code.strip()] = OntologyEntry(code.strip(), value, Source(path, lineno), label)
    out.warnings = ctx.warnings
    return out


# --------------------------------------------------------------------------- config

_CONFIG_FILES = {"verbfile_name": "verbs", "actorfile_list": "actors", "agentfile_name": "agents",
                 "discardfile_name": "discards", "issuefile_name": "issues"}


def read_config(path: str | Path, *, text: str | None = None) -> tuple[Dictionaries, Project]:
    """Read a ``PETR_config.ini``: every value becomes an option ``<section>.<key>``; the
    ``[Dictionaries]`` entries also give the dictionary files, resolved beside the file."""
    path = Path(path)
    ctx = ReadContext(path)
    if text is None:
        text = read_text(path)
    text = text.replace("\r\n", "\n")
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=str(path))
    except configparser.ParsingError as exc:
        errors = getattr(exc, "errors", None)
        lineno = getattr(exc, "lineno", None) or (errors[0][0] if errors else 0)
        raise ctx.error("expected 'key = value' or '[Section]'", lineno) from exc
    except configparser.Error as exc:
        lineno = getattr(exc, "lineno", 0) or 0
        raise ctx.error(f"malformed configuration: {exc.message}", lineno) from exc
    linenos: dict[tuple[str, str], int] = {}
    section = ""
    for lineno, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1].strip()
        elif s and s[0] not in "#;" and line[:1] not in " \t":
            key = re.split(r"[=:]", s, maxsplit=1)[0].strip().lower()
            linenos.setdefault((section, key), lineno)
    out = Dictionaries()
    project = Project(str(path), {}, {}, {})
    for section in parser.sections():
        for key, value in parser.items(section):
            name = f"{section}.{key}"
            out.options[name] = Option(name, value, Source(str(path), linenos.get((section, key), 0)))
            if section == "Dictionaries" and key in _CONFIG_FILES:
                for item in value.split(","):
                    if item.strip():
                        resolved = resolve_beside(path, item.strip(), ctx, linenos.get((section, key), 0))
                        project.files.setdefault(_CONFIG_FILES[key], []).append(resolved)
                        project.linenos.setdefault(resolved, linenos.get((section, key), 0))
    out.warnings = ctx.warnings
    return out, project
