"""Event assembly: a coded verb and its source and target groups -> (source, target, code) triples
-> :class:`~dyad.records.Event` records.

Every code of every source unit meets every code of every target unit (compound actors code one
event per member, TABARI 7.5); a coded compound ``X/Y`` is split into its parts except by
PETRARCH-2; a paired code ``[A:B]`` codes source->target A and target->source B (TABARI 6.6.3).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from dyad.components.events.legacy.apply import Found
from dyad.components.events.legacy.text import Tok
from dyad.components.events.legacy.units import Group
from dyad.records import Actor, Event, Plover, Provenance

# (source code, target code or None, event code, rule, token spans, source group)
Triple = tuple[str, str | None, str, str, dict[str, list[int]], Group]


def expand(src: Group, tgt: Group | None, found: Found, toks: list[Tok], petrarch2: bool,
           passive: bool = False) -> list[Triple]:
    """The events of ``found`` between ``src`` and ``tgt``; ``passive``: a PETRARCH-2 code with only
    a passive meaning (``[:173]``) codes its secondary code source->target."""
    code = found.code
    out: list[Triple] = []
    primary, secondary = code.primary, code.secondary
    if passive and secondary:
        primary, secondary = secondary, None

    def split(c: str) -> list[str]:
        return [c] if petrarch2 else c.split("/")

    spans = {"verb": [toks[found.verb.start].i, toks[found.verb.end - 1].i + 1]}
    for su in src.units:
        for tu in (tgt.units if tgt is not None else [None]):
            if su is tu:
                continue
            for s in su.codes:
                for sp in split(s):
                    tcodes = [None] if tu is None else [x for c in tu.codes for x in split(c)]
                    for t in tcodes:
                        if t is not None and t == sp:
                            continue
                        sp_spans = dict(spans)
                        if su.start >= 0:
                            sp_spans["source"] = [toks[su.start].i, toks[su.end - 1].i + 1]
                        if tu is not None and tu.start >= 0:
                            sp_spans["target"] = [toks[tu.start].i, toks[tu.end - 1].i + 1]
                        if primary and primary != "---":
                            out.append((sp, t, primary, found.rule, sp_spans, src))
                        if secondary and secondary != "---" and t is not None:
                            out.append((t, sp, secondary, found.rule, sp_spans, src))
    return out


def make_event(sent, index: int, src: str, tgt: str | None, code: str, rule: str, spans: dict[str, list[int]],
               date: dt.date | None, article_id: str) -> Event:
    """The record of one coded triple of sentence ``index``; spans become sentence-relative."""
    source = Actor(text=_span_text(sent, spans.get("source")), code=src)
    target = None if tgt is None else Actor(text=_span_text(sent, spans.get("target")), code=tgt)
    start = sent.start
    rel = {k: [v[0] - start, v[1] - start] for k, v in spans.items()}
    root = code[:2] if code[:2].isdigit() else code
    key = f"{article_id}|{index}|{src}|{tgt}|{code}|{rule}".encode()
    return Event(event_id=hashlib.blake2b(key, digest_size=8).hexdigest(), article_id=article_id,
                 sentence_index=index, sentence=sent.text, source=source, target=target, code=code,
                 root_code=root, quad_class=None, goldstein=None, plover=Plover(), date=date,
                 provenance=Provenance(rule=rule, spans=rel))


def _span_text(sent, span: list[int] | None) -> str:
    if not span:
        return ""
    return sent.doc[span[0]:span[1]].text
