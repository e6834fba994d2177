"""Reports over coded actors: the actors per sentence, and the named entities left uncoded.

>>> from dyad.surfaces.reports import code_articles, uncoded
>>> coded = list(code_articles(["Kenyan police arrested Ali Hassan in Nairobi."]))  # doctest: +SKIP
>>> uncoded(coded)[0].text  # doctest: +SKIP
'Ali Hassan'

`uncoded` lists the named entities (PERSON, ORG, NORP, GPE) that no coded actor covers, most
frequent first, with an example sentence: the names the knowledge is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import msgspec

from dyad.records import Result

__all__ = ["ENTITY_LABELS", "CodedArticle", "Entity", "Uncoded", "actors_by_sentence", "code_articles",
           "uncoded", "uncoded_entities"]

ENTITY_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


class Entity(msgspec.Struct, frozen=True):
    text: str
    label: str
    sentence: str
    start: int
    end: int


class CodedArticle(msgspec.Struct):
    result: Result
    entities: list[Entity]  # named entities no coded actor covers


class Uncoded(msgspec.Struct):
    text: str
    label: str
    count: int
    example: str


def uncoded_entities(doc) -> list[Entity]:
    """The PERSON/ORG/NORP/GPE entities of a coded Doc that no coded actor overlaps."""
    spans = [(a.start, a.end) for a in doc._.actors or [] if a.code]
    found = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        if any(s < ent.end_char and ent.start_char < e for s, e in spans):
            continue
        found.append(Entity(ent.text, ent.label_, ent.sent.text.strip(), ent.start_char, ent.end_char))
    return found


def code_articles(articles: Iterable, nlp=None, *, batch_size: int = 64) -> Iterator[CodedArticle]:
    """Code articles (as :func:`dyad.pipeline.process` does) keeping their uncoded entities."""
    from dyad.pipeline import parse, result_from_doc

    for item in parse(articles, nlp, batch_size=batch_size):
        if isinstance(item, Result):
            yield CodedArticle(item, [])
        else:
            yield CodedArticle(result_from_doc(item), uncoded_entities(item))


def _key(text: str) -> str:
    text = " ".join(text.split())
    return text[4:] if text.lower().startswith("the ") else text


def uncoded(items: Iterable[CodedArticle], top: int | None = 50) -> list[Uncoded]:
    """The most frequent uncoded named entities over the articles, with counts and an example."""
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for item in items:
        for ent in item.entities:
            key = (_key(ent.text), ent.label)
            counts[key] += 1
            examples.setdefault(key, " ".join(ent.sentence.split()))
    return [Uncoded(text, label, n, examples[(text, label)]) for (text, label), n in counts.most_common(top)]


def actors_by_sentence(result: Result) -> list[dict]:
    """One record per sentence that has coded actors: the article id, sentence index and actors."""
    by_sentence: dict[int, list] = {}
    for actor in result.actors:
        by_sentence.setdefault(actor.sentence_index, []).append(msgspec.to_builtins(actor))
    return [{"article_id": result.article.id, "origin": result.article.origin, "sentence_index": i, "actors": actors}
            for i, actors in sorted(by_sentence.items())]
