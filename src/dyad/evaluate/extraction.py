"""Score extracted article text against gold article bodies.

The measure is the one of the article-extraction benchmark that ships the gold pages dyad is tested
on (``../shared/gold/html``), so dyad's figures compare with the published ones:

- tokens are the ``\\w+`` runs of the text (case kept, punctuation and layout ignored);
- a page's text becomes its 4-token shingles (every window of four consecutive tokens), counted with
  repeats, so a paragraph extracted twice costs precision;
- overlap = sum over shingles of min(gold count, predicted count); a page's precision is
  overlap / predicted shingles and its recall overlap / gold shingles;
- precision and recall are averaged over pages (every page weighs the same whatever its length) and
  the corpus F1 is the harmonic mean of the two averages.

Short and empty texts follow the benchmark's rule: a text with fewer than four tokens (but at least
one) is a single shingle of all its tokens, and a text without tokens has no shingles. A page's
precision is undefined when nothing was predicted and its recall when the gold is empty; undefined
values are left out of the averages (so a page where extraction failed lowers recall, not precision).
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

SHINGLE_SIZE = 4  # words per shingle: the measure of the extraction benchmark the gold pages come with
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The ``\\w+`` tokens of ``text``, in order."""
    return _TOKEN.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of the ``size``-token windows of ``text``.

    A text shorter than ``size`` tokens gives one shingle holding all its tokens; an empty text none.
    """
    words = tokens(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


class PageScore(msgspec.Struct, frozen=True):
    """Shingle counts for one page; precision/recall are None when their denominator is zero."""

    overlap: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float | None:
        return self.overlap / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.overlap / self.gold if self.gold else None


def page_scores(gold: str, predicted: str, size: int = SHINGLE_SIZE) -> PageScore:
    """Compare one page's predicted text with its gold text."""
    gold_shingles = shingles(gold, size)
    predicted_shingles = shingles(predicted, size)
    overlap = sum((gold_shingles & predicted_shingles).values())
    return PageScore(
        overlap=overlap,
        predicted=sum(predicted_shingles.values()),
        gold=sum(gold_shingles.values()),
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score_corpus(pairs: Iterable[tuple[str, str]], size: int = SHINGLE_SIZE) -> dict:
    """Average page precision and recall over ``(gold, predicted)`` pairs and derive F1.

    Returns ``{"precision", "recall", "f1", "pages", "empty_predictions"}``.
    """
    scores = [page_scores(gold, predicted, size) for gold, predicted in pairs]
    precision = _mean([s.precision for s in scores if s.precision is not None])
    recall = _mean([s.recall for s in scores if s.recall is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pages": len(scores),
        "empty_predictions": sum(1 for s in scores if not s.predicted),
    }


def _cleaner() -> Callable[[str, str | None], str]:
    from dyad.article.clean import clean_text

    return lambda text, title: clean_text(text, title=title).text


def evaluate_html_dir(gold_dir: str | Path, *, clean: bool = True) -> dict:
    """Extract every page of an article-extraction gold directory and score the text.

    ``gold_dir`` holds ``ground-truth.json`` (page id -> ``{"articleBody": ..., "url": ...}``) and
    ``html/<id>.html.gz``. Each page goes through :func:`dyad.article.html.extract_html` (given the raw bytes)
    and, when ``clean`` is true, through ``dyad.article.clean.clean_text``, as articles do in the pipeline.
    A page that raises :class:`dyad.article.html.ExtractionError` counts as an empty prediction.

    Returns the :func:`score_corpus` figures plus ``failed`` (page ids that raised), ``seconds`` (time
    spent extracting and cleaning, file reading excluded) and ``pages_per_second``.
    """
    from dyad.article.html import ExtractionError, extract_html

    gold_dir = Path(gold_dir)
    ground_truth = json.loads((gold_dir / "ground-truth.json").read_text(encoding="utf-8"))
    cleaner = _cleaner() if clean else None
    pairs: list[tuple[str, str]] = []
    failed: list[str] = []
    seconds = 0.0
    for page_id, gold in sorted(ground_truth.items()):
        data = gzip.decompress((gold_dir / "html" / f"{page_id}.html.gz").read_bytes())
        started = time.perf_counter()
        try:
            article = extract_html(data, url=gold.get("url"))
        except ExtractionError:
            failed.append(page_id)
            text = ""
        else:
            text = cleaner(article.text, article.title) if cleaner else article.text
        seconds += time.perf_counter() - started
        pairs.append((gold.get("articleBody") or "", text))
    figures = score_corpus(pairs)
    figures["failed"] = failed
    figures["cleaned"] = clean
    figures["seconds"] = round(seconds, 3)
    figures["pages_per_second"] = round(len(pairs) / seconds, 1) if seconds else None
    return figures
