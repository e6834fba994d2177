"""Low-level syntax shared by the readers: decoding, comments, phrases, codes, dates, patterns."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

from dyad.components.events.dictionaries.elements import (
    Alternatives,
    Dialect,
    Element,
    EventCode,
    NounPhrase,
    PrepPhrase,
    Slot,
    SynsetRef,
    Word,
)
from dyad.components.events.dictionaries.entries import ActorCode
from dyad.components.events.dictionaries.errors import ReadContext

__all__ = [
    "decode_bytes",
    "logical_lines",
    "parse_actor_code",
    "parse_date",
    "parse_elements",
    "parse_event_code",
    "parse_phrase",
    "read_text",
    "split_code_blocks",
    "split_comment",
]


# --------------------------------------------------------------------------- text


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Latin-1 for legacy files."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


def read_text(path: str | Path) -> str:
    return decode_bytes(Path(path).read_bytes())


def numbered_lines(path: str, text: str | None, ctx: ReadContext) -> Iterator[tuple[int, str]]:
    """The logical lines of a dictionary file (`text` if given, else read from `path`), each one
    recorded on `ctx` before it is yielded, so any error or warning names its file and line."""
    if text is None:
        text = read_text(path)
    for lineno, line in logical_lines(text, ctx):
        ctx.lineno, ctx.line = lineno, line
        yield lineno, line


def logical_lines(text: str, ctx: ReadContext) -> Iterator[tuple[int, str]]:
    """Yield ``(lineno, line)`` for every line, with ``\\r`` and XML comments ``<!-- ... -->``
    (also spanning lines) removed. Only ``\\n`` ends a line, so numbering matches editors even
    when a file contains stray control characters."""
    in_comment = False
    start = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not in_comment and line.lstrip().startswith("<!") and not line.lstrip().startswith("<!--"):
            yield lineno, ""  # '<! ...': PETRARCH skips any line starting with '<!'
            continue
        if in_comment:
            end = line.find("-->")
            if end < 0:
                continue
            line = line[end + 3 :]
            in_comment = False
        while "<!--" in line:
            a = line.find("<!--")
            b = line.find("-->", a + 4)
            if b < 0:
                line = line[:a]
                in_comment = True
                start = lineno
                break
            line = line[:a] + line[b + 3 :]
        yield lineno, line
    if in_comment:
        ctx.warn("XML comment '<!--' is never closed", start)


def split_comment(line: str, chars: str = "#;") -> tuple[str, str | None]:
    """Split off a ``#`` or ``;`` comment that is not inside ``[...]`` (``[###]`` is a code).

    TABARI comments start with ``;`` (TABARI 5.2); PETRARCH comments with ``#`` (the OEDA
    README also accepts ``;`` for legacy files)."""
    if not any(c in line for c in chars):
        return line, None
    depth = 0
    for i, ch in enumerate(line):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in chars:
            return line[:i], line[i + 1 :].strip() or None
    return line, None


_BLOCK = re.compile(r"\[([^\[\]{}]*)([\]}])")


def split_code_blocks(text: str, ctx: ReadContext, *, what: str = "code") -> tuple[str, list[str], str]:
    """Split ``PHRASE [A] [B] rest`` into the phrase, the bracket contents and the rest.

    A ``}`` closing a ``[`` (``[~ENV}``) is tolerated with a warning. Raises when a ``[`` is
    never closed."""
    first = text.find("[")
    head = text if first < 0 else text[:first]
    if "]" in head:
        ctx.warn("stray ']' ignored")
        head = head.replace("]", "")
    if first < 0:
        return head, [], ""
    blocks: list[str] = []
    pos = first
    while True:
        m = _BLOCK.match(text, pos)
        if m is None:
            raise ctx.error(f"'[' is not closed by ']': expected '[{what}]'")
        if m.group(2) == "}":
            ctx.warn(f"'[{m.group(1)}}}' closed with '}}'; read as '[{m.group(1)}]'")
        blocks.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text) or text[pos] != "[":
            break
    return head, blocks, text[pos:]


# --------------------------------------------------------------------------- phrases

_PHRASE_TOKEN = re.compile(r"([^\s_]+)(_*)(\s*)")


def parse_phrase(text: str) -> list[Word]:
    """Words of an actor/agent/noun phrase: blank = words may be separated, ``_`` = consecutive
    (TABARI 5.2; PETRARCH docs "Actor Dictionary"), see :class:`~.model.Word`."""
    words: list[Word] = []
    n = len(text)
    for m in _PHRASE_TOKEN.finditer(text):
        tok, unders, blank = m.group(1), m.group(2), m.group(3)
        fixed = tok.endswith("=")
        if fixed:
            tok = tok.rstrip("=")
        stem_join = tok.endswith("~") and bool(unders)
        if stem_join:
            tok = tok[:-1]
        if not tok:
            continue
        joined = bool(unders) and not blank and m.end() < n
        words.append(Word(tok.upper(), joined, bool(unders) and not stem_join, fixed))
    if words:
        last = words[-1]
        last.joined = False
    return words


# --------------------------------------------------------------------------- codes

_CODE_PART = re.compile(r"(---|###|\+\+\+|[+-]?[A-Za-z0-9]+)([!?]?)")


def parse_event_code(raw: str, ctx: ReadContext) -> EventCode:
    """Parse the inside of an event code ``[...]`` (see :class:`~.model.EventCode`)."""
    compact = "".join(raw.split())
    if not compact:
        raise ctx.error("empty event code '[]': expected a code such as [042], [042:043] or [---]")
    parts = compact.split(":")
    if len(parts) > 2:
        raise ctx.error(f"event code [{raw}] has more than one ':': expected [code] or [code:code]")
    values: list[str | None] = []
    dominant = subordinate = False
    for part in parts:
        if part == "":
            values.append(None)
            continue
        m = _CODE_PART.fullmatch(part)
        if m is None:
            raise ctx.error(
                f"event code [{raw}] is not a code: expected letters/digits, ---, ### or +++, "
                "optionally ending in ! or ?"
            )
        values.append(m.group(1))
        dominant |= m.group(2) == "!"
        subordinate |= m.group(2) == "?"
    if values[0] is None and (len(values) == 1 or values[1] is None):
        raise ctx.error(f"event code [{raw}] has no code on either side of ':'")
    return EventCode(compact, values[0], values[1] if len(values) > 1 else None, dominant, subordinate)


def parse_date(text: str) -> datetime.date | None:
    """``YYMMDD`` (years 00-30 are 20xx, TABARI 6.5.2) or ``YYYYMMDD``; ``None`` if invalid."""
    if not text.isdigit():
        return None
    if len(text) == 6:
        year = int(text[:2])
        year += 2000 if year <= 30 else 1900
        month, day = int(text[2:4]), int(text[4:6])
    elif len(text) == 8:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


_ACTOR_CODE = re.compile(r"---|###|\+\+\+|[A-Za-z0-9][A-Za-z0-9/]*")
_DATE_REST = re.compile(r"(?:(?P<op>[<>])(?P<d>\S+)|(?P<a>[^-]+)-(?P<b>.+)|(?P<bare>\d+))")


def parse_actor_code(inner: str, ctx: ReadContext, lineno: int) -> ActorCode | None:
    """Parse ``CODE``, ``CODE <date``, ``CODE >date`` or ``CODE date-date`` (TABARI 6.5.2).

    Returns ``None`` (after a warning) for a date that cannot be interpreted or an interval
    that ends before it starts: TABARI and PETRARCH both skip such restrictions."""
    text = inner.strip()
    if not text:
        raise ctx.error("empty code block '[]': expected [CODE] or [CODE <date|>date|date-date]")
    code, _, rest = text.partition(" ")
    if "\t" in code:
        code, _, more = code.partition("\t")
        rest = (more + " " + rest).strip()
    rest = "".join(rest.split())
    if not _ACTOR_CODE.fullmatch(code):
        raise ctx.error(
            f"'{code}' is not an actor code: expected [CODE], [CODE <YYMMDD], [CODE >YYMMDD] or "
            "[CODE YYMMDD-YYMMDD] with a blank between the code and the date"
        )
    if not rest:
        return ActorCode(code, lineno)
    m = _DATE_REST.fullmatch(rest)
    if m is None:
        raise ctx.error(f"date restriction '{rest}' is not <date, >date or date-date")
    if m.group("bare"):
        ctx.warn(f"date '{rest}' has no '<', '>' or '-'; read as the unrestricted code {code} (PETRARCH)")
        return ActorCode(code, lineno)
    if m.group("op"):
        day = parse_date(m.group("d"))
        if day is None:
            ctx.warn(f"date '{m.group('d')}' cannot be interpreted; restriction [{text}] skipped")
            return None
        if m.group("op") == "<":
            return ActorCode(code, lineno, None, day)
        return ActorCode(code, lineno, day, None)
    start, end = parse_date(m.group("a")), parse_date(m.group("b"))
    if start is None or end is None:
        ctx.warn(f"date range '{rest}' cannot be interpreted; restriction [{text}] skipped")
        return None
    if end < start:
        ctx.warn(f"date range '{rest}' ends before it starts; restriction [{text}] skipped")
        return None
    return ActorCode(code, lineno, start, end)


# --------------------------------------------------------------------------- patterns


class VerbMarker:
    """The ``*`` of a pattern while it is being scanned."""

    __slots__ = ("joined",)

    def __init__(self) -> None:
        self.joined = False


class UndefinedSynset(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


_SLOTS = {"$": "source", "+": "target", "%": "compound", "^": "skip", "@": "attribution"}
_DELIMS = set(" \t_{}|()]")
_SYN_NAME = re.compile(r"&[A-Za-z0-9_'.-]*")


class _Frame:
    __slots__ = ("element", "kind", "options", "seq")

    def __init__(self, kind: str, element: object | None, seq: list):
        self.kind = kind
        self.element = element
        self.seq = seq
        self.options: list[list] = [seq]


def _group_has_bar(text: str, i: int) -> bool:
    depth = 0
    for ch in text[i + 1 :]:
        if ch == "{":
            depth += 1
        elif ch in "}]":
            if depth == 0:
                return False
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


# Long: one character scanner whose state (the open-bracket stack, the pending
# "_" join, the word buffer, where the current token began) nearly every branch reads and updates;
# split into helpers, that state would travel through each of them.
def parse_elements(  # noqa: C901 (a character scanner, see above)
    text: str,
    ctx: ReadContext,
    *,
    dialect: Dialect,
    synsets: set[str],
    allow_verb: bool,
) -> list[Element | VerbMarker]:
    """Scan a pattern (or synset member) into elements.

    Recognises words with ``_``/``~_``/``=`` connectors, ``&SYNSET`` references (the longest
    prefix naming a known synset: names may contain ``_``), the slots ``$ + % ^ @``, the verb
    marker ``*``, TABARI alternatives ``{ a | b }``, PETRARCH-2 noun phrases ``{A B}`` and
    prepositional phrases ``(P X)``. A ``{...}`` without ``|`` is a noun phrase in PETRARCH
    files and a one-option alternative in TABARI files. Raises :class:`UndefinedSynset` for an
    unknown ``&NAME`` and :class:`~.errors.DictionaryError` for broken structure.
    """
    top: list = []
    stack = [_Frame("top", None, top)]
    pending = False  # an '_' was just seen: the next element joins the previous one
    buf: list[str] = []
    token_start: tuple[list, int] = (top, 0)  # where the current blank-delimited token began
    n = len(text)

    def add(el: object) -> None:
        nonlocal pending
        seq = stack[-1].seq
        if pending and seq:
            seq[-1].joined = True
        pending = False
        seq.append(el)

    def flush(underscore: bool) -> None:
        if not buf:
            return
        tok = "".join(buf)
        buf.clear()
        fixed = tok.endswith("=")
        if fixed:
            tok = tok.rstrip("=")
        stem = underscore and tok.endswith("~")
        if stem:
            tok = tok[:-1]
        if tok:
            add(Word(tok.upper(), False, underscore and not stem, fixed))

    i = 0
    while i < n:
        ch = text[i]
        if buf and ch not in _DELIMS:
            buf.append(ch)
            i += 1
            continue
        if ch in " \t":
            flush(False)
            pending = False
            token_start = (stack[-1].seq, len(stack[-1].seq))
        elif ch == "_":
            had_word = bool(buf)
            flush(True)
            if had_word or stack[-1].seq:
                pending = True
        elif ch == "~" and i + 1 < n and text[i + 1] == "_" and not buf:
            pass  # '*~_X': the stem marker on a non-word is meaningless; '_' follows
        elif ch == "*" and not buf:
            if not allow_verb:
                raise ctx.error("'*' is only allowed in verb patterns")
            if len(stack) > 1:
                raise ctx.error("the verb marker '*' cannot be inside (...) or {...}")
            add(VerbMarker())
            if i + 1 < n and text[i + 1] not in _DELIMS and text[i + 1] != "~":
                ctx.warn(f"verb marker '*' is directly followed by '{text[i + 1:].split()[0]}'; read as '* ...'")
        elif ch in _SLOTS and not buf:
            add(Slot(_SLOTS[ch]))  # type: ignore[arg-type]
            if i + 1 < n and text[i + 1] not in _DELIMS:
                ctx.warn(f"slot '{ch}' is directly followed by '{text[i + 1:].split()[0]}'; read as '{ch} ...'")
        elif ch == "&" and not buf:
            m = _SYN_NAME.match(text, i)
            assert m is not None
            token = m.group()
            parts = token[1:].split("_")
            name = None
            for k in range(len(parts), 0, -1):
                candidate = "&" + "_".join(parts[:k])
                if candidate in synsets:
                    name = candidate
                    break
            if name is None:
                raise UndefinedSynset("&" + parts[0] if parts[0] else token)
            add(SynsetRef(name))
            i += len(name)
            continue
        elif ch == "{":
            flush(False)
            if _group_has_bar(text, i) or dialect == "tabari":
                el: object = Alternatives([[]])
                add(el)
                frame = _Frame("alt", el, el.options[0])  # type: ignore[attr-defined]
                frame.options = el.options  # type: ignore[attr-defined]
            else:
                el = NounPhrase([])
                add(el)
                frame = _Frame("np", el, el.elements)  # type: ignore[attr-defined]
            stack.append(frame)
        elif ch == "(":
            flush(False)
            el = PrepPhrase(Word(""), [])
            add(el)
            stack.append(_Frame("pp", el, []))
        elif ch == "|":
            flush(False)
            frame = stack[-1]
            if frame.kind != "alt":
                raise ctx.error("'|' outside '{ ... | ... }': expected alternatives in braces")
            pending = False
            frame.seq = []
            frame.options.append(frame.seq)
        elif ch in "})]":
            frame = stack[-1]
            if ch == ")" and frame.kind != "pp":
                buf.clear()
                seq, mark = token_start
                start = i
                while start > 0 and text[start - 1] not in " \t":
                    start -= 1
                if seq is frame.seq:
                    del seq[mark:]
                ctx.warn(f"unbalanced ')' in pattern; token {text[start:i + 1]!r} ignored (as PETRARCH-2 does)")
                i += 1
                continue
            if ch == "}" and frame.kind not in ("alt", "np"):
                flush(False)
                ctx.warn("unbalanced '}' in pattern ignored")
                i += 1
                continue
            flush(False)
            pending = False
            if ch == "]":
                if frame.kind not in ("alt", "np"):
                    raise ctx.error("unbalanced ']' in pattern: expected the code in [...] at the end")
                ctx.warn("'{' closed with ']'; read as '}'")
                ch = "}"
            if (ch == "}" and frame.kind not in ("alt", "np")) or (ch == ")" and frame.kind != "pp"):
                raise ctx.error(f"unbalanced '{ch}' in pattern")
            stack.pop()
            if frame.kind == "pp":
                items = frame.seq
                if not items:
                    raise ctx.error("empty '()': expected (PREPOSITION ...)")
                frame.element.preposition = items[0]  # type: ignore[union-attr]
                frame.element.objects = items[1:]  # type: ignore[union-attr]
            elif frame.kind == "np" and not frame.seq:
                raise ctx.error("empty '{}' in pattern: expected {MODIFIER HEAD}")
        else:
            buf.append(ch)
        i += 1
    flush(False)
    if len(stack) > 1:
        opener = {"alt": "{", "np": "{", "pp": "("}[stack[-1].kind]
        raise ctx.error(f"'{opener}' is never closed in pattern")
    return top
