"""What the pages draw, computed in Python: highlighted article text and the timeline chart.

Nothing here builds HTML: the functions return segments and coordinates, and the Jinja templates
(autoescaped) write them out, so article text only ever reaches a page as escaped text.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re

from dyad.knowledge.tables import read_text
from dyad.records import Result

# the drawings' proportions, all set by hand by looking at the pages (tests/test_browser.py takes screenshots)
CHART_SIZE = (900, 320)  # the timeline's width and height in SVG units
CHART_MARGINS = (56, 48, 16, 40)  # left, right, top, bottom: room for the axis labels
BAR_WIDTH = (2.0, 40.0)  # a bar's narrowest and widest
BAR_FILL = 0.8  # the share of its slot a bar fills
TICKS = 6  # date labels on the time axis at most
POINT_RADIUS = (2.5, 9.0)  # a map point's radius: the least, plus this much times sqrt(events / the most)
SHADES = 5  # classes of the map's country shading (log-spaced counts): set by hand, told apart on screen
_RULE = re.compile(r"^dyad:(?P<path>[\w./-]+\.(?:tsv|txt)):(?P<line>\d+)$")


@functools.cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer  # the same English tokenizer rules the coding model uses


def verb_chars(sentence: str, sentence_start: int, spans: dict) -> tuple[int, int] | None:
    """Character offsets in the article of an event's verb, from its token span within the sentence."""
    span = (spans or {}).get("verb")
    if not span or len(span) != 2:
        return None
    tokens = _tokenizer()(sentence)
    start, end = span
    if not 0 <= start < end <= len(tokens):
        return None
    first, last = tokens[start], tokens[end - 1]
    return sentence_start + first.idx, sentence_start + last.idx + len(last.text)


def segments(view: dict, selected_event: str | None = None) -> list[dict]:
    """The article text cut where any highlight starts or ends; each piece names the highlights over it.

    `view` is what `queries.article` returns (or `result_view`): text, sentences, actors, quotes,
    places and events. The sentence of `selected_event` is highlighted as a whole.
    """
    text = view["text"] or ""
    n = len(text)
    marks: list[tuple[int, int, str, str]] = []  # start, end, css class, tooltip
    sentence_at = {s["sentence_index"]: s for s in view["sentences"]}
    for a in view["actors"]:
        marks.append((a["start_char"], a["end_char"], "actor", f"actor {a['code'] or '?'}"))
    for q in view["quotes"]:
        who = q.get("speaker_name") or q.get("speaker") or "?"
        marks.append((q["start_char"], q["end_char"], "quote", f"quote by {who}"))
    for p in view["places"]:
        marks.append((p["start_char"], p["end_char"], "place", f"place {p['name']} ({p['country_iso3'] or '?'})"))
    for e in view["events"]:
        s = sentence_at.get(e["sentence_index"])
        if s is None:
            continue
        if e["event_id"] == selected_event:
            marks.append((s["start_char"], s["end_char"], "hl", "the selected event's sentence"))
        verb = verb_chars(text[s["start_char"]:s["end_char"]], s["start_char"], e.get("spans") or {})
        if verb:
            marks.append((*verb, "verb", f"event {e['code']} ({e['source_code']} -> {e['target_code'] or '-'})"))
    marks = [(max(0, a), min(n, b), c, t) for a, b, c, t in marks if a is not None and 0 <= a < b]
    starts = {s["start_char"]: s["sentence_index"] for s in view["sentences"]}
    cuts = sorted({0, n, *starts, *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        if a >= n:
            break
        over = [m for m in marks if m[0] <= a and b <= m[1]]
        out.append({"text": text[a:b], "anchor": starts.get(a),
                    "classes": " ".join(sorted({m[2] for m in over})),
                    "title": "; ".join(dict.fromkeys(m[3] for m in over))})
    return out


def result_view(result: Result) -> dict:
    """A freshly coded Result in the shape `queries.article` gives a stored one."""
    a = result.article
    events = []
    for e in result.events:
        events.append({
            "event_id": e.event_id, "article_id": a.id, "sentence_index": e.sentence_index, "sentence": e.sentence,
            "date": e.date, "source_text": e.source.text, "source_code": e.source.code,
            "target_text": e.target.text if e.target else None, "target_code": e.target.code if e.target else None,
            "code": e.code, "root_code": e.root_code, "quad_class": e.quad_class, "goldstein": e.goldstein,
            "confidence": e.confidence, "location_name": e.location.name if e.location else None,
            "rule": e.provenance.rule, "spans": e.provenance.spans})
    return {
        "id": a.id, "url": a.url, "source": a.source, "title": a.title, "date": a.date, "dateline": a.dateline,
        "status": result.status, "reason": result.reason, "text": a.text, "story_id": None,
        "warnings": result.warnings,
        "sentences": [{"sentence_index": s.index, "start_char": s.start, "end_char": s.end}
                      for s in result.sentences],
        "actors": [{"sentence_index": x.sentence_index, "start_char": x.start, "end_char": x.end, "text": x.text,
                    "code": x.code, "country": x.country, "evidence": x.evidence} for x in result.actors],
        "quotes": [{"sentence_index": q.sentence_index, "start_char": q.start, "end_char": q.end, "text": q.text,
                    "speaker": q.speaker, "speaker_name": q.speaker_name, "speaker_code": q.speaker_code,
                    "cue": q.cue} for q in result.quotes],
        "places": [{"sentence_index": p.sentence_index, "start_char": p.start, "end_char": p.end, "name": p.name,
                    "kind": p.kind, "country_iso3": p.country_iso3, "latitude": p.latitude,
                    "longitude": p.longitude, "feature": p.feature} for p in result.places],
        "events": events,
    }


def rule_source(rule: str) -> dict | None:
    """The knowledge-file line behind a rule name like `dyad:events/verbs.tsv:65`, with its file's header."""
    match = _RULE.match(rule or "")
    if not match:
        return None
    if ".." in match["path"].split("/"):  # only files inside the knowledge package
        return None
    try:
        lines = read_text(match["path"]).splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    number = int(match["line"])
    if not 1 <= number <= len(lines):
        return None
    header = next((line for line in lines if line and not line.startswith("#")), "")
    return {"file": match["path"], "line": number, "text": lines[number - 1], "header": header,
            "context": [(k + 1, lines[k]) for k in range(max(0, number - 3), min(len(lines), number + 2))]}


def timeline(points: list[dict], value: str = "events", width: int = CHART_SIZE[0],
             height: int = CHART_SIZE[1]) -> dict:
    """Bars (events, or events per 100 articles) and a mean-Goldstein line on a time axis."""
    left, right, top, bottom = CHART_MARGINS
    plot_w, plot_h = width - left - right, height - top - bottom
    chart = {"width": width, "height": height, "left": left, "top": top, "plot_w": plot_w, "plot_h": plot_h,
             "bottom_y": top + plot_h, "bars": [], "line": "", "dots": [], "ticks": [], "value": value, "max": 0}
    usable = [p for p in points if p.get(value) is not None]
    if not usable:
        return chart
    first, last = usable[0]["period"], usable[-1]["period"]
    span = max((last - first).days, 1)
    top_value = max(p[value] for p in usable) or 1
    slot = max(BAR_WIDTH[0], min(BAR_WIDTH[1], plot_w / max(len(usable), 1) * BAR_FILL))

    def x_of(day: dt.date) -> float:
        return left + slot / 2 + (day - first).days / span * (plot_w - slot) if len(usable) > 1 else left + plot_w / 2

    def y_of_goldstein(g: float) -> float:  # Goldstein runs from -10 to +10
        return top + (10 - g) / 20 * plot_h

    line = []
    for p in usable:
        x = x_of(p["period"])
        h = p[value] / top_value * plot_h
        chart["bars"].append({"x": round(x - slot / 2, 1), "y": round(top + plot_h - h, 1), "w": round(slot, 1),
                              "h": round(h, 1), "label": f"{p['period']}: {p[value]} {value.replace('_', ' ')}"
                              f", mean Goldstein {p['goldstein']}"})
        if p.get("goldstein") is not None:
            gy = y_of_goldstein(p["goldstein"])
            line.append(f"{x:.1f},{gy:.1f}")
            chart["dots"].append({"x": round(x, 1), "y": round(gy, 1), "label": f"{p['period']}: {p['goldstein']}"})
    chart["line"] = " ".join(line)
    chart["max"] = top_value
    chart["zero_y"] = round(y_of_goldstein(0), 1)
    chart["ticks"] = [{"x": round(x_of(p["period"]), 1), "label": str(p["period"])}
                      for p in _spread(usable, TICKS)]
    return chart


def _spread(items: list, k: int) -> list:
    if len(items) <= k:
        return items
    step = (len(items) - 1) / (k - 1)
    return [items[round(i * step)] for i in range(k)]


def map_points(locations: list[dict]) -> list[dict]:
    from dyad.surfaces.server.geo import project

    top = max((p["events"] for p in locations), default=1)
    out = []
    for p in locations:
        x, y = project(p["longitude"], p["latitude"])
        out.append({"x": round(x, 1), "y": round(y, 1), "r": _radius(p["events"], top),
                    "label": f"{p['location_name']} ({p['location_country'] or '?'}): {p['events']} events",
                    "name": p["location_name"], "country": p["location_country"], "events": p["events"]})
    return out


def _radius(events: int, top: int) -> float:
    """A point's radius: its area grows with its count (the square root), so the eye compares counts."""
    smallest, scale = POINT_RADIUS
    return round(smallest + scale * (events / max(top, 1)) ** 0.5, 1)


def _nice(value: float) -> int:
    """`value` rounded down to 1, 2 or 5 times a power of ten: the legend's round numbers."""
    if value < 1:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    return max(step * power for step in (1, 2, 5) if step * power <= value)


def size_legend(points: list[dict]) -> list[dict]:
    """The map's size key: three round counts up to the largest point's, each with its circle's radius."""
    top = max((p["events"] for p in points), default=0)
    if not top:
        return []
    counts = sorted({_nice(top), _nice(top / 10), _nice(top / 100)})
    return [{"events": n, "r": _radius(n, top)} for n in counts]


def country_shades(counts: dict[str, int]) -> tuple[dict[str, int], list[dict]]:
    """Each country's shade class (1..SHADES, on log-spaced counts: event counts span orders of
    magnitude) and the key: each class's range of counts."""
    top = max(counts.values(), default=0)
    if not top:
        return {}, []
    bounds = [round(top ** (k / SHADES)) for k in range(SHADES + 1)]  # 1, ..., top

    def shade(n: int) -> int:
        return next(k for k in range(1, SHADES + 1) if n <= bounds[k])

    key, low = [], 1
    for k in range(1, SHADES + 1):
        if bounds[k] >= low:
            key.append({"shade": k, "label": f"{low}" if low == bounds[k] else f"{low}–{bounds[k]}"})
            low = bounds[k] + 1
    return {iso3: shade(n) for iso3, n in counts.items() if n > 0}, key
