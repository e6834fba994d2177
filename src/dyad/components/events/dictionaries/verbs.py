"""Verb dictionaries: TABARI ``.verbs`` and PETRARCH-1/2 (``CAMEO.2.0.txt``) files.

Both share synsets (``&NAME`` + ``+member`` lines), verb lines (``WORD {FORMS} [CODE]``) and
pattern lines (``- before * after [CODE]``); they differ in how entries are delimited:

* TABARI (manual chapter 5.5): every verb root line starts a new entry; irregular forms are on
  the following line in ``{...}``; ``<SYNSETS>``, ``<TIME>`` and ``<ATTRIB>`` sections;
  ``;`` comments; ``~~FINISH`` ends the file.
* PETRARCH (PETRARCH docs "Verb Dictionary"): ``--- NAME [CODE] ---`` starts a block of synonym
  verbs sharing one pattern list; forms in ``{...}`` on the verb line; ``+`` marks the verb
  word of a multi-word verb (``+CORDON_OFF``, ``WIRE_+TAP``); PETRARCH-2 patterns annotate
  noun phrases ``{...}`` and prepositional phrases ``(...)``; ``~`` lines are transformations.
"""

from __future__ import annotations

import re
from pathlib import Path

from dyad.components.events.dictionaries.elements import Dialect, EventCode, Source, Word, phrase_text
from dyad.components.events.dictionaries.entries import (
    Pattern,
    Synset,
    SynsetMember,
    Transformation,
    TransformClause,
    Verb,
    VerbEntry,
    VerbForm,
)
from dyad.components.events.dictionaries.errors import DictionaryError, ReadContext
from dyad.components.events.dictionaries.model import Dictionaries
from dyad.components.events.dictionaries.syntax import (
    UndefinedSynset,
    VerbMarker,
    logical_lines,
    parse_elements,
    parse_event_code,
    parse_phrase,
    read_text,
    split_code_blocks,
    split_comment,
)

__all__ = ["read_verbs", "sniff_verbs_dialect"]

_NULL = EventCode("---", "---")
_SECTIONS = {"TIME": "time", "ATTRIB": "attribution", "ATTRIBUTION": "attribution", "SYNSETS": "synsets",
             "SYNSET": "synsets"}


def sniff_verbs_dialect(text: str) -> Dialect:
    """PETRARCH files have ``--- NAME ---`` block headers; TABARI files do not."""
    for line in text.split("\n"):
        if line.startswith("---") and line.rstrip().endswith("---") and len(line.strip()) > 6:
            return "petrarch"
    return "tabari"


def _synset_labels(lines: list[tuple[int, str]]) -> set[str]:
    labels = set()
    for _, line in lines:
        s = line.strip()
        if s.startswith("&"):
            token = split_comment(s)[0].split()
            if token:
                labels.add(token[0].rstrip("_"))
    return labels


def _verb_words(text: str, ctx: ReadContext) -> tuple[list[Word], int]:
    """Words of a verb or verb form; the word prefixed by ``+`` is the head."""
    text = text.strip()
    plus = text.find("+")
    head = 0
    if plus >= 0:
        head = len(parse_phrase(text[:plus]))
        text = text[:plus] + text[plus + 1 :]
        if "+" in text:
            raise ctx.error("a multi-word verb can mark only one word with '+'")
    words = parse_phrase(text)
    if not words:
        raise ctx.error("expected a verb (a word or words joined by '_')")
    if head >= len(words):
        raise ctx.error("'+' must mark a word of the verb")
    return words, head


def _forms(text: str, ctx: ReadContext) -> list[VerbForm]:
    out = []
    for tok in text.replace(",", " ").split():
        words, head = _verb_words(tok, ctx)
        out.append(VerbForm(words, head))
    return out


class _VerbReader:
    def __init__(self, path: str, text: str, dialect: Dialect | None):
        self.ctx = ReadContext(path)
        self.lines = list(logical_lines(text, self.ctx))
        self.dialect: Dialect = dialect or sniff_verbs_dialect(text)
        self.labels = _synset_labels(self.lines)
        self.out = Dictionaries()
        self.entry: VerbEntry | None = None
        self.synset: Synset | None = None
        self.section = "verb"

    def source(self) -> Source:
        return Source(self.ctx.path, self.ctx.lineno)

    def run(self) -> Dictionaries:
        ctx = self.ctx
        for lineno, line in self.lines:
            ctx.lineno, ctx.line = lineno, line
            s = line.strip()
            if not s or s[0] == "#" or (self.dialect == "tabari" and s[0] == "/"):
                continue
            if s.startswith("~~"):  # TABARI ~~FINISH: the rest is not read (TABARI 5.2)
                break
            if s[0] == "<":
                self.tag(s)
                continue
            content, comment = split_comment(line)
            s = content.strip()
            if not s:
                continue
            first = s[0]
            if first == "&":
                self.start_synset(s)
            elif first == "+" and self.synset is not None:
                self.member(s)
            elif s.startswith("---") and self.dialect == "petrarch":
                self.synset = None
                self.header(s)
            elif first == "-":
                self.synset = None
                self.pattern(s, comment)
            elif first == "~":
                self.synset = None
                self.transformation(s)
            elif first == "{" and self.dialect == "tabari":
                self.synset = None
                self.tabari_forms(s)
            else:
                self.synset = None
                if self.section == "synsets":
                    raise ctx.error("expected '&NAME' or '+member' inside <SYNSETS>")
                self.verb(s)
        self.out.warnings = ctx.warnings
        return self.out

    # ---------------------------------------------------------------- sections and synsets

    def tag(self, s: str) -> None:
        m = re.fullmatch(r"<\s*(/?)\s*([A-Za-z]+)[^>]*>.*", s)
        name = m.group(2).upper() if m else ""
        if name not in _SECTIONS:
            self.ctx.warn(f"unknown tag {s.split()[0]!r} ignored")
            return
        self.synset = None
        self.entry = None
        self.section = "verb" if m.group(1) else _SECTIONS[name]  # type: ignore[union-attr]

    def start_synset(self, s: str) -> None:
        tokens = s.split()
        label = tokens[0]
        if len(tokens) > 1:
            self.ctx.warn(f"text after synset label {label} ignored")
        name = label.rstrip("_")
        if len(name) < 2:
            raise self.ctx.error("expected a synset label '&NAME'")
        existing = self.out.synsets.get(name)
        if existing is not None:
            self.ctx.warn(f"synset {name} defined again (first at line {existing.source.lineno}); members added")
            self.synset = existing
            return
        self.synset = Synset(name, self.source(), [], not label.endswith("_"))
        self.out.synsets[name] = self.synset

    def member(self, s: str) -> None:
        assert self.synset is not None
        text = s[1:].strip()
        if not text:
            raise self.ctx.error(f"empty '+' line in synset {self.synset.name}: expected a word or phrase")
        try:
            elements = parse_elements(text, self.ctx, dialect=self.dialect, synsets=self.labels, allow_verb=False)
        except UndefinedSynset as exc:
            self.ctx.warn(f"synset member uses undefined synset {exc.name}; member skipped")
            return
        if any(getattr(el, "name", None) == self.synset.name for el in elements):
            raise self.ctx.error(f"synset {self.synset.name} cannot contain itself")
        plural = self.synset.plurals and not text.endswith("_")
        self.synset.members.append(SynsetMember(elements, self.source(), plural))  # type: ignore[arg-type]

    # ---------------------------------------------------------------- verbs

    def header(self, s: str) -> None:
        name, blocks, rest = split_code_blocks(s.strip("- \t"), self.ctx, what="CODE")
        name = name.strip()
        if not name:
            raise self.ctx.error("expected '--- NAME [CODE] ---' block header")
        if len(blocks) > 1:
            self.ctx.warn(f"block header has {len(blocks)} codes; the first, [{blocks[0].strip()}], is used (PETRARCH)")
        if rest.strip():
            self.ctx.warn(f"text {rest.strip()!r} after the block code ignored")
        code = parse_event_code(blocks[0], self.ctx) if blocks else _NULL
        self.entry = VerbEntry(name.upper(), code, self.dialect, self.source(), [], [], self.section)  # type: ignore[arg-type]
        self.out.verbs.append(self.entry)

    def verb(self, s: str) -> None:
        ctx = self.ctx
        head_text, blocks, rest = split_code_blocks(s, ctx, what="CODE")
        if len(blocks) > 1:
            raise ctx.error("a verb line has at most one [CODE]")
        if rest.strip():
            ctx.warn(f"text {rest.strip()!r} after the verb code ignored")
        code = parse_event_code(blocks[0], ctx) if blocks else None
        forms: list[VerbForm] = []
        braces = False
        if "{" in head_text:
            a = head_text.find("{")
            b = head_text.find("}", a)
            if b < 0:
                raise ctx.error("'{' is not closed: expected {FORM FORM ...}")
            forms = _forms(head_text[a + 1 : b], ctx)
            if head_text[b + 1 :].strip():
                ctx.warn(f"text {head_text[b + 1:].strip()!r} after the verb forms ignored")
            head_text = head_text[:a]
            braces = True
        elif "}" in head_text:
            raise ctx.error("'}' without '{'")
        words, head = _verb_words(head_text, ctx)
        if self.dialect == "tabari" and head_text.strip().startswith("+"):
            raise ctx.error("'+' lines are only allowed in synsets in TABARI files")
        regular = not braces if self.dialect == "petrarch" else not any(w.fixed for w in words)
        verb = Verb(words, self.source(), head, code, forms, regular)
        if self.dialect == "tabari" or self.entry is None:
            if self.dialect == "petrarch":
                ctx.warn("verb before any '--- NAME [CODE] ---' header; it starts its own block")
            name = phrase_text(words)
            self.entry = VerbEntry(name, code or _NULL, self.dialect, self.source(), [verb], [],
                                   "verb" if self.section == "synsets" else self.section)  # type: ignore[arg-type]
            if self.dialect == "tabari":
                verb.code = None
            self.out.verbs.append(self.entry)
        else:
            self.entry.verbs.append(verb)

    def tabari_forms(self, s: str) -> None:
        if self.entry is None or not self.entry.verbs:
            raise self.ctx.error("a '{forms}' line must follow a verb")
        if not s.rstrip().endswith("}"):
            raise self.ctx.error("'{' is not closed: expected {FORM FORM ...}")
        forms = _forms(s.strip()[1:-1], self.ctx)
        if not forms:
            raise self.ctx.error("no verb forms inside {...}")
        self.entry.verbs[-1].forms.extend(forms)

    # ---------------------------------------------------------------- patterns

    def pattern(self, s: str, comment: str | None) -> None:
        ctx = self.ctx
        if self.entry is None:
            raise ctx.error("pattern before any verb: expected a verb line (or '--- NAME [CODE] ---') first")
        body = s[1:]
        j = body.rfind("[")
        k = body.find("]", j + 1)
        if (j < 0 or k < 0) and self.section == "attribution" and "[" not in body:
            # attribution patterns "generally will not contain a code segment" (TABARI 10.4)
            j = k = len(body)
            code = _NULL
        elif j < 0 or k < 0:
            raise ctx.error("pattern has no [CODE]: expected '- words * words [CODE]'")
        else:
            code = parse_event_code(body[j + 1 : k], ctx)
        trailing = body[k + 1 :].strip()
        if trailing:
            ctx.warn(f"text {trailing!r} after the pattern code ignored")
        try:
            elements = parse_elements(body[:j], ctx, dialect=self.dialect, synsets=self.labels, allow_verb=True)
        except UndefinedSynset as exc:
            ctx.warn(f"pattern uses undefined synset {exc.name}; pattern skipped (as PETRARCH does)")
            return
        marks = [i for i, el in enumerate(elements) if isinstance(el, VerbMarker)]
        if not marks:
            raise ctx.error("pattern has no verb marker '*': expected '- words * words [CODE]'")
        if len(marks) > 1:
            ctx.warn("pattern has more than one verb marker '*'; all but the first ignored")
            elements = [el for i, el in enumerate(elements) if i == marks[0] or not isinstance(el, VerbMarker)]
        vi = marks[0]
        marker = elements[vi]
        self.entry.patterns.append(
            Pattern(
                elements[:vi],  # type: ignore[arg-type]
                elements[vi + 1 :],  # type: ignore[arg-type]
                code,
                self.source(),
                bool(marker.joined) and vi + 1 < len(elements),  # type: ignore[union-attr]
                comment,
            )
        )

    def transformation(self, s: str) -> None:
        ctx = self.ctx
        lhs, eq, rhs = s[1:].partition("=")
        if not eq:
            raise ctx.error("transformation needs '=': expected '~ a (a b VERB) VERB = a b CODE'")
        tokens = re.findall(r"\(|\)|[^\s()]+", lhs)
        pos = 0

        def clause() -> TransformClause:
            nonlocal pos
            items: list = []
            while pos < len(tokens) and tokens[pos] != ")":
                tok = tokens[pos]
                pos += 1
                if tok == "(":
                    items.append(clause())
                    if pos >= len(tokens) or tokens[pos] != ")":
                        raise ctx.error("'(' is not closed in transformation")
                    pos += 1
                else:
                    items.append(tok)
            if len(items) != 3 or not isinstance(items[2], str):
                raise ctx.error("expected 'source target VERB' in transformation")
            return TransformClause(items[0], items[1], items[2])

        pattern = clause()
        if pos != len(tokens):
            raise ctx.error("unbalanced ')' in transformation")
        result = rhs.split()
        if len(result) != 3:
            raise ctx.error("transformation result must be 'source target CODE'")
        self.out.transformations.append(Transformation(pattern, result[0], result[1], result[2], self.source()))


def read_verbs(path: str | Path, *, dialect: Dialect | None = None, text: str | None = None) -> Dictionaries:
    """Read a TABARI or PETRARCH verbs dictionary (dialect sniffed when not given).

    Raises :class:`DictionaryError` for a line that cannot be read."""
    path = str(path)
    if text is None:
        text = read_text(path)
    try:
        return _VerbReader(path, text, dialect).run()
    except DictionaryError:
        raise
    except RecursionError as exc:  # pragma: no cover - pathological nesting
        raise DictionaryError(path, 0, "pattern nesting too deep") from exc
