"""What the charts draw, computed in Python: several dyads' lines, an actor's conflict and cooperation,
the root codes of a filter, and its dyad network.

As `render.timeline`: nothing here builds HTML or SVG markup. Each function returns coordinates, path
data and labels, and a Jinja template (autoescaped) writes the SVG; colours are CSS classes (`s1`..`s6`,
`q1`..`q4`, `g-...`), so the stylesheet sets them for light and dark pages alike.
"""

from __future__ import annotations

import datetime as dt
import math

from dyad.corpus.queries import QUAD_NAMES

# the drawings' proportions, set by hand by looking at the pages at 1280 and 390 px wide
# (tests/test_browser.py and benchmarks/pages.py take screenshots)
SIZE = (900, 340)  # a time chart's width and height in SVG units (render.CHART_SIZE, a little taller)
MARGINS = (60, 52, 16, 40)  # left, right, top, bottom: room for the axis labels
BAR_FILL = 0.8  # the share of its slot a bar fills
TICKS = 6  # date labels on the time axis at most
VALUE_TICKS = 5  # value labels on an axis at most
MAX_DOTS = 150  # a line's points get a dot (with its title) up to this many periods; past it they merge
MAX_FILLED = 50_000  # a calendar axis's periods at most (137 years of days); past it, only the periods with events
# periods a chart draws at most, the latest (the table beside it lists the same; the data has all): about one
# per SVG unit of the 788-unit plot, past which bars and points merge; 15 years of weeks
MAX_PERIODS = 780
ROW = 22  # a root code's bar row, in SVG units
LABEL_WIDTH = 300  # room for a root code's number and name left of its bar (the longest name, 12 px type)
NETWORK_SIZE = 760  # the network's width and height in SVG units
NETWORK_LABELS = 120  # room outside the circle for the node labels (a 6-10 letter code, 12 px type)
NODE_RADIUS = (4.0, 12.0)  # a node's radius: the least, plus this much times sqrt(its events / the most)
EDGE_WIDTH = (1.0, 4.0)  # an edge's stroke: the least, plus this much times sqrt(its events / the most)
BEND = 0.12  # an edge bends right by this share of its length, so A -> B and B -> A stay apart
LOOP_RADIUS = 9.0  # an actor's events on itself (USAELI -> USAELI): a loop of this radius outside its node
# Goldstein bins of an edge's mean, set by hand from the CAMEO roots' values: beyond -4 lie threats, protests
# and force (13-20), beyond +4 material cooperation and aid (06-07); within +-1, statements and comments
GOLDSTEIN_BINS = ((-4.0, "g-strong-conflict"), (-1.0, "g-conflict"), (1.0, "g-neutral"), (4.0, "g-coop"),
                  (math.inf, "g-strong-coop"))
# CAMEO's QuadClass of a root code (the rule cameo_events.tsv states): 01-05, 06-08, 09-13, 14-20
ROOT_QUADS = ((5, 1), (8, 2), (13, 3), (20, 4))


def _frame(width: int, height: int) -> dict:
    left, right, top, bottom = MARGINS
    plot_w, plot_h = width - left - right, height - top - bottom
    return {"width": width, "height": height, "left": left, "top": top, "plot_w": plot_w, "plot_h": plot_h,
            "right_x": left + plot_w, "bottom_y": top + plot_h}


def next_period(day: dt.date, period: str) -> dt.date:
    """The first day of the period after the one `day` starts (as DuckDB's date_trunc starts them)."""
    if period == "day":
        return day + dt.timedelta(days=1)
    if period == "week":
        return day + dt.timedelta(days=7)
    if period == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def calendar(present: list[dt.date], period: str) -> list[dt.date]:
    """Every period from the first of `present` to its last, so a period without events shows as zero,
    not as a line drawn straight across it; only `present` when that span is too long to draw."""
    if not present:
        return []
    days, day = [], present[0]
    while day <= present[-1]:
        days.append(day)
        if len(days) > MAX_FILLED:
            return sorted(present)
        day = next_period(day, period)
    return days


def shown(present: list[dt.date], period: str) -> tuple[list[dt.date], int]:
    """The periods a chart draws (`calendar`, the latest `MAX_PERIODS`) and how many earlier ones it leaves out."""
    axis = calendar(present, period)
    return axis[-MAX_PERIODS:], max(0, len(axis) - MAX_PERIODS)


def nice_ticks(top: float, most: int = VALUE_TICKS) -> list[float]:
    """Axis values from 0 to at least `top` in steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not top or top <= 0:
        return [0, 1]
    raw = top / (most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    return [round(i * step, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]


def number(value: float) -> str:
    """A tick's or a label's number: whole numbers without a fraction, others with up to 3 digits."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def _spread(items: list, k: int) -> list:
    if len(items) <= k:
        return items
    step = (len(items) - 1) / (k - 1)
    return [items[round(i * step)] for i in range(k)]


def _x_axis(axis: list[dt.date], frame: dict, centred: bool) -> tuple:
    """x of the i-th period (its slot's middle when `centred`, for bars), the slot's width, and the ticks."""
    n = max(len(axis), 1)
    slot = frame["plot_w"] / n

    def x_of(i: int) -> float:
        if centred:
            return frame["left"] + slot * (i + 0.5)
        return frame["left"] + (i / (n - 1) * frame["plot_w"] if n > 1 else frame["plot_w"] / 2)

    index = {day: i for i, day in enumerate(axis)}
    ticks = [{"x": round(x_of(index[day]), 1), "label": str(day)} for day in _spread(axis, TICKS)]
    return x_of, slot, ticks


def _path(points: list[tuple[float, float] | None]) -> str:
    """SVG path data through the points, lifted over each None (a period with nothing to draw)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    return " ".join(parts)


def lines(series: list[dict], value: str = "events", period: str = "month", width: int = SIZE[0],
          height: int = SIZE[1]) -> dict:
    """One line per series on a shared calendar axis: `series` is [{"label", "points"}], points as
    `dyad_series` gives them; `value` is "events" or "per_100_articles". A period a series has no
    events in counts zero; a per-100 value with no articles that period is left out (a gap)."""
    by_period = [{p["period"]: p for p in s["points"]} for s in series]
    axis, hidden = shown(sorted(set().union(*by_period)), period)
    chart = {**_frame(width, height), "series": [], "x_ticks": [], "y_ticks": [], "value": value,
             "periods": len(axis), "hidden": hidden, "first": axis[0] if axis else None}
    top = max((p[value] or 0 for s in series for p in s["points"] if p["period"] >= chart["first"]), default=0)
    ticks = nice_ticks(top)
    scale = chart["plot_h"] / (ticks[-1] or 1)
    x_of, _, chart["x_ticks"] = _x_axis(axis, chart, centred=False)
    chart["y_ticks"] = [{"y": round(chart["bottom_y"] - t * scale, 1), "label": number(t)} for t in ticks]
    for k, (s, points) in enumerate(zip(series, by_period, strict=True)):
        drawn, dots = [], []
        for i, day in enumerate(axis):
            point = points.get(day)
            amount = point[value] if point else 0
            if amount is None:
                drawn.append(None)
                continue
            xy = (x_of(i), chart["bottom_y"] - amount * scale)
            drawn.append(xy)
            if len(axis) <= MAX_DOTS:
                dots.append({"x": round(xy[0], 1), "y": round(xy[1], 1),
                             "label": f"{s['label']}, {day}: {number(amount)} {value.replace('_', ' ')}"})
        chart["series"].append({"label": s["label"], "css": f"s{k % 6 + 1}", "path": _path(drawn), "dots": dots,
                                "points": sum(xy is not None for xy in drawn),
                                "total": sum(p["events"] for p in s["points"] if p["period"] >= chart["first"])})
    return chart


def stacked(points: list[dict], period: str = "month", normalize: bool = False, width: int = SIZE[0],
            height: int = SIZE[1]) -> dict:
    """QuadClass counts per period as bars about a zero line, cooperation (verbal, then material) above
    and conflict (verbal, then material) below, with the mean Goldstein as a line on a -10..+10 axis
    whose 0 is that zero line. `normalize`: each count per 100 of the period's articles (a period
    without articles gets no bar)."""
    by_period = {p["period"]: p for p in points}
    axis, hidden = shown(sorted(by_period), period)
    chart = {**_frame(width, height), "bars": [], "goldstein": "", "x_ticks": [], "y_ticks": [],
             "periods": len(axis), "hidden": hidden, "first": axis[0] if axis else None}
    half = chart["plot_h"] / 2
    zero_y = chart["top"] + half
    chart["zero_y"] = round(zero_y, 1)
    amounts = []
    for day in axis:
        point = by_period.get(day)
        if point is None:
            amounts.append((day, None, [0, 0, 0, 0]))
            continue
        factor = (100 / point["articles"] if point["articles"] else None) if normalize else 1
        counts = [point[name] * factor if factor else 0 for name in QUAD_NAMES]
        amounts.append((day, point, counts if factor else None))
    top = max((max(c[0] + c[1], c[2] + c[3]) for _, _, c in amounts if c), default=0)
    ticks = nice_ticks(top, VALUE_TICKS - 2)
    scale = half / (ticks[-1] or 1)
    chart["y_ticks"] = [{"y": round(zero_y + sign * t * scale, 1), "label": ("−" if sign > 0 and t else "")
                         + number(t)} for t in ticks for sign in ((-1,) if not t else (-1, 1))]
    x_of, slot, chart["x_ticks"] = _x_axis(axis, chart, centred=True)
    bar_w = max(slot * BAR_FILL, 0.5)
    goldstein = []
    for i, (day, point, counts) in enumerate(amounts):
        x = x_of(i)
        if point is None or counts is None:
            goldstein.append(None)
            continue
        v_coop, m_coop, v_conflict, m_conflict = (c * scale for c in counts)
        segments = [(zero_y - v_coop, v_coop), (zero_y - v_coop - m_coop, m_coop),
                    (zero_y, v_conflict), (zero_y + v_conflict, m_conflict)]
        unit = "per 100 articles" if normalize else "events"
        label = (f"{day}: {number(sum(counts))} {unit}; " + ", ".join(
            f"{name.replace('_', ' ')} {number(c)}" for name, c in zip(QUAD_NAMES, counts, strict=True))
            + f"; mean Goldstein {point['goldstein']}")
        chart["bars"].append({"label": label, "segments": [
            {"css": f"q{q}", "x": round(x - bar_w / 2, 2), "y": round(y, 2), "w": round(bar_w, 2), "h": round(h, 2)}
            for q, (y, h) in enumerate(segments, start=1) if h > 0]})
        g = point.get("goldstein")
        goldstein.append(None if g is None else (x, zero_y - g / 10 * half))
    chart["goldstein"] = _path(goldstein)
    chart["max"] = ticks[-1]
    return chart


def root_quad(root: str) -> int:
    """The QuadClass of a CAMEO root code ("01".."20")."""
    return next(quad for last, quad in ROOT_QUADS if int(root) <= last)


def root_bars(rows: list[dict], width: int = SIZE[0]) -> dict:
    """A horizontal bar per root code (rows as `chart_queries.root_distribution` gives them), coloured by
    its QuadClass, longest for the most events, on a shared value axis."""
    left, right, top, bottom = LABEL_WIDTH, MARGINS[1] + 20, MARGINS[2], MARGINS[3]
    height = top + ROW * len(rows) + bottom
    plot_w = width - left - right
    ticks = nice_ticks(max((r["events"] for r in rows), default=0))
    scale = plot_w / (ticks[-1] or 1)
    bars = []
    for i, r in enumerate(rows):
        y = top + i * ROW
        w = r["events"] * scale
        bars.append({"y": round(y + ROW * 0.15, 1), "h": round(ROW * 0.7, 1), "w": round(w, 1),
                     "text_y": round(y + ROW * 0.68, 1), "value_x": round(left + w + 4, 1),
                     "css": f"q{root_quad(r['root_code'])}", "code": r["root_code"], "name": r["name"],
                     "events": r["events"], "label": f"{r['root_code']} {r['name']}: {r['events']:,} events "
                     f"({r['share']:.1%} of the filter's)"})
    return {"width": width, "height": height, "left": left, "top": top, "plot_w": plot_w,
            "bottom_y": top + ROW * len(rows), "bars": bars,
            "x_ticks": [{"x": round(left + t * scale, 1), "label": number(t)} for t in ticks]}


def _goldstein_class(mean: float | None) -> str:
    if mean is None:
        return "g-neutral"
    return next(css for bound, css in GOLDSTEIN_BINS if mean <= bound)


def network(edges: list[dict], size: int = NETWORK_SIZE) -> dict:
    """The edges (`chart_queries.network`: source_code, target_code, events, goldstein) between their
    actors, laid out on a circle in code order, so an actor sits beside its country's other actors and
    the same edges always draw the same picture. Each edge curves a little to its right and ends at its
    target's rim (where the template puts the arrow); its width grows with events, its colour class
    follows its mean Goldstein (`GOLDSTEIN_BINS`)."""
    sent, received = {}, {}
    for e in edges:
        sent[e["source_code"]] = sent.get(e["source_code"], 0) + e["events"]
        received[e["target_code"]] = received.get(e["target_code"], 0) + e["events"]
    codes = sorted(set(sent) | set(received))
    centre = size / 2
    ring = centre - NETWORK_LABELS
    most = max((sent.get(c, 0) + received.get(c, 0) for c in codes), default=1) or 1
    nodes, at = [], {}
    for i, code in enumerate(codes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(codes)
        cos, sin = math.cos(angle), math.sin(angle)
        total = sent.get(code, 0) + received.get(code, 0)
        r = NODE_RADIUS[0] + NODE_RADIUS[1] * math.sqrt(total / most)
        x, y = centre + ring * cos, centre + ring * sin
        at[code] = (x, y, r, cos, sin)
        reach = ring + r + 6
        nodes.append({"code": code, "x": round(x, 1), "y": round(y, 1), "r": round(r, 1),
                      "label_x": round(centre + reach * cos, 1), "label_y": round(centre + reach * sin + 4, 1),
                      "anchor": "start" if cos > 0.2 else "end" if cos < -0.2 else "middle",
                      "label": f"{code}: {sent.get(code, 0):,} events as source and {received.get(code, 0):,} "
                      "as target in these edges"})
    heaviest = max((e["events"] for e in edges), default=1) or 1
    drawn = []
    for e in edges:
        source, target = e["source_code"], e["target_code"]
        d = _loop(at[source]) if source == target else _curve(at[source], at[target])
        drawn.append({"source": source, "target": target, "events": e["events"], "goldstein": e["goldstein"],
                      "d": d, "css": _goldstein_class(e["goldstein"]),
                      "width": round(EDGE_WIDTH[0] + EDGE_WIDTH[1] * math.sqrt(e["events"] / heaviest), 2),
                      "label": f"{source} → {target}: {e['events']:,} events, mean Goldstein {e['goldstein']}"})
    return {"size": size, "nodes": nodes, "edges": drawn, "classes": [css for _, css in GOLDSTEIN_BINS]}


def _curve(start: tuple, end: tuple) -> str:
    (x0, y0, r0, *_), (x1, y1, r1, *_) = start, end
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1
    cx, cy = (x0 + x1) / 2 - dy / length * BEND * length, (y0 + y1) / 2 + dx / length * BEND * length

    def rim(x, y, r):  # from a node's centre toward the control point, to its rim (the curve leaves it there)
        ux, uy = cx - x, cy - y
        n = math.hypot(ux, uy) or 1
        return x + ux / n * r, y + uy / n * r

    sx, sy = rim(x0, y0, r0 + 1)
    ex, ey = rim(x1, y1, r1 + 2)
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}"


def _loop(node: tuple) -> str:
    """A loop leaving a node outward (away from the circle's centre) and coming back to it."""
    x, y, r, cos, sin = node
    angle = math.atan2(sin, cos)
    a, b = angle - 0.6, angle + 0.6
    sx, sy = x + r * math.cos(a), y + r * math.sin(a)
    ex, ey = x + (r + 2) * math.cos(b), y + (r + 2) * math.sin(b)
    return f"M{sx:.1f},{sy:.1f} A{LOOP_RADIUS},{LOOP_RADIUS} 0 1 1 {ex:.1f},{ey:.1f}"
