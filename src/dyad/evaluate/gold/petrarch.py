"""PETRARCH validation XML: the PETRARCH-1 unit-test records and UniversalPetrarch's validation
records.

Both are ``<Validation>`` files: an ``<Environment>`` naming the dictionaries (``<Verbfile>``,
``<Actorfile>``, ``<Agentfile>``, ``<Discardfile>``, ``<PICOfile>``...), then ``<Sentence date id
category ...>`` records holding ``<EventCoding sourcecode targetcode eventcode>`` elements (or
``noevents="True"``, or ``error="..."``), a ``<Text>`` and a ``<Parse>`` (Penn Treebank or CoNLL-U;
never read: dyad codes the text). ``<Config option value>`` elements, inside the environment or
between records, change a setting for the records after them.

UniversalPetrarch's file is not well-formed XML (a comment that contains ``<!-- ... -->``, JSON in
``<PLEvent {...}>`` lines), so neither file goes through an XML parser: comments are blanked out
(``<!--`` to the next ``-->``, keeping line numbers), records are the ``<Sentence ...>`` tags that
start a line, each running to its ``</Sentence>`` (or to the next record if that is missing), and
the pieces of a record are read with patterns. Attribute values may use either quote and blanks
around ``=``; entities (``&quot;``) are decoded. A record with ``evaluate="false"`` is kept but
not checked; an ``error=`` record is kept but not checked either.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from dyad.evaluate.gold.files import GoldError
from dyad.evaluate.gold.model import GoldEvent, GoldRecord, GoldSet, category_of

__all__ = ["attributes", "read_petrarch_xml"]

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ITEM = re.compile(r"^[ \t]*<(Sentence|Config)\b([^>]*)>", re.M)
_SENTENCE_END = re.compile(r"</Sentence\s*>")
_EVENT = re.compile(r"<EventCoding\b([^>]*?)/?>")
_TEXT = re.compile(r"<Text\s*>(.*?)</Text\s*>", re.S)
_ENVIRONMENT = re.compile(r"<Environment\s*>(.*?)</Environment\s*>", re.S)
_ENV_ITEM = re.compile(r"<(\w+)\s*>([^<]*)</\1\s*>")
_TRUE = {"true", "yes", "1"}

# <Environment> tags that name dictionary files, in the order they are handed to the loader
_DICTIONARY_TAGS = ("verbfile", "actorfile", "agentfile", "discardfile", "issuefile", "picofile")


def attributes(tag_body: str) -> dict[str, str]:
    """The attributes of a tag (names lower-cased, entities decoded)."""
    return {m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag_body)}


def _blank(match: re.Match) -> str:
    return "\n" * match.group(0).count("\n")


def _date(raw: str) -> dt.date | None:
    digits = raw.strip()
    try:
        if re.fullmatch(r"\d{8}", digits):
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        return dt.date.fromisoformat(digits)
    except ValueError:
        return None


def _beside(path: Path, name: str, tag: str) -> str:
    """A dictionary file the gold's environment names, resolved beside the gold; a name no file can have (a
    NUL in it, a symbolic-link loop) is a GoldError naming the gold file and the tag."""
    try:
        return str((path.parent / name).resolve())
    except (ValueError, OSError, RuntimeError) as error:
        raise GoldError(f"{path}: <{tag}> names {name[:80]!r}, not a usable file name ({error})") from None


def read_petrarch_xml(path: str | Path, *, text: str | None = None) -> GoldSet:
    """Read a PETRARCH or UniversalPetrarch validation file into a :class:`GoldSet`."""
    path = Path(path)
    if text is None:
        text = path.read_bytes().decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    origin = str(path)
    gold = GoldSet(path=origin, format="petrarch-xml")
    body = _COMMENT.sub(_blank, text)

    env = _ENVIRONMENT.search(body)
    env_end = env.end() if env else 0
    if env:
        files: list[tuple[int, str]] = []
        for item in _ENV_ITEM.finditer(env.group(1)):
            tag, value = item.group(1).lower(), html.unescape(item.group(2)).strip()
            if tag in _DICTIONARY_TAGS and value:
                for name in value.split(","):
                    if name.strip():
                        files.append((_DICTIONARY_TAGS.index(tag), _beside(path, name.strip(), tag)))
            elif value:
                gold.environment[tag] = value
        gold.dictionaries = [name for _, name in sorted(files, key=lambda f: f[0])]
    if "include" in gold.environment:
        gold.environment["include"] = " ".join(gold.environment["include"].split())

    options: dict[str, str] = {}
    option_lines: list[str] = []
    items = list(_ITEM.finditer(body))
    for n, item in enumerate(items):
        kind, attrs = item.group(1), attributes(item.group(2))
        lineno = body.count("\n", 0, item.start()) + 1
        if kind == "Config":
            option, value = attrs.get("option", "").strip().lower(), attrs.get("value", "").strip()
            if not option:
                gold.warnings.append(f"{origin}:{lineno}: <Config> without an option; ignored")
                continue
            options[f"Options.{option}"] = value
            option_lines.append(f"{option} = {value}")
            if item.start() < env_end:
                gold.options[f"Options.{option}"] = value
            continue
        stop = items[n + 1].start() if n + 1 < len(items) else len(body)
        end = _SENTENCE_END.search(body, item.end(), stop)
        if end is None:
            gold.warnings.append(f"{origin}:{lineno}: <Sentence> not closed; read up to the next record")
        content = body[item.end() : end.start() if end else stop]
        gold.records.append(_record(content, attrs, lineno, origin, options, option_lines, gold))
    return gold


def _record(content: str, attrs: dict[str, str], lineno: int, origin: str, options: dict[str, str],
            option_lines: list[str], gold: GoldSet) -> GoldRecord:
    record_id = attrs.get("id", "").strip() or f"line-{lineno}"
    text_match = _TEXT.search(content)
    if text_match is None:
        gold.warnings.append(f"{origin}:{lineno}: {record_id}: no <Text>")
    raw_text = html.unescape(text_match.group(1)) if text_match else ""
    record = GoldRecord(id=record_id, text=" ".join(raw_text.split()), date_raw=attrs.get("date", "").strip(),
                        category=attrs.get("category", "").strip() or category_of(record_id),
                        lineno=lineno, origin=origin, options_before=dict(options),
                        option_lines=list(option_lines))
    record.date = _date(record.date_raw)
    errors: list[str] = []
    no_events = False
    for event in _EVENT.finditer(content):
        ev = attributes(event.group(1))
        if "error" in ev:
            errors.append(ev["error"])
        elif ev.get("noevents", "").strip().lower() in _TRUE:
            no_events = True
        elif "eventcode" in ev:
            target = ev.get("targetcode", "").strip()
            record.events.append(GoldEvent(ev.get("sourcecode", "").strip(), target or None, ev["eventcode"].strip()))
        else:
            gold.warnings.append(f"{origin}:{lineno}: {record_id}: <EventCoding> without codes; ignored")
    if errors:
        record.kind = "error"
    elif no_events or not record.events:
        record.kind = "no_event"
        if record.events:
            gold.warnings.append(f"{origin}:{lineno}: {record_id}: noevents given with events; no event wins")
        elif not no_events:
            gold.warnings.append(f"{origin}:{lineno}: {record_id}: no <EventCoding>; read as no event")
    if attrs.get("evaluate", "true").strip().lower() not in _TRUE:
        record.checked, record.skip = False, "evaluate=false"
    elif errors:
        record.checked, record.skip = False, f"error={errors[0]}"
    return record
