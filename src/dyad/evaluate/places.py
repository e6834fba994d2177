"""Geoparsing scores: toponym recognition and resolution against GeoWebNews, LGL and GeoVirus gold.

Readers (each yields `GoldArticle`s: the article text and its gold toponyms with offsets and
coordinates):

- ``gwn``: GeoWebNews ``GWN.xml``; the gold toponyms are those with a ``geonamesID`` (2,401),
  offsets into ``<text>``;
- ``lgl``: LGL ``lgl.xml``; every ``<toponym>`` is gold for recognition, those with a ``<gaztag>``
  (GeoNames coordinates) also for resolution;
- ``geovirus``: GeoVirus ``GeoVirus.xml``; its offsets are one character too high, so they are
  shifted down by one (``text[start-1:end-1]`` is the name); its coordinates come from Wikipedia.

Each article's text is coded as it is (no cleaning, no publication date). Recognition: precision,
recall and F1 with exact span match, and with overlapping spans. Resolution, over the correctly
recognised (exact-span) toponyms that have gold coordinates: the share placed within 161 km (100
miles) of the gold point (a toponym left unresolved counts as a miss), mean and median error in km.
"""

from __future__ import annotations

import re
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from dyad.evaluate.gold.files import GoldError, read_gold_json
from dyad.resources.gazetteer import distance_km, load_gazetteer, normalise

PLACE_FORMATS = ("gwn", "lgl", "geovirus")
WITHIN_KM = 161.0


class GoldToponym(msgspec.Struct):
    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None


class GoldArticle(msgspec.Struct):
    id: str
    text: str
    toponyms: list[GoldToponym]


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _articles(path: str | Path) -> list[ET.Element]:
    try:
        return list(ET.parse(path).getroot().iter("article"))
    except ET.ParseError as error:
        raise GoldError(f"{path}: malformed XML: {error}") from None


def _offsets(toponym: ET.Element, path: str | Path, n: int, shift: int = 0) -> tuple[int, int]:
    """A toponym's <start> and <end>; a gold toponym without them is a GoldError naming its article."""
    try:
        return int(toponym.findtext("start") or "") + shift, int(toponym.findtext("end") or "") + shift
    except ValueError:
        raise GoldError(f"{path}: article {n + 1}: a <{toponym.tag}> without integer <start> and <end>") from None


def read_gwn(path: str | Path) -> Iterator[GoldArticle]:
    for n, article in enumerate(_articles(path)):
        text = article.findtext("text") or ""
        toponyms = []
        for t in article.iter("toponym"):
            if not (t.findtext("geonamesID") or "").strip():
                continue
            start, end = _offsets(t, path, n)
            toponyms.append(GoldToponym(start, end, text[start:end], _float(t.findtext("latitude")),
                                        _float(t.findtext("longitude"))))
        yield GoldArticle(article.get("file") or str(n), text, toponyms)


def read_lgl(path: str | Path) -> Iterator[GoldArticle]:
    for n, article in enumerate(_articles(path)):
        text = article.findtext("text") or ""
        toponyms = []
        for t in article.iter("toponym"):
            start, end = _offsets(t, path, n)
            tag = t.find("gaztag")
            lat = _float(tag.findtext("lat")) if tag is not None else None
            lon = _float(tag.findtext("lon")) if tag is not None else None
            toponyms.append(GoldToponym(start, end, text[start:end], lat, lon))
        yield GoldArticle(article.get("docid") or str(n), text, toponyms)


def read_geovirus(path: str | Path) -> Iterator[GoldArticle]:
    for n, article in enumerate(_articles(path)):
        text = article.findtext("text") or ""
        toponyms = []
        for t in article.iter("location"):
            start, end = _offsets(t, path, n, shift=-1)  # offsets are 1 too high
            toponyms.append(GoldToponym(start, end, text[start:end], _float(t.findtext("lat")),
                                        _float(t.findtext("lon"))))
        yield GoldArticle(str(n), text, toponyms)


READERS: dict[str, Callable[[str | Path], Iterator[GoldArticle]]] = {
    "gwn": read_gwn, "lgl": read_lgl, "geovirus": read_geovirus}


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)


def place_nlp():
    """spaCy's English model with dyad_places only: what geoparsing needs, nothing more."""
    import spacy

    from dyad.components.places import component as _places  # noqa: F401  (registers the component)
    from dyad.pipeline import MODEL

    nlp = spacy.load(MODEL, exclude=["lemmatizer"])
    nlp.add_pipe("dyad_places")
    return nlp


class _Tally:
    """Counts and errors accumulated over the articles of a gold file."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.overlap_tp = self.overlap_fp = self.overlap_fn = 0
        self.errors: list[float | None] = []  # km off per scored toponym; None when left unresolved
        self.missed: list[str] = []
        self.extra: list[str] = []
        self.wrong: list[str] = []

    def add(self, a: GoldArticle, places) -> None:
        predicted = {(p.start, p.end): p for p in places if p.start >= 0 and p.end > p.start}
        gold = {(t.start, t.end): t for t in a.toponyms}
        for span, g in gold.items():
            p = predicted.get(span)
            if p is None:
                self.fn += 1
                self.missed.append(f"{a.id}: {g.name!r}")
                continue
            self.tp += 1
            if g.lat is None or g.lon is None:
                continue
            if p.latitude is None or p.longitude is None:
                self.errors.append(None)
                self.wrong.append(f"{a.id}: {g.name!r} unresolved")
                continue
            km = distance_km(g.lat, g.lon, p.latitude, p.longitude)
            self.errors.append(km)
            if km > WITHIN_KM:
                self.wrong.append(f"{a.id}: {g.name!r} -> {p.country_iso2} {p.latitude:.2f},{p.longitude:.2f} "
                                  f"({p.feature}; {km:,.0f} km off; gold {g.lat:.2f},{g.lon:.2f}; {p.method})")
        for span, p in predicted.items():
            if span not in gold:
                self.fp += 1
                self.extra.append(f"{a.id}: {p.name!r}")
        gold_spans, pred_spans = list(gold), list(predicted)
        self.overlap_tp += sum(any(s < pe and ps < e for ps, pe in pred_spans) for s, e in gold_spans)
        self.overlap_fn += sum(not any(s < pe and ps < e for ps, pe in pred_spans) for s, e in gold_spans)
        self.overlap_fp += sum(not any(s < ge and gs < e for gs, ge in gold_spans) for s, e in pred_spans)

    def figures(self) -> dict:
        precision, recall = _ratio(self.tp, self.tp + self.fp), _ratio(self.tp, self.tp + self.fn)
        o_precision = _ratio(self.overlap_tp, self.overlap_tp + self.overlap_fp)
        o_recall = _ratio(self.overlap_tp, self.overlap_tp + self.overlap_fn)
        resolved = [e for e in self.errors if e is not None]
        return {
            "gold_toponyms": self.tp + self.fn,
            "predicted_toponyms": self.tp + self.fp,
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "overlap_precision": o_precision,
            "overlap_recall": o_recall,
            "overlap_f1": _f1(o_precision, o_recall),
            "resolution_scored": len(self.errors),
            "unresolved": len(self.errors) - len(resolved),
            "within_161km": _ratio(sum(e <= WITHIN_KM for e in resolved), len(self.errors)),
            "mean_km": statistics.fmean(resolved) if resolved else None,
            "median_km": statistics.median(resolved) if resolved else None,
        }


def evaluate_places(path: str | Path, fmt: str, *, nlp=None, progress: Callable[[int], None] | None = None,
                    n_errors: int = 0, limit: int | None = None) -> dict:
    """Score dyad's geoparser on a gold file; returns the figures as a JSON-ready dict."""
    from dyad.records import Article

    if fmt not in READERS:
        raise ValueError(f"--task places reads {', '.join(PLACE_FORMATS)} gold, not {fmt}")
    articles = list(READERS[fmt](path))[:limit]
    nlp = nlp or place_nlp()
    docs = []
    for a in articles:
        doc = nlp.make_doc(a.text)
        doc._.article = Article(id=a.id, text=a.text)
        docs.append(doc)
    tally = _Tally()
    for a, doc in zip(articles, nlp.pipe(docs, batch_size=32), strict=True):
        if progress:
            progress(1)
        tally.add(a, doc._.places or [])
    result = {
        "gold": str(path),
        "format": fmt,
        "articles": len(articles),
        **tally.figures(),
        "note": "GeoVirus offsets shifted down by one character; its gold coordinates come from Wikipedia"
        if fmt == "geovirus" else "",
    }
    if n_errors:
        result["missed"] = tally.missed[:n_errors]
        result["extra"] = tally.extra[:n_errors]
        result["wrong"] = tally.wrong[:n_errors]
    return result


def read_event_locations(path: str | Path) -> list[dict]:
    """The PLOVER gold records that name an event location (`eventLoc`, an object) and hold a text."""
    data = read_gold_json(path)
    return [r for r in (data if isinstance(data, list) else [data]) if isinstance(r, dict)
            and isinstance(r.get("eventLoc"), dict) and isinstance(r.get("text"), str)]


def evaluate_event_locations(path: str | Path, nlp=None) -> dict:
    """Event locations against the PLOVER gold records that name one (`eventLoc`).

    A record counts as right when the location of its first coded event is the gold place name or
    the gazetteer entry that name resolves to (same GeoNames id, or within 161 km of it).
    """
    from dyad.components.places.resolve import resolve
    from dyad.pipeline import load, process

    records = read_event_locations(path)
    nlp = nlp or load()
    gazetteer = load_gazetteer()
    right = coded = 0
    details = []
    for record, result in zip(records, process([{"text": r["text"]} for r in records], nlp), strict=True):
        gold_name = re.sub(r"^(?:the\s+)?(?:city|town|village|province|region)\s+of\s+", "",
                           str(record["eventLoc"].get("name") or ""), flags=re.I)
        location = result.events[0].location if result.events else None
        if result.events:
            coded += 1
        ok = False
        if location is not None:
            ok = normalise(location.name) == normalise(gold_name)
            target = resolve(gold_name, gazetteer)
            if not ok and target is not None:
                ok = (target.geonames_id is not None and target.geonames_id == location.geonames_id) or (
                    None not in (target.latitude, location.latitude)
                    and distance_km(target.latitude, target.longitude, location.latitude, location.longitude)
                    <= WITHIN_KM)
        right += ok
        details.append({"id": record.get("id"), "gold": gold_name, "predicted": location.name if location else None,
                        "method": location.method if location else None, "right": ok})
    return {"gold": str(path), "records": len(records), "with_events": coded,
            "accuracy": _ratio(right, len(records)), "accuracy_coded": _ratio(right, coded), "records_detail": details}
