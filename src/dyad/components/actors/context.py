"""Whose actors (rule 6 of the actor coder): the country a sector mention with none of its own takes.

"The police", "the government", "Foreign Minister Karl Erjavec" (a person on no list) name no country.
A reader takes it from the nearest scope that clearly has one: the mention's paragraph, then the
article. A scope "clearly has" a country when that country is mentioned (names, adjectives, capitals,
seats, leaders, organisations with a home country, and regions such as provinces and states, which
stand for their country) at least `CONTEXT_DOMINANCE` times as often as any other and at least twice
(once in an article of at most three sentences). A country that is only the object of a
preposition of motion ("recalled its ambassador to Moscow", "returned from Russia") says where
something goes or comes from, not whose the actors are, and does not count. The dateline comes
last: it says where the reporter is, not whose actors they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy
from spacy.tokens import Doc, Span

from dyad.components.arrays import where
from dyad.extensions import ends_paragraph
from dyad.resources.gazetteer import COUNTRY, REGION, Gazetteer, load_gazetteer

_SHORT_ARTICLE = 3  # sentences: an article this short may have its context from one mention
# The most mentioned country is a scope's context only when it has this many times the mentions of the
# next. Set by hand with the rule; re-measure with `dyad evaluate --format articles
# ../shared/gold/articles/gwn-events.jsonl` (tuned on its even lines), the ConfliBERT actors
# (`--task actors --format conflibert-ner`) and the PLOVER dev actors.
CONTEXT_DOMINANCE = 2
_PARAGRAPH_MIN = 2  # a paragraph's context needs two mentions of its country: one is a passing mention
# Prepositions of motion: their object is where something goes or comes from, not whose the actors are.
# Not "in": where the news happens is usually whose actors it is about (with "in" excluded, PLOVER dev
# (type, source, target) F1 fell from 0.592 to 0.566).
_DESTINATION_PREPS = frozenset({"to", "into", "toward", "towards", "from"})
_NOT_PLACES = frozenset({"PERSON", "DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY"})


@dataclass(frozen=True)
class Context:
    """An article's context countries: per paragraph, for the article, and the dateline's."""

    paragraph_of: list[int]  # per token, its paragraph's index
    paragraphs: dict[int, tuple[str, str]]  # paragraph index -> (country, how it was found)
    article: tuple[str, str] | None
    dateline: tuple[str, str] | None

    def country_at(self, token_i: int) -> tuple[str, str] | None:
        """The context country for a mention anchored at this token, and how it was found."""
        return self.paragraphs.get(self.paragraph_of[token_i]) or self.article or self.dateline


def paragraph_of(doc: Doc) -> list[int]:
    """Per token, the index of its paragraph (a line break in the text starts a new one)."""
    breaks = numpy.zeros(len(doc) + 1, dtype=numpy.int32)
    for i in numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist():  # a line break is a whitespace token
        if ends_paragraph(doc[i]):
            breaks[i + 1] = 1
    return numpy.cumsum(breaks[:-1]).tolist()


def region_country(gazetteer: Gazetteer, text: str) -> str | None:
    """The country (ISO-3) of a province or state ("Manitoba", "Tamil Nadu", "California"), when the
    gazetteer knows the name as a first-level region of one country only and not as a country."""
    countries = set()
    for entry, alternate in gazetteer.candidates(text):
        feature = gazetteer.index.feature[entry]
        if feature == COUNTRY:
            return None
        if feature == REGION and not alternate:
            countries.add(gazetteer.index.country[entry])
    if len(countries) != 1:
        return None
    country = countries.pop()
    return gazetteer.index.countries[country].iso3 if country >= 0 else None


def regions(doc: Doc, covered: set[int]) -> list[tuple[Span, str]]:
    """Proper nouns the actor tables do not cover that name a province or state, with its country.

    Proper nouns, not only place entities: the small model often takes "Manitoba's Opposition New
    Democrats" as one organisation. A pair of proper nouns ("Tamil Nadu") is tried before each alone;
    a person's name is never a region."""
    gazetteer = load_gazetteer()
    out: list[tuple[Span, str]] = []
    proper = where(doc, "POS", ("PROPN",))
    is_proper = set(proper)
    done = 0  # tokens before this are read (a pair of proper nouns is read as one)
    for i in proper:
        if i < done or i in covered or doc[i].ent_type_ in _NOT_PLACES:
            continue
        pair = i + 1 in is_proper and i + 1 not in covered
        for width in ((2, 1) if pair else (1,)):
            country = region_country(gazetteer, doc[i:i + width].text)
            if country:
                out.append((doc[i:i + width], country))
                break
        else:
            width = 1
        done = i + width
    return out


def dateline_country(dateline: str | None, places: dict[str, str]) -> tuple[str, str] | None:
    """The dateline's country: a country or capital dyad's tables name, else the gazetteer's best-known
    place of that name ("WINNIPEG" -> CAN)."""
    if not dateline:
        return None
    gazetteer = load_gazetteer()
    for part in reversed(dateline.split(",")):
        country = places.get(part.strip().lower())
        if not country:
            found = gazetteer.candidates(part.strip())
            index = gazetteer.index.country[found[0][0]] if found else -1
            country = gazetteer.index.countries[index].iso3 if index >= 0 else None
        if country:
            return country, f"dateline {dateline}"
    return None


def _is_destination(doc: Doc, start: int, end: int) -> bool:
    root = doc[start:end].root
    return root.dep_ == "pobj" and root.head.lower_ in _DESTINATION_PREPS


def _dominant(counts: Counter[str], needed: int) -> tuple[str, int] | None:
    if not counts:
        return None
    ranked = counts.most_common(2)
    top, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return (top, n) if n >= needed and n >= CONTEXT_DOMINANCE * second else None


def build_context(doc: Doc, mentions: list[tuple[int, int, str]], dateline: tuple[str, str] | None) -> Context:
    """The context of one article from its country mentions: (start, end, country) token spans."""
    paragraphs = paragraph_of(doc)
    by_paragraph: dict[int, Counter[str]] = {}
    article: Counter[str] = Counter()
    for start, end, country in mentions:
        if _is_destination(doc, start, end):
            continue
        article[country] += 1
        by_paragraph.setdefault(paragraphs[start], Counter())[country] += 1
    total = sum(article.values())
    needed = 1 if sum(1 for _ in doc.sents) <= _SHORT_ARTICLE else 2
    top = _dominant(article, needed)
    article_context = (top[0], f"most mentioned: {top[0]} {top[1]} of {total} country mentions") if top else None
    scoped = {}
    for index, counts in by_paragraph.items():
        found = _dominant(counts, _PARAGRAPH_MIN)
        if found:
            scoped[index] = (found[0], f"most mentioned in its paragraph: {found[0]} {found[1]} times")
    return Context(paragraph_of=paragraphs, paragraphs=scoped, article=article_context, dateline=dateline)
