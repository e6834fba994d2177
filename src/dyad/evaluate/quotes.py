"""Quote attribution against PolNeAR's brat annotations (`dyad evaluate --task quotes`).

Gold direct quotes: every passage between quotation marks inside a gold Content span, attributed to
its relation's Source. A predicted quote matches a gold passage when their shared word tokens are at
least half of the longer passage's (one-to-one, best overlap first). Speaker accuracy is measured on
matched quotes whose gold Source holds a proper noun: right when dyad's resolved speaker name shares
a word with it. `pronoun_resolved`: of matched quotes whose gold Source is only a pronoun or role
noun, the share where dyad named a speaker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec

from dyad.evaluate.gold.files import GoldError, read_gold_text
from dyad.records import Article, Quote, article_id

WORD = re.compile(r"\w+")
OPENING, CLOSING = "“", "”"
MATCH_OVERLAP = 0.5  # the definition of a match


class GoldQuote(msgspec.Struct):
    start: int
    end: int
    source: str | None  # the relation's Source text, None for attributions without a source
    source_spans: list[tuple[int, int]] = []


class GoldArticle(msgspec.Struct):
    name: str
    text: str
    quotes: list[GoldQuote]


def _spans(field: str, where: str) -> list[tuple[int, int]]:
    """Brat offsets, "10 20;25 30"; anything else is a GoldError at `where` (file and line)."""
    try:
        return [(int(a), int(b)) for a, b in (part.split() for part in field.split(";"))]
    except ValueError:
        raise GoldError(f"{where}: expected character offsets ('START END', ';' between fragments), "
                        f"not {field[:60]!r}") from None


def _quoted_passages(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Passages between quotation marks inside text[start:end]; an unclosed mark runs to the end."""
    fragment = text[start:end]
    i = 0
    while i < len(fragment):
        ch = fragment[i]
        if ch in (OPENING, '"'):
            closer = CLOSING if ch == OPENING else '"'
            j = fragment.find(closer, i + 1)
            stop = len(fragment) if j < 0 else j
            if WORD.search(fragment[i + 1:stop]):
                yield start + i + 1, start + stop
            i = stop + 1
        elif ch == CLOSING and not fragment[:i].count(OPENING):
            if WORD.search(fragment[:i]):  # a quote closed in this fragment, opened before it
                yield start, start + i
            i += 1
        else:
            i += 1


def read_polnear(directory: str | Path) -> list[GoldArticle]:
    """PolNeAR split folder (with `text/` and `attributions/`): the first annotator's file per article."""
    directory = Path(directory)
    text_dir, ann_dir = directory / "text", directory / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"{directory}: expected text/ and attributions/ folders (a PolNeAR split)")
    first: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        first.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for name, ann in sorted(first.items()):
        text = read_gold_text(text_dir / f"{name}.txt")
        spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        relations = []
        for lineno, line in enumerate(read_gold_text(ann).splitlines(), 1):
            fields = line.split("\t")
            if line.startswith("T") and len(fields) >= 2:
                label, _, offsets = fields[1].partition(" ")
                spans[fields[0]] = (label, _spans(offsets, f"{ann}:{lineno}"))
            elif line.startswith("E") and len(fields) >= 2:  # ROLE:ID arguments
                relations.append(dict(arg.split(":", 1) for arg in fields[1].split() if ":" in arg))
        quotes = []
        for relation in relations:
            content = relation.get("Content")
            if content not in spans:
                continue
            source_spans = spans[relation["Source"]][1] if relation.get("Source") in spans else []
            source = " ".join(text[a:b] for a, b in source_spans) or None
            for a, b in spans[content][1]:
                quotes += [GoldQuote(s, e, source, source_spans) for s, e in _quoted_passages(text, a, b)]
        articles.append(GoldArticle(name=name, text=text, quotes=quotes))
    return articles


def _words(text: str, start: int, end: int) -> set[int]:
    return {m.start() + start for m in WORD.finditer(text[start:end])}


def _overlap(text: str, a: tuple[int, int], b: tuple[int, int]) -> float:
    wa, wb = _words(text, *a), _words(text, *b)
    longer = max(len(wa), len(wb))
    return len(wa & wb) / longer if longer else 0.0


def match_quotes(text: str, gold: list[GoldQuote], predicted: list[Quote]) -> list[tuple[GoldQuote, Quote]]:
    """One-to-one pairs with word overlap >= MATCH_OVERLAP of the longer passage, best first."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if p.end <= g.start or g.end <= p.start:
                continue
            score = _overlap(text, (g.start, g.end), (p.start, p.end))
            if score >= MATCH_OVERLAP:
                candidates.append((score, gi, pi))
    pairs, used_g, used_p = [], set(), set()
    for _, gi, pi in sorted(candidates, reverse=True):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], predicted[pi]))
    return pairs


def _lower_words(text: str | None) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")}


def evaluate_polnear(directory: str | Path, nlp=None, errors: int = 0) -> dict:
    from dyad.pipeline import load, process

    nlp = nlp or load()
    gold_articles = read_polnear(directory)
    # the raw text, uncleaned: gold offsets point into it
    articles = [Article(id=article_id(None, g.text), text=g.text, origin=g.name, language="en")
                for g in gold_articles]
    n_gold = n_pred = n_match = 0
    named = named_right = pronoun = pronoun_named = 0
    failed, empty = [], []
    misses = []
    for gold, result in zip(gold_articles, process(articles, nlp), strict=True):
        if result.status != "coded":
            failed.append(f"{gold.name}: {result.reason}")
        predicted = result.quotes
        if not predicted and (OPENING in gold.text or '"' in gold.text):
            empty.append(gold.name)
        pairs = match_quotes(gold.text, gold.quotes, predicted)
        n_gold += len(gold.quotes)
        n_pred += len(predicted)
        n_match += len(pairs)
        proper = _proper_sources(nlp, gold, pairs)
        for g, p in pairs:
            if g.source is None:
                continue
            if proper[id(g)]:
                named += 1
                ok = bool(_lower_words(p.speaker_name) & _lower_words(g.source))
                named_right += ok
                if not ok:
                    misses.append({"article": gold.name, "quote": gold.text[g.start:g.end][:120],
                                   "gold_source": g.source, "speaker": p.speaker, "speaker_name": p.speaker_name})
            else:
                pronoun += 1
                pronoun_named += p.speaker_name is not None
    precision = n_match / n_pred if n_pred else None
    recall = n_match / n_gold if n_gold else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    report = {
        "articles": len(gold_articles), "gold_quotes": n_gold, "predicted_quotes": n_pred, "matched": n_match,
        "precision": precision, "recall": recall, "f1": f1,
        "speaker_accuracy": named_right / named if named else None, "speakers_scored": named,
        "pronoun_resolved": pronoun_named / pronoun if pronoun else None, "pronoun_sources": pronoun,
        "failed_articles": failed, "articles_with_quote_marks_but_no_quote": empty,
    }
    if errors:
        report["speaker_errors"] = misses[:errors]
    return report


def _proper_sources(nlp, gold: GoldArticle, pairs) -> dict[int, bool]:
    """Whether each matched gold quote's Source holds a proper noun (tagged in its own sentence)."""
    return {id(g): _has_proper_noun(nlp, gold.text, g.source_spans) for g, _ in pairs if g.source is not None}


def _has_proper_noun(nlp, text: str, spans: list[tuple[int, int]]) -> bool:
    """Tagged on its own (the Source phrase only), by the same model dyad parses with."""
    doc = nlp.make_doc(" ".join(text[a:b] for a, b in spans))
    for name in ("tok2vec", "tagger", "attribute_ruler"):
        doc = nlp.get_pipe(name)(doc)
    return any(t.tag_ in ("NNP", "NNPS") for t in doc)
