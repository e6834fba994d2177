"""The gazetteer: every place name dyad knows, shared by the stages that need one.

The places component resolves toponyms against it; the event coder names the country of a place no
actor codes. `load_gazetteer()` loads it once per process from the index `gazetteer_index.py` builds
and caches on disk (see there for the sources and the cache key). This module holds the lookups (a
name's entries, a demonym's country, an entry as a `Place`); choosing among a name's entries in the
light of an article (priors, scores, focus) is the places component's (`components/places/resolve.py`).
Neither this module nor the scoring is part of the cache key: changing them rebuilds nothing.
"""

from __future__ import annotations

import functools
import math
from array import array

from dyad.records import Place
from dyad.resources.gazetteer_index import (
    CAPITAL,
    CITY,
    CONTINENT,
    COUNTRY,
    COUNTY,
    FEATURES,
    REGION,
    Index,
    distance_km,
    load_index,
    normalise,
)

__all__ = ["CAPITAL", "CITY", "CONTINENT", "COUNTRY", "COUNTY", "FEATURES", "REGION", "Columns", "Gazetteer",
           "distance_km", "load_gazetteer", "load_index", "normalise"]

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


class Columns:
    """An Index's columns unpacked into arrays (cheap: one copy of each buffer)."""

    def __init__(self, index: Index):
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




# Look-ups `Gazetteer._lookup` remembers before starting afresh: a bound on memory (a few MB) far above
# the names of any batch of articles. A bound, set by hand.
LOOKUPS_KEPT = 100_000


class Gazetteer:
    """The loaded index and its lookups: a name's entries, a demonym's country, an entry as a Place."""

    def __init__(self, index: Index):
        self.index = Columns(index)
        self.case_sensitive = frozenset(index.case_sensitive)
        self.by_iso3 = {c.iso3: i for i, c in enumerate(index.countries)}
        self.by_iso2 = {c.iso2: i for i, c in enumerate(index.countries)}
        self._capitals: dict[int, int] | None = None  # country -> its capital's entry, found when first asked
        self._found: dict[str, tuple[tuple[int, bool], ...]] = {}  # key -> its entries (`_lookup`)

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
        """A key's entries, remembered: news repeats its names (29,601 look-ups for about a tenth as many
        names in 200 PolNeAR articles), and each fresh one is a binary search of string slices."""
        known = self._found.get(key)
        if known is None:
            if len(self._found) >= LOOKUPS_KEPT:
                self._found.clear()
            known = self._found[key] = tuple(self._search(key))
        return list(known)

    def _search(self, key: str) -> list[tuple[int, bool]]:
        found = self.index.get(key)
        if found is None:
            for a, b in (("st ", "saint "), ("saint ", "st "), ("mt ", "mount "), ("ft ", "fort ")):
                if key.startswith(a) and (found := self.index.get(b + key[len(a):])) is not None:
                    break
        return [(v >> 1, bool(v & 1)) for v in found or ()]

    def namesake(self, text: str, iso2: str | None, feature: str | None = None,
                 primary: bool = False) -> int | None:
        """The best-known entry of a name in one country (ISO alpha-2), of one feature ("city", "region")
        when given, and, with `primary`, by its main name only (not an alternate name); else None."""
        ix = self.index
        for entry, alternate in self.candidates(text):  # best-known first
            c = ix.country[entry]
            if (c >= 0 and ix.countries[c].iso2 == iso2 and (feature is None or FEATURES[ix.feature[entry]] == feature)
                    and not (primary and alternate)):
                return entry
        return None

    def demonym(self, text: str) -> int | None:
        """The country (index into `index.countries`) a demonym ("Syrian") names."""
        return self.index.adjectives.get(normalise(text))

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

    def capital(self, country: int, method: str) -> Place | None:
        """The country's seat of government (GeoNames' capital, not a former capital that dyad's country
        table also lists as a name of its government: Abuja, not Lagos); else its most populous capital."""
        seat = self.index.countries[country].seat
        if seat >= 0:
            return self.place(seat, f"capital of {self.index.countries[country].name}", method)
        if self._capitals is None:
            ix, best = self.index, {}
            for entry, feature in enumerate(ix.feature):
                if feature == CAPITAL:
                    c = ix.country[entry]
                    if c not in best or ix.population[entry] > ix.population[best[c]]:
                        best[c] = entry
            self._capitals = best
        entry = self._capitals.get(country)
        if entry is None:
            return None
        return self.place(entry, f"capital of {self.index.countries[country].name}", method)

    def country_place(self, country: int, name: str, method: str, kind: str = "toponym") -> Place:
        return self.place(self.index.countries[country].entry, name, method, kind)


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer, loaded once per process (built and cached on disk first if need be)."""
    return Gazetteer(load_index())
